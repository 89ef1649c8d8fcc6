using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// <c>var mask = new double[n]; if (u &gt;= rate) mask[i] = 1 / (1 - rate);</c>: a mask entry written only for a kept
        /// element, into a buffer made fresh in this body (so a dropped entry keeps the array's zero). The same site as the
        /// conditional expression <c>mask[i] = u &gt;= rate ? 1 / (1 - rate) : 0;</c>, with the buffer as its mask. The written
        /// value reads no element (that is <see cref="FromKeptIntoFreshZeros"/>'s kept value) and is no zero, and the buffer
        /// is applied in the same body: multiplied into other values, or handed with them to a method of the source that
        /// multiplies its two parameters' elements (<c>return Multiply(x, mask);</c>). A buffer of 1s only returned (a hit
        /// count) is not read as a mask here.
        /// </summary>
        private HandWrittenDropoutSite? FromMaskFillIntoFreshZeros(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            IOperation statement = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : conditional.WhenTrue;
            if (conditional.WhenFalse is not null
                || statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation buffer } } write }
                || !HandWrittenDropoutSite.IsNumeric(write.Target.Type)
                || HandWrittenDropoutSite.IsZero(write.Value)
                || write.Value.DescendantsAndSelf().Any(read => read is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
                    || (read is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, buffer.Local)))
                || SymbolValues.OfLocal(buffer.Local, root) is not { IsComplete: true, Values.Length: 1 } values
                || HandWrittenDropoutSite.StripConversions(values.Values[0]) is not IArrayCreationOperation { Initializer: null }
                || !IsPerElement(conditional, root)
                || !IsAppliedAsMask(buffer.Local, root))
            {
                return null;
            }

            return Build(condition, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.KeptOrZero, conditional, write.Value, null, null, buffer.Local, gated || IsGatedByControl(conditional, root), root);
        }

        private static bool IsAppliedAsMask(ILocalSymbol buffer, IOperation root) =>
            IsMultipliedIntoOtherValues(buffer, root)
            || root.Descendants().OfType<IInvocationOperation>().Any(call => call.Arguments.Length == 2
                && call.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is ILocalReferenceOperation { Local: var local } && SymbolEqualityComparer.Default.Equals(local, buffer))
                && DroppedOutputBackward.IsElementWiseProductMethod(call.TargetMethod));
    }
}
