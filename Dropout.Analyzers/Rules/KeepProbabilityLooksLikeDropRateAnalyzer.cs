using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP003: a constant keep probability below a threshold (0.5 unless <c>dropout_toolkit.keep_probability_warning_threshold</c>
/// says otherwise), which drops most units and is usually a drop rate written where a keep probability belongs.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeepProbabilityLooksLikeDropRateAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The .editorconfig key that sets the threshold below which a keep probability is reported.</summary>
    public const string ThresholdOptionKey = "dropout_toolkit.keep_probability_warning_threshold";

    /// <summary>The threshold when none is configured: below 0.5 most units are dropped.</summary>
    public const double DefaultThreshold = 0.5;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.KeepProbabilityLooksLikeDropRate);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => KeepProbabilityArguments.Register(start, static (argument, report, options) =>
        {
            double keepProbability = argument.Value;

            // Values outside the supported range are DRP001's; this rule only judges probabilities the runtime accepts.
            if (!KeepProbabilityOutOfRangeAnalyzer.IsSupported(keepProbability) || keepProbability >= ReadThreshold(options, argument.Expression.SyntaxTree))
            {
                return;
            }

            report(Diagnostic.Create(
                DiagnosticDescriptors.KeepProbabilityLooksLikeDropRate,
                argument.Expression.GetLocation(),
                keepProbability.ToString("R", CultureInfo.InvariantCulture),
                (1 - keepProbability).ToString("0.##%", CultureInfo.InvariantCulture),
                ComplementText(keepProbability)));
        }));
    }

    /// <summary>The threshold configured for <paramref name="tree"/>, or <see cref="DefaultThreshold"/>; the code fix reads it too.</summary>
    internal static double ReadThreshold(AnalyzerOptions options, SyntaxTree tree)
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

    // 1 - p computed in decimal so that 0.2 becomes 0.8, not 0.8000000000000000444.
    private static string ComplementText(double keepProbability) =>
        (1m - (decimal)keepProbability).ToString(CultureInfo.InvariantCulture);
}
