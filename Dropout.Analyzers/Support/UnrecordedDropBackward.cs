using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP013 for a forward whose dropout keeps no record of what it dropped, and a backward, possibly in another class, that
/// a training step runs right after it: <c>if (rng.NextDouble() &lt; dropout) continue; sum += w[j][i] * x[i];</c> skips
/// a term of a weighted sum, nothing stores the draw (no mask, no flag, the decision is a bare <c>continue</c>), and the
/// step then calls <c>BackPropagation(model, x, delta, lr)</c>, which updates every weight as if no term had been skipped.
/// Whatever that backward does, it cannot apply the forward's mask: the mask exists nowhere.
/// </summary>
/// <remarks>
/// The backward belongs to the forward only when the step calls it after the forward on the same model (the forward's
/// receiver handed to it, or the same receiver), with no other call of the model's type named for a forward between them,
/// and the backward draws nothing itself (a backward that re-seeds the generator and replays the draws rebuilds the mask).
/// Joined at compilation end: the forward, the step and the backward may be in three files.
/// </remarks>
internal static class UnrecordedDropBackward
{
    private static readonly string[] ForwardWords = ["forward", "propagat", "predict", "score", "infer", "evaluat", "run", "feed"];

    /// <summary>Registers the summaries and the compilation-end join.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerType(context, () => new State(), Admit);

    private static TypeSummarizer? Admit(State state, INamedTypeSymbol type, SymbolStartAnalysisContext context)
    {
        bool draws = HandWrittenDropoutModel.MayDraw(type, context.CancellationToken);
        if (!draws && !CallsABackward(type, context.CancellationToken))
        {
            return null;
        }

        return new TypeSummarizer(
            (root, block) => state.Summarize(root, block.OwningSymbol),
            draws ? (roots, end) => state.AddForwards(type, roots, end.Compilation, end.CancellationToken) : null);
    }

    // Where each tree's text names a backward, found once per tree (a text search, no syntax walk): a type is admitted when
    // one of those places is inside it.
    private static readonly ConditionalWeakTable<SyntaxTree, int[]> BackwardWordPositions = new();

    private static readonly string[] BackwardTexts = ["backward", "backprop", "gradient"];

    private static bool CallsABackward(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(reference => BackwardWordPositions.GetValue(reference.SyntaxTree, tree => FindBackwardWords(tree, cancellationToken))
            .Any(position => reference.Span.Contains(position)));

    private static int[] FindBackwardWords(SyntaxTree tree, CancellationToken cancellationToken)
    {
        string text = tree.GetText(cancellationToken).ToString();
        var positions = new List<int>();
        foreach (string word in BackwardTexts)
        {
            for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.OrdinalIgnoreCase))
            {
                positions.Add(at);
            }
        }

        return positions.ToArray();
    }

    private sealed class State : ICompilationEndJoin
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<IInvocationOperation>> _calls = new(SymbolEqualityComparer.Default);
        // Each unrecorded forward with the ordinals of its parameters the dropout's decision reads (the rate, the flag).
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableHashSet<int>> _unrecordedForwards = new(SymbolEqualityComparer.Default);

        public void Summarize(IOperation root, ISymbol owner)
        {
            if (owner is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                _calls[method.OriginalDefinition] = root.Descendants().OfType<IInvocationOperation>()
                    .Where(call => !call.TargetMethod.DeclaringSyntaxReferences.IsEmpty).ToImmutableArray();
            }
        }

        /// <summary>The type's methods whose dropout skips a term and keeps no record of it.</summary>
        public void AddForwards(INamedTypeSymbol type, IEnumerable<IOperation> roots, Compilation compilation, CancellationToken cancellationToken)
        {
            if (HandWrittenDropoutModel.For(compilation).FactsFor(type, roots, cancellationToken) is not { } facts)
            {
                return;
            }

            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.Shape == DropoutSiteShape.SkippedTerm && site.MaskSymbol is null && !site.EscapesToCaller
                    && site.Decision is IConditionalOperation { WhenFalse: null } decision
                    && !decision.Condition.DescendantsAndSelf().Any(operation => operation is IAssignmentOperation or IIncrementOrDecrementOperation)
                    && ((decision.WhenTrue is IBlockOperation { Operations.Length: 1 } single ? single.Operations[0] : decision.WhenTrue) is IBranchOperation { BranchKind: BranchKind.Continue }
                        || !decision.WhenTrue.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IBranchOperation or IThrowOperation))
                    && DropoutWithoutInferencePathAnalyzer.OwningMethod(site, facts.SemanticModelOf(site.Decision.Syntax)) is { MethodKind: MethodKind.Ordinary } forward
                    && !HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(forward)
                    && !DropoutTypeFacts.IsBackwardName(forward.Name))
                {
                    ImmutableHashSet<int> deciding = decision.Condition.DescendantsAndSelf().OfType<IParameterReferenceOperation>()
                        .Where(reference => SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol.OriginalDefinition, forward.OriginalDefinition))
                        .Select(reference => reference.Parameter.Ordinal).ToImmutableHashSet();
                    _unrecordedForwards.AddOrUpdate(forward.OriginalDefinition, deciding, (_, known) => known.Union(deciding));
                }
            }
        }

        public void Report(CompilationAnalysisContext context)
        {
            if (_unrecordedForwards.IsEmpty)
            {
                return;
            }

            Dictionary<IMethodSymbol, ImmutableHashSet<int>> forwards = WithForwardCallers();
            foreach (KeyValuePair<IMethodSymbol, ImmutableArray<IInvocationOperation>> step in _calls)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                ImmutableArray<IInvocationOperation> calls = step.Value;
                for (int f = 0; f < calls.Length; f++)
                {
                    if (!forwards.TryGetValue(calls[f].TargetMethod.OriginalDefinition, out ImmutableHashSet<int>? deciding) || forwards.ContainsKey(step.Key)
                        || !RunsTheDropout(calls[f], deciding))
                    {
                        continue;
                    }

                    if (BackwardAfter(calls, f, step.Key) is { } backward)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardScaleAcrossFiles, backward.Syntax.GetLocation(),
                            backward.TargetMethod.Name,
                            $"differentiates through '{calls[f].TargetMethod.Name}', whose dropout keeps no record of the terms it skipped (nothing stores its draws)"));
                    }
                }
            }
        }

        // A method that runs an unrecorded forward and no backward is itself a forward that records nothing of the draws:
        // the callee never hands them out, so no caller can hold them (`ForwardWithDropout` running each layer's
        // `ProjectLayer`, whose terms are skipped). Followed up to three calls above the dropout; a call that hands a
        // constant to a parameter the decision reads (`ProjectLayer(x, 0)`, a forward without dropout) does not count, and
        // the caller's own parameters handed there become what decides it.
        private Dictionary<IMethodSymbol, ImmutableHashSet<int>> WithForwardCallers()
        {
            var forwards = new Dictionary<IMethodSymbol, ImmutableHashSet<int>>(SymbolEqualityComparer.Default);
            foreach (KeyValuePair<IMethodSymbol, ImmutableHashSet<int>> direct in _unrecordedForwards)
            {
                forwards[direct.Key] = direct.Value;
            }

            for (int depth = 0; depth < 3; depth++)
            {
                var added = new Dictionary<IMethodSymbol, ImmutableHashSet<int>>(SymbolEqualityComparer.Default);
                foreach (KeyValuePair<IMethodSymbol, ImmutableArray<IInvocationOperation>> caller in _calls)
                {
                    if (forwards.ContainsKey(caller.Key)
                        || DropoutTypeFacts.IsBackwardName(caller.Key.Name)
                        || HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(caller.Key)
                        || caller.Value.Any(call => DropoutTypeFacts.IsBackwardName(call.TargetMethod.Name)))
                    {
                        continue;
                    }

                    foreach (IInvocationOperation call in caller.Value)
                    {
                        if (forwards.TryGetValue(call.TargetMethod.OriginalDefinition, out ImmutableHashSet<int>? deciding) && RunsTheDropout(call, deciding))
                        {
                            added[caller.Key] = DecidingArguments(call, deciding).OfType<IParameterReferenceOperation>()
                                .Select(reference => reference.Parameter.Ordinal).ToImmutableHashSet();
                            break;
                        }
                    }
                }

                if (added.Count == 0)
                {
                    break;
                }

                foreach (KeyValuePair<IMethodSymbol, ImmutableHashSet<int>> caller in added)
                {
                    forwards[caller.Key] = caller.Value;
                }
            }

            return forwards;
        }

        private static IEnumerable<IOperation> DecidingArguments(IInvocationOperation call, ImmutableHashSet<int> deciding) =>
            call.Arguments.Where(argument => argument.Parameter is { } parameter && deciding.Contains(parameter.Ordinal))
                .Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value));

        // A constant handed to what decides the drop fixes it (a rate of 0, a flag): only a value from elsewhere may run it.
        private static bool RunsTheDropout(IInvocationOperation call, ImmutableHashSet<int> deciding) =>
            !DecidingArguments(call, deciding).Any(value => value.ConstantValue.HasValue);

        // The first backward called after the forward on the same model, with no other forward of the model's type between.
        // A call in the other branch of a conditional that holds the forward (`dropout > 0 ? m.ForwardWithDropout(x) :
        // m.Forward(x)`) never runs with it: it is not between them.
        private IInvocationOperation? BackwardAfter(ImmutableArray<IInvocationOperation> calls, int forwardIndex, IMethodSymbol step)
        {
            IInvocationOperation forward = calls[forwardIndex];
            INamedTypeSymbol modelType = forward.TargetMethod.ContainingType;
            foreach (IInvocationOperation call in calls.Where(call => call.Syntax.SpanStart > forward.Syntax.Span.End && !InOtherBranch(forward, call)).OrderBy(call => call.Syntax.SpanStart))
            {
                IMethodSymbol target = call.TargetMethod;
                if (SymbolEqualityComparer.Default.Equals(target.ContainingType, modelType) && !DropoutTypeFacts.IsBackwardName(target.Name)
                    && ForwardWords.Any(word => target.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0))
                {
                    return null;
                }

                if (!DropoutTypeFacts.IsBackwardName(target.Name) || SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, step))
                {
                    continue;
                }

                // A gradient of something else (`LossGradient(score, y)`, handed neither the model nor called on it) is not the
                // model's backward: look on.
                if (!SameModel(forward, call))
                {
                    continue;
                }

                return !DrawsOrSeeds(target) ? call : null;
            }

            return null;
        }

        private static bool InOtherBranch(IOperation forward, IOperation call)
        {
            for (IOperation? node = forward; node?.Parent is { } parent; node = parent)
            {
                if (parent is IConditionalOperation { WhenFalse: { } whenFalse } conditional && (node == conditional.WhenTrue || node == whenFalse))
                {
                    IOperation other = node == conditional.WhenTrue ? whenFalse : conditional.WhenTrue;
                    if (other.Syntax.Span.Contains(call.Syntax.Span))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // The backward is handed the forward's receiver, or is called on it, or both are the step's own type's methods on `this`.
        private static bool SameModel(IInvocationOperation forward, IInvocationOperation backward)
        {
            ISymbol? model = forward.Instance is { } instance ? HandWrittenDropoutSite.ReferencedSymbol(instance) : null;
            if (forward.Instance is IInstanceReferenceOperation)
            {
                return backward.Instance is IInstanceReferenceOperation
                    || backward.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is IInstanceReferenceOperation);
            }

            return model is not null
                && ((backward.Instance is { } backwardInstance && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(backwardInstance), model))
                    || backward.Arguments.Any(argument => SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(argument.Value), model)));
        }

        // A backward that draws (or makes a generator) may replay the forward's draws from a seed: it can rebuild the mask.
        private static bool DrawsOrSeeds(IMethodSymbol backward) =>
            backward.DeclaringSyntaxReferences.Any(reference => HandWrittenDropoutModel.NamesRandomness(reference.SyntaxTree, reference.Span));
    }
}
