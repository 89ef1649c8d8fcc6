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
/// has its module, because <c>RegisterComponents()</c> registers the values the fields hold when it runs. An
/// expression-bodied constructor gets a block body (its expression as the first statement). The rewritten constructor
/// must compile with no new error (<see cref="FixVerification"/>; a member or local function of that name can capture
/// the call), else the fix is not offered. Not offered for list fields (they need a <c>ModuleList</c>, a design choice)
/// or a constructor that only throws.
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
                || root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not ConstructorDeclarationSyntax constructor
                || AddCall(constructor) is not { } newConstructor)
            {
                continue;
            }

            Document? fixedDocument = await FixVerification.ReplaceIfItAddsNoErrorsAsync(context.Document, constructor, newConstructor, context.CancellationToken).ConfigureAwait(false);
            if (fixedDocument is not null)
            {
                context.RegisterCodeFix(CodeAction.Create(Title, _ => Task.FromResult(fixedDocument), equivalenceKey: Title), diagnostic);
            }
        }
    }

    private static ConstructorDeclarationSyntax? AddCall(ConstructorDeclarationSyntax constructor)
    {
        StatementSyntax call = SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(SyntaxFactory.IdentifierName("RegisterComponents")))
            .WithAdditionalAnnotations(Formatter.Annotation);
        if (constructor.Body is { } body)
        {
            return constructor.WithBody(body.AddStatements(call));
        }

        // `=> throw ...` never reaches a call after it; anything else becomes the first statement of a block.
        if (constructor.ExpressionBody is not { Expression: { } expression } || expression is ThrowExpressionSyntax)
        {
            return null;
        }

        ConstructorDeclarationSyntax withoutArrow = constructor.Initializer is { } initializer
            ? constructor.WithInitializer(initializer.WithoutTrailingTrivia())
            : constructor.WithParameterList(constructor.ParameterList.WithoutTrailingTrivia());
        BlockSyntax block = SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(expression.WithoutTrivia()), call)
            .WithTrailingTrivia(constructor.SemicolonToken.TrailingTrivia);
        return withoutArrow
            .WithExpressionBody(null)
            .WithSemicolonToken(default)
            .WithBody(block)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
