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
        // Generated code is skipped by KeepProbabilityArguments itself: with GeneratedCodeAnalysisFlags.None, Roslyn would
        // also skip the user's own [Dropout(p)] on a partial method, whose generated implementation carries [GeneratedCode].
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
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

        // Hand-written dropout: the keep probability a site compares with (u < keep keeps) is a parameter whose default, or a
        // field whose only value, is a constant below the threshold, and its name says keep.
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (typeContext, facts) =>
        {
            var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.KeepProbabilityIsComplement || site.Bound is not null || !site.KeepTerm.Equals(ProbabilityTerm.Symbol)
                    || site.ProbabilitySymbol is not { } symbol || DrawKeepsWithDropRateAnalyzer.NameMeaning(symbol.Name) != true
                    || ConstantDefinition(symbol, typeContext.CancellationToken) is not { } definition
                    || !typeContext.Trees.Contains(definition.SyntaxTree)
                    || typeContext.SemanticModelOf(definition).GetConstantValue(definition, typeContext.CancellationToken) is not { HasValue: true, Value: var value }
                    || ProbabilityScaling.ToDouble(value) is not double keepProbability
                    || !KeepProbabilityOutOfRangeAnalyzer.IsSupported(keepProbability)
                    || keepProbability >= ReadThreshold(typeContext.Options, definition.SyntaxTree)
                    || !reported.Add(symbol))
                {
                    continue;
                }

                typeContext.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.KeepProbabilityLooksLikeDropRate,
                    definition.GetLocation(),
                    keepProbability.ToString("R", CultureInfo.InvariantCulture),
                    (1 - keepProbability).ToString("0.##%", CultureInfo.InvariantCulture),
                    ComplementText(keepProbability)));
            }
        });
    }

    // `double keepProbability = 0.1` (a parameter's default) or `private double _keep = 0.1;` never assigned elsewhere.
    private static Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? ConstantDefinition(ISymbol symbol, CancellationToken cancellationToken)
    {
        if (symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        SyntaxNode declaration = symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        switch (symbol)
        {
            case IParameterSymbol { HasExplicitDefaultValue: true } when declaration is Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax { Default.Value: var defaultValue }:
                return defaultValue;
            case IFieldSymbol { IsConst: false } field when declaration is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: var initializer }
                && !IsAssignedOutsideItsDeclaration(field, declaration.SyntaxTree, cancellationToken):
                return initializer;
            default:
                return null;
        }
    }

    // Any `name =`, `name +=`, `ref name`/`out name` in the file (a syntactic look, cheap and conservative).
    private static bool IsAssignedOutsideItsDeclaration(IFieldSymbol field, SyntaxTree tree, CancellationToken cancellationToken) =>
        tree.GetRoot(cancellationToken).DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>().Any(identifier =>
            identifier.Identifier.ValueText == field.Name
            && (identifier.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax assignment && assignment.Left == identifier
                || identifier.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Parent: Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax memberAssignment } access && memberAssignment.Left == access
                || identifier.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { RefKindKeyword.RawKind: not 0 }));

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
