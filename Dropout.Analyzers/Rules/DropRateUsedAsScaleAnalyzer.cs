using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP012: hand-written dropout scaled by the drop rate where the keep probability belongs: kept values divided by
/// the drop rate in training (<c>x / rate</c> where <c>u &lt; rate</c> drops), or inference activations multiplied by the
/// drop rate (classic test-time scaling with the wrong probability). Keep and drop are told apart by the comparison's
/// direction, not by names, and a keep probability of exactly 0.5 (where both are equal) is never reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropRateUsedAsScaleAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropRateUsedAsScale);

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
                if (site.DropTerm.Kind is ProbabilityTermKind.Unknown or ProbabilityTermKind.Unrelated || site.KeepTerm.Equals(site.DropTerm))
                {
                    continue;
                }

                var scales = facts.ScalesFor(site, nodeContext.CancellationToken).ToList();
                bool trainingIsRightOrUnknown = scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind is ScaleKind.InverseKeep or ScaleKind.Unknown);
                bool inferenceIsRightOrUnknown = scales.Any(scale => scale.Place == ScalePlace.Inference && scale.Kind is ScaleKind.Keep or ScaleKind.Unknown);
                string keep = MissingInvertedScalingAnalyzer.KeepProbabilityText(site);
                foreach ((ScaleUse use, ScaleKind kind, ScalePlace place) in scales)
                {
                    string? what = (kind, place) switch
                    {
                        (ScaleKind.InverseDrop, ScalePlace.Training) when !trainingIsRightOrUnknown => "scales the kept values by one over the drop rate",
                        (ScaleKind.Drop, ScalePlace.Inference) when !inferenceIsRightOrUnknown && use.Other is { } other && HandWrittenDropoutSite.IsFloatingPoint(other.Type) && !other.ConstantValue.HasValue && !DropoutEvidence.IsCoincidentalConstant(use)
                            => "multiplies inference activations by the drop rate",
                        _ => null,
                    };
                    if (what is not null && reported.Add(use.Operation))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropRateUsedAsScale, use.Operation.Syntax.GetLocation(), use.Operation.Syntax.ToString(), what, keep));
                    }
                }
            }
        });
    }
}
