using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP007 by wrapping the statement that first runs the model, and every statement after it in the same
/// block, in <c>using (context.Inference()) { ... }</c>. Wrapping to the end of the block keeps every local that
/// the wrapped statements declare in scope for the statements that use it. Offered only when the analyzer knew
/// the context for certain and the call sits in a block (not an expression body).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InferenceWithoutInferenceModeCodeFixProvider))]
[Shared]
public sealed class InferenceWithoutInferenceModeCodeFixProvider : CodeFixProvider
{
    private const string Title = "Run in an inference scope";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InferenceWithoutInferenceMode);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(InferenceWithoutInferenceModeAnalyzer.ContextExpressionProperty, out string? contextExpression)
                || contextExpression is null
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } run
                || FirstStatementInBlock(run) is not { } first
                || first.Parent is not BlockSyntax block)
            {
                continue;
            }

            int start = block.Statements.IndexOf(first);
            SyntaxList<StatementSyntax> wrapped = SyntaxFactory.List(block.Statements.Skip(start));
            if (wrapped.Any(statement => statement is LocalFunctionStatementSyntax or LabeledStatementSyntax))
            {
                // A local function may be called, or a label jumped to, from before the scope.
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(block, Wrap(block, start, contextExpression)))), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static StatementSyntax? FirstStatementInBlock(SyntaxNode node)
    {
        for (SyntaxNode? current = node; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                return null;
            }

            if (current is StatementSyntax statement && current.Parent is BlockSyntax)
            {
                return statement;
            }
        }

        return null;
    }

    private static BlockSyntax Wrap(BlockSyntax block, int start, string contextExpression)
    {
        ExpressionSyntax scope = SyntaxFactory.ParseExpression(contextExpression + ".Inference()");
        UsingStatementSyntax usingStatement = SyntaxFactory.UsingStatement(
                declaration: null,
                expression: scope,
                statement: SyntaxFactory.Block(block.Statements.Skip(start)))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return block.WithStatements(SyntaxFactory.List(block.Statements.Take(start)).Add(usingStatement));
    }
}
