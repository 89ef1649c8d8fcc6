using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The member, local or parameter a mask entry's collection is, also for a row of a jagged mask: <c>_dropped</c> in
    /// <c>_dropped[i]</c> and in <c>_dropped[layer][i]</c> (one <c>bool[]</c> per layer, the row picked by the layer index).
    /// The rows are one mask per layer, written and read by the same member, so the member is the mask a backward reads.
    /// </summary>
    internal static ISymbol? MaskCollectionSymbol(IOperation collection)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(collection);
        for (int depth = 0; depth < 3 && current is IArrayElementReferenceOperation row; depth++)
        {
            current = HandWrittenDropoutSite.StripConversions(row.ArrayReference);
        }

        return HandWrittenDropoutSite.ReferencedSymbol(current);
    }
}
