using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Factors that divide by a square root: a gradient-norm clip (<c>scale = clip / norm</c> with
/// <c>norm = Sqrt(sumOfSquares)</c>), an RMS normalization or an optimizer step (<c>m / (Sqrt(v) + eps)</c>). They are
/// norms of values, never a dropout's 1/p, so a backward that applies one has not scaled by the forward's probability.
/// </summary>
internal static class NormFactor
{
    /// <summary>Whether the use's factor is a quotient by a square root, directly or through locals.</summary>
    public static bool DividesByASquareRoot(ScaleUse use) =>
        use.Reciprocal ? IsSquareRoot(use.Factor, depth: 0) : IsQuotientBySquareRoot(use.Factor, depth: 0);

    private static bool IsQuotientBySquareRoot(IOperation value, int depth)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        if (value is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } division)
        {
            return IsSquareRoot(division.RightOperand, depth);
        }

        return depth < 3 && OfLocal(value) is { } values && values.All(assigned => IsQuotientBySquareRoot(assigned, depth + 1));
    }

    // `Sqrt(x)`, `Sqrt(x) + eps`, or a local that only ever holds one.
    private static bool IsSquareRoot(IOperation value, int depth)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        switch (value)
        {
            case IParenthesizedOperation parenthesized:
                return IsSquareRoot(parenthesized.Operand, depth);
            case IInvocationOperation invocation:
                return invocation.TargetMethod.Name == "Sqrt";
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } sum:
                return IsSquareRoot(sum.LeftOperand, depth) || IsSquareRoot(sum.RightOperand, depth);
        }

        return depth < 3 && OfLocal(value) is { } values && values.All(assigned => IsSquareRoot(assigned, depth + 1));
    }

    private static IReadOnlyList<IOperation>? OfLocal(IOperation value) =>
        value is ILocalReferenceOperation { Local: var local } reference
        && SymbolValues.OfLocal(local, reference) is { IsComplete: true } values && values.Values.Length > 0
            ? values.Values
            : null;
}
