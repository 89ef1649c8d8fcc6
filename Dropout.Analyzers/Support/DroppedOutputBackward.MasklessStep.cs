using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A training step that writes its backward inline after a dropout helper that keeps no mask. The helper returns only the
/// dropped, 1/p-scaled copy of what it is handed (no mask in a member, an out parameter or a tuple), so nothing of the
/// decision survives the call. When the step then, in the same method, differentiates through the hidden layer the helper
/// dropped (a ReLU gate or a derivative call on the pre-activation, or on the hidden value itself) and lets that gradient
/// reach an update of the weights that computed the hidden layer, the gradient went through the dropped units unmasked and
/// missed the 1/p: the derivative of x·m/p is m/p, and the step has neither m nor p.
/// Summaries, in data flow: what the helper drops (its parameter whose elements its kept value reads) and that no mask
/// survives it; which locals of the step the dropped value was computed from before the call, and which members they read
/// (the weights below); which locals a derivative of those values writes after the call, followed to the update. Not
/// judged: classic dropout, a helper that hands its mask back, a step that reads the rate or the gate after the call (a
/// backward that runs only without dropout, or one that divides by the keep probability), dropout on the network's input
/// (nothing below it is a member), an update that no derivative reaches (random search, evolution), and Monte Carlo
/// prediction (no update at all).
/// </summary>
internal static partial class DroppedOutputBackward
{
    public static IEnumerable<BackwardFinding> FindInSteps(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax siteDeclaration } siteRoot
                || facts.SemanticModelOf(siteDeclaration).GetDeclaredSymbol(siteDeclaration, cancellationToken) is not IMethodSymbol helper
                || helper.Parameters.Any(parameter => parameter.RefKind != RefKind.None)
                || site.MaskSymbol is not (null or ILocalSymbol)
                || !facts.ScalesFor(site, cancellationToken).Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep))
            {
                continue;
            }

            // The helper returns the local its decision writes (which the model may take for the mask: it is the dropped copy),
            // and no other record of the decision; or it fills a mask local and returns only the element-wise product of its
            // input with that mask (`return Multiply(x, mask);`), the mask itself reaching no member, out parameter or return.
            ILocalSymbol? returned = DroppedHolders(site, siteRoot).Select(holder => (holder as ILocalReferenceOperation)?.Local)
                .FirstOrDefault(local => local is not null && Returns(siteRoot, local));
            IParameterSymbol? dropsParameter = returned is null && site.MaskSymbol is ILocalSymbol filledMask
                ? ReturnedProductWithMask(siteRoot, filledMask, helper)
                : null;
            if ((returned is null && dropsParameter is null)
                || (returned is not null && site.MaskSymbol is ILocalSymbol mask && !SymbolEqualityComparer.Default.Equals(mask, returned) && Returns(siteRoot, mask)))
            {
                continue;
            }

            // What it drops: the collection parameter its kept value reads; what decides: its scalar parameters the decision,
            // the probability or the gates read (the rate, the training flag).
            dropsParameter ??= site.KeptValue is { } kept
                ? HandWrittenDropoutSite.EnumerateSelfAndDescendants(kept)
                    .OfType<IParameterReferenceOperation>().Select(reference => reference.Parameter)
                    .FirstOrDefault(parameter => !PreDropRecordBackward.IsScalarParameter(parameter) && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, helper))
                : null;
            if (dropsParameter is null)
            {
                continue;
            }

            var decidingParameters = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
            foreach (IOperation source in new[] { site.Probability, site.Decision }.Concat(EnclosingConditions(site.Decision, siteRoot)).Concat(GuardsBefore(site.Decision, siteRoot)))
            {
                foreach (IParameterReferenceOperation reference in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source).OfType<IParameterReferenceOperation>())
                {
                    if (PreDropRecordBackward.IsScalarParameter(reference.Parameter))
                    {
                        decidingParameters.Add(reference.Parameter);
                    }
                }
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root == siteRoot || root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax step } || reported.Contains(step))
                {
                    continue;
                }

                foreach (IInvocationOperation call in root.Descendants().OfType<IInvocationOperation>())
                {
                    if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition)
                        || call.Arguments.FirstOrDefault(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, dropsParameter.OriginalDefinition)) is not { } handed
                        || HandWrittenDropoutSite.StripConversions(handed.Value) is not ILocalReferenceOperation { Local: var hidden }
                        || StepBackwardWithoutMask(root, call, hidden, decidingParameters, helper) is not true)
                    {
                        continue;
                    }

                    reported.Add(step);
                    yield return new BackwardFinding(step, "'" + hidden.Name + "', dropped by '" + helper.Name + "' (inverted, its mask not kept),");
                    break;
                }
            }
        }
    }

    // `return Multiply(x, mask);`: every return of the helper hands back either its input untouched (the early exit without
    // dropout) or an element-wise product of a collection parameter with the mask local (an operator-free product call
    // whose own body multiplies its two parameters' elements), and the mask goes nowhere else. The parameter is what it drops.
    private static IParameterSymbol? ReturnedProductWithMask(IOperation root, ILocalSymbol mask, IMethodSymbol helper)
    {
        IParameterSymbol? dropped = null;
        foreach (IReturnOperation exit in root.Descendants().OfType<IReturnOperation>())
        {
            IOperation? value = exit.ReturnedValue is { } returnedValue ? HandWrittenDropoutSite.StripConversions(returnedValue) : null;
            if (value is IParameterReferenceOperation { Parameter: var identity } && SymbolEqualityComparer.Default.Equals(identity.ContainingSymbol, helper))
            {
                continue;
            }

            if (value is not IInvocationOperation { Arguments.Length: 2 } product
                || !IsElementWiseProductMethod(product.TargetMethod)
                || product.Arguments.Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value)).ToList() is not { } operands
                || !operands.Any(operand => operand is ILocalReferenceOperation { Local: var local } && SymbolEqualityComparer.Default.Equals(local, mask))
                || operands.OfType<IParameterReferenceOperation>().FirstOrDefault(operand => SymbolEqualityComparer.Default.Equals(operand.Parameter.ContainingSymbol, helper)
                    && !PreDropRecordBackward.IsScalarParameter(operand.Parameter)) is not { } input
                || (dropped is not null && !SymbolEqualityComparer.Default.Equals(dropped, input.Parameter)))
            {
                return null;
            }

            dropped = input.Parameter;
        }

        if (dropped is null || StoredInto(root, mask).Any()
            || root.Descendants().OfType<ILocalReferenceOperation>().Any(use => SymbolEqualityComparer.Default.Equals(use.Local, mask)
                && use.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref }))
        {
            return null;
        }

        return dropped;
    }

    // A source method of two collection parameters whose body writes the product of their elements (`r[i] = a[i] * b[i]`).
    internal static bool IsElementWiseProductMethod(IMethodSymbol method)
    {
        if (method.Parameters.Length != 2 || method.DeclaringSyntaxReferences.Length != 1
            || method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
        {
            return false;
        }

        string first = method.Parameters[0].Name, second = method.Parameters[1].Name;
        return declaration.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(assignment =>
            assignment.Left is ElementAccessExpressionSyntax
            && HandWrittenDropoutModel.StripParenthesesAndCasts(assignment.Right) is BinaryExpressionSyntax product
            && product.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.MultiplyExpression)
            && ((IsElementOf(product.Left, first) && IsElementOf(product.Right, second)) || (IsElementOf(product.Left, second) && IsElementOf(product.Right, first))));
    }

    private static bool IsElementOf(ExpressionSyntax operand, string parameter) =>
        HandWrittenDropoutModel.StripParenthesesAndCasts(operand) is ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: var name } }
        && name == parameter;

    // `SigmoidDerivative(hidden)`: the hidden layer handed alone to a method of the source that returns a collection of its
    // type, a map of the layer as a whole (its derivative, read after the dropout). Whether it is a derivative is decided by
    // where its result goes: the caller follows it to an update of the weights below.
    private static bool IsElementWiseMapArgument(ILocalReferenceOperation read) =>
        HandWrittenDropoutSite.ClimbConversions(read).Parent is IArgumentOperation { Parent: IInvocationOperation { Arguments.Length: 1 } call }
        && !call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.IsEmpty
        && read.Type is IArrayTypeSymbol
        && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ReturnType, read.Type);

    // `if (!training || rate <= 0) return x;` before the decision: a gate of the helper's own.
    private static IEnumerable<IOperation> GuardsBefore(IOperation decision, IOperation root) =>
        root.Descendants().OfType<IConditionalOperation>().Where(guard => guard.Syntax.Span.End <= decision.Syntax.SpanStart
            && guard.WhenTrue.DescendantsAndSelf().Any(operation => operation is IReturnOperation))
            .Select(guard => guard.Condition);

    private static bool StepBackwardWithoutMask(IOperation step, IInvocationOperation call, ILocalSymbol hidden, HashSet<IParameterSymbol> decidingParameters, IMethodSymbol helper)
    {
        int after = call.Syntax.Span.End;

        // The locals the dropped value was computed from before the call, and the members they read: the weights below.
        var chain = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default) { hidden };
        var below = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ILocalSymbol>();
        pending.Push(hidden);
        while (pending.Count > 0)
        {
            ILocalSymbol local = pending.Pop();
            foreach (IOperation source in SourcesBefore(step, local, call.Syntax.SpanStart))
            {
                foreach (IOperation part in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source))
                {
                    if (part is ILocalReferenceOperation { Local: var read } && IsValueLocal(read) && chain.Add(read))
                    {
                        pending.Push(read);
                    }
                    else if (HandWrittenDropoutModel.IsSelfMember(part)
                        && HandWrittenDropoutSite.ReferencedSymbol(part) is IFieldSymbol or IPropertySymbol
                        && HandWrittenDropoutSite.ReferencedSymbol(part)!.OriginalDefinition is { } member
                        && !PreDropRecordBackward.IsScalar(member))
                    {
                        below.Add(member);
                    }
                }
            }
        }

        if (below.Count == 0)
        {
            return false;
        }

        // The decision's inputs at this call (the rate, the flag, the conditions around the call), and locals computed from
        // them (not the dropped copy the helper returns): read again after the call, they may gate the backward or scale it.
        var gate = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation source in call.Arguments.Where(argument => argument.Parameter is { } parameter && decidingParameters.Contains(parameter.OriginalDefinition)).Select(argument => argument.Value)
            .Concat(EnclosingConditions(call, step)))
        {
            foreach (IOperation part in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source))
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(part) is { } symbol && PreDropRecordBackward.IsScalar(symbol))
                {
                    gate.Add(symbol.OriginalDefinition);
                }
            }
        }

        // One pass over the step's definitions of locals (`bool useDropout = _rate > 0;`, `keep = 1 - rate;`).
        var derived = new List<ILocalSymbol>();
        foreach (IOperation operation in step.Descendants())
        {
            (ILocalSymbol? local, IOperation? value) = operation switch
            {
                IVariableDeclaratorOperation { Initializer.Value: { } initial } declarator => (declarator.Symbol, initial),
                IAssignmentOperation { Target: ILocalReferenceOperation target } assignment => (target.Local, assignment.Value),
                _ => (null, null),
            };
            if (local is not null && value is not null
                && HandWrittenDropoutSite.EnumerateSelfAndDescendants(value).Any(part => HandWrittenDropoutSite.ReferencedSymbol(part) is { } symbol
                    && gate.Contains(symbol.OriginalDefinition) && !InCallOf(part, helper)))
            {
                derived.Add(local);
            }
        }

        gate.UnionWith(derived);

        List<IOperation> later = step.Descendants().Where(operation => operation.Syntax.SpanStart >= after).ToList();
        if (later.Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && gate.Contains(symbol.OriginalDefinition)
            && !InCallOf(operation, helper)))
        {
            return false;
        }

        // Derivatives of the hidden layer after the call (its pre-activation, the hidden value, or the dropped copy), and the
        // locals they write, followed forward.
        ILocalSymbol? droppedCopy = HandWrittenDropoutSite.ClimbConversions(call).Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } => target.Local,
            _ => null,
        };
        var gradient = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (ILocalReferenceOperation read in later.OfType<ILocalReferenceOperation>())
        {
            if ((chain.Contains(read.Local) || SymbolEqualityComparer.Default.Equals(read.Local, droppedCopy))
                && !IsWriteTarget(read) && (IsDerivativeRead(read) || IsElementWiseMapArgument(read)))
            {
                foreach (ILocalSymbol written in WrittenByDerivative(read))
                {
                    gradient.Add(written);
                }
            }
        }

        if (gradient.Count == 0)
        {
            return false;
        }

        for (int round = 0; round < 6; round++)
        {
            bool grew = false;
            foreach (IOperation operation in later)
            {
                (IOperation? target, IOperation? value) = operation switch
                {
                    IAssignmentOperation assignment => (assignment.Target, assignment.Value),
                    IVariableDeclaratorOperation { Initializer.Value: { } initial } declarator => ((IOperation?)null, initial),
                    _ => (null, null),
                };
                ILocalSymbol? written = operation is IVariableDeclaratorOperation declared ? declared.Symbol : target is null ? null : RootLocal(target);
                if (written is not null && value is not null && !gradient.Contains(written) && ReadsAnyLocal(value, gradient))
                {
                    gradient.Add(written);
                    grew = true;
                }
            }

            if (!grew)
            {
                break;
            }
        }

        // The update of a weight below: written with a gradient value, or handed to a call beside one
        // (`Descend(_w1, g1, lr)`, `adam.Apply(_w1, g1)`), or updated through a call on it (`_b1.SetAt(j, _b1.At(j) - lr * g[j])`).
        return later.Any(operation => operation switch
        {
            IAssignmentOperation assignment => PreDropRecordBackward.MemberBuffer(HandWrittenDropoutModel.ElementCollection(assignment.Target) ?? assignment.Target, step) is { } member
                && below.Contains(member) && ReadsAnyLocal(assignment.Value, gradient),
            IInvocationOperation update => (update.Instance is { } instance && IsBelowMember(instance, below)
                    || update.Arguments.Any(argument => IsBelowMember(argument.Value, below)))
                && update.Arguments.Any(argument => ReadsAnyLocal(argument.Value, gradient)),
            _ => false,
        });
    }

    // The values a local takes before the position: its definitions, the element writes into it, and the other arguments of a
    // call that takes it (`AddBias(pre, _b1)` adds `_b1` into `pre`).
    private static IEnumerable<IOperation> SourcesBefore(IOperation step, ILocalSymbol local, int position)
    {
        foreach (IOperation operation in step.Descendants())
        {
            if (operation.Syntax.SpanStart >= position)
            {
                continue;
            }

            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
                    && (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { Value: { } initial }:
                    yield return initial;
                    break;
                case IAssignmentOperation assignment when SymbolEqualityComparer.Default.Equals(RootLocal(assignment.Target), local):
                    yield return assignment.Value;
                    break;
                case IInvocationOperation call when call.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is ILocalReferenceOperation reference
                        && SymbolEqualityComparer.Default.Equals(reference.Local, local)):
                    foreach (IArgumentOperation argument in call.Arguments)
                    {
                        yield return argument.Value;
                    }

                    break;
            }
        }
    }

    // A value, not a loop index or a flag: an array, a matrix object, a floating-point scalar.
    private static bool IsValueLocal(ILocalSymbol local) =>
        local.Type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Boolean)
        && local.Type.TypeKind is not TypeKind.Enum;

    // `pre` of `pre`, `pre[i, j]`, `pre[i][j]`.
    private static ILocalSymbol? RootLocal(IOperation target)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(target);
        while (HandWrittenDropoutModel.ElementCollection(current) is { } collection)
        {
            current = HandWrittenDropoutSite.StripConversions(collection);
        }

        return (current as ILocalReferenceOperation)?.Local;
    }

    // The locals a derivative read writes: the assignment or declaration the read's value goes into, or, when the read is an
    // `if` condition (`if (pre[i, j] <= 0) dH[i, j] = 0;`), the locals its branches write.
    private static IEnumerable<ILocalSymbol> WrittenByDerivative(IOperation read)
    {
        for (IOperation? current = read.Parent; current is not null and not IBlockOperation and not IMethodBodyBaseOperation; current = current.Parent)
        {
            if (current is IConditionalOperation { Type: null } branch && branch.Condition.Syntax.Span.Contains(read.Syntax.Span))
            {
                return new[] { branch.WhenTrue, branch.WhenFalse }.Where(part => part is not null)
                    .SelectMany(part => part!.DescendantsAndSelf().OfType<IAssignmentOperation>())
                    .Select(assignment => RootLocal(assignment.Target)).OfType<ILocalSymbol>().ToList();
            }

            if (current is IAssignmentOperation assignment && assignment.Value.Syntax.Span.Contains(read.Syntax.Span))
            {
                return RootLocal(assignment.Target) is { } local ? new[] { local } : [];
            }

            if (current is IVariableDeclaratorOperation declarator)
            {
                return new[] { declarator.Symbol };
            }
        }

        return [];
    }

    private static bool ReadsAnyLocal(IOperation value, HashSet<ILocalSymbol> locals) =>
        HandWrittenDropoutSite.EnumerateSelfAndDescendants(value).Any(part => part is ILocalReferenceOperation { Local: var local } && locals.Contains(local));

    private static bool IsBelowMember(IOperation value, HashSet<ISymbol> below) =>
        HandWrittenDropoutSite.StripConversions(value) is IMemberReferenceOperation member && HandWrittenDropoutModel.IsSelf(member.Instance)
        && HandWrittenDropoutSite.ReferencedSymbol(member) is { } symbol && below.Contains(symbol.OriginalDefinition);

    private static bool InCallOf(IOperation operation, IMethodSymbol helper)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IInvocationOperation call && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }
}
