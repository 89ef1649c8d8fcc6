using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP004: hand-written dropout (a Bernoulli draw that zeroes activations or fills a 0/1 mask) in a type that never
/// scales by the keep probability: neither 1/p on the kept values in training nor p at inference.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingInvertedScalingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the keep probability as C# source (<c>p</c>, <c>(1 - rate)</c>), for the code fix.</summary>
    public const string KeepProbabilityProperty = "KeepProbability";

    /// <summary>Diagnostic property: the keep probability's type (<c>float</c> or <c>double</c>), for the code fix.</summary>
    public const string KeepProbabilityTypeProperty = "KeepProbabilityType";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingInvertedScaling);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        // Hand-written dropout need not reference Dropout.Runtime, so there is no type to bail out on; the cheap filter
        // is the draw itself: only parameterless NextDouble()/NextSingle()/NextFloat() calls are looked at further.
        context.RegisterOperationAction(
            operationContext =>
            {
                var draw = (IInvocationOperation)operationContext.Operation;
                if (HandWrittenDropoutSite.TryRecognize(draw) is not { } site
                    || ProbabilityScaling.IsScaledSomewhere(site, operationContext.CancellationToken))
                {
                    return;
                }

                string keepProbability = KeepProbabilityText(site);
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(KeepProbabilityProperty, keepProbability)
                    .Add(KeepProbabilityTypeProperty, site.Probability.Type?.SpecialType == SpecialType.System_Single ? "float" : "double");
                operationContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingInvertedScaling, site.Comparison.Syntax.GetLocation(), properties, keepProbability));
            },
            OperationKind.Invocation);
    }

    /// <summary>The keep probability as source text: the compared value, or <c>(1 - value)</c> when it is a drop rate.</summary>
    internal static string KeepProbabilityText(HandWrittenDropoutSite site)
    {
        string compared = site.Probability.Syntax.ToString();
        bool isSimple = site.Probability is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILiteralOperation;
        if (!site.KeepProbabilityIsComplement)
        {
            return isSimple ? compared : "(" + compared + ")";
        }

        return isSimple ? "(1 - " + compared + ")" : "(1 - (" + compared + "))";
    }
}
