using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A helper that returns one 0/1 number drawn with its parameter (<c>static double Bernoulli(double p) { return
/// rng.NextDouble() &lt; p ? 1 : 0; }</c>, Torch's <c>torch.bernoulli(p)</c> given a number): a mask of one value, which a
/// caller that multiplies a whole tensor by it (<c>output.Mul(noise)</c>) applies as dropout of the entire input.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    private MaskProducer? ReturnedBernoulliNumberOf(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (!HandWrittenDropoutSite.IsNumeric(method.ReturnType) || method.Parameters.Length == 0)
        {
            return null;
        }

        var returns = body.Descendants().OfType<IReturnOperation>().ToList();
        if (returns.Count != 1 || returns[0].ReturnedValue is not { } returned
            || HandWrittenDropoutSite.StripConversions(returned) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional
            || HandWrittenDropoutSite.StripConversions(conditional.Condition) is not IBinaryOperation
            {
                OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual,
            } comparison)
        {
            return null;
        }

        var finder = new SiteFinder(this, semanticModel, cancellationToken);
        bool drawOnLeft = finder.TryRandomValue(comparison.LeftOperand, 1, out RandomValue draw);
        if ((!drawOnLeft && !finder.TryRandomValue(comparison.RightOperand, 1, out draw)) || draw.Bound is not null
            || HandWrittenDropoutSite.StripConversions(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand) is not IParameterReferenceOperation { Parameter: var probability }
            || !SymbolEqualityComparer.Default.Equals(probability.ContainingSymbol, method)
            || !HandWrittenDropoutSite.IsFloatingPoint(probability.Type))
        {
            return null;
        }

        bool high = HandWrittenDropoutSite.IsOne(conditional.WhenTrue) && HandWrittenDropoutSite.IsZero(whenFalse);
        bool low = HandWrittenDropoutSite.IsZero(conditional.WhenTrue) && HandWrittenDropoutSite.IsOne(whenFalse);
        if (!high && !low)
        {
            return null;
        }

        // The 1 is returned when the draw is below the parameter (`u < p ? 1 : 0`): kept with it; above it: with its complement.
        bool trueWhenBelow = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual ? drawOnLeft : !drawOnLeft;
        return new MaskProducer(MaskProducerKind.ReturnsNumber, -1, probability.Ordinal, high != trueWhenBelow, null);
    }
}
