using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>DRP002: a constant keep probability of exactly 1, which makes the dropout the identity.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropoutIsIdentityAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutIsIdentity);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => KeepProbabilityArguments.Register(start, static (argument, report, _) =>
        {
            if (argument.Value == 1.0)
            {
                report(Diagnostic.Create(DiagnosticDescriptors.DropoutIsIdentity, argument.Expression.GetLocation()));
            }
        }));
    }
}
