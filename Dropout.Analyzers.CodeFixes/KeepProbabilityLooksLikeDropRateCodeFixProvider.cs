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

/// <summary>Fixes DRP003 by turning the drop rate into a keep probability: a literal 0.2 becomes 0.8, any other expression e becomes <c>1 - e</c>.</summary>
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
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, Complement(expression)))), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static ExpressionSyntax Complement(ExpressionSyntax expression)
    {
        if (expression is LiteralExpressionSyntax { Token.Value: double or float } literal
            && decimal.TryParse(StripSuffix(literal.Token.Text, out string suffix), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal rate))
        {
            // Decimal arithmetic so that 1 - 0.2 is written 0.8, as a person would.
            string text = (1m - rate).ToString(CultureInfo.InvariantCulture) + suffix;
            return SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.ParseToken(text)).WithTriviaFrom(expression);
        }

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
