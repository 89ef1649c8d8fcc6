using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>DRP001: a constant keep probability outside (0, 1], or NaN.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeepProbabilityOutOfRangeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.KeepProbabilityOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => KeepProbabilityArguments.Register(start, static (argument, report, _) =>
        {
            // Written as a negation so that NaN, which compares false with everything, is out of range too.
            if (!(argument.Value > 0 && argument.Value <= 1))
            {
                report(Diagnostic.Create(
                    DiagnosticDescriptors.KeepProbabilityOutOfRange,
                    argument.Expression.GetLocation(),
                    argument.Value.ToString("R", CultureInfo.InvariantCulture)));
            }
        }));
    }
}
