using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A per-element drop written as "keep by leaving": <c>if (u &gt; rate) continue;</c> followed at once by
        /// <c>x[i] = 0;</c> in the same loop body. The <c>continue</c> is the kept element (the condition holds for a kept
        /// one) and the zeroing it skips is the drop, so it is the zeroing <c>if</c> with its branches turned around.
        /// Only the very next statement counts: a zeroing further down may be guarded by anything in between.
        /// </summary>
        private HandWrittenDropoutSite? FromKeepExitBeforeZeroing(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            if (conditional.WhenFalse is not null || conditional.Parent is not IBlockOperation block
                || (conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } single ? single.Operations[0] : conditional.WhenTrue) is not IBranchOperation { BranchKind: BranchKind.Continue }
                || !IsPerElement(conditional, root))
            {
                return null;
            }

            int index = block.Operations.IndexOf(conditional);
            if (index < 0 || index + 1 >= block.Operations.Length
                || ZeroedElement(block.Operations[index + 1]) is not { } zeroed
                || zeroed is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
            {
                return null;
            }

            // The condition holds for a kept element: the keep probability is the condition's own.
            return Build(condition, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.ZeroingIf, conditional, null, null, zeroed, null, gated || IsGatedByControl(conditional, root), root);
        }
    }
}
