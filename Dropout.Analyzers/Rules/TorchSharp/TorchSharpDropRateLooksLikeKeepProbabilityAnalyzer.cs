using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP026: a constant TorchSharp drop rate at or above a threshold (0.75 unless configured) in <c>nn.Dropout(p)</c>
/// (and the 1d/2d/3d, alpha and feature-alpha modules) or <c>functional.dropout(x, p)</c>: TorchSharp's p is the drop
/// probability, and 0.8 or 0.9 there is usually a keep probability written in the wrong convention. A non-constant rate
/// is reported when the code shows what it means (<see cref="TorchSharpRateMeaning"/>): a keep probability known to lie
/// between one half and one, or <c>1 - v</c> of a <c>v</c> the code treats as the drop rate.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The .editorconfig key that sets the drop rate from which a value is reported.</summary>
    public const string ThresholdOptionKey = "dropout_toolkit.torchsharp_drop_rate_info_threshold";

    /// <summary>
    /// The threshold when none is configured. Drop rates in real TorchSharp and PyTorch models are 0.1 to 0.5; the
    /// keep probabilities that get passed by mistake are the usual ones, 0.8, 0.9 and 0.95 (Keras' and TensorFlow 1's
    /// keep_prob, this toolkit's p). 0.8 catches them and leaves the rare deliberate 0.6 or 0.75 alone.
    /// </summary>
    public const double DefaultThreshold = 0.8;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpDropRateLooksLikeKeepProbability);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (TorchSharpSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(operation => Analyze(operation, symbols), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TorchSharpSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (!symbols.IsDropoutFactory(method) && !symbols.IsFunctionalDropout(method))
        {
            return;
        }

        IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "p" && a.ArgumentKind != ArgumentKind.DefaultValue);
        if (argument is not null && !argument.Value.ConstantValue.HasValue
            && TorchSharpRateMeaning.Describe(argument.Value, invocation, context.CancellationToken) is { } meaning)
        {
            // A value that the code shows to be a keep probability (or 1 - a drop rate) passed as the drop rate.
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.TorchSharpDropRateLooksLikeKeepProbability,
                argument.Value.Syntax.GetLocation(),
                meaning.Passed,
                meaning.Drops,
                meaning.Meant));
            return;
        }

        if (argument?.Value.ConstantValue is not { HasValue: true } constant || !TryGetDouble(constant.Value, out double dropRate))
        {
            return;
        }

        // Above 1 is not a probability at all (TorchSharp throws); only real probabilities at or above the threshold.
        if (dropRate > 1 || !(dropRate >= ReadThreshold(context.Options, invocation.Syntax.SyntaxTree)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.TorchSharpDropRateLooksLikeKeepProbability,
            argument.Value.Syntax.GetLocation(),
            dropRate.ToString("R", CultureInfo.InvariantCulture),
            dropRate.ToString("0.##%", CultureInfo.InvariantCulture),
            (1m - (decimal)dropRate).ToString(CultureInfo.InvariantCulture)));
    }

    private static bool TryGetDouble(object? value, out double result)
    {
        switch (value)
        {
            case double d:
                result = d;
                return true;
            case float f:
                result = f;
                return true;
            default:
                result = 0;
                return false;
        }
    }

    private static double ReadThreshold(AnalyzerOptions options, SyntaxTree tree)
    {
        if (options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(ThresholdOptionKey, out string? text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double threshold)
            && threshold >= 0
            && threshold <= 1)
        {
            return threshold;
        }

        return DefaultThreshold;
    }
}
