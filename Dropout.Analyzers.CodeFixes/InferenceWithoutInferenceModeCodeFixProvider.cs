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
/// Fixes DRP007 by opening an inference scope just before the statement that first runs the model:
/// <c>using var inferenceScope = context.Inference();</c> (C# 8 and later), which lasts to the end of the enclosing
/// block and moves no statement, so every local keeps its scope. Before C# 8 the rest of the block is wrapped in
/// <c>using (context.Inference()) { ... }</c> instead.
/// </summary>
/// <remarks>
/// The scope goes at the outermost statement around the call where the context expression means the same thing as at
/// the call; when that expression names a variable the statement itself declares (<c>if (x is DropoutLayer d) d.Forward(y)</c>,
/// <c>using (var m = ...) m.Forward(y)</c>, <c>foreach (var layer in layers) layer.Forward(y)</c>), the scope moves inward,
/// into the statement the variable is visible in. Each placement must compile without a new error (checked with the
/// compiler, see <see cref="FixVerification"/>); when none does, or the context is not certain, no fix is offered.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InferenceWithoutInferenceModeCodeFixProvider))]
[Shared]
public sealed class InferenceWithoutInferenceModeCodeFixProvider : CodeFixProvider
{
    private const string Title = "Run in an inference scope";
    private const string ScopeName = "inferenceScope";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InferenceWithoutInferenceMode);

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

        bool hasUsingDeclarations = ((CSharpParseOptions)root.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp8;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(InferenceWithoutInferenceModeAnalyzer.ContextExpressionProperty, out string? contextText)
                || contextText is null
                || ParseContext(contextText) is not { } contextExpression
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } run)
            {
                continue;
            }

            SyntaxNode member = FixVerification.EnclosingMember(run);
            ISymbol? contextRoot = RootSymbol(semanticModel, run.SpanStart, contextExpression);
            if (contextRoot is null)
            {
                continue;
            }

            foreach (StatementSyntax statement in Placements(run))
            {
                if (statement.ContainsDiagnostics
                    || !SymbolEqualityComparer.Default.Equals(contextRoot, RootSymbol(semanticModel, statement.SpanStart, contextExpression)))
                {
                    // Incomplete code is not rewritten; and here the expression would name another variable (a field the
                    // pattern variable at the call shadows, say).
                    continue;
                }

                string scopeName = FreeName(semanticModel, member, statement.SpanStart);
                SyntaxNode? newMember = hasUsingDeclarations
                    ? member.ReplaceNode(statement.Parent!, WithScopeDeclaration(statement, contextExpression, scopeName))
                    : WithScopeBlock(member, statement, contextExpression);
                if (newMember is null)
                {
                    continue;
                }

                Document? fixedDocument = await FixVerification.ReplaceIfItAddsNoErrorsAsync(context.Document, member, newMember, context.CancellationToken).ConfigureAwait(false);
                if (fixedDocument is not null)
                {
                    context.RegisterCodeFix(CodeAction.Create(Title, _ => Task.FromResult(fixedDocument), equivalenceKey: Title), diagnostic);
                    break;
                }
            }
        }
    }

    // The context text names symbols by their metadata names; a name that is a C# keyword (a parameter @checked) must be
    // written with its @ again. `this` at the start is the keyword itself.
    private static ExpressionSyntax? ParseContext(string contextText)
    {
        string[] parts = contextText.Split('.');
        for (int index = 0; index < parts.Length; index++)
        {
            string part = parts[index];
            if ((index > 0 || part != "this")
                && (SyntaxFacts.GetKeywordKind(part) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(part) != SyntaxKind.None))
            {
                parts[index] = "@" + part;
            }
        }

        ExpressionSyntax expression = SyntaxFactory.ParseExpression(string.Join(".", parts));
        return expression.ContainsDiagnostics || expression.FullSpan.Length != string.Join(".", parts).Length ? null : expression;
    }

    // The symbol the leftmost name of the context expression binds to at a position: the same symbol at the call and at
    // the scope means the scope's expression evaluates to the call's context.
    private static ISymbol? RootSymbol(SemanticModel semanticModel, int position, ExpressionSyntax contextExpression)
    {
        ExpressionSyntax leftmost = contextExpression;
        while (leftmost is MemberAccessExpressionSyntax memberAccess)
        {
            leftmost = memberAccess.Expression;
        }

        if (leftmost is ThisExpressionSyntax)
        {
            return semanticModel.GetEnclosingSymbol(position) is { IsStatic: false } enclosing ? enclosing.ContainingType : null;
        }

        return semanticModel.GetSpeculativeSymbolInfo(position, leftmost, SpeculativeBindingOption.BindAsExpression).Symbol;
    }

    // Statements around the call where a scope can open, outermost first: a statement directly in a block, or the
    // embedded statement of an if, else, loop, using, lock, fixed or label. Lambdas and local functions are not left
    // (their body runs when they are called, not where they are written).
    private static IEnumerable<StatementSyntax> Placements(SyntaxNode run)
    {
        var placements = new List<StatementSyntax>();
        for (SyntaxNode? current = run; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax or GlobalStatementSyntax)
            {
                break;
            }

            if (current is StatementSyntax statement and not BlockSyntax && (current.Parent is BlockSyntax || IsEmbedded(statement)))
            {
                placements.Add(statement);
            }
        }

        placements.Reverse();
        return placements;
    }

    private static bool IsEmbedded(StatementSyntax statement) => statement.Parent switch
    {
        IfStatementSyntax ifStatement => ifStatement.Statement == statement,
        ElseClauseSyntax => true,
        WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax => true,
        UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax or LabeledStatementSyntax => true,
        _ => false,
    };

    // `using var inferenceScope = context.Inference();` before the statement. In a block it lasts to the block's end; an
    // embedded statement becomes a block holding the declaration and the statement.
    private static SyntaxNode WithScopeDeclaration(StatementSyntax statement, ExpressionSyntax contextExpression, string scopeName)
    {
        LocalDeclarationStatementSyntax declaration = SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(scopeName))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(Inference(contextExpression))))))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword));

        if (statement.Parent is BlockSyntax block)
        {
            // The declaration takes the statement's comments with it, so that a comment above the call stays above
            // the lines that now run it; directives stay with the statement they govern.
            SyntaxTriviaList leading = statement.GetLeadingTrivia();
            bool movesTrivia = !leading.Any(trivia => trivia.IsDirective || trivia.IsKind(SyntaxKind.DisabledTextTrivia));
            SyntaxTriviaList indentation = Indentation(leading);
            LocalDeclarationStatementSyntax placed = declaration
                .NormalizeWhitespace()
                .WithLeadingTrivia(movesTrivia ? leading : indentation)
                .WithTrailingTrivia(EndOfLine(block));
            StatementSyntax kept = movesTrivia ? statement.WithLeadingTrivia(indentation) : statement;
            int index = block.Statements.IndexOf(statement);
            return block.WithStatements(block.Statements.RemoveAt(index).Insert(index, kept).Insert(index, placed));
        }

        BlockSyntax wrapper = SyntaxFactory.Block(declaration, statement.WithoutLeadingTrivia().WithoutTrailingTrivia())
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithTrailingTrivia(statement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return statement.Parent!.ReplaceNode(statement, wrapper);
    }

    // Before C# 8: `using (context.Inference()) { ... }` around the statement and the rest of its block, or around an
    // embedded statement alone.
    private static SyntaxNode? WithScopeBlock(SyntaxNode member, StatementSyntax statement, ExpressionSyntax contextExpression)
    {
        if (statement.Parent is BlockSyntax block)
        {
            int start = block.Statements.IndexOf(statement);
            UsingStatementSyntax usingStatement = SyntaxFactory.UsingStatement(
                    declaration: null,
                    expression: Inference(contextExpression),
                    statement: SyntaxFactory.Block(block.Statements.Skip(start)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            return member.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(block.Statements.Take(start)).Add(usingStatement)));
        }

        UsingStatementSyntax wrapper = SyntaxFactory.UsingStatement(
                declaration: null,
                expression: Inference(contextExpression),
                statement: SyntaxFactory.Block(statement.WithoutLeadingTrivia().WithoutTrailingTrivia()))
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithTrailingTrivia(statement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return member.ReplaceNode(statement, SyntaxFactory.Block(wrapper).WithAdditionalAnnotations(Formatter.Annotation));
    }

    private static InvocationExpressionSyntax Inference(ExpressionSyntax contextExpression) =>
        SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, contextExpression.WithoutTrivia(), SyntaxFactory.IdentifierName("Inference")));

    // A name for the scope variable that no local, parameter or member in reach already uses (a local further down the
    // method with the same name would be a compile error, so every identifier of the member counts).
    private static string FreeName(SemanticModel semanticModel, SyntaxNode member, int position)
    {
        var taken = new HashSet<string>(
            member.DescendantTokens().Where(token => token.IsKind(SyntaxKind.IdentifierToken)).Select(token => token.ValueText),
            StringComparer.Ordinal);
        for (int suffix = 1; ; suffix++)
        {
            string name = suffix == 1 ? ScopeName : ScopeName + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!taken.Contains(name) && semanticModel.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }
    }

    // The whitespace that starts the statement's line: what follows the last line break of its leading trivia.
    private static SyntaxTriviaList Indentation(SyntaxTriviaList leading)
    {
        int start = 0;
        for (int index = 0; index < leading.Count; index++)
        {
            if (leading[index].IsKind(SyntaxKind.EndOfLineTrivia) || leading[index].HasStructure)
            {
                start = index + 1;
            }
        }

        return SyntaxFactory.TriviaList(leading.Skip(start).Where(trivia => trivia.IsKind(SyntaxKind.WhitespaceTrivia)));
    }

    // The document's own line break, so that a CRLF file stays CRLF.
    private static SyntaxTrivia EndOfLine(SyntaxNode node) =>
        node.SyntaxTree.GetRoot().DescendantTrivia().FirstOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } endOfLine
            ? endOfLine
            : SyntaxFactory.ElasticCarriageReturnLineFeed;
}
