using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Mask entries written and read through a matrix library's element accessors (MathNet's <c>v.At(i, value)</c> and
/// <c>v.At(i)</c>) instead of an indexer: the same store and the same read as <c>mask[i] = draw</c> and <c>mask[i]</c>.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    // `mask.At(i)`, `m.At(r, c)`: a call on the container whose arguments are all indices and that returns a number reads one
    // entry, as `mask[i]` does; it is not the whole collection read as a value (a total that would renormalize).
    private static bool IsElementGetterCall(IOperation reference) =>
        reference.Parent is IInvocationOperation { TargetMethod.ReturnsVoid: false } getter
        && getter.Instance == reference
        && getter.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32
        && getter.Arguments.Length > 0
        && IndicesOnly(getter, getter.Arguments.Length);

    // The first `count` arguments are integer indices.
    private static bool IndicesOnly(IInvocationOperation call, int count)
    {
        for (int index = 0; index < count; index++)
        {
            if (call.Arguments[index].Value.Type?.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
            {
                return false;
            }
        }

        return true;
    }

    private sealed partial class SiteFinder
    {
        // `mask.At(i, Bernoulli.Sample(rng, p))`: a void method of the container whose leading arguments are indices and
        // whose last is the value stores the draw as a mask entry exactly as `mask[i] = draw` does; the container is the mask.
        private static ISymbol? ElementStoreTarget(IInvocationOperation store, IOperation value) =>
            store.TargetMethod.ReturnsVoid
            && store.Instance is { } container
            && store.Arguments.Length >= 2
            && store.Arguments[store.Arguments.Length - 1].Value == value
            && IndicesOnly(store, store.Arguments.Length - 1)
                ? HandWrittenDropoutSite.ReferencedSymbol(container)
                : null;
    }
}
