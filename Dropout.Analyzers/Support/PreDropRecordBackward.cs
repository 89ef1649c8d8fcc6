using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that never applies the dropout because it differentiates through a value the forward recorded BEFORE the
/// drop. The forward computes a unit's value into a local (<c>z</c>), records that local in an element of a member buffer
/// (<c>_pre[i] = z</c>, also through a local alias of a member row) in the same loop as the dropout, and drops it
/// (<c>u &lt; rate ? 0 : z / (1 - rate)</c>). A backward-named method of the type that reads that buffer, and reads neither
/// the mask, nor any scalar member the dropout's decision, probability or gate depends on (the rate, the flag), nor calls
/// a method of the type that does, computes the derivative at the undropped value: a dropped unit gets the gradient of a
/// kept one and no unit gets the 1/p. Decided by data flow only; a buffer that is ever written with anything but such a
/// pre-drop local (the dropped value, the decision itself) is not a record, and a local that is only a copy of a parameter
/// (input dropout, whose backward needs no mask) is not a unit's computed value.
/// </summary>
internal static class PreDropRecordBackward
{
    /// <summary>The backwards that read a pre-drop record (its name is the finding's <see cref="BackwardFinding.Through"/>) and nothing of the dropout.</summary>
    public static IEnumerable<BackwardFinding> Find(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax forwardDeclaration } forward
                || DropoutTypeFacts.IsBackwardName(forwardDeclaration.Identifier.ValueText))
            {
                continue;
            }

            HashSet<ILocalSymbol> preDrop = PreDropLocals(site, forward);
            if (preDrop.Count == 0)
            {
                continue;
            }

            IOperation scope = UnitScope(site.Decision);
            var records = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (ISimpleAssignmentOperation write in scope.Descendants().OfType<ISimpleAssignmentOperation>())
            {
                if (write.Target is IArrayElementReferenceOperation element
                    && HandWrittenDropoutSite.StripConversions(write.Value) is ILocalReferenceOperation local
                    && preDrop.Contains(local.Local)
                    && MemberBuffer(element.ArrayReference, forward) is { } member)
                {
                    records.Add(member);
                }
            }

            if (records.Count == 0)
            {
                continue;
            }

            records.RemoveWhere(record => !NeverRecordsTheDroppedValue(forward, record, site, DroppedLocals(site, forward)));
            if (records.Count == 0)
            {
                continue;
            }

            HashSet<ISymbol> dropoutState = DropoutState(site, forward, facts.Type?.OriginalDefinition);
            if (site.MaskSymbol is IFieldSymbol or IPropertySymbol && ReadOutside(facts, site.MaskSymbol, forward))
            {
                continue;
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root == forward
                    || root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration }
                    || !DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)
                    || reported.Contains(declaration)
                    || facts.Sites.Any(other => declaration.Encloses(other.Decision.Syntax)))
                {
                    continue;
                }

                ISymbol? read = records.FirstOrDefault(record => ReadsMember(root, record));
                if (read is null || ReadsDropout(facts, root, dropoutState, depth: 2))
                {
                    continue;
                }

                reported.Add(declaration);
                yield return new BackwardFinding(declaration, read.Name);
            }
        }
    }

    // Locals that hold the dropped value: the local the decision zeroes, the local the decision's result is stored in
    // (`double dropped = u < rate ? 0 : z / keep`).
    private static HashSet<ILocalSymbol> DroppedLocals(HandWrittenDropoutSite site, IOperation forward)
    {
        var dropped = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        if (site.ZeroedTarget is { } target && HandWrittenDropoutSite.StripConversions(target) is ILocalReferenceOperation zeroedLocal)
        {
            dropped.Add(zeroedLocal.Local);
        }

        for (IOperation? current = site.Decision.Parent; current is not null and not IBlockOperation; current = current.Parent)
        {
            if (current is IVariableDeclaratorOperation declarator)
            {
                dropped.Add(declarator.Symbol);
            }
            else if (current is ISimpleAssignmentOperation { Target: ILocalReferenceOperation assigned })
            {
                dropped.Add(assigned.Local);
            }
        }

        return dropped;
    }

    // Locals that hold the unit's value before the drop: read by the decision (its kept operand) or assigned to the local
    // the decision zeroes, but not the draw, not the result of the decision, and not a mere copy of a parameter.
    private static HashSet<ILocalSymbol> PreDropLocals(HandWrittenDropoutSite site, IOperation forward)
    {
        HashSet<ILocalSymbol> excluded = DroppedLocals(site, forward);
        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Draw))
        {
            if (operation is ILocalReferenceOperation drawLocal)
            {
                excluded.Add(drawLocal.Local);
            }
        }

        IOperation? zeroed = site.ZeroedTarget is { } target ? HandWrittenDropoutSite.StripConversions(target) : null;
        var sources = new List<IOperation> { site.Decision };
        if (zeroed is ILocalReferenceOperation zeroedValue)
        {
            sources.AddRange(DefinitionsOf(forward, zeroedValue.Local));
        }

        var locals = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation source in sources)
        {
            foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source))
            {
                if (operation is ILocalReferenceOperation { Local: var local }
                    && !excluded.Contains(local)
                    && HandWrittenDropoutSite.IsFloatingPoint(local.Type)
                    && !site.Comparison.Syntax.Encloses(operation.Syntax)
                    && IsComputedValue(forward, local))
                {
                    locals.Add(local);
                }
            }
        }

        return locals;
    }

    // A unit's computed value: no definition is a copy of a parameter (or of its element), and some definition is not a
    // constant (an accumulator starts at 0 and sums), nor a draw.
    private static bool IsComputedValue(IOperation forward, ILocalSymbol local)
    {
        List<IOperation> definitions = DefinitionsOf(forward, local).ToList();
        return definitions.Any(value => value.ConstantValue is not { HasValue: true })
            && !definitions.Any(value => HandWrittenDropoutSite.StripConversions(value) is IParameterReferenceOperation
                || (HandWrittenDropoutSite.StripConversions(value) is IArrayElementReferenceOperation { ArrayReference: var array } && HandWrittenDropoutSite.StripConversions(array) is IParameterReferenceOperation))
            && !definitions.Any(value => HandWrittenDropoutSite.EnumerateSelfAndDescendants(value).Any(operation => operation is IInvocationOperation { TargetMethod.Name: "NextDouble" or "NextSingle" or "Next" or "NextGaussian" }));
    }

    internal static IEnumerable<IOperation> DefinitionsOf(IOperation root, ILocalSymbol local)
    {
        foreach (IOperation operation in root.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
                && (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { Value: { } initial })
            {
                yield return initial;
            }
            else if (operation is IAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                && SymbolEqualityComparer.Default.Equals(target.Local, local))
            {
                yield return assignment is ICompoundAssignmentOperation ? assignment : assignment.Value;
            }
        }
    }

    // The loop (or the lambda a parallel loop runs) that handles one unit: the record must be written per unit, beside the drop.
    private static IOperation UnitScope(IOperation decision)
    {
        for (IOperation? current = decision.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation or IAnonymousFunctionOperation)
            {
                return current;
            }
        }

        return decision;
    }

    // `_pre` in `_pre[i] = z`, or `Pre` in `row[i] = z` with `double[] row = Pre[layer]` (a row of a jagged member).
    internal static ISymbol? MemberBuffer(IOperation array, IOperation forward)
    {
        array = HandWrittenDropoutSite.StripConversions(array);
        if (HandWrittenDropoutModel.IsSelfMember(array) && HandWrittenDropoutSite.ReferencedSymbol(array) is { } member)
        {
            return member.OriginalDefinition;
        }

        if (array is IArrayElementReferenceOperation row)
        {
            return MemberBuffer(row.ArrayReference, forward);
        }

        if (array is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } indexed })
        {
            return MemberBuffer(indexed, forward);
        }

        if (array is ILocalReferenceOperation alias)
        {
            List<IOperation> definitions = DefinitionsOf(forward, alias.Local).ToList();
            if (definitions.Count == 1)
            {
                IOperation value = HandWrittenDropoutSite.StripConversions(definitions[0]);
                return value is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IMemberReferenceOperation
                    ? MemberBuffer(value, forward)
                    : null;
            }
        }

        return null;
    }

    // No element write of the record in the forward stores the dropped value (the decision, the local it is stored in, the
    // local it zeroes, or anything computed from them): otherwise the buffer holds the dropped value somewhere (it is the
    // dropped buffer, or a record of the dropped value) and reading it may be right. A branch without dropout may record
    // its own undropped value in the same buffer.
    private static bool NeverRecordsTheDroppedValue(IOperation forward, ISymbol record, HandWrittenDropoutSite site, HashSet<ILocalSymbol> dropped)
    {
        foreach (IAssignmentOperation write in forward.Descendants().OfType<IAssignmentOperation>())
        {
            IOperation? array = HandWrittenDropoutModel.ElementCollection(write.Target);
            if (array is null || !SymbolEqualityComparer.Default.Equals(MemberBuffer(array, forward), record))
            {
                continue;
            }

            if (write is not ISimpleAssignmentOperation
                || HandWrittenDropoutSite.EnumerateSelfAndDescendants(write.Value).Any(part =>
                    part == site.Decision || part.Syntax.Encloses(site.Comparison.Syntax)
                    || (part is ILocalReferenceOperation local && dropped.Contains(local.Local))))
            {
                return false;
            }
        }

        return true;
    }

    // The scalar members (rate, keep probability, training flag) the decision, its probability, its kept value or its gate
    // read, following locals of the forward a few definitions deep, plus the mask.
    internal static HashSet<ISymbol> DropoutState(HandWrittenDropoutSite site, IOperation forward, INamedTypeSymbol? type)
    {
        var state = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        if (site.MaskSymbol is { } mask)
        {
            state.Add(mask.OriginalDefinition);
        }

        var pending = new Stack<(IOperation Operation, int Depth)>();
        pending.Push((site.Decision, 0));
        pending.Push((site.Probability, 0));
        for (IOperation? current = site.Decision.Parent; current is not null && current != forward; current = current.Parent)
        {
            if (current is IConditionalOperation { Condition: var condition })
            {
                pending.Push((condition, 0));
            }
        }

        var seen = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        while (pending.Count > 0)
        {
            (IOperation operation, int depth) = pending.Pop();
            foreach (IOperation part in HandWrittenDropoutSite.EnumerateSelfAndDescendants(operation))
            {
                // Only this type's own members: `Layers.Count` in a gate is the list's, and a backward reads it for its loops.
                if (part is IMemberReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(part) is { } member && IsScalar(member)
                    && SymbolEqualityComparer.Default.Equals(member.ContainingType?.OriginalDefinition, type))
                {
                    state.Add(member.OriginalDefinition);
                }
                else if (part is ILocalReferenceOperation { Local: var local } && depth < 4 && seen.Add(local) && IsScalar(local))
                {
                    foreach (IOperation definition in DefinitionsOf(forward, local))
                    {
                        pending.Push((definition, depth + 1));
                    }
                }
            }
        }

        return state;
    }

    internal static bool IsScalarParameter(IParameterSymbol parameter) => IsScalar(parameter);

    internal static bool IsScalar(ISymbol symbol)
    {
        ITypeSymbol? type = SymbolValues.TypeOf(symbol);
        return type is not null && (type.SpecialType == SpecialType.System_Boolean || HandWrittenDropoutSite.IsNumeric(type) || type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64);
    }

    internal static bool ReadsMember(IOperation body, ISymbol member) =>
        body.Descendants().Any(operation => operation is IMemberReferenceOperation
            && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol
            && SymbolEqualityComparer.Default.Equals(symbol.OriginalDefinition, member)
            && !(operation.Parent is IAssignmentOperation assignment && assignment.Target == operation));

    // Whether the backward, or a method of the type it calls (two levels deep), reads the mask, the rate or the flag.
    internal static bool ReadsDropout(DropoutTypeFacts facts, IOperation body, HashSet<ISymbol> state, int depth)
    {
        if (body.Descendants().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && state.Contains(symbol.OriginalDefinition)))
        {
            return true;
        }

        if (depth == 0)
        {
            return false;
        }

        foreach (IInvocationOperation call in body.Descendants().OfType<IInvocationOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType?.OriginalDefinition, facts.Type?.OriginalDefinition))
            {
                continue;
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root.Syntax is MethodDeclarationSyntax declaration
                    && call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax() == declaration)
                    && ReadsDropout(facts, root, state, depth - 1))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A mask member read by some method other than the forward: some code may apply it.
    private static bool ReadOutside(DropoutTypeFacts facts, ISymbol mask, IOperation forward) =>
        facts.Roots.Any(root => root != forward && ReadsMember(root, mask.OriginalDefinition));
}
