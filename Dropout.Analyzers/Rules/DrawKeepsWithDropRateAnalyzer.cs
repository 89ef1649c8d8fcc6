using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP016: a hand-written dropout comparison whose direction contradicts the probability's name: a drop rate compared so
/// that the unit is kept with that probability (<c>mask = u &lt; dropRate ? 1 : 0</c>), or a keep probability compared so
/// that the unit is dropped with it. Names decide only when they are unambiguous (drop/rate against keep/retain).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DrawKeepsWithDropRateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DrawKeepsWithDropRate);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                // A boolean mask's meaning (kept or dropped) is the reader's, not the comparison's: judged only when a reader
                // in the same body says it (`mask[i] = u < dropRate` read as `mask[i] ? x[i] / (1 - dropRate) : 0` keeps with the
                // drop rate).
                bool keepIsComplement = site.KeepProbabilityIsComplement;
                if (site.Shape == DropoutSiteShape.BooleanMask)
                {
                    if (HandWrittenDropoutModel.KeepIsComplementByReader(site, facts.RootOf(site), facts.Roots) is not { } byReader)
                    {
                        continue;
                    }

                    keepIsComplement = byReader;
                }

                IOperation probability = site.Probability;
                bool comparedIsKeep = !keepIsComplement;
                if (probability is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference && HandWrittenDropoutSite.IsOne(difference.LeftOperand))
                {
                    probability = difference.RightOperand;
                    comparedIsKeep = !comparedIsKeep;
                }

                if (HandWrittenDropoutSite.ReferencedSymbol(probability) is not { } symbol)
                {
                    continue;
                }

                // A helper's parameter named `rate` that is given `KeepRate = 1 - rate` at every call: what the definitions say the
                // compared value is must agree with its name, or neither is trusted. A definition whose name says neither (a
                // constructor's `prob` stored in `dropoutRate`) does not contradict the name it is stored under.
                if (site.ProbabilitySymbol is { } root && !SymbolEqualityComparer.Default.Equals(root, symbol)
                    && MeaningByDefinition(site, root) is { } byDefinition && byDefinition != NameMeaning(symbol.Name))
                {
                    continue;
                }

                string? mistake = NameMeaning(symbol.Name) switch
                {
                    true when !comparedIsKeep => "keep probability|drops",
                    false when comparedIsKeep => "drop rate|keeps",
                    _ => null,
                };
                // `u > dropout ? 0 : x / dropout` (a library whose `dropout` is documented as the keep probability): the value
                // this site keeps is scaled by one over the probability the comparison keeps with, so comparison and scale
                // agree; the arithmetic is a consistent dropout and only the name disagrees with it. A scale computed elsewhere
                // in the method that never reaches the kept value does not count.
                if (mistake is not null && ScaleAgreesWithTheComparison(facts, site, nodeContext.CancellationToken))
                {
                    mistake = null;
                }

                if (mistake is not null)
                {
                    string[] parts = mistake.Split('|');
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DrawKeepsWithDropRate, site.Comparison.Syntax.GetLocation(), symbol.Name, parts[0], parts[1]));
                }
            }
        });
    }

    private static bool ScaleAgreesWithTheComparison(DropoutTypeFacts facts, HandWrittenDropoutSite site, CancellationToken cancellationToken) =>
        (site.KeptValue ?? site.KeptBranch) is { } kept
        && facts.ScalesFor(site, cancellationToken).Any(scale =>
            scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep && kept.Syntax.Span.Contains(scale.Use.Factor.Syntax.Span));

    private static bool? MeaningByDefinition(HandWrittenDropoutSite site, ISymbol root)
    {
        ProbabilityTerm compared = site.KeepProbabilityIsComplement ? site.KeepTerm.OneMinus() : site.KeepTerm;
        bool? rootMeaning = NameMeaning(root.Name);
        if (compared.Equals(ProbabilityTerm.Symbol))
        {
            return rootMeaning;
        }

        return compared.Equals(ProbabilityTerm.Symbol.OneMinus()) ? !rootMeaning : null;
    }

    /// <summary><see langword="true"/> for a name that says keep, <see langword="false"/> for one that says drop, <see langword="null"/> when it says neither or both.</summary>
    internal static bool? NameMeaning(string name)
    {
        string lower = name.ToLowerInvariant();
        bool keep = lower.Contains("keep") || lower.Contains("retain") || lower.Contains("retent") || lower.Contains("surviv");
        string bare = lower.TrimStart('_');
        bool drop = lower.Contains("drop") || bare is "rate" or "ratio" or "m_rate" or "m_ratio";
        return keep == drop ? null : keep;
    }
}
