using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP019: a dropout mask made by comparing a library's array of standard normal samples with a probability
/// (<c>mask = np.random.randn(x.shape) &gt; dropout_ratio</c>, the <c>randn</c>-for-<c>rand</c> slip of numpy ports). A
/// uniform u in [0, 1) compared with q keeps with q or 1 - q; a standard normal keeps with a tail probability of the
/// normal (about 0.31 above 0.5), so neither the keep probability the code's scale or inference factor assumes nor any
/// other probability the code names. Reported when the comparison's value is used as a mask: multiplied into an array
/// (directly or cast), or stored in a local or member. A normal compared with a number that is no probability (a
/// constant outside (0, 1), a threshold in standard deviations) is silent, as is a normal draw used as noise.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NormalSamplesThresholdedAsMaskAnalyzer : DiagnosticAnalyzer
{
    // Library calls returning standard normal samples (mean 0, deviation 1, no parameters besides a shape), by name
    // without case or underscores.
    private static readonly ImmutableHashSet<string> StandardNormalNames = ImmutableHashSet.Create(StringComparer.Ordinal, "randn", "randnlike", "standardnormal");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.NormalSamplesThresholdedAsMask);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(AnalyzeComparison, OperationKind.Binary);
    }

    private static void AnalyzeComparison(OperationAnalysisContext context)
    {
        // User-defined comparison operators of an array type only (`NDArray operator >(NDArray, double)`): a comparison
        // of two numbers is the scalar model's.
        var comparison = (IBinaryOperation)context.Operation;
        if (comparison.OperatorMethod is null
            || comparison.OperatorKind is not (BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual)
            || HandWrittenDropoutSite.IsNumeric(comparison.Type) || comparison.Type?.SpecialType == SpecialType.System_Boolean)
        {
            return;
        }

        IOperation left = HandWrittenDropoutSite.StripConversions(comparison.LeftOperand);
        IOperation right = HandWrittenDropoutSite.StripConversions(comparison.RightOperand);
        (IInvocationOperation? normal, IOperation probability) = IsStandardNormalArray(left) ? ((IInvocationOperation)left, right)
            : IsStandardNormalArray(right) ? ((IInvocationOperation)right, left)
            : (null, left);
        if (normal is null || !IsProbability(probability) || !IsUsedAsMask(comparison))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NormalSamplesThresholdedAsMask, comparison.Syntax.GetLocation(), comparison.Syntax.ToString(), probability.Syntax.ToString()));
    }

    // `np.random.randn(x.shape)`: a method without a body in view (a library's, or an interface or abstract member the
    // program calls through) returning an array, not a scalar draw. A method whose body is in view is the program's own
    // and may return anything under that name.
    private static bool IsStandardNormalArray(IOperation operand) =>
        operand is IInvocationOperation call
        && (call.TargetMethod.DeclaringSyntaxReferences.IsEmpty || call.TargetMethod.IsAbstract || call.TargetMethod.IsExtern)
        && !call.TargetMethod.ReturnsVoid
        && !HandWrittenDropoutSite.IsNumeric(call.Type) && call.Type?.SpecialType != SpecialType.System_Boolean
        && StandardNormalNames.Contains(call.TargetMethod.Name.Replace("_", string.Empty).ToLowerInvariant())
        && call.Arguments.All(argument => !HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type));

    // A scalar probability: a constant in (0, 1), or a symbol or its complement (`ratio`, `1 - ratio`) named for one.
    private static bool IsProbability(IOperation operand)
    {
        if (!HandWrittenDropoutSite.IsNumeric(operand.Type))
        {
            return false;
        }

        if (operand.ConstantValue.HasValue)
        {
            return ProbabilityScaling.ToDouble(operand.ConstantValue.Value) is { } number && number > 0 && number < 1;
        }

        IOperation named = operand is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } complement && HandWrittenDropoutSite.IsOne(complement.LeftOperand)
            ? HandWrittenDropoutSite.StripConversions(complement.RightOperand)
            : operand;
        return HandWrittenDropoutSite.ReferencedSymbol(named) is { } symbol && IsProbabilityName(symbol.Name);
    }

    private static readonly string[] ProbabilityWords = ["ratio", "rate", "prob", "keep", "drop", "retain", "p"];

    private static bool IsProbabilityName(string name)
    {
        string normalized = name.TrimStart('_').ToLowerInvariant();
        return normalized == "p" || normalized == "q"
            || ProbabilityWords.Where(word => word.Length > 1).Any(word => normalized.Contains(word));
    }

    // The comparison's value as a mask: (after casts) an operand of a product, or the value stored in a local, field or
    // property.
    private static bool IsUsedAsMask(IOperation comparison)
    {
        IOperation current = HandWrittenDropoutSite.ClimbConversions(comparison);
        for (int depth = 0; depth < 4; depth++)
        {
            switch (current.Parent)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply }:
                    return true;
                case ISimpleAssignmentOperation assignment when assignment.Value == current:
                    return assignment.Target is ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation;
                case IVariableInitializerOperation:
                    return true;
                case IParenthesizedOperation or IConversionOperation:
                    current = current.Parent;
                    continue;
                case IInvocationOperation { Instance: { } receiver } cast when receiver == current && cast.Arguments.All(argument => !HandWrittenDropoutSite.IsNumeric(argument.Value.Type)):
                    // `(randn(shape) > ratio).astype(float)`: a cast of the mask.
                    current = cast;
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }
}
