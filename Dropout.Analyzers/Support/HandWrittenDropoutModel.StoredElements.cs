using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Writing one element, in whatever representation the code holds the collection: an array or indexer assignment
/// (<c>g[i] = v</c>, <c>g[i] *= v</c>), a setter of a user accessor type (<c>g.Set(r, c, v)</c>), or an assignment to a
/// number held by a unit object of a collection (<c>units[i].Value = v</c>). It is the store side of
/// <see cref="ElementCollection"/>: the backward rules ask "which collection does this value land in, as an element"
/// through <see cref="StoredInto"/> and "does this branch zero an element" through <see cref="ElementStores"/>, never
/// through the assignment spelling alone, so a gradient written through a Matrix setter or into Neuron objects reads as the
/// array form does.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The element store <paramref name="operation"/> is, as the collection written, the element written (an assignment's
    /// target, or the setter call) and the value stored; null when it is no element store.
    /// </summary>
    internal static (IOperation Collection, IOperation Element, IOperation Value)? AsElementStore(IOperation operation)
    {
        switch (operation)
        {
            case IAssignmentOperation assignment when ElementCollection(assignment.Target) is { } collection:
                return (collection, assignment.Target, assignment.Value);
            case IInvocationOperation call when SetterValue(call) is { } value && AccessorContainer(call) is { } container:
                return (container, call, value);
            default:
                return null;
        }
    }

    /// <summary>
    /// The element store that writes <paramref name="value"/> (through conversions): the value is an assignment's value (or
    /// its compound operand) with an element target, or a setter's last argument. Null when the value is stored otherwise.
    /// </summary>
    internal static (IOperation Collection, IOperation Element, IOperation Value)? StoredInto(IOperation value)
    {
        IOperation current = HandWrittenDropoutSite.ClimbConversions(value);
        IOperation? store = current.Parent switch
        {
            IAssignmentOperation assignment when assignment.Value == current => assignment,
            IArgumentOperation { Parent: IInvocationOperation call } argument when call.Arguments.Length > 0 && call.Arguments[call.Arguments.Length - 1] == argument => call,
            _ => null,
        };
        return store is null ? null : AsElementStore(store);
    }

    /// <summary>Every element store in the operation's tree (itself included).</summary>
    internal static IEnumerable<(IOperation Collection, IOperation Element, IOperation Value)> ElementStores(IOperation operation)
    {
        foreach (IOperation candidate in operation.DescendantsAndSelf())
        {
            if (candidate is IAssignmentOperation or IInvocationOperation && AsElementStore(candidate) is { } store)
            {
                yield return store;
            }
        }
    }
}
