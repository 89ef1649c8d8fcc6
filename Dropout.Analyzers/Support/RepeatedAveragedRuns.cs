using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// Monte Carlo sampling by what the code does, not by its name: a call that a method runs again and again on the same
/// inputs, in a loop that trains nothing (or over <c>Enumerable.Range(0, n).Select(_ =&gt; ...)</c>), whose outputs it
/// collects (<c>list.Add(y)</c>, <c>sum += y</c>, <c>acc[i] += y[i] / n</c>, the selected sequence itself) and averages
/// (a mean, variance or standard deviation of the collection, or a division of it or of each contribution). Running a
/// deterministic prediction many times on one input and averaging would be pointless: such a caller keeps the dropout on
/// to sample it, which is Monte Carlo dropout, whatever the method is called (<c>PredictMean</c>, <c>Estimate</c>).
/// Read by syntax within one method body, so it is cheap and needs no other tree.
/// </summary>
internal static class RepeatedAveragedRuns
{
    private static readonly string[] AveragingNames = ["mean", "var", "std", "nanmean", "Average", "Mean", "Variance", "StandardDeviation", "StdDev"];

    /// <summary>Whether <paramref name="run"/> is such a sampled call of <paramref name="body"/> (a method's body or expression body).</summary>
    public static bool IsAveragedRun(InvocationExpressionSyntax run, SyntaxNode body) => Find(body).Contains(run);

    /// <summary>Whether <paramref name="body"/> samples any call that way.</summary>
    public static bool SamplesAnyRun(SyntaxNode body) => Find(body).Any();

    /// <summary>The calls of <paramref name="body"/> that are run repeatedly on the same inputs and averaged.</summary>
    public static IEnumerable<InvocationExpressionSyntax> Find(SyntaxNode body)
    {
        foreach (StatementSyntax loop in body.DescendantNodes().OfType<StatementSyntax>().Where(IsLoop))
        {
            StatementSyntax loopBody = LoopBody(loop);
            var calls = loopBody.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().ToList();
            if (calls.Any(TrainsSomething))
            {
                continue;
            }

            HashSet<string> changing = ChangingNames(loop);
            foreach (InvocationExpressionSyntax run in calls)
            {
                if (!MentionsAny(run, changing)
                    && CollectingVariable(run, loopBody) is { } collected
                    && (collected.DividedPerContribution || AveragedAfter(body, loop, collected.Name)))
                {
                    yield return run;
                }
            }
        }

        // `Enumerable.Range(0, n).Select(_ => Run(x))` and `Enumerable.Repeat(x, n).Select(Run)`: the lambda is the loop body.
        foreach (InvocationExpressionSyntax select in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (select.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select", Expression: InvocationExpressionSyntax source }
                || source.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Range" or "Repeat", Expression: IdentifierNameSyntax { Identifier.ValueText: "Enumerable" } }
                || select.ArgumentList.Arguments.Count != 1
                || select.ArgumentList.Arguments[0].Expression is not AnonymousFunctionExpressionSyntax lambda)
            {
                continue;
            }

            var changing = new HashSet<string>(StringComparer.Ordinal);
            foreach (ParameterSyntax parameter in lambda.DescendantNodes().OfType<ParameterSyntax>())
            {
                changing.Add(parameter.Identifier.ValueText);
            }

            foreach (VariableDeclaratorSyntax declarator in lambda.DescendantNodes().OfType<VariableDeclaratorSyntax>())
            {
                changing.Add(declarator.Identifier.ValueText);
            }

            var calls = lambda.Body.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().ToList();
            if (calls.Any(TrainsSomething) || !SelectionAveraged(select, body))
            {
                continue;
            }

            foreach (InvocationExpressionSyntax run in calls)
            {
                if (!MentionsAny(run, changing))
                {
                    yield return run;
                }
            }
        }

        // `Parallel.For(0, n, i => outs[i] = Run(x))`: the lambda is the loop body, run once per pass on other threads.
        foreach (InvocationExpressionSyntax parallel in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (parallel.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "For", Expression: IdentifierNameSyntax { Identifier.ValueText: "Parallel" } }
                || parallel.ArgumentList.Arguments.Count < 3
                || parallel.ArgumentList.Arguments[parallel.ArgumentList.Arguments.Count - 1].Expression is not AnonymousFunctionExpressionSyntax lambda
                || parallel.FirstAncestorOrSelf<StatementSyntax>() is not { } statement)
            {
                continue;
            }

            HashSet<string> changing = ChangingNames(statement);
            foreach (ParameterSyntax parameter in lambda.DescendantNodes().OfType<ParameterSyntax>())
            {
                changing.Add(parameter.Identifier.ValueText);
            }

            var calls = lambda.Body.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().ToList();
            if (calls.Any(TrainsSomething))
            {
                continue;
            }

            foreach (InvocationExpressionSyntax run in calls)
            {
                if (!MentionsAny(run, changing)
                    && (lambda.Body is StatementSyntax block ? CollectingVariable(run, block) : Collector(run)) is { } collected
                    && (collected.DividedPerContribution || AveragedAfter(body, statement, collected.Name)))
                {
                    yield return run;
                }
            }
        }
    }

    // A step of training inside the loop makes it a training loop (each pass changes the model), not sampling. A mode switch
    // (`train()`) is no step: Monte Carlo sampling may switch the dropout on inside its loop.
    private static bool TrainsSomething(InvocationExpressionSyntax call) =>
        TorchSharpModels.InvokedName(call) is { } name
        && (name is "step" or "zero_grad" or "Step"
            || name.IndexOf("backward", StringComparison.OrdinalIgnoreCase) >= 0
            || name.IndexOf("backprop", StringComparison.OrdinalIgnoreCase) >= 0
            || name.StartsWith("Update", StringComparison.Ordinal)
            || name.StartsWith("ApplyGradient", StringComparison.Ordinal));

    // The selected sequence is averaged in the same statement (`.Average()`, `stack(...).mean(0)`), or the local it
    // initializes is averaged after it.
    private static bool SelectionAveraged(InvocationExpressionSyntax select, SyntaxNode body)
    {
        foreach (SyntaxNode ancestor in select.Ancestors())
        {
            switch (ancestor)
            {
                case InvocationExpressionSyntax call when TorchSharpModels.InvokedName(call) is { } name && AveragingNames.Contains(name):
                    return true;
                case VariableDeclaratorSyntax declarator when ancestor.Parent?.Parent is LocalDeclarationStatementSyntax statement:
                    return AveragedAfter(body, statement, declarator.Identifier.ValueText);
                case StatementSyntax:
                    return false;
            }
        }

        return false;
    }

    private static bool MentionsAny(SyntaxNode node, HashSet<string> names) =>
        node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(name => names.Contains(name.Identifier.ValueText));

    private static bool IsLoop(StatementSyntax statement) =>
        statement is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    private static StatementSyntax LoopBody(StatementSyntax loop) => loop switch
    {
        ForStatementSyntax f => f.Statement,
        CommonForEachStatementSyntax f => f.Statement,
        WhileStatementSyntax w => w.Statement,
        DoStatementSyntax d => d.Statement,
        _ => loop,
    };

    // The names a pass of the loop may see changed: its iteration variables, locals declared in it, and anything it assigns.
    private static HashSet<string> ChangingNames(StatementSyntax loop)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        switch (loop)
        {
            case ForEachStatementSyntax foreachLoop:
                names.Add(foreachLoop.Identifier.ValueText);
                break;
            case ForEachVariableStatementSyntax deconstructing:
                foreach (SingleVariableDesignationSyntax designation in deconstructing.Variable.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>())
                {
                    names.Add(designation.Identifier.ValueText);
                }

                foreach (IdentifierNameSyntax name in deconstructing.Variable.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    names.Add(name.Identifier.ValueText);
                }

                break;
        }

        foreach (SyntaxNode node in loop.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator:
                    names.Add(declarator.Identifier.ValueText);
                    break;
                case SingleVariableDesignationSyntax designation:
                    names.Add(designation.Identifier.ValueText);
                    break;
                case AssignmentExpressionSyntax { Left: IdentifierNameSyntax assigned }:
                    names.Add(assigned.Identifier.ValueText);
                    break;
                case PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax stepped }:
                    names.Add(stepped.Identifier.ValueText);
                    break;
                case PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax stepped } prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression):
                    names.Add(stepped.Identifier.ValueText);
                    break;
            }
        }

        return names;
    }

    private readonly struct Collected(string name, bool dividedPerContribution)
    {
        public string Name { get; } = name;

        public bool DividedPerContribution { get; } = dividedPerContribution;
    }

    // The variable a run's output is collected into within the loop: the list it is added to (directly or through a local
    // the output was stored in), or the total (or array of totals) it is added to.
    private static Collected? CollectingVariable(InvocationExpressionSyntax run, StatementSyntax loopBody)
    {
        if (Collector(run) is { } direct)
        {
            return direct;
        }

        if (run.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is { } declarator && declarator.Initializer is { } initializer && initializer.Value.Span.Contains(run.Span))
        {
            string local = declarator.Identifier.ValueText;
            foreach (IdentifierNameSyntax use in loopBody.DescendantNodes().OfType<IdentifierNameSyntax>().Where(name => name.Identifier.ValueText == local))
            {
                if (Collector(use) is { } collector)
                {
                    return collector;
                }
            }
        }

        return null;
    }

    // `list.Add(... node ...)`, `total += ... node ...` or `totals[i] += ... node ...`; a contribution that is itself
    // divided (`acc[i] += y[i] / samples`) is averaged as it is collected.
    private static Collected? Collector(SyntaxNode node)
    {
        foreach (SyntaxNode ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add" or "append", Expression: IdentifierNameSyntax list } }:
                    return new Collected(list.Identifier.ValueText, dividedPerContribution: false);
                case AssignmentExpressionSyntax add when add.IsKind(SyntaxKind.AddAssignmentExpression) && TotalName(add.Left) is { } total:
                    return new Collected(total, add.Right.IsKind(SyntaxKind.DivideExpression));

                // `draws[pass, i] = y[i]`: each pass stored in its own slot, indexed by something the pass changes.
                // The stored value is the pass's output itself (the run, the local holding it, or one of its elements),
                // not a larger value that merely uses the run (`a[i] = Concat(Ones(m, 1), a[i])` builds layer i).
                case AssignmentExpressionSyntax store when store.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && store.Left is ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax slots } && node.Span.IntersectsWith(store.Right.Span)
                    && IsThePassOutput(store.Right, node):
                    return new Collected(slots.Identifier.ValueText, dividedPerContribution: false);

                // `votes[ArgMax(y)]++`: a vote per pass, counted where the output points; the counts are the estimate.
                case PostfixUnaryExpressionSyntax { Operand: ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax counts } } increment
                    when increment.IsKind(SyntaxKind.PostIncrementExpression) && node.Span.IntersectsWith(((ElementAccessExpressionSyntax)increment.Operand).ArgumentList.Span):
                    return new Collected(counts.Identifier.ValueText, dividedPerContribution: true);
                case PrefixUnaryExpressionSyntax { Operand: ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax counts } } increment
                    when increment.IsKind(SyntaxKind.PreIncrementExpression) && node.Span.IntersectsWith(((ElementAccessExpressionSyntax)increment.Operand).ArgumentList.Span):
                    return new Collected(counts.Identifier.ValueText, dividedPerContribution: true);
                case StatementSyntax:
                    return null;
            }
        }

        return null;
    }

    private static bool IsThePassOutput(ExpressionSyntax value, SyntaxNode output)
    {
        value = HandWrittenDropoutModel.StripParenthesesAndCasts(value);
        return value == output || value is ElementAccessExpressionSyntax element && element.Expression == output;
    }

    private static string? TotalName(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax array } => array.Identifier.ValueText,
        _ => null,
    };

    // After the loop, the method takes a mean, variance or standard deviation of an expression over the collected
    // variable (or a local computed from it after the loop: `all = stack(preds)`), or divides it.
    private static bool AveragedAfter(SyntaxNode body, StatementSyntax loop, string collected)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { collected };
        List<SyntaxNode> after = body.DescendantNodes().Where(node => node.SpanStart >= loop.Span.End).ToList();
        foreach (SyntaxNode node in after)
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator when declarator.Initializer is { } initializer && MentionsAny(initializer.Value, names):
                    names.Add(declarator.Identifier.ValueText);
                    break;

                // `mean[i] += draws[s, i]`: a total over the collected values.
                case AssignmentExpressionSyntax add when add.IsKind(SyntaxKind.AddAssignmentExpression) && MentionsAny(add.Right, names) && TotalName(add.Left) is { } total:
                    names.Add(total);
                    break;
            }
        }

        return after.Any(node => node switch
        {
            InvocationExpressionSyntax call => TorchSharpModels.InvokedName(call) is { } name && AveragingNames.Contains(name)
                && MentionsAny(call.Expression, names),
            BinaryExpressionSyntax divide when divide.IsKind(SyntaxKind.DivideExpression) => MentionsAny(divide.Left, names),
            AssignmentExpressionSyntax divide when divide.IsKind(SyntaxKind.DivideAssignmentExpression) => MentionsAny(divide.Left, names),
            _ => false,
        });
    }
}
