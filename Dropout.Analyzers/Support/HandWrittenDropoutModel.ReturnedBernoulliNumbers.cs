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
        return returns.Count == 1 && returns[0].ReturnedValue is { } returned
            && TryZeroOneDrawOfParameter(returned, method, new SiteFinder(this, semanticModel, cancellationToken), out IParameterSymbol? probability, out bool withComplement)
            ? new MaskProducer(MaskProducerKind.ReturnsNumber, -1, probability!.Ordinal, withComplement, null)
            : null;
    }

    // `u < p ? 1 : 0` (or `? 0 : 1`, the draw on either side) where `u` is a uniform draw and `p` a floating-point parameter
    // of `method`: a 0/1 value drawn with that parameter. `withComplement` is true when the 1 comes with probability 1 - p
    // (`u < p ? 0 : 1`, `u > p ? 1 : 0`). Shared by a helper returning the number and a fill of the receiver's elements.
    private static bool TryZeroOneDrawOfParameter(IOperation value, IMethodSymbol method, SiteFinder finder, out IParameterSymbol? probability, out bool withComplement)
    {
        probability = null;
        withComplement = false;
        if (HandWrittenDropoutSite.StripConversions(value) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional
            || HandWrittenDropoutSite.StripConversions(conditional.Condition) is not IBinaryOperation
            {
                OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual,
            } comparison)
        {
            return false;
        }

        bool drawOnLeft = finder.TryRandomValue(comparison.LeftOperand, 1, out RandomValue draw);
        if ((!drawOnLeft && !finder.TryRandomValue(comparison.RightOperand, 1, out draw)) || draw.Bound is not null
            || HandWrittenDropoutSite.StripConversions(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand) is not IParameterReferenceOperation { Parameter: var parameter }
            || !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method)
            || !HandWrittenDropoutSite.IsFloatingPoint(parameter.Type))
        {
            return false;
        }

        bool high = HandWrittenDropoutSite.IsOne(conditional.WhenTrue) && HandWrittenDropoutSite.IsZero(whenFalse);
        bool low = HandWrittenDropoutSite.IsZero(conditional.WhenTrue) && HandWrittenDropoutSite.IsOne(whenFalse);
        if (!high && !low)
        {
            return false;
        }

        // The 1 comes when the draw is below the parameter (`u < p ? 1 : 0`): kept with it; above it: with its complement.
        bool trueWhenBelow = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual ? drawOnLeft : !drawOnLeft;
        probability = parameter;
        withComplement = high != trueWhenBelow;
        return true;
    }
}
