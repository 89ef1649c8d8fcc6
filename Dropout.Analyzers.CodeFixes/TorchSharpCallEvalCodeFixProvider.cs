using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP024 by calling <c>eval()</c> on the module before it runs: before the outermost statement of the method
/// that contains the run when the module is a parameter, field or <c>this</c> (so a loop over batches does not switch
/// the mode on every batch), else right before the statement that runs it. An expression-bodied method gets a block body.
/// </summary>
/// <remarks>
/// When a training loop somewhere in the compilation calls the method (a loop that steps an optimizer, the loop DRP025
/// watches) and reaches its next step without a <c>train()</c> of its own, the fix also puts the module back in
/// training mode on every way out of the method that <c>eval()</c> ran before, as PyTorch code does
/// (<c>model.eval()</c> at the top of <c>evaluate</c>, <c>model.train()</c> at its end): otherwise the next epoch trains
/// with dropout off. <c>model.train();</c> goes before each <c>return</c> and at the end of the body when
/// every return hands back a value already computed (a local, a literal): that is the form TorchSharp users write.
/// When a return computes its value (<c>return model.forward(x).argmax(1);</c>, which must still run in evaluation
/// mode), or the method is an iterator, the rest of the body goes into <c>try { ... } finally { model.train(); }</c>,
/// which restores the mode on every path (exceptions too) without reordering anything. Each fix must compile without a
/// new error (<see cref="FixVerification"/>), else it is not offered.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TorchSharpCallEvalCodeFixProvider))]
[Shared]
public sealed class TorchSharpCallEvalCodeFixProvider : CodeFixProvider
{
    private const string EvalTitle = "Call eval() first";
    private const string EvalAndTrainTitle = "Call eval() first and train() after";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TorchSharpInferenceWithoutEval);

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

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(TorchSharpInferenceWithoutEvalAnalyzer.ReceiverProperty, out string? receiver)
                || receiver is null
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } run)
            {
                continue;
            }

            bool outermost = diagnostic.Properties.TryGetValue(TorchSharpInferenceWithoutEvalAnalyzer.OutermostProperty, out string? text) && text == "true";
            SyntaxNode member = FixVerification.EnclosingMember(run);

            // train() after only for a module the caller shares (a parameter, field or this) and for the method's own
            // exits (not a lambda's or local function's), when a training loop calls the method and needs it.
            bool restore = outermost
                && member is MethodDeclarationSyntax method
                && RunsInMethodBody(run, method)
                && semanticModel.GetDeclaredSymbol(method, context.CancellationToken) is { } symbol
                && await NeedsTrainAfterAsync(symbol, context.Document.Project, context.CancellationToken).ConfigureAwait(false);

            SyntaxNode? newMember = Fix(member, run, receiver, outermost, restore, semanticModel, context.CancellationToken);
            if (newMember is null)
            {
                continue;
            }

            Document? fixedDocument = await FixVerification.ReplaceIfItAddsNoErrorsAsync(context.Document, member, newMember, context.CancellationToken).ConfigureAwait(false);
            if (fixedDocument is not null)
            {
                string title = restore ? EvalAndTrainTitle : EvalTitle;
                context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(fixedDocument), equivalenceKey: title), diagnostic);
            }
        }
    }

    private static SyntaxNode? Fix(SyntaxNode member, SyntaxNode run, string receiver, bool outermost, bool restore, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (member is MethodDeclarationSyntax { ExpressionBody: { } arrow } expressionBodied)
        {
            return RunsInMethodBody(run, expressionBodied) ? WithBlockBody(expressionBodied, arrow.Expression, receiver, restore, semanticModel, cancellationToken) : null;
        }

        if (Anchor(run, outermost) is not { Parent: BlockSyntax block } anchor)
        {
            return null;
        }

        if (!restore)
        {
            return member.ReplaceNode(block, block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(anchor), Call(receiver, "eval", anchor))));
        }

        // restore implies that the anchor is a statement of the method's body (the outermost one). A return in a statement
        // before it leaves before eval() ran, with the mode unchanged, unless a goto can come back to it.
        bool jumps = block.DescendantNodes(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<GotoStatementSyntax>().Any();
        ImmutableArray<ReturnStatementSyntax> returns = block.DescendantNodes(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .OfType<ReturnStatementSyntax>()
            .Where(statement => jumps || statement.SpanStart >= anchor.SpanStart)
            .ToImmutableArray();
        bool iterator = block.DescendantNodes(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any();
        bool endReachable = block.Statements.Count == 0
            || semanticModel.AnalyzeControlFlow(block.Statements[0], block.Statements[block.Statements.Count - 1]) is { Succeeded: true, EndPointIsReachable: true };
        if (returns.IsEmpty && !endReachable && !iterator)
        {
            // The method never returns (it throws, or loops for ever): there is no exit to restore the mode on.
            return member.ReplaceNode(block, block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(anchor), Call(receiver, "eval", anchor))));
        }

        if (!iterator && returns.All(statement => statement.Expression is null || IsComputed(semanticModel, statement.Expression, cancellationToken)))
        {
            return member.ReplaceNode(block, WithTrainBeforeExits(block, anchor, returns, endReachable, receiver));
        }

        return member.ReplaceNode(block, WithTryFinally(block, anchor, receiver));
    }

    // eval() before the anchor; train() before each return and after the last statement when its end is reachable.
    private static BlockSyntax WithTrainBeforeExits(BlockSyntax block, StatementSyntax anchor, ImmutableArray<ReturnStatementSyntax> returns, bool endReachable, string receiver)
    {
        BlockSyntax tracked = block.TrackNodes(returns.Cast<SyntaxNode>().Append(anchor));
        foreach (ReturnStatementSyntax original in returns)
        {
            ReturnStatementSyntax current = tracked.GetCurrentNode(original)!;
            switch (current.Parent)
            {
                case BlockSyntax parent:
                    tracked = tracked.ReplaceNode(parent, parent.WithStatements(InsertBefore(parent.Statements, current, Call(receiver, "train", current))));
                    break;
                case SwitchSectionSyntax section:
                    tracked = tracked.ReplaceNode(section, section.WithStatements(InsertBefore(section.Statements, current, Call(receiver, "train", current))));
                    break;
                default:
                    // An embedded statement (if (done) return acc;): it becomes a block of the two statements.
                    BlockSyntax wrapper = SyntaxFactory.Block(Call(receiver, "train", null), current.WithoutLeadingTrivia().WithoutTrailingTrivia())
                        .WithLeadingTrivia(current.GetLeadingTrivia())
                        .WithTrailingTrivia(current.GetTrailingTrivia())
                        .WithAdditionalAnnotations(Formatter.Annotation);
                    tracked = tracked.ReplaceNode(current, wrapper);
                    break;
            }
        }

        StatementSyntax currentAnchor = tracked.GetCurrentNode(anchor)!;
        SyntaxList<StatementSyntax> statements = tracked.Statements.Insert(tracked.Statements.IndexOf(currentAnchor), Call(receiver, "eval", currentAnchor));
        if (endReachable)
        {
            StatementSyntax last = statements[statements.Count - 1];
            statements = statements.Add(Call(receiver, "train", last));
        }

        return tracked.WithStatements(statements);
    }

    // The call goes before the statement and takes the blank lines and comments above it (they introduce the way out,
    // which now starts with the call); directives stay with the statement they govern.
    private static SyntaxList<StatementSyntax> InsertBefore(SyntaxList<StatementSyntax> statements, StatementSyntax statement, StatementSyntax call)
    {
        SyntaxTriviaList leading = statement.GetLeadingTrivia();
        int index = statements.IndexOf(statement);
        if (leading.Any(trivia => trivia.IsDirective || trivia.IsKind(SyntaxKind.DisabledTextTrivia)))
        {
            return statements.Insert(index, call);
        }

        return statements.Replace(statement, statement.WithLeadingTrivia(call.GetLeadingTrivia())).Insert(index, call.WithLeadingTrivia(leading));
    }

    // eval() before the anchor, then try { anchor and the rest } finally { train(); }. The moved statements are indented
    // one level deeper by hand: the formatter lays out the new try and finally but keeps the indentation it finds.
    private static BlockSyntax WithTryFinally(BlockSyntax block, StatementSyntax anchor, string receiver)
    {
        int index = block.Statements.IndexOf(anchor);
        string unit = IndentationUnit(block);
        TryStatementSyntax tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(block.Statements.Skip(index).Select(statement => Indented(statement, unit))),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(Call(receiver, "train", null))))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return block.WithStatements(SyntaxFactory.List(block.Statements.Take(index)).Add(Call(receiver, "eval", anchor)).Add(tryStatement));
    }

    // `=> expression;` becomes `{ receiver.eval(); return expression; }` (an expression statement when the method
    // returns nothing), with train() after it, or around it in a finally when the returned value still runs the model.
    private static MethodDeclarationSyntax? WithBlockBody(MethodDeclarationSyntax method, ExpressionSyntax expression, string receiver, bool restore, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (semanticModel.GetDeclaredSymbol(method, cancellationToken) is not { } symbol)
        {
            return null;
        }

        bool returnsNothing = symbol.ReturnsVoid
            || (symbol.IsAsync && symbol.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" });
        StatementSyntax statement = returnsNothing
            ? SyntaxFactory.ExpressionStatement(expression.WithoutTrivia())
            : SyntaxFactory.ReturnStatement(expression.WithoutTrivia());
        var statements = new List<StatementSyntax> { Call(receiver, "eval", null) };
        if (!restore)
        {
            statements.Add(statement);
        }
        else if (returnsNothing)
        {
            statements.Add(statement);
            statements.Add(Call(receiver, "train", null));
        }
        else
        {
            statements.Add(SyntaxFactory.TryStatement(
                SyntaxFactory.Block(statement),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(Call(receiver, "train", null)))));
        }

        return method
            .WithExpressionBody(null)
            .WithSemicolonToken(default)
            .WithParameterList(method.ParameterList.WithoutTrailingTrivia())
            .WithBody(SyntaxFactory.Block(statements).WithTrailingTrivia(method.SemicolonToken.TrailingTrivia))
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    // Whether the returned value is already computed before the return, so that train() before it changes nothing about
    // it: a literal, a local or parameter, or built-in arithmetic over those (total / count). A call is not: it may run
    // the model, which must still be in evaluation mode.
    private static bool IsComputed(SemanticModel semanticModel, ExpressionSyntax expression, CancellationToken cancellationToken) =>
        IsComputed(semanticModel.GetOperation(expression, cancellationToken));

    private static bool IsComputed(IOperation? value) => value switch
    {
        IConversionOperation { OperatorMethod: null } conversion => IsComputed(conversion.Operand),
        IBinaryOperation { OperatorMethod: null } binary => IsComputed(binary.LeftOperand) && IsComputed(binary.RightOperand),
        IUnaryOperation { OperatorMethod: null } unary => IsComputed(unary.Operand),
        ITupleOperation tuple => tuple.Elements.All(IsComputed),
        ILiteralOperation or ILocalReferenceOperation or IDefaultValueOperation or IInstanceReferenceOperation => true,
        IParameterReferenceOperation { Parameter.RefKind: RefKind.None } => true,
        _ => value?.ConstantValue.HasValue == true,
    };

    // Whether the run belongs to the method itself, not to a lambda or local function inside it (which run at another time).
    private static bool RunsInMethodBody(SyntaxNode run, MethodDeclarationSyntax method)
    {
        for (SyntaxNode? current = run; current is not null && current != method; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }
        }

        return true;
    }

    // Whether the method needs to restore training mode itself: some training loop of the compilation calls it and then
    // reaches its next optimizer step before any train() (what DRP025 would report once the method calls eval()), and
    // the method does not already call train() itself (after its runs, or DRP024 would see Monte Carlo dropout). A
    // train() two calls away (a Restore(model) helper) does not count: DRP025 reads helpers one level deep, so it would
    // still report the loop. Read from every tree: the code fix runs on demand, so the walk costs nothing while the analyzers run.
    private static async Task<bool> NeedsTrainAfterAsync(IMethodSymbol method, Project project, CancellationToken cancellationToken)
    {
        Compilation? compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null || TorchSharpSymbols.TryCreate(compilation) is not { } symbols)
        {
            return false;
        }

        var flow = new TorchSharpModeFlow(new TorchSharpModels(compilation, symbols));
        if (flow.CallsTrain(method, cancellationToken))
        {
            return false;
        }

        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            SemanticModel? model = null;
            SyntaxNode root = await tree.GetRootAsync(cancellationToken).ConfigureAwait(false);
            foreach (InvocationExpressionSyntax call in root.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (TorchSharpModels.InvokedName(call) != method.Name)
                {
                    continue;
                }

                model ??= compilation.GetSemanticModel(tree);
                if (model.GetOperation(call, cancellationToken) is IInvocationOperation invocation
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, method.OriginalDefinition)
                    && flow.StepsBeforeTrainAfter(invocation, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // One level of indentation in the block: its statements' indentation beyond its brace's, else four spaces.
    private static string IndentationUnit(BlockSyntax block)
    {
        string brace = LineIndentation(block.OpenBraceToken.LeadingTrivia);
        string statement = block.Statements.Count > 0 ? LineIndentation(block.Statements[0].GetLeadingTrivia()) : string.Empty;
        return statement.Length > brace.Length && statement.StartsWith(brace, StringComparison.Ordinal) ? statement.Substring(brace.Length) : "    ";
    }

    private static string LineIndentation(SyntaxTriviaList leading) =>
        leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading[leading.Count - 1].ToString() : string.Empty;

    // The statement with every line that starts in it (a token's leading whitespace after a line break) one unit deeper.
    // String contents are tokens, not trivia, so a multi-line literal keeps its text.
    private static StatementSyntax Indented(StatementSyntax statement, string unit)
    {
        var lineStarts = new HashSet<SyntaxTrivia>();
        bool atLineStart = true;
        foreach (SyntaxToken token in statement.DescendantTokens())
        {
            foreach (SyntaxTrivia trivia in token.LeadingTrivia)
            {
                if (trivia.IsKind(SyntaxKind.WhitespaceTrivia) && atLineStart)
                {
                    lineStarts.Add(trivia);
                }

                atLineStart = trivia.IsKind(SyntaxKind.EndOfLineTrivia) || (trivia.HasStructure && trivia.ToFullString().EndsWith("\n", StringComparison.Ordinal));
            }

            atLineStart = token.TrailingTrivia.Count > 0 && token.TrailingTrivia[token.TrailingTrivia.Count - 1].IsKind(SyntaxKind.EndOfLineTrivia);
        }

        return statement.ReplaceTrivia(lineStarts, (original, _) => SyntaxFactory.Whitespace(original.ToString() + unit));
    }

    // `receiver.name();` on its own line, with the indentation of the statement it goes beside (not its comments) and
    // the document's line ending; with no neighbour, left to the formatter.
    private static StatementSyntax Call(string receiver, string name, StatementSyntax? neighbour)
    {
        StatementSyntax call = SyntaxFactory.ParseStatement(receiver + "." + name + "();");
        if (neighbour is null)
        {
            return call.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker).WithAdditionalAnnotations(Formatter.Annotation);
        }

        SyntaxTriviaList leading = neighbour.GetLeadingTrivia();
        SyntaxTrivia indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading[leading.Count - 1] : SyntaxFactory.ElasticMarker;
        SyntaxTrivia endOfLine = neighbour.SyntaxTree.GetRoot().DescendantTrivia().FirstOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia));
        return call
            .WithLeadingTrivia(indentation)
            .WithTrailingTrivia(endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : SyntaxFactory.ElasticCarriageReturnLineFeed);
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
