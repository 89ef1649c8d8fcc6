using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP022 and DRP023 inside a module by passing the module's own mode: <c>training: this.training</c> is added
/// to a call that omits it (named, so it fits whatever positional arguments precede it), and a constant
/// <see langword="true"/> is replaced with <c>this.training</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TorchSharpTrainingArgumentCodeFixProvider))]
[Shared]
public sealed class TorchSharpTrainingArgumentCodeFixProvider : CodeFixProvider
{
    private const string Title = "Pass training: this.training";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.TorchSharpFunctionalDropoutIgnoresTraining, DiagnosticIds.TorchSharpFunctionalDropoutNeverDrops);

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
            if (!diagnostic.Properties.TryGetValue(TorchSharpFunctionalDropout.FixProperty, out string? fix))
            {
                continue;
            }

            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            SyntaxNode? replaced = fix switch
            {
                TorchSharpFunctionalDropout.AddArgument when node is InvocationExpressionSyntax invocation => root.ReplaceNode(invocation, AddTraining(invocation)),
                TorchSharpFunctionalDropout.ReplaceArgument when node is ExpressionSyntax constant => root.ReplaceNode(constant, ThisTraining().WithTriviaFrom(constant)),
                _ => null,
            };
            if (replaced is not null)
            {
                context.RegisterCodeFix(CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(replaced)), equivalenceKey: Title), diagnostic);
            }
        }
    }

    private static InvocationExpressionSyntax AddTraining(InvocationExpressionSyntax invocation) =>
        invocation.WithArgumentList(invocation.ArgumentList.AddArguments(
            SyntaxFactory.Argument(ThisTraining()).WithNameColon(SyntaxFactory.NameColon("training"))));

    private static ExpressionSyntax ThisTraining() =>
        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.ThisExpression(), SyntaxFactory.IdentifierName("training"));
}
