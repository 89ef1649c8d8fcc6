using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>DRP001: a constant keep probability outside the supported range [2^-24, 1], or NaN.</summary>
/// <remarks>
/// The range is the one Dropout.Runtime accepts (<c>DropoutMaskSpec.MinimumKeepProbability</c>) and the generator's
/// DRPG003 refuses outside of, so a value this rule accepts never fails at run time and one it reports never builds.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeepProbabilityOutOfRangeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>
    /// The smallest supported keep probability, 2^-24: at and above it the integer mask threshold (docs/masks.md) is at
    /// least 256, so the realized keep rate is within 0.2 % of p, and 1/p is at most 2^24, finite and exact in float.
    /// </summary>
    internal const double MinimumKeepProbability = 1.0 / 16777216.0;

    /// <summary>Whether the runtime accepts <paramref name="keepProbability"/>; written so that NaN, which compares false with everything, is refused.</summary>
    internal static bool IsSupported(double keepProbability) => keepProbability >= MinimumKeepProbability && keepProbability <= 1;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.KeepProbabilityOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        // Generated code is skipped by KeepProbabilityArguments itself: with GeneratedCodeAnalysisFlags.None, Roslyn would
        // also skip the user's own [Dropout(p)] on a partial method, whose generated implementation carries [GeneratedCode].
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(start => KeepProbabilityArguments.Register(start, static (argument, report, _) =>
        {
            if (!IsSupported(argument.Value))
            {
                report(Diagnostic.Create(
                    DiagnosticDescriptors.KeepProbabilityOutOfRange,
                    argument.Expression.GetLocation(),
                    argument.Value.ToString("R", CultureInfo.InvariantCulture)));
            }
        }));
    }
}
