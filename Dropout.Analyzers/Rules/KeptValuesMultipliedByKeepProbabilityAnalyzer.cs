using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP017: hand-written dropout that multiplies its kept values by the keep probability where it drops them (the classic
/// inference scale applied in training), with no 1/p anywhere on the training path. The factor must be derived from the
/// site's own probability and be applied to an activation or the site's kept value.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeptValuesMultipliedByKeepProbabilityAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.KeptValuesMultipliedByKeepProbability);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            var reported = new HashSet<IOperation>();
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                // At p = 0.5 with a constant, p and 1 - p cannot be told apart from 2 = 1/p written as a product.
                if (site.KeepTerm.Kind is ProbabilityTermKind.Unknown or ProbabilityTermKind.Unrelated || site.KeepTerm.Equals(site.DropTerm))
                {
                    continue;
                }

                var scales = facts.ScalesFor(site, nodeContext.CancellationToken).ToList();
                if (scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown))
                {
                    continue;
                }

                foreach ((ScaleUse use, ScaleKind kind, ScalePlace place) in scales)
                {
                    bool onKeptValue = site.Decision.Syntax.Encloses(use.Operation.Syntax) || (use.Other is { } other && DropoutTypeFacts.IsActivation(other));
                    if (kind == ScaleKind.Keep && place == ScalePlace.Training && !use.Reciprocal && onKeptValue && reported.Add(use.Operation))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.KeptValuesMultipliedByKeepProbability,
                            use.Operation.Syntax.GetLocation(),
                            use.Operation.Syntax.ToString(),
                            use.Factor.Syntax.ToString()));
                    }
                }
            }
        });
    }
}
