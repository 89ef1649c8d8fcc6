using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP003 by turning the drop rate into a keep probability: a literal 0.2 becomes 0.8, any other expression e
/// becomes <c>1 - e</c>. Offered only when the result is a keep probability the rule accepts: with a threshold set
/// above 0.5, 1 - p can itself lie below it (0.4 → 0.6 with a threshold of 0.7) or equal p (0.5 → 0.5), and a fix
/// that leaves the warning in place is no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(KeepProbabilityLooksLikeDropRateCodeFixProvider))]
[Shared]
public sealed class KeepProbabilityLooksLikeDropRateCodeFixProvider : CodeFixProvider
{
    private const string Title = "Use 1 - p as the keep probability";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.KeepProbabilityLooksLikeDropRate);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        double threshold = KeepProbabilityLooksLikeDropRateAnalyzer.ReadThreshold(context.Document.Project.AnalyzerOptions, root.SyntaxTree);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression
                || expression.ContainsDiagnostics
                || semanticModel.GetConstantValue(expression, context.CancellationToken) is not { HasValue: true } constant
                || AsDouble(constant) is not { } rate)
            {
                continue;
            }

            ExpressionSyntax complement = Complement(expression, rate, constant.Value is float, out double keepProbability);
            if (keepProbability == rate
                || keepProbability >= 1
                || keepProbability < threshold
                || !KeepProbabilityOutOfRangeAnalyzer.IsSupported(keepProbability))
            {
                // The fixed value would be reported again (by this rule, DRP001 or DRP002) or is the value itself.
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, complement))), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static double? AsDouble(Optional<object?> constant) => constant.HasValue
        ? constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            decimal m => (double)m,
            _ => null,
        }
        : null;

    // keepProbability is the value the analyzer will see for the fixed expression.
    private static ExpressionSyntax Complement(ExpressionSyntax expression, double rate, bool isSingle, out double keepProbability)
    {
        if (expression is LiteralExpressionSyntax { Token.Value: double or float } literal
            && decimal.TryParse(StripSuffix(literal.Token.Text, out string suffix), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal parsedRate))
        {
            // Decimal arithmetic so that 1 - 0.2 is written 0.8, as a person would.
            string text = (1m - parsedRate).ToString(CultureInfo.InvariantCulture) + suffix;
            SyntaxToken token = SyntaxFactory.ParseToken(text);
            keepProbability = token.Value switch
            {
                double d => d,
                float f => f,
                _ => double.NaN,
            };
            return SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, token).WithTriviaFrom(expression);
        }

        // 1 - e is computed in e's type: float arithmetic for a float constant.
        keepProbability = isSingle ? 1f - (float)rate : 1 - rate;
        ExpressionSyntax operand = expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or LiteralExpressionSyntax or ParenthesizedExpressionSyntax or InvocationExpressionSyntax
            ? expression.WithoutTrivia()
            : SyntaxFactory.ParenthesizedExpression(expression.WithoutTrivia());
        return SyntaxFactory.BinaryExpression(
                SyntaxKind.SubtractExpression,
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(1)),
                operand)
            .WithTriviaFrom(expression)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    private static string StripSuffix(string text, out string suffix)
    {
        char last = text[text.Length - 1];
        if (last is 'd' or 'D' or 'f' or 'F')
        {
            suffix = last.ToString();
            return text.Substring(0, text.Length - 1);
        }

        suffix = string.Empty;
        return text;
    }
}
