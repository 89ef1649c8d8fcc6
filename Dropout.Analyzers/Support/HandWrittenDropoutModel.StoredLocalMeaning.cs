using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// What a boolean mask's entry means (true for a dropped unit, or for a kept one): from the mask's own readers in the
    /// body, else from the <c>bool</c> local that is stored in it and also decides the unit
    /// (<c>bool drop = u &lt; rate; _mask.Add(drop); x[i] = drop ? 0 : x[i] / (1 - rate);</c>: the entry is the local, and the
    /// local zeroes where it is true), and only when neither says, from the mask's name. A name must not decide what data
    /// flow says: renamed from <c>_dropMask</c> to <c>_mask</c>, the same code means the same.
    /// </summary>
    internal static bool FlagMeansDropped(ISymbol mask, IOperation decision, IOperation root) =>
        SiteFinder.FlagMeansDroppedByUse(mask, root) ?? StoredLocalMeansDropped(decision, root) ?? NamesDroppedUnits(mask.Name);

    // The local stored by `mask[i] = local` or `mask.Add(local)`, read by the body's conditionals as the unit's decision.
    private static bool? StoredLocalMeansDropped(IOperation decision, IOperation root)
    {
        IOperation? stored = decision switch
        {
            ISimpleAssignmentOperation assignment => assignment.Value,
            IInvocationOperation { Arguments.Length: 1 } add => add.Arguments[0].Value,
            _ => null,
        };
        return stored is not null && HandWrittenDropoutSite.StripConversions(stored) is ILocalReferenceOperation { Local: var local }
            ? SiteFinder.FlagMeansDroppedByUse(local, root)
            : null;
    }
}
