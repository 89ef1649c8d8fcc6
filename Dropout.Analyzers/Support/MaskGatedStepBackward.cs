using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward written after a call of the dropout's forward, in the method that made the call (a training loop that runs
/// <c>ForwardTraining(x, ..., mask, ..., invKeep)</c> and then computes the errors by hand), which gates the gradient by the
/// forward's 0/1 mask but never applies the factor the forward multiplied the kept values by. The forward writes two things
/// from one decision: the mask entry (1 for a kept unit) and the kept activation times a factor <c>s</c> (<c>keep ? a * s :
/// 0</c>); the derivative of <c>a·m·s</c> is <c>m·s</c>, so the gradient gated by <c>m</c> still owes <c>s</c>, whatever
/// <c>s</c> is. The factor counts when the model derives it from the keep probability (1/p), or when it is a plain value
/// applied only in the kept branch of the same decision that wrote the mask (a helper's <c>invKeepScale</c> parameter,
/// whose caller's argument the model cannot relate to p). The backward is judged by data flow: after the call, the mask
/// the caller handed in (a local or a member) is read where it decides whether an element of a floating-point buffer gets
/// a computed value or 0 (<c>err[j] = mask[j] &gt; 0 ? e * w[j] : 0</c>, <c>if (mask[j] == 0) { err[j] = 0; continue; }</c>,
/// <c>err[j] = e * mask[j]</c>). The caller has applied the factor when anything after the call reads the value it handed
/// in for <c>s</c>, or applies a factor of the probability of its own; a gated value that reads the forward's scaled output
/// (the next layer's weight gradient <c>err * act[j]</c>) already carries <c>s</c>, and a mask handed on to another call may
/// be applied there: neither is judged.
/// </summary>
internal static class MaskGatedStepBackward
{
    /// <summary>A step whose gradient is gated by the forward's mask without the forward's factor.</summary>
    public sealed class Finding(MethodDeclarationSyntax step, string mask, string factor)
    {
        public MethodDeclarationSyntax Step { get; } = step;

        public string Mask { get; } = mask;

        public string Factor { get; } = factor;
    }

    public static IEnumerable<Finding> Find(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        List<(IOperation Root, IInvocationOperation Call)>? invocations = null;
        foreach (HandWrittenDropoutSite site in facts.AllSites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (site.MaskSymbol is not { } mask
                || !StoresZeroOne(site)
                || facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax forwardDeclaration } forwardRoot
                || facts.SemanticModelOf(forwardDeclaration).GetDeclaredSymbol(forwardDeclaration, cancellationToken) is not IMethodSymbol forward
                || (mask is IParameterSymbol parameter ? !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, forward) : mask is not (IFieldSymbol or IPropertySymbol)))
            {
                continue;
            }

            // The calls of the forward elsewhere in the type, found first: they are few, and the scales cost more. Every call in
            // the type is listed once, when the first site that stores a 0/1 mask asks.
            invocations ??= facts.Roots.Where(root => root is IMethodBodyOperation { Syntax: MethodDeclarationSyntax })
                .SelectMany(root => root.Descendants().OfType<IInvocationOperation>().Select(call => (Root: root, Call: call)))
                .ToList();
            var calls = invocations
                .Where(pair => pair.Root != forwardRoot
                    && SymbolEqualityComparer.Default.Equals(pair.Call.TargetMethod.OriginalDefinition, forward.OriginalDefinition)
                    && HandWrittenDropoutModel.IsSelf(pair.Call.Instance))
                .ToList();
            if (calls.Count == 0)
            {
                continue;
            }

            // The forward's own factors only (its body is small beside a training loop's): the cheap shape tests first.
            var factors = facts.Uses
                .Where(use => use.Root == forwardRoot
                    && !site.Decision.Syntax.Encloses(use.Operation.Syntax)
                    && WrittenSymbol(use.Operation) is { } written && !SymbolEqualityComparer.Default.Equals(written, mask)
                    && ScalesKeptValues(facts, use, site, cancellationToken))
                .ToList();
            if (factors.Count == 0)
            {
                continue;
            }

            foreach ((IOperation root, IInvocationOperation call) in calls)
            {
                if (reported.Contains(root.Syntax)
                    || InCaller(mask, call) is not { } callerMask)
                {
                    continue;
                }

                var after = root.Descendants().Where(operation => operation.Syntax.SpanStart >= call.Syntax.Span.End).ToList();

                // The factor applied after the call: the caller's value for it read again, or a factor of the probability.
                var factorValues = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                var outputs = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                foreach (ScaleUse use in factors)
                {
                    foreach (IOperation reference in use.Factor.DescendantsAndSelf())
                    {
                        if (HandWrittenDropoutSite.ReferencedSymbol(reference) is { } symbol && InCallerValues(symbol, call) is { } values)
                        {
                            factorValues.UnionWith(values);
                        }
                    }

                    if (WrittenSymbol(use.Operation) is { } output && InCaller(output, call) is { } callerOutput)
                    {
                        outputs.Add(callerOutput);
                    }
                }

                // The probability as the caller has it: a factor of it after the call may be the scale (read as such, unclassified).
                foreach (IOperation reference in site.Probability.DescendantsAndSelf())
                {
                    if (HandWrittenDropoutSite.ReferencedSymbol(reference) is { } symbol && InCallerValues(symbol, call) is { } values)
                    {
                        factorValues.UnionWith(values.Where(value => HandWrittenDropoutSite.IsFloatingPoint(SymbolValues.TypeOf(value))));
                    }
                }

                if (after.Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && factorValues.Contains(symbol))
                    || after.Any(operation => operation is IArgumentOperation argument && HandWrittenDropoutSite.ReferencedSymbol(argument.Value) is { } handed
                        && SymbolEqualityComparer.Default.Equals(handed, callerMask)))
                {
                    continue;
                }

                if (root.Syntax is MethodDeclarationSyntax step
                    && after.Any(operation => IsMaskElement(operation, callerMask) && GatesGradient(operation, callerMask, outputs)))
                {
                    reported.Add(root.Syntax);
                    yield return new Finding(step, callerMask.Name, factors[0].Factor.Syntax.ToString());
                }
            }
        }
    }

    // A factor the forward applies to the kept values only: 1/p on the dropping path, or a plain value in the kept branch
    // of the decision that wrote the mask.
    private static bool ScalesKeptValues(DropoutTypeFacts facts, ScaleUse use, HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        bool keptBranchValue = IsPlainValue(use.Factor) && InKeptBranch(use.Operation, site);
        ScaleKind kind = facts.Classify(use, site, cancellationToken);
        return kind == ScaleKind.InverseKeep ? facts.PlaceOf(use, site) == ScalePlace.Training : kind == ScaleKind.Unknown && keptBranchValue;
    }

    // The mask holds 0 and 1 (or false and true): its entries carry no scale.
    private static bool StoresZeroOne(HandWrittenDropoutSite site) =>
        site.Shape == DropoutSiteShape.BooleanMask
        || (site.Shape == DropoutSiteShape.KeptOrZero && site.KeptValue is { } kept && HandWrittenDropoutSite.IsOne(kept));

    // `relu * invKeepScale`: a parameter, local or member read whole, not an element or an expression of several values.
    private static bool IsPlainValue(IOperation factor) =>
        HandWrittenDropoutSite.StripConversions(factor) is IParameterReferenceOperation or ILocalReferenceOperation or IFieldReferenceOperation
            or IPropertyReferenceOperation { Property.IsIndexer: false }
        && HandWrittenDropoutSite.IsFloatingPoint(factor.Type);

    // The use is in the kept branch of a conditional on the same condition as the mask's decision (`keep ? relu * s : 0`
    // beside `mask[j] = keep ? 1 : 0`): the factor reaches only the kept units, as a dropout scale does.
    private static bool InKeptBranch(IOperation use, HandWrittenDropoutSite site)
    {
        if (site.Decision is not IConditionalOperation { WhenTrue: var siteTrue, WhenFalse: { } siteFalse } decision || site.KeptValue is not { } kept)
        {
            return false;
        }

        bool keptWhenTrue = siteTrue.Syntax.Span.Contains(kept.Syntax.Span);
        for (IOperation? current = use; current?.Parent is { } parent; current = parent)
        {
            if (parent is IConditionalOperation { WhenFalse: { } whenFalse } conditional && parent != decision
                && conditional.Condition.Syntax.IsEquivalentTo(decision.Condition.Syntax)
                && (keptWhenTrue ? conditional.WhenTrue : whenFalse) == current)
            {
                return true;
            }
        }

        _ = siteFalse;
        return false;
    }

    // The symbol an assignment (or compound assignment) around the operation writes: `act[j] = ...` writes `act`.
    private static ISymbol? WrittenSymbol(IOperation operation)
    {
        for (IOperation? current = operation; current is not null; current = current.Parent)
        {
            if (current is IAssignmentOperation assignment)
            {
                IOperation target = assignment.Target;
                while (target is IArrayElementReferenceOperation element)
                {
                    target = element.ArrayReference;
                }

                if (target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance })
                {
                    target = instance;
                }

                return HandWrittenDropoutSite.ReferencedSymbol(target);
            }

            if (current is IExpressionStatementOperation or IBlockOperation or IVariableDeclaratorOperation)
            {
                return null;
            }
        }

        return null;
    }

    // What a symbol of the forward is in the caller: the argument's symbol for a parameter, the member itself.
    private static ISymbol? InCaller(ISymbol symbol, IInvocationOperation call) => symbol switch
    {
        IParameterSymbol parameter => call.Arguments.FirstOrDefault(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition)) is { } argument
            ? HandWrittenDropoutSite.ReferencedSymbol(argument.Value) is { } handed and (ILocalSymbol or IFieldSymbol or IPropertySymbol) ? handed : null
            : null,
        IFieldSymbol or IPropertySymbol => symbol,
        _ => null,
    };

    // Every value the caller hands in for a symbol of the forward (all symbols its argument reads), or the member itself.
    private static IEnumerable<ISymbol>? InCallerValues(ISymbol symbol, IInvocationOperation call) => symbol switch
    {
        IParameterSymbol parameter => call.Arguments.FirstOrDefault(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition)) is { } argument
            ? argument.Value.DescendantsAndSelf().Select(HandWrittenDropoutSite.ReferencedSymbol).OfType<ISymbol>()
            : null,
        IFieldSymbol or IPropertySymbol => [symbol],
        _ => null,
    };

    // An element of the mask in any representation (`mask[j]`, `mask.Get(0, j)`, `mask[j].Value`).
    private static bool IsMaskElement(IOperation operation, ISymbol mask) =>
        operation is IArrayElementReferenceOperation or IPropertyReferenceOperation or IFieldReferenceOperation or IInvocationOperation
        && HandWrittenDropoutModel.ElementCollection(operation) is { } collection
        && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(collection), mask);

    // The mask entry decides whether a floating-point buffer's element gets a computed value or 0 (in a conditional
    // expression, an if that zeroes the element, or as a factor of the value written).
    private static bool GatesGradient(IOperation entry, ISymbol mask, HashSet<ISymbol> outputs)
    {
        IOperation current = entry;
        while (current.Parent is { } parent)
        {
            switch (parent)
            {
                case IConditionalOperation { WhenFalse: { } whenFalse } conditional when conditional.Condition == current:
                    if (conditional.Type is not null)
                    {
                        // `err[j] = mask[j] > 0 ? value : 0` (or the zero first).
                        IOperation? value = HandWrittenDropoutSite.IsZero(whenFalse) ? conditional.WhenTrue
                            : HandWrittenDropoutSite.IsZero(conditional.WhenTrue) ? whenFalse : null;
                        return value is not null && WritesBuffer(conditional, mask, outputs) && IsComputed(value, outputs);
                    }

                    return ZeroesBuffer(conditional.WhenTrue, mask, outputs) || ZeroesBuffer(whenFalse, mask, outputs);
                case IConditionalOperation { WhenFalse: null } conditional when conditional.Condition == current:
                    return ZeroesBuffer(conditional.WhenTrue, mask, outputs);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product:
                    // `err[j] = e * w[j] * mask[j]`.
                    IOperation other = product.LeftOperand == current ? product.RightOperand : product.LeftOperand;
                    return WritesBuffer(product, mask, outputs) && IsComputed(other, outputs);
                case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound when compound.Value == current:
                    return WritesBuffer(compound, mask, outputs);
                case IBinaryOperation:
                case IUnaryOperation:
                case IConversionOperation:
                case IParenthesizedOperation:
                    current = parent;
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    // The value is assigned (directly) to an element of a floating-point buffer other than the mask and the forward's output.
    private static bool WritesBuffer(IOperation value, ISymbol mask, HashSet<ISymbol> outputs)
    {
        // Any element store (`err[j] = v`, `err.Set(0, j, v)`, `err[j].Value = v`); a compound `err[j] *= mask[j]` too.
        IOperation current = HandWrittenDropoutSite.ClimbConversions(value);
        if (current.Parent is IAssignmentOperation assignment && (assignment is not ISimpleAssignmentOperation || assignment.Value == current))
        {
            return HandWrittenDropoutModel.AsElementStore(assignment) is { } compound && IsBufferElement(compound, mask, outputs);
        }

        return HandWrittenDropoutModel.StoredInto(current) is { } store && IsBufferElement(store, mask, outputs);
    }

    // The store writes a floating-point element of a buffer other than the mask and the forward's output.
    private static bool IsBufferElement((IOperation Collection, IOperation Element, IOperation Value) store, ISymbol mask, HashSet<ISymbol> outputs) =>
        HandWrittenDropoutSite.IsFloatingPoint(store.Element is IInvocationOperation ? store.Value.Type : store.Element.Type)
        && HandWrittenDropoutSite.ReferencedSymbol(store.Collection) is { } symbol
        && !SymbolEqualityComparer.Default.Equals(symbol, mask)
        && !outputs.Contains(symbol);

    // A branch that sets an element of a floating-point buffer to 0 (`err[j] = 0.0; continue;`, `err.Set(0, j, 0f)`).
    private static bool ZeroesBuffer(IOperation branch, ISymbol mask, HashSet<ISymbol> outputs) =>
        HandWrittenDropoutModel.ElementStores(branch).Any(store =>
            store.Element.Parent is not ICompoundAssignmentOperation && HandWrittenDropoutSite.IsZero(store.Value) && IsBufferElement(store, mask, outputs));

    // A value computed from the data (not a constant), and not from the forward's scaled output, which carries the factor.
    private static bool IsComputed(IOperation value, HashSet<ISymbol> outputs) =>
        !value.ConstantValue.HasValue
        && !value.DescendantsAndSelf().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && outputs.Contains(symbol));
}
