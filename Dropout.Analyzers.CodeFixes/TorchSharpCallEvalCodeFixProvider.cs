using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP024 by calling <c>eval()</c> on the module before it runs: before the outermost statement of the method
/// that contains the run when the module is a parameter, field or <c>this</c> (so a loop over batches does not switch
/// the mode on every batch), else right before the statement that runs it. Not offered in expression-bodied members.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TorchSharpCallEvalCodeFixProvider))]
[Shared]
public sealed class TorchSharpCallEvalCodeFixProvider : CodeFixProvider
{
    private const string Title = "Call eval() first";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TorchSharpInferenceWithoutEval);

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
            if (!diagnostic.Properties.TryGetValue(TorchSharpInferenceWithoutEvalAnalyzer.ReceiverProperty, out string? receiver)
                || receiver is null
                || Anchor(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true), diagnostic.Properties.TryGetValue(TorchSharpInferenceWithoutEvalAnalyzer.OutermostProperty, out string? outermost) && outermost == "true") is not { Parent: BlockSyntax block } anchor)
            {
                continue;
            }

            // The new line takes the anchor's indentation (not its comments) and the document's line ending.
            SyntaxTriviaList leading = anchor.GetLeadingTrivia();
            SyntaxTrivia indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading[leading.Count - 1] : SyntaxFactory.ElasticMarker;
            SyntaxTrivia endOfLine = root.DescendantTrivia().FirstOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia));
            StatementSyntax call = SyntaxFactory.ParseStatement(receiver + ".eval();")
                .WithLeadingTrivia(indentation)
                .WithTrailingTrivia(endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : SyntaxFactory.ElasticCarriageReturnLineFeed);
            int index = block.Statements.IndexOf(anchor);
            BlockSyntax fixedBlock = block.WithStatements(block.Statements.Insert(index, call));
            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(block, fixedBlock))), equivalenceKey: Title),
                diagnostic);
        }
    }

    // The statement to put eval() before: the innermost statement in a block that holds the run, or the outermost one
    // in the member's body; never across a lambda or local function, which may run at another time.
    private static StatementSyntax? Anchor(SyntaxNode run, bool outermost)
    {
        StatementSyntax? found = null;
        for (SyntaxNode? current = run; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                break;
            }

            if (current is StatementSyntax statement && current.Parent is BlockSyntax)
            {
                found = statement;
                if (!outermost)
                {
                    break;
                }
            }
        }

        return found;
    }
}
