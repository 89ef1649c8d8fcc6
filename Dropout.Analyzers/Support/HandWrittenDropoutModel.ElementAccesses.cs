using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// One element of a collection of activations or mask entries, in whatever representation the code holds it: an array
/// element (<c>x[i]</c>, <c>x[r, c]</c>, <c>x[r][c]</c>), an indexer of any type (<c>m[r, c]</c> of a user matrix), an
/// accessor pair of methods (<c>m.Get(r, c)</c> / <c>m.Set(r, c, v)</c>), or a number held by a unit object of such a
/// collection (<c>neurons[i].Value</c>). The rules ask "is this an element" and "which collection is it of" through these,
/// never through one spelling, so a layer written over a user Matrix or over Neuron objects reads as the array form does.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// Whether the operation reads (or is the target of a write to) one element: an array element, an indexer, an element
    /// getter call, or a numeric member of a unit object that is itself an element.
    /// </summary>
    internal static bool IsElement(IOperation operation) => ElementCollection(operation) is not null;

    // `m.Get(r, c)`: an instance method (not a generator's) whose arguments are all integer indices and that returns the
    // element's value. `m.Set(r, c, v)`: a void instance method whose leading arguments are indices and whose last is the
    // value. A method named like a draw (rng.Next(10)) is never an accessor.
    private static IOperation? AccessorContainer(IInvocationOperation call)
    {
        if (call.Instance is not { } container || call.TargetMethod.IsStatic || call.Arguments.Length == 0 || IsDrawCallName(call.TargetMethod.Name)
            || container.Type is null || container.Type.SpecialType != SpecialType.None || container.Type.Name.IndexOf("Random", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return null;
        }

        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter?.RefKind is not (null or RefKind.None))
            {
                return null;
            }
        }

        if (call.TargetMethod.ReturnsVoid)
        {
            return call.Arguments.Length >= 2 && IndicesOnly(call, call.Arguments.Length - 1) && IsElementValueType(call.Arguments[call.Arguments.Length - 1].Value.Type) ? container : null;
        }

        return IndicesOnly(call, call.Arguments.Length) && IsElementValueType(call.Type) ? container : null;
    }

    // The value of one activation or mask entry: a number (or a type parameter standing for one) or a flag.
    // A byte is a 0/1 mask entry (`alive.Get(u) == 1`); an int is left out: `order.IndexOf(k)` on a list of indices is
    // not an element of activations or of a mask.
    private static bool IsElementValueType(ITypeSymbol? type) =>
        HandWrittenDropoutSite.IsNumeric(type) || type?.SpecialType is SpecialType.System_Boolean or SpecialType.System_Byte;

    /// <summary>The value a setter call <c>m.Set(r, c, v)</c> stores, or null when the call is not an element setter.</summary>
    internal static IOperation? SetterValue(IInvocationOperation call) =>
        call.TargetMethod.ReturnsVoid && AccessorContainer(call) is not null ? call.Arguments[call.Arguments.Length - 1].Value : null;

    // `units[i].Value`: a number (or a 0/1 flag, as an accessor's element may be) held by a unit object that is an element
    // of a collection of units.
    private static IOperation? UnitCollection(IMemberReferenceOperation member) =>
        member is IPropertyReferenceOperation { Property.IsIndexer: false } or IFieldReferenceOperation
        && !member.Member.IsStatic
        && IsElementValueType(member.Type)
        && member.Instance is { } instance
        && HandWrittenDropoutSite.StripConversions(instance) is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
            ? ElementCollection(instance)
            : null;
}
