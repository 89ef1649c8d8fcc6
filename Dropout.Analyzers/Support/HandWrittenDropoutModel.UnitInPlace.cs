using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A unit that drops its own value: <c>if (u &lt; rate) Output = 0; else Output /= 1 - rate;</c> or
        /// <c>Output = u &lt; rate ? 0 : Output / (1 - rate);</c> on one floating-point member (or local) of a method that runs
        /// once per unit, not per element. The object is the element (a neuron class whose callers loop over neurons, often in
        /// code out of view), so the per-element test does not apply. Only the inverted form is read this way: the kept value is
        /// the same location divided or multiplied by a factor that reads the compared probability, so a sensor or signal
        /// "dropout" that zeroes a reading and never rescales it by its chance stays unrecognized.
        /// </summary>
        private static bool IsUnitRescaledByProbability(IOperation zeroed, IOperation? kept, IOperation probability)
        {
            if (kept is null || !IsUnitValue(zeroed))
            {
                return false;
            }

            var probabilitySymbols = new HashSet<ISymbol>(
                HandWrittenDropoutSite.EnumerateSelfAndDescendants(probability).Select(HandWrittenDropoutSite.ReferencedSymbol).OfType<ISymbol>(),
                SymbolEqualityComparer.Default);
            if (probabilitySymbols.Count == 0)
            {
                return false;
            }

            bool ReadsProbability(IOperation factor) =>
                HandWrittenDropoutSite.EnumerateSelfAndDescendants(factor).Any(part => HandWrittenDropoutSite.ReferencedSymbol(part) is { } symbol && probabilitySymbols.Contains(symbol));

            bool RescalesSameValue(IOperation value) =>
                HandWrittenDropoutSite.StripConversions(value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide or BinaryOperatorKind.Multiply } scaled
                && (SameLocation(HandWrittenDropoutSite.StripConversions(scaled.LeftOperand), zeroed) && ReadsProbability(scaled.RightOperand)
                    || scaled.OperatorKind == BinaryOperatorKind.Multiply && SameLocation(HandWrittenDropoutSite.StripConversions(scaled.RightOperand), zeroed) && ReadsProbability(scaled.LeftOperand));

            // The conditional form hands the kept value itself; the if form hands the kept branch.
            if (kept is not (IBlockOperation or IExpressionStatementOperation))
            {
                return RescalesSameValue(kept);
            }

            IEnumerable<IOperation> statements = kept is IBlockOperation block ? block.Operations : new[] { kept };
            return statements.Any(statement => statement is IExpressionStatementOperation { Operation: var write }
                && write switch
                {
                    ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Divide or BinaryOperatorKind.Multiply } compound =>
                        SameLocation(compound.Target, zeroed) && ReadsProbability(compound.Value),
                    ISimpleAssignmentOperation simple => SameLocation(simple.Target, zeroed) && RescalesSameValue(simple.Value),
                    _ => false,
                });
        }

        // One floating-point value of the unit: this object's field or property, or a local; not an element of a collection.
        private static bool IsUnitValue(IOperation target) =>
            HandWrittenDropoutSite.IsFloatingPoint(target.Type)
            && (target is ILocalReferenceOperation
                || (target is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } && HandWrittenDropoutModel.IsSelf(((IMemberReferenceOperation)target).Instance)));
    }
}
