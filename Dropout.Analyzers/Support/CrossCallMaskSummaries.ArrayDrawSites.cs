using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Where a whole-array draw is, for checks that only need the place of a draw and the conditions around it (DRP015 by the
/// values prediction passes): a library's array of uniforms in [0, 1) compared with one number by the array type's own
/// operator (<c>np.random.rand(x.shape) &gt; rate</c>), or a library's array of 0/1 Bernoulli values
/// (<c>np.random.binomial(1, keep, shape)</c>). The same library facts as the mask join's, without following where the mask goes.
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    /// <summary>Whether <paramref name="operation"/> draws a whole Bernoulli array from a library.</summary>
    internal static bool IsWholeArrayDraw(IOperation operation) => operation switch
    {
        IBinaryOperation { OperatorMethod: not null } comparison when IsOrderComparison(comparison.OperatorKind) =>
            (IsLibraryUniformArray(comparison.LeftOperand) && IsScalarValue(comparison.RightOperand))
            || (IsLibraryUniformArray(comparison.RightOperand) && IsScalarValue(comparison.LeftOperand)),
        IInvocationOperation call => call.TargetMethod.DeclaringSyntaxReferences.Length == 0
            && LibraryBernoulliArrayNames.Contains(Normalized(call.TargetMethod.Name))
            && LibraryBernoulliArrayOf(call) is not null,
        _ => false,
    };

    private static bool IsOrderComparison(BinaryOperatorKind kind) =>
        kind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual;

    // `np.random.rand(x.shape)`, `np.random.uniform(0, 1, shape)`: an array (not a scalar) of uniforms from a library.
    private static bool IsLibraryUniformArray(IOperation operand) =>
        HandWrittenDropoutSite.StripConversions(operand) is IInvocationOperation call
        && !IsScalarOrFlag(call) && call.Type is not null && !call.TargetMethod.ReturnsVoid
        && IsLibraryUniformArrayName(call.TargetMethod) && HasUnitBounds(call);
}
