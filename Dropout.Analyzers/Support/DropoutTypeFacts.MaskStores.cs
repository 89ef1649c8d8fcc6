using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class DropoutTypeFacts
{
    /// <summary>
    /// A mask (multiplier) array is a factor wherever it is applied, so every value written into it is a scale, not only the
    /// entries the site's decision writes: <c>if (training) m[i] = u &lt; rate ? 0 : 1; else m[i] = 1 - rate;</c> stores
    /// classic dropout's inference scale in the other branch, and the forward that multiplies by <c>m[i]</c> applies it.
    /// Only values that read no element (a mask value) count, so a write of an activation into an array that happens to
    /// share the mask's symbol is not taken for a scale; where the write applies is left to <see cref="PlaceOf"/>.
    /// </summary>
    private static void AddMaskEntriesWrittenElsewhere(ImmutableArray<IOperation> roots, IEnumerable<HandWrittenDropoutSite> sites, ImmutableArray<ScaleUse>.Builder uses)
    {
        var all = sites.ToList();
        foreach (IOperation root in roots)
        {
            foreach (ISimpleAssignmentOperation assignment in root.Descendants().OfType<ISimpleAssignmentOperation>())
            {
                if (assignment.Value.ConstantValue.HasValue || MaskArrayOf(assignment.Target) is not { } written)
                {
                    continue;
                }

                foreach (HandWrittenDropoutSite site in all)
                {
                    // `m[i] = training ? (u < rate ? 0 : 1) : 1 - rate;`: the same choice as a conditional around the decision;
                    // the other branch is written into the element the decision writes.
                    if (assignment.Syntax.Encloses(site.Comparison.Syntax))
                    {
                        foreach (IOperation other in BranchesBesideDecision(assignment.Value, site))
                        {
                            uses.Add(new ScaleUse(other, other, false, null, root));
                        }

                        continue;
                    }

                    if (site.MaskSymbol is not null
                        && SymbolEqualityComparer.Default.Equals(written, site.MaskSymbol)
                        && !site.Decision.Syntax.Encloses(assignment.Syntax)
                        && !(site.KeptBranch?.Syntax.Encloses(assignment.Syntax) ?? false)
                        && IsMaskValue(assignment.Value))
                    {
                        uses.Add(new ScaleUse(assignment, assignment.Value, false, null, root));
                        break;
                    }
                }
            }
        }
    }

    // The other branches of conditionals whose one branch holds the site's decision, when they are mask values.
    private static IEnumerable<IOperation> BranchesBesideDecision(IOperation value, HandWrittenDropoutSite site)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(value);
        while (current is IConditionalOperation { WhenFalse: { } whenFalse } conditional && !site.Decision.Syntax.Encloses(current.Syntax))
        {
            bool inTrue = conditional.WhenTrue.Syntax.Encloses(site.Decision.Syntax);
            bool inFalse = whenFalse.Syntax.Encloses(site.Decision.Syntax);
            if (inTrue == inFalse)
            {
                yield break;
            }

            IOperation other = HandWrittenDropoutSite.StripConversions(inTrue ? whenFalse : conditional.WhenTrue);
            if (!other.ConstantValue.HasValue && IsMaskValue(other))
            {
                yield return other;
            }

            current = HandWrittenDropoutSite.StripConversions(inTrue ? conditional.WhenTrue : whenFalse);
        }
    }

    // `m[i]`, `m[i, j]`, `m[i][j]`, `list[i]`: the collection an element write goes to.
    private static ISymbol? MaskArrayOf(IOperation target)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(target);
        if (current is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
        {
            return null;
        }

        while (current is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
        {
            current = current is IArrayElementReferenceOperation element ? element.ArrayReference : ((IPropertyReferenceOperation)current).Instance!;
            current = HandWrittenDropoutSite.StripConversions(current);
        }

        return HandWrittenDropoutSite.ReferencedSymbol(current);
    }
}
