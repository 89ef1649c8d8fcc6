using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A whole-array mask thresholded in place, as numpy code writes it with boolean indexing:
/// <c>mask = np.random.rand(x.shape); mask[mask &gt; p] = 1; mask[mask &lt;= p] = 0;</c>. The array holds uniforms until the
/// two element-wise stores make it 0/1: 1 on one side of one probability, 0 on the other. It is the same mask as
/// <c>np.random.rand(x.shape) &gt; p</c>, keeping where the <c>= 1</c> store's comparison holds.
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    // A local or field whose every value is a library's array of uniforms, and which the type's bodies set to 1 where it
    // compares one way with a probability and to 0 where it compares the other way with the same probability.
    private static MaskSource? InPlaceThresholdOf(ISymbol mask, SourceIndex index)
    {
        if (index.AssignedValuesOf(mask) is not { Count: > 0 and <= 4 } values
            || !values.All(value => value is IInvocationOperation call && IsLibraryUniformArray(call)))
        {
            return null;
        }

        (IOperation Probability, bool Above)? ones = null, zeros = null;
        foreach (IOperation operation in index.Roots.SelectMany(root => root.Descendants()))
        {
            if (operation is not ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } indexer } store
                || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(instance), mask)
                || indexer.Arguments.Length != 1
                || SelfComparison(indexer.Arguments[0].Value, mask) is not { } comparison
                || HandWrittenDropoutSite.StripConversions(store.Value).ConstantValue is not { HasValue: true, Value: { } stored }
                || ProbabilityScaling.ToDouble(stored) is not (0d or 1d))
            {
                continue;
            }

            if (ProbabilityScaling.ToDouble(stored) == 1d)
            {
                ones = comparison;
            }
            else
            {
                zeros = comparison;
            }
        }

        if (ones is not { } kept || zeros is not { } dropped || kept.Above == dropped.Above
            || ProbabilityForm(kept.Probability) is not { } form || !SameForm(ProbabilityForm(dropped.Probability), form.Symbol, form.Complement))
        {
            return null;
        }

        return new MaskSource(((IInvocationOperation)values[0]).TargetMethod, false, System.Collections.Immutable.ImmutableArray<IOperation?>.Empty,
            System.Collections.Immutable.ImmutableArray<MaskSource>.Empty, -1, kept.Probability, kept.Above)
        {
            Draw = values[0],
        };
    }

    // `mask > p`, `p <= mask` (the array's own operator), also as the one element of a params array: the probability and
    // whether the selected entries are the ones above it.
    private static (IOperation Probability, bool Above)? SelfComparison(IOperation index, ISymbol mask)
    {
        index = HandWrittenDropoutSite.StripConversions(index);
        if (index is IArrayCreationOperation { Initializer.ElementValues: { Length: 1 } elements })
        {
            index = HandWrittenDropoutSite.StripConversions(elements[0]);
        }

        if (index is not IBinaryOperation { OperatorMethod: not null } comparison || !IsOrderComparison(comparison.OperatorKind))
        {
            return null;
        }

        bool above = comparison.OperatorKind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;
        if (SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(comparison.LeftOperand), mask) && IsScalarValue(comparison.RightOperand))
        {
            return (HandWrittenDropoutSite.StripConversions(comparison.RightOperand), above);
        }

        return SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(comparison.RightOperand), mask) && IsScalarValue(comparison.LeftOperand)
            ? (HandWrittenDropoutSite.StripConversions(comparison.LeftOperand), !above)
            : null;
    }
}
