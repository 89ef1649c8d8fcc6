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
/// Fixes DRP020 on a constructor by ending its body with <c>RegisterComponents();</c>: at the end, after every field
/// has its module, because <c>RegisterComponents()</c> registers the values the fields hold when it runs. Not offered
/// for list fields (they need a <c>ModuleList</c>, a design choice) or expression-bodied constructors.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TorchSharpRegisterComponentsCodeFixProvider))]
[Shared]
public sealed class TorchSharpRegisterComponentsCodeFixProvider : CodeFixProvider
{
    private const string Title = "Call RegisterComponents() at the end of the constructor";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TorchSharpUnregisteredDropout);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(TorchSharpUnregisteredDropoutAnalyzer.AddRegisterComponentsProperty)
                || root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not ConstructorDeclarationSyntax { Body: { } body } constructor)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(constructor, AddCall(constructor, body)))), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static ConstructorDeclarationSyntax AddCall(ConstructorDeclarationSyntax constructor, BlockSyntax body)
    {
        StatementSyntax call = SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(SyntaxFactory.IdentifierName("RegisterComponents")))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return constructor.WithBody(body.AddStatements(call));
    }
}
