using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP004: hand-written dropout (a per-element random decision that zeroes activations or fills a 0/1 mask) whose
/// type applies no factor derived from its keep probability anywhere: neither 1/p on the kept values in training nor p
/// at inference. Factors that do not come from the probability (<c>2.0f / fanIn</c>) are not a scale.
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
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                // A probability that is neither one symbol nor a constant could be scaled in a way the model cannot see. With a
                // symbol, any factor derived from it counts as a scale (even one the model cannot classify, as for rng.Next(100) < percent).
                if ((site.ProbabilitySymbol is null && site.KeepTerm.Kind != ProbabilityTermKind.Constant)
                    || facts.ScalesFor(site, nodeContext.CancellationToken).Any(scale => scale.Place != ScalePlace.Backward || scale.Use.Root == facts.RootOf(site))
                    || facts.MayBeScaledElsewhere(site, nodeContext.Compilation, nodeContext.CancellationToken)
                    || StoresScaleInAnArray(facts, site, nodeContext.CancellationToken))
                {
                    continue;
                }

                string keepProbability = KeepProbabilityText(site);
                // The fix divides the kept value by p where p is a float or double operand of the comparison; a skipped
                // term (sum += w * x) has no kept value to divide, and a coin flip or generic-math p no such operand.
                bool fixable = site.Bound is null && site.ComparedText is null && site.Shape is not (DropoutSiteShape.SkippedTerm or DropoutSiteShape.ExactCount)
                    && site.Probability.Type is not ITypeParameterSymbol;
                ImmutableDictionary<string, string?> properties = fixable
                    ? ImmutableDictionary<string, string?>.Empty
                        .Add(KeepProbabilityProperty, keepProbability)
                        .Add(KeepProbabilityTypeProperty, site.Probability.Type?.SpecialType == SpecialType.System_Single ? "float" : "double")
                    : ImmutableDictionary<string, string?>.Empty;
                nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingInvertedScaling, site.Comparison.Syntax.GetLocation(), properties, keepProbability));
            }
        });
    }

    // `Upload(new float[] { 1 - rate })` handed to a GPU kernel: the keep probability (or its inverse) is stored in an
    // array for code the model cannot follow, which is where such a layer applies its scale. Asked only before reporting.
    private static bool StoresScaleInAnArray(DropoutTypeFacts facts, HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        foreach (IOperation root in facts.Roots)
        {
            foreach (IArrayInitializerOperation initializer in root.Descendants().OfType<IArrayInitializerOperation>())
            {
                foreach (IOperation element in initializer.ElementValues)
                {
                    if (!site.Decision.Syntax.Encloses(element.Syntax)
                        && facts.Classify(new ScaleUse(element, element, reciprocal: false, other: null, root), site, cancellationToken) is ScaleKind.Keep or ScaleKind.InverseKeep)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>The keep probability as source text: the compared value, or <c>(1 - value)</c> when it is a drop rate; an integer draw's value is divided by its bound.</summary>
    internal static string KeepProbabilityText(HandWrittenDropoutSite site)
    {
        string compared = site.ComparedText ?? site.Probability.Syntax.ToString();
        bool isSimple = site.ComparedText is null
            && site.Probability is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILiteralOperation;
        if (site.Bound is { } bound)
        {
            string width = HandWrittenDropoutModel.OneBasedDrawTop(bound) is { } top ? "(" + top.Syntax + " - 1)" : bound.Syntax.ToString();
            compared = "(double)" + (isSimple ? compared : "(" + compared + ")") + " / " + width;
            isSimple = false;
        }

        if (!site.KeepProbabilityIsComplement)
        {
            return isSimple ? compared : "(" + compared + ")";
        }

        return isSimple ? "(1 - " + compared + ")" : "(1 - (" + compared + "))";
    }
}
