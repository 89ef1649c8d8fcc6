using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that applies the forward's mask to one use of the incoming gradient and not to another: a layer whose
/// forward dropped its own outputs receives the gradient of those outputs (<c>BackwardPass(double[] grads)</c>), skips the
/// weight update of the dropped units by the mask, and returns the gradient for the previous layer summed from the
/// incoming gradient of every unit, the dropped ones included (<c>sum += w[k][j] * d[k] * grads[k]</c>). The derivative of
/// the dropped output with respect to the unit is <c>m/p</c> for both uses; the returned one passes gradient through units
/// the forward zeroed. Judged by data flow over the returned array: every value written into it, followed back through
/// the locals (and local arrays) it is computed from, reads the incoming gradient parameter, and neither those values nor
/// any condition or loop exit around their writes reads the mask. A backward that masks the incoming gradient in place
/// first (it writes into the parameter), or copies it masked into a local it then sums, is not this shape; nor is one whose
/// returned values read a member the forward computed from the mask (DropConnect's masked weights carry the mask).
/// </summary>
internal static class UnmaskedGradientOutflow
{
    /// <summary>The incoming gradient parameter that reaches the returned array without the mask, if any.</summary>
    public static IParameterSymbol? Find(DropoutTypeFacts facts, IOperation backward, ICollection<ISymbol> masks)
    {
        if (backward.SemanticModel?.GetDeclaredSymbol(backward.Syntax) is not IMethodSymbol method)
        {
            return null;
        }

        var gradients = method.Parameters.Where(parameter => parameter.Type is IArrayTypeSymbol { ElementType: var element } && HandWrittenDropoutSite.IsFloatingPoint(element)).ToList();
        if (gradients.Count == 0)
        {
            return null;
        }

        var operations = backward.Descendants().ToList();
        HashSet<ISymbol> carriers = MaskCarryingMembers(facts, masks);

        // A gradient masked in place is the masked gradient from then on.
        gradients.RemoveAll(gradient => operations.Any(operation => operation is IAssignmentOperation assignment && Container(assignment.Target) is { } container
            && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(container), gradient)));
        if (gradients.Count == 0)
        {
            return null;
        }

        foreach (IReturnOperation returned in operations.OfType<IReturnOperation>())
        {
            if (returned.ReturnedValue is not { } value
                || HandWrittenDropoutSite.ReferencedSymbol(value) is not ILocalSymbol result
                || result.Type is not IArrayTypeSymbol)
            {
                continue;
            }

            // The writes into the returned array and, transitively, into the locals their values read.
            var writes = new List<IAssignmentOperation>();
            var followed = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { result };
            var pending = new Queue<ISymbol>();
            pending.Enqueue(result);
            while (pending.Count > 0 && writes.Count < 200)
            {
                ISymbol local = pending.Dequeue();
                foreach (IOperation operation in operations)
                {
                    IOperation? written = operation switch
                    {
                        IAssignmentOperation any => any.Target,
                        _ => null,
                    };
                    if (written is null || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(Container(written) ?? written), local))
                    {
                        continue;
                    }

                    var assignment = (IAssignmentOperation)operation;
                    writes.Add(assignment);
                    foreach (IOperation read in assignment.Value.DescendantsAndSelf())
                    {
                        if (HandWrittenDropoutSite.ReferencedSymbol(read) is ILocalSymbol next && followed.Add(next))
                        {
                            pending.Enqueue(next);
                        }
                    }
                }

                // Locals initialized at their declaration (`double sum = grads[k] * w;`).
                foreach (IVariableDeclaratorOperation declarator in operations.OfType<IVariableDeclaratorOperation>())
                {
                    if (SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) && declarator.Initializer?.Value is { } initial)
                    {
                        foreach (IOperation read in initial.DescendantsAndSelf())
                        {
                            if (HandWrittenDropoutSite.ReferencedSymbol(read) is ILocalSymbol next && followed.Add(next))
                            {
                                pending.Enqueue(next);
                            }

                            if (ReadsMask(read, masks))
                            {
                                return null;
                            }
                        }
                    }
                }
            }

            IParameterSymbol? reached = null;
            foreach (IAssignmentOperation write in writes)
            {
                // A member the forward computed from the mask (the masked weights of a DropConnect) carries the mask.
                if (write.Value.DescendantsAndSelf().Any(read => ReadsMask(read, masks) || (read is IMemberReferenceOperation && ReadsMask(read, carriers)))
                    || IsGatedByMask(write, backward, masks))
                {
                    return null;
                }

                reached ??= ReadsAnyOf(write.Value, gradients);
            }

            if (reached is not null)
            {
                return reached;
            }
        }

        return null;
    }

    // The members the forward wrote from the mask (`_masked[i] = _weights[i] * _mask[i]`): they carry it.
    private static HashSet<ISymbol> MaskCarryingMembers(DropoutTypeFacts facts, ICollection<ISymbol> masks)
    {
        var carriers = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation root in facts.Sites.Select(facts.RootOf).Distinct())
        {
            foreach (IAssignmentOperation assignment in root.Descendants().OfType<IAssignmentOperation>())
            {
                IOperation target = Container(assignment.Target) ?? assignment.Target;
                if (target is IMemberReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(target) is { } member && !masks.Contains(member)
                    && assignment.Value.DescendantsAndSelf().Any(read => ReadsMask(read, masks)))
                {
                    carriers.Add(member);
                }
            }
        }

        return carriers;
    }

    private static IOperation? Container(IOperation target) => target switch
    {
        IArrayElementReferenceOperation element => element.ArrayReference,
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => instance,
        _ => null,
    };

    private static bool ReadsMask(IOperation operation, ICollection<ISymbol> masks) =>
        HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && masks.Contains(symbol);

    private static IParameterSymbol? ReadsAnyOf(IOperation value, List<IParameterSymbol> gradients) =>
        value.DescendantsAndSelf().Select(HandWrittenDropoutSite.ReferencedSymbol).OfType<IParameterSymbol>()
            .FirstOrDefault(parameter => gradients.Contains(parameter, SymbolEqualityComparer.Default));

    // A condition around the write, or a loop exit (`continue`, `break`, `return`) before it in an enclosing loop, reads the mask.
    private static bool IsGatedByMask(IOperation write, IOperation backward, ICollection<ISymbol> masks)
    {
        for (IOperation? current = write.Parent; current is not null && current != backward; current = current.Parent)
        {
            if (current is IConditionalOperation conditional && conditional.Condition.DescendantsAndSelf().Any(read => ReadsMask(read, masks)))
            {
                return true;
            }

            if (current is ILoopOperation loop
                && loop.Body.Descendants().OfType<IConditionalOperation>().Any(condition => condition.Condition.DescendantsAndSelf().Any(read => ReadsMask(read, masks))
                    && condition.WhenTrue.DescendantsAndSelf().Any(exit => exit is IBranchOperation or IReturnOperation)))
            {
                return true;
            }
        }

        return false;
    }
}
