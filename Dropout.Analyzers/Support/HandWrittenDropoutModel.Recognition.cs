using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // Names of a parameterless uniform [0, 1) draw: System.Random's, MathNet's and the usual ones of hand-written wrappers.
    private static readonly ImmutableHashSet<string> UniformDrawNames = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "NextDouble", "NextSingle", "NextFloat", "NextUniform", "Uniform", "UniformFloat", "UniformDouble", "RandomFloat", "RandomDouble",
        "RandFloat", "RandDouble", "NextRandom", "GetRandom", "GetRandomFloat", "GetRandomDouble", "GetRandomNumber", "Rand");

    private static readonly ImmutableHashSet<string> BernoulliNames = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Bernoulli", "NextBernoulli", "SampleBernoulli", "BernoulliSample", "DrawBernoulli", "Binomial", "NextBinomial", "SampleBinomial",
        "NextBool", "NextBoolean", "RandomBool", "Chance", "CoinFlip");

    // Words that make a draw something else than dropout even where the code also speaks of training.
    private static readonly string[] NotDropoutVocabulary =
        ["noise", "corrupt", "augment", "erase", "cutout", "salt", "pepper", "epsilon", "explor", "bootstrap", "mutat", "crossover", "prune", "sparsif",
         "forest", "bagging", "inbag", "subsampl", "feature", "jump", "wander", "spawn", "disable", "neat", "connection", "genome", "gene", "species",
         "fitness", "roulette", "tournament"];

    // An object's member zeroed by the draw is an activation only when it is named like one (neuron.Output, node.Value).
    private static readonly string[] ActivationMemberWords = ["output", "value", "activation", "signal", "state", "hidden", "result"];

    private static readonly string[] DropoutVocabulary = ["drop", "keep", "mask", "train", "survival"];

    // Words of neural-network code, one of which must accompany the weak words above.
    private static readonly string[] NeuralVocabulary =
        ["train", "layer", "neuron", "hidden", "activation", "weight", "forward", "backward", "backprop", "grad", "network", "perceptron", "relu", "tanh",
         "sigmoid", "softmax", "epoch", "logit", "embedding", "attention", "dense", "conv", "lstm", "gru", "rnn", "cell", "neural", "model", "predict",
         "input", "output", "feature", "node", "unit", "tensor", "matrix", "batch"];

    /// <summary>Whether a method name can be a generator call the model recognizes (for cheap filtering before any search).</summary>
    public static bool IsDrawCallName(string name) => IsUniformDrawName(name) || BernoulliNames.Contains(name) || name is "Next" or "Range" or "Sample";

    /// <summary>What the draw is: a uniform in [0, 1), or an integer in [0, bound).</summary>
    private readonly struct RandomValue
    {
        public RandomValue(IInvocationOperation? call, IOperation? bound)
        {
            Call = call;
            Bound = bound;
        }

        public IInvocationOperation? Call { get; }

        public IOperation? Bound { get; }
    }

    /// <summary>Finds the sites of one operation tree.</summary>
    private sealed partial class SiteFinder(HandWrittenDropoutModel model, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        public ImmutableArray<HandWrittenDropoutSite> FindAll(IOperation root)
        {
            ImmutableArray<HandWrittenDropoutSite>.Builder sites = ImmutableArray.CreateBuilder<HandWrittenDropoutSite>();
            var decisions = new HashSet<IOperation>();
            foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(root))
            {
                cancellationToken.ThrowIfCancellationRequested();
                HandWrittenDropoutSite? site = operation switch
                {
                    IBinaryOperation comparison => FromComparison(comparison, root) ?? FromShuffledCountFactor(comparison, root),
                    ICompoundAssignmentOperation compound => FromShuffledCountFactor(compound, root),
                    IArrayElementReferenceOperation { Type.SpecialType: SpecialType.System_Boolean } flag => FromShuffledCountFlag(flag, root),
                    IInvocationOperation invocation => FromComparisonCall(invocation, root) ?? FromBernoulli(invocation, root) ?? FromMaskHelper(invocation, root) ?? FromLibraryBernoulliFill(invocation, root) ?? FromDistributionObjectFill(invocation, root) ?? FromCoinValue(invocation, root),
                    _ => null,
                };
                if (site is not null && decisions.Add(site.Decision))
                {
                    sites.Add(site);
                }
            }

            return sites.ToImmutable();
        }

        private HandWrittenDropoutSite? FromComparison(IBinaryOperation comparison, IOperation root)
        {
            if (comparison.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
            {
                return FromEquality(comparison, root);
            }

            if (comparison.OperatorKind is not (BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual))
            {
                return null;
            }

            bool isLess = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual;
            return FromOrdering(comparison, comparison.LeftOperand, comparison.RightOperand, isLess, root);
        }

        // Generic math compares through calls: `ops.LessThan(u, keep)`, `NumOps.GreaterThan(rate, u)`, `T.IsLessThan(u, p)`.
        private HandWrittenDropoutSite? FromComparisonCall(IInvocationOperation invocation, IOperation root)
        {
            if (invocation.Arguments.Length != 2 || invocation.Type?.SpecialType != SpecialType.System_Boolean)
            {
                return null;
            }

            bool? isLess = invocation.TargetMethod.Name switch
            {
                "LessThan" or "LessThanOrEqual" or "LessThanOrEquals" or "IsLessThan" or "Less" or "Lt" => true,
                "GreaterThan" or "GreaterThanOrEqual" or "GreaterThanOrEquals" or "IsGreaterThan" or "Greater" or "Gt" => false,
                _ => null,
            };
            if (isLess is null)
            {
                return null;
            }

            IOperation left = invocation.Arguments.First(argument => argument.Parameter?.Ordinal == 0).Value;
            IOperation right = invocation.Arguments.First(argument => argument.Parameter?.Ordinal == 1).Value;
            return FromOrdering(invocation, left, right, isLess.Value, root);
        }

        private HandWrittenDropoutSite? FromOrdering(IOperation comparison, IOperation leftOperand, IOperation rightOperand, bool isLess, IOperation root)
        {
            bool drawOnLeft;
            RandomValue draw;
            if (TryRandomValue(leftOperand, 0, out draw))
            {
                drawOnLeft = true;
            }
            else if (TryRandomValue(rightOperand, 0, out draw))
            {
                drawOnLeft = false;
            }
            else
            {
                return FromExactCount(comparison, leftOperand, rightOperand, isLess, root);
            }

            IOperation drawSide = HandWrittenDropoutSite.StripConversions(drawOnLeft ? leftOperand : rightOperand);
            IOperation probability = HandWrittenDropoutSite.StripConversions(drawOnLeft ? rightOperand : leftOperand);
            // `u < q` (or `q > u`) is true with probability q.
            bool trueWithProbability = isLess ? drawOnLeft : !drawOnLeft;
            return Climb(comparison, drawSide, draw.Call, probability, draw.Bound, trueWithProbability, root, 0);
        }

        // Exact-count dropout: indices shuffled (Fisher-Yates, or OrderBy a draw), and the element at position k dropped when
        // `k < count` with `count = (int)(rate * n)`. The position of an element in a random permutation is uniform, so
        // `k < rate * n` is true with probability `rate`, as `u < rate` is: the count's fraction is the compared probability.
        private HandWrittenDropoutSite? FromExactCount(IOperation comparison, IOperation leftOperand, IOperation rightOperand, bool isLess, IOperation root)
        {
            foreach (bool positionOnLeft in new[] { true, false })
            {
                if (HandWrittenDropoutSite.StripConversions(positionOnLeft ? leftOperand : rightOperand) is ILocalReferenceOperation position
                    && position.Type?.SpecialType == SpecialType.System_Int32
                    && CountFraction(positionOnLeft ? rightOperand : leftOperand) is { } fraction
                    && ShuffleIndexedBy(position.Local, comparison, root) is { } shuffleDraw)
                {
                    bool trueWithProbability = isLess ? positionOnLeft : !positionOnLeft;
                    return Climb(comparison, position, shuffleDraw, fraction, null, trueWithProbability, root, 0);
                }
            }

            return null;
        }

        // `(int)(rate * n)`, `(int)Math.Round(n * rate)`, or a local holding one: the floating-point fraction of a count.
        private static IOperation? CountFraction(IOperation count)
        {
            for (int step = 0; step < 3; step++)
            {
                IOperation stripped = HandWrittenDropoutSite.StripConversions(count);
                while (stripped is IInvocationOperation { Arguments.Length: >= 1, TargetMethod: { Name: "Round" or "Floor" or "Ceiling" or "Truncate" or "Max" or "Min", ContainingType.Name: "Math" or "MathF" } } rounding)
                {
                    IOperation? inner = rounding.Arguments.Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value)).FirstOrDefault(value => value.ConstantValue.HasValue == false);
                    if (inner is null)
                    {
                        return null;
                    }

                    stripped = HandWrittenDropoutSite.StripConversions(inner);
                }

                if (stripped is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product)
                {
                    IOperation left = HandWrittenDropoutSite.StripConversions(product.LeftOperand);
                    IOperation right = HandWrittenDropoutSite.StripConversions(product.RightOperand);
                    bool leftFraction = HandWrittenDropoutSite.IsFloatingPoint(left.Type) && !HandWrittenDropoutSite.IsFloatingPoint(right.Type);
                    bool rightFraction = HandWrittenDropoutSite.IsFloatingPoint(right.Type) && !HandWrittenDropoutSite.IsFloatingPoint(left.Type);
                    return leftFraction ? left : rightFraction ? right : null;
                }

                if (stripped is ILocalReferenceOperation local && SymbolValues.OfLocal(local.Local, stripped) is { IsComplete: true, Values.Length: 1 } values)
                {
                    count = values.Values[0];
                    continue;
                }

                return null;
            }

            return null;
        }

        // The draw of a shuffle whose permutation is read at `position` (order[k]) near the comparison: a swap with an index drawn
        // by rng.Next (Fisher-Yates) in the same body, or a permutation built by OrderBy(_ => rng.Next...()).
        private IInvocationOperation? ShuffleIndexedBy(ILocalSymbol position, IOperation comparison, IOperation root)
        {
            IOperation? loop = comparison.Parent;
            while (loop is not null and not ILoopOperation)
            {
                loop = loop.Parent;
            }

            if (loop is null)
            {
                return null;
            }

            foreach (IOperation operation in loop.Descendants())
            {
                if (operation is IArrayElementReferenceOperation { Indices.Length: 1 } element
                    && element.Type?.SpecialType == SpecialType.System_Int32
                    && HandWrittenDropoutSite.StripConversions(element.Indices[0]) is ILocalReferenceOperation index
                    && SymbolEqualityComparer.Default.Equals(index.Local, position)
                    && HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference) is { } permutation
                    && ShuffleDraw(permutation, root) is { } draw)
                {
                    return draw;
                }
            }

            return null;
        }

        private IInvocationOperation? ShuffleDraw(ISymbol permutation, IOperation root)
        {
            foreach (IOperation operation in root.Descendants())
            {
                // Fisher-Yates: permutation[j] with j = rng.Next(i + 1) (or the draw itself as the index).
                if (operation is IArrayElementReferenceOperation { Indices.Length: 1 } element
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference), permutation))
                {
                    IOperation index = HandWrittenDropoutSite.StripConversions(element.Indices[0]);
                    if (index is ILocalReferenceOperation local && SymbolValues.OfLocal(local.Local, index) is { IsComplete: true, Values.Length: 1 } values)
                    {
                        index = values.Values[0];
                    }

                    if (TryRandomValue(index, 0, out RandomValue value) && value.Bound is not null && value.Call is { } call)
                    {
                        return call;
                    }
                }

                // permutation = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray()
                if (operation is ISimpleAssignmentOperation or IVariableInitializerOperation
                    && (operation is ISimpleAssignmentOperation assignment ? SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), permutation)
                        : operation.Parent is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, permutation)))
                {
                    foreach (IInvocationOperation orderBy in operation.Descendants().OfType<IInvocationOperation>().Where(invocation => invocation.TargetMethod.Name is "OrderBy" or "Shuffle"))
                    {
                        if (orderBy.Descendants().OfType<IInvocationOperation>().FirstOrDefault(inner => inner.TargetMethod.Name is "Next" or "NextDouble" or "NextSingle") is { } draw)
                        {
                            return draw;
                        }
                    }
                }
            }

            return null;
        }

        // A coin flip `rng.Next(2) == 0` (or `rng.Next(10) != 3`): an integer draw below a constant n equal to a constant below
        // n is true with probability 1/n, whatever the constant.
        private HandWrittenDropoutSite? FromEquality(IBinaryOperation comparison, IOperation root)
        {
            bool drawOnLeft = TryRandomValue(comparison.LeftOperand, 0, out RandomValue draw);
            if (!drawOnLeft && !TryRandomValue(comparison.RightOperand, 0, out draw))
            {
                return null;
            }

            IOperation other = HandWrittenDropoutSite.StripConversions(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand);
            if (draw.Bound is not { } bound
                || HandWrittenDropoutSite.StripConversions(bound).ConstantValue is not { HasValue: true, Value: int n } || n < 2
                || other.ConstantValue is not { HasValue: true, Value: int value } || value < 0 || value >= n)
            {
                return null;
            }

            _equalityDraw = (ProbabilityTerm.Constant(1.0 / n), "1.0 / " + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                IOperation drawSide = HandWrittenDropoutSite.StripConversions(drawOnLeft ? comparison.LeftOperand : comparison.RightOperand);
                return Climb(comparison, drawSide, draw.Call, other, null, comparison.OperatorKind == BinaryOperatorKind.Equals, root, 0);
            }
            finally
            {
                _equalityDraw = null;
            }
        }

        // `mask[i] = rng.Next(0, 2)`, `x[i] *= rng.Next(2)`: an integer draw below 2 used as a number is itself a 0/1 Bernoulli(1/2).
        private HandWrittenDropoutSite? FromCoinValue(IInvocationOperation invocation, IOperation root)
        {
            if (invocation.TargetMethod.Name is not ("Next" or "Range")
                || !TryRandomValue(invocation, 0, out RandomValue draw)
                || draw.Bound is not { } bound
                || HandWrittenDropoutSite.StripConversions(bound).ConstantValue is not { HasValue: true, Value: 2 }
                || HandWrittenDropoutSite.ClimbConversions(invocation).Parent is not (ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation } or ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply }
                    or IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply, LeftOperand: IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } }
                    or IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply, RightOperand: IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } }))
            {
                // Only a mask entry or a factor of an element: `sign = rng.Next(2) * 2 - 1` is not a decision.
                return null;
            }

            _equalityDraw = (ProbabilityTerm.Constant(0.5), "1.0 / 2");
            try
            {
                return FromZeroOneNumber(invocation, invocation, draw.Call, invocation, bound, null, true, root);
            }
            finally
            {
                _equalityDraw = null;
            }
        }

        // While a coin flip is climbed: its probability (the compared constant is not it) and that probability as source text.
        private (ProbabilityTerm Term, string Text)? _equalityDraw;

        private HandWrittenDropoutSite? FromBernoulli(IInvocationOperation invocation, IOperation root)
        {
            if (!TryBernoulli(invocation, out IOperation? probability, out bool trueWithProbability, out IInvocationOperation? call))
            {
                return null;
            }

            if (invocation.Type?.SpecialType == SpecialType.System_Boolean)
            {
                return Climb(invocation, invocation, call, probability, null, trueWithProbability, root, 0);
            }

            return FromZeroOneNumber(invocation, invocation, call, invocation, probability, null, trueWithProbability, root);
        }

        // A numeric 0/1 draw (Bernoulli(p) as a number, Convert.ToDouble(u < p)): multiplied into the activation, or stored as a mask entry.
        private HandWrittenDropoutSite? FromZeroOneNumber(IOperation number, IOperation comparison, IInvocationOperation? call, IOperation draw, IOperation probability, IOperation? bound, bool trueWithProbability, IOperation root)
        {
            IOperation outer = HandWrittenDropoutSite.ClimbConversions(number);
            if (outer.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } && FirstReadAfter(declarator.Symbol, outer, root) is { } read)
            {
                // `double m = rng.Binomial(1, p); x[i] *= m;`: the local carries the draw to the product that applies it.
                outer = HandWrittenDropoutSite.ClimbConversions(read);
            }

            (IOperation Decision, IOperation? Kept, ISymbol? Mask)? shape = outer.Parent switch
            {
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product =>
                    (product, HandWrittenDropoutSite.StripConversions(product.LeftOperand == outer ? product.RightOperand : product.LeftOperand), null),
                ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound when compound.Value == outer => (compound, compound.Target, null),
                ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment when assignment.Value == outer =>
                    (assignment, null, HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference)),
                IArgumentOperation { Parent: IInvocationOperation store } when ElementStoreTarget(store, outer) is { } container => (store, null, container),
                _ => null,
            };
            if (shape is not var (decision, kept, mask) || !IsPerElement(decision, root))
            {
                return null;
            }

            return Build(comparison, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.MultipliedByDraw, decision, kept, null, null, mask, IsGatedByControl(decision, root), root);
        }

        // The first reference to a local after its initializer, in the same body: the value it reads is the initializer's,
        // since any write in between would itself be a reference (an out argument, an assignment) and come first.
        private static IOperation? FirstReadAfter(ILocalSymbol local, IOperation initializer, IOperation root) =>
            root.Descendants().OfType<ILocalReferenceOperation>()
                .Where(reference => SymbolEqualityComparer.Default.Equals(reference.Local, local) && reference.Syntax.SpanStart > initializer.Syntax.Span.End)
                .OrderBy(reference => reference.Syntax.SpanStart)
                .FirstOrDefault() is { } first && !IsWritten(first) ? first : null;

        private static bool IsWritten(IOperation reference) =>
            reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
            || reference.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref }
            || reference.Parent is IIncrementOrDecrementOperation;

        // `_mask = ZeroOnes(x, keepProb, rng)` or `FillBernoulli(_noise, rng, p)`: a helper of this file whose body builds a 0/1 mask.
        private HandWrittenDropoutSite? FromMaskHelper(IInvocationOperation invocation, IOperation root)
        {
            if (model.SummaryOf(invocation.TargetMethod, semanticModel, cancellationToken, 1) is not { MaskProbabilityParameter: >= 0 } summary
                || invocation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == summary.MaskProbabilityParameter) is not { } probabilityArgument)
            {
                return null;
            }

            ISymbol? mask;
            IOperation decision = invocation;
            if (summary.MaskParameter >= 0)
            {
                mask = invocation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == summary.MaskParameter) is { } maskArgument
                    ? HandWrittenDropoutSite.ReferencedSymbol(maskArgument.Value)
                    : null;
            }
            else
            {
                IOperation outer = HandWrittenDropoutSite.ClimbConversions(invocation);
                (mask, decision) = outer.Parent switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Value == outer => (HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), (IOperation)assignment),
                    IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } initializer => (declarator.Symbol, initializer),
                    _ => (null, invocation),
                };
            }

            if (mask is null)
            {
                return null;
            }

            IOperation probability = HandWrittenDropoutSite.StripConversions(probabilityArgument.Value);
            return Build(invocation, summary.UniformCall, invocation, probability, null, summary.MaskKeepIsComplement, DropoutSiteShape.MaskFromHelper, decision, null, null, null, mask, IsGatedByControl(decision, root), root);
        }

        // `RandomBernoulli(mask, seed, p)`, `Ops.FillBernoulli(noise, p)`, `mask = Tensor.Bernoulli(shape, p)`: a library (or any
        // method whose body this file does not show as a helper) that fills a mask with 1s with probability p. Bernoulli's
        // parameter is the probability of a 1, so the entries are kept with p.
        private HandWrittenDropoutSite? FromLibraryBernoulliFill(IInvocationOperation invocation, IOperation root)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if ((method.Name.IndexOf("Bernoulli", StringComparison.OrdinalIgnoreCase) < 0 && !IsBernoulliSequence(method))
                || (VisibleBodyDraws(method) && BodyReadHere(method))
                || invocation.Arguments.Count(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type)) != 1
                || model.SummaryOf(method, semanticModel, cancellationToken, 1) is { MaskProbabilityParameter: >= 0 } or { BernoulliParameter: >= 0 } or { IsUniform: true })
            {
                return null;
            }

            IOperation probability = HandWrittenDropoutSite.StripConversions(invocation.Arguments.First(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type)).Value);
            ISymbol? mask = null;
            IOperation decision = invocation;
            if (method.ReturnsVoid)
            {
                IArgumentOperation[] filled = invocation.Arguments.Where(argument => IsElementContainer(argument.Value.Type) && HandWrittenDropoutSite.ReferencedSymbol(argument.Value) is not null).ToArray();
                if (filled.Length != 1)
                {
                    return null;
                }

                mask = HandWrittenDropoutSite.ReferencedSymbol(filled[0].Value);
            }
            else if (IsElementContainer(method.ReturnType) || IsBernoulliSequence(method))
            {
                IOperation outer = HandWrittenDropoutSite.ClimbConversions(ThroughElementTypeCasts(SequenceMaterialized(invocation)));
                (mask, decision) = outer.Parent switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Value == outer => (HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), (IOperation)assignment),
                    IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } initializer => (declarator.Symbol, initializer),
                    _ => (null, invocation),
                };
            }

            return mask is null
                ? null
                : Build(invocation, null, invocation, probability, null, false, DropoutSiteShape.MaskFromHelper, decision, null, null, null, mask, IsGatedByControl(decision, root), root);
        }

        // MathNet's `Bernoulli.Samples(rng, p)`: an endless sequence of 0/1 draws, each 1 with probability p.
        private static bool IsBernoulliSequence(IMethodSymbol method) =>
            method.Name == "Samples" && method.ContainingType.Name.IndexOf("Bernoulli", StringComparison.Ordinal) >= 0
            && method.ReturnType is INamedTypeSymbol { Name: "IEnumerable", IsGenericType: true };

        // `Bernoulli.Samples(rng, p).Take(n).ToArray()`: the sequence cut and materialized is the mask; `Take`, `ToArray`,
        // `ToList` and a numeric `Select` keep its entries (a `Select` that maps them to anything else ends the climb).
        private static IOperation SequenceMaterialized(IOperation sequence)
        {
            IOperation current = sequence;
            while (HandWrittenDropoutSite.ClimbConversions(current).Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { IsExtensionMethod: true, Name: "Take" or "ToArray" or "ToList" or "AsEnumerable" } } next }
                && next.Arguments[0].Value == HandWrittenDropoutSite.ClimbConversions(current))
            {
                current = next;
            }

            return current;
        }

        // A method of the compilation whose body draws is a helper the model reads (or judges in its own body), not a
        // library fill whose entries are taken to be 0/1: its mask may hold 1/p already.
        private bool VisibleBodyDraws(IMethodSymbol method)
        {
            foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
            {
                SyntaxNode declaration = reference.GetSyntax(cancellationToken);
                SyntaxNode? body = declaration switch
                {
                    BaseMethodDeclarationSyntax { Body: { } block } => block,
                    BaseMethodDeclarationSyntax { ExpressionBody: { } arrow } => arrow,
                    LocalFunctionStatementSyntax { Body: { } block } => block,
                    LocalFunctionStatementSyntax { ExpressionBody: { } arrow } => arrow,
                    _ => null,
                };
                if (body is not null && NamesRandomness(body))
                {
                    return true;
                }
            }

            return false;
        }

        // An array, a span or a tensor/matrix/vector type: something a mask is stored in.
        private static bool IsElementContainer(ITypeSymbol? type) =>
            type is IArrayTypeSymbol
            || type is INamedTypeSymbol { Name: var name } && (name is "Span" or "Memory" or "List" || name.IndexOf("Tensor", StringComparison.Ordinal) >= 0 || name.IndexOf("Matrix", StringComparison.Ordinal) >= 0 || name.IndexOf("Vector", StringComparison.Ordinal) >= 0 || name.EndsWith("Array", StringComparison.Ordinal));

        private HandWrittenDropoutSite? Climb(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IOperation root, int depth)
        {
            bool gated = false;
            IOperation current = condition;
            while (true)
            {
                IOperation? parent = current.Parent;
                if (parent is IParenthesizedOperation or IConversionOperation)
                {
                    current = parent;
                }
                else if (parent is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not })
                {
                    trueWithProbability = !trueWithProbability;
                    current = parent;
                }
                else if (parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.And or BinaryOperatorKind.Or, Type.SpecialType: SpecialType.System_Boolean })
                {
                    gated = true;
                    current = parent;
                }
                else
                {
                    break;
                }
            }

            IOperation? site = current.Parent;
            HandWrittenDropoutSite? result = site switch
            {
                IConditionalOperation conditional when conditional.Condition == current && conditional.Type is not null && conditional.WhenFalse is not null =>
                    FromConditionalExpression(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root),
                IConditionalOperation conditional when conditional.Condition == current && conditional.Type is null =>
                    FromIf(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root),
                ISimpleAssignmentOperation { Target: var target } assignment when assignment.Value == current && target.Type?.SpecialType == SpecialType.System_Boolean =>
                    target is ILocalReferenceOperation local
                        ? FromBooleanLocal(local.Local, draw, call, probability, bound, trueWithProbability, root, depth)
                        : FromBooleanMask(condition, draw, call, probability, bound, trueWithProbability, assignment, target, root)
                            ?? FromStoredFlag(assignment, draw, call, probability, bound, trueWithProbability, root, depth),
                IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { Type.SpecialType: SpecialType.System_Boolean } local } } =>
                    FromBooleanLocal(local, draw, call, probability, bound, trueWithProbability, root, depth),
                IForLoopOperation loop when loop.Condition == current && draw is ILocalReferenceOperation =>
                    FromZeroingLoop(condition, draw, call, probability, bound, trueWithProbability, loop, root),
                // `Convert.ToDouble(u >= rate)`: the decision as a 0/1 number.
                IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "ToDouble" or "ToSingle" or "ToInt32" or "ToByte", ContainingType: { Name: "Convert", ContainingNamespace.Name: "System" } } } convert } argument
                    when argument.Value == current && current.Type?.SpecialType == SpecialType.System_Boolean =>
                    FromZeroOneNumber(convert, condition, call, draw, probability, bound, trueWithProbability, root),
                IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Add", Instance: { } list } add } argument when argument.Value == current && current.Type?.SpecialType == SpecialType.System_Boolean =>
                    FromBooleanMask(condition, draw, call, probability, bound, trueWithProbability, add, list, root),
                IReturnOperation returned when returned.ReturnedValue == current && LinqBuiltMask(returned) is { } built =>
                    FromBooleanMask(condition, draw, call, probability, bound, trueWithProbability, built.Assignment, built.Target, root),
                _ => null,
            };
            return result;
        }

        // `_mask = x.Select(_ => u < keep).ToArray()`: a boolean mask built by a LINQ lambda and stored in a field or local.
        private static (ISimpleAssignmentOperation Assignment, IOperation Target)? LinqBuiltMask(IReturnOperation returned)
        {
            IOperation? current = returned.Parent;
            while (current is not null and not IAnonymousFunctionOperation)
            {
                current = current.Parent;
            }

            for (current = current?.Parent; current is IDelegateCreationOperation or IConversionOperation or IArgumentOperation or IInvocationOperation; current = current.Parent)
            {
                if (current is IInvocationOperation invocation && invocation.TargetMethod.Name is not ("Select" or "ToArray" or "ToList"))
                {
                    return null;
                }
            }

            return current is ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } or ILocalReferenceOperation } assignment
                ? (assignment, assignment.Target)
                : null;
        }

        // `bool drop = u < rate; if (drop) x[i] = 0;`: the decision is made where the local is read.
        private HandWrittenDropoutSite? FromBooleanLocal(ILocalSymbol local, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IOperation root, int depth)
        {
            if (depth > 1 || SymbolValues.OfLocal(local, root) is not { IsComplete: true, Values.Length: 1 })
            {
                return null;
            }

            foreach (IOperation operation in root.Descendants())
            {
                if (operation is ILocalReferenceOperation reference
                    && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    && !(reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                    && Climb(reference, draw, call, probability, bound, trueWithProbability, root, depth + 1) is { } site)
                {
                    return site;
                }
            }

            return null;
        }

        // `mask[i] = u < p`, or `mask.Add(u < p)` (the assignment or the Add is the decision).
        private HandWrittenDropoutSite? FromBooleanMask(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IOperation assignment, IOperation target, IOperation root)
        {
            ISymbol? mask = target switch
            {
                // `masks[layer][i] = u < rate`: one mask per layer in a jagged array is still that array's mask.
                IArrayElementReferenceOperation element => MaskCollectionSymbol(element.ArrayReference),
                IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
                IPropertyReferenceOperation or IFieldReferenceOperation or ILocalReferenceOperation => HandWrittenDropoutSite.ReferencedSymbol(target),
                _ => null,
            };
            if (mask is null || !(IsPerElement(assignment, root) || IsPerElement(condition, root)))
            {
                return null;
            }

            // What the flag means is read from where it is used (`mask[i] ? x / q : 0` keeps where it is true); only when no use
            // says so, a flag named for dropping (dropped[i] = u < rate) is taken to be true when the unit is dropped.
            bool flagMeansDropped = FlagMeansDropped(mask, assignment, root);
            bool keepIsComplement = flagMeansDropped ? trueWithProbability : !trueWithProbability;
            return Build(condition, call, draw, probability, bound, keepIsComplement, DropoutSiteShape.BooleanMask, assignment, null, null, null, mask, IsGatedByControl(assignment, root), root);
        }

        private HandWrittenDropoutSite? FromConditionalExpression(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            IOperation outer = HandWrittenDropoutSite.ClimbConversions(conditional);
            ITypeSymbol? resultType = outer.Parent switch
            {
                ICompoundAssignmentOperation compound when compound.Value == outer => compound.Target.Type,
                ISimpleAssignmentOperation simple when simple.Value == outer => simple.Target.Type,
                _ => outer.Type,
            };

            IOperation kept;
            bool keepWithProbability;
            if (HandWrittenDropoutSite.IsZero(conditional.WhenFalse!) && !HandWrittenDropoutSite.IsZero(conditional.WhenTrue))
            {
                kept = conditional.WhenTrue;
                keepWithProbability = trueWithProbability;
            }
            else if (HandWrittenDropoutSite.IsZero(conditional.WhenTrue) && !HandWrittenDropoutSite.IsZero(conditional.WhenFalse!))
            {
                kept = conditional.WhenFalse!;
                keepWithProbability = !trueWithProbability;
            }
            else
            {
                return null;
            }

            bool keptIsOne = HandWrittenDropoutSite.StripConversions(kept).ConstantValue is { HasValue: true, Value: var one } && ProbabilityScaling.ToDouble(one) == 1;
            if (!HandWrittenDropoutSite.IsNumeric(resultType) && !HandWrittenDropoutSite.IsNumeric(conditional.Type) && !keptIsOne)
            {
                return null;
            }

            // Added to a value, the choice is noise (x += u < p ? noise : 0), not a keep/drop decision.
            if (outer.Parent is ICompoundAssignmentOperation { OperatorKind: not (BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide) }
                or IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract })
            {
                return null;
            }

            // Not per element: only one unit's own value rescaled by the probability (`Output = u < rate ? 0 : Output / (1 - rate)`).
            if (!IsPerElement(conditional, root)
                && !(outer.Parent is ISimpleAssignmentOperation { Target: var unitValue } unitWrite && unitWrite.Value == outer
                    && IsUnitRescaledByProbability(unitValue, kept, probability)))
            {
                return null;
            }

            // `y[i] = x[i] * s * (u < keep ? 1 : 0)`: a 0/1 factor keeps what it multiplies, so the product's other operand is
            // the kept value and the product is what is written, as in `u < keep ? x[i] * s : 0`. Only a product that is the
            // whole value (not itself multiplied or divided further, where the scale may sit outside it). A constant factor is
            // the kept constant: `m[i] = 1f * (u < keep ? 1f : 0f)` writes the 0/1 mask entry `u < keep ? 1f : 0f` does.
            if (keptIsOne && outer.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product
                && (product.LeftOperand == outer ? product.RightOperand : product.LeftOperand) is { } factor
                && HandWrittenDropoutSite.ClimbConversions(product).Parent is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide })
            {
                kept = factor;
                outer = HandWrittenDropoutSite.ClimbConversions(product);
            }

            ISymbol? mask = outer.Parent is ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment && assignment.Value == outer
                ? HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference)
                : outer.Parent is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } } indexed && indexed.Value == outer
                    ? HandWrittenDropoutSite.ReferencedSymbol(instance)
                    // `mask.Set(r, c, u < keep ? 1 : 0)`: the setter stores the entry as the indexer does.
                    : outer.Parent is IArgumentOperation { Parent: IInvocationOperation { Instance: { } container } setter } && SetterValue(setter) == outer
                        ? HandWrittenDropoutSite.ReferencedSymbol(container)
                        : null;

            // `_mask = x.Select(_ => u < keep ? 1 / keep : 0).ToArray()`: mask entries built by a LINQ lambda and stored.
            if (mask is null && outer.Parent is IReturnOperation returned && returned.ReturnedValue == outer && DropoutTypeFacts.IsMaskValue(kept)
                && LinqBuiltMask(returned) is { } built)
            {
                mask = HandWrittenDropoutSite.ReferencedSymbol(built.Target);
            }

            if (mask is null && outer.Parent is IReturnOperation mappedReturn && mappedReturn.ReturnedValue == outer && DropoutTypeFacts.IsMaskValue(kept))
            {
                mask = MappedMask(mappedReturn);
            }

            return Build(condition, call, draw, probability, bound, !keepWithProbability, DropoutSiteShape.KeptOrZero, conditional, kept, null, null, mask, gated || IsGatedByControl(conditional, root), root);
        }

        private HandWrittenDropoutSite? FromIf(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            IOperation? zeroed;
            IOperation? keptBranch;
            bool keepIsComplement;
            if (ZeroedElement(conditional.WhenTrue) is { } zeroedWhenTrue)
            {
                // The element is dropped when the condition holds, so it is kept with the other probability.
                zeroed = zeroedWhenTrue;
                keptBranch = conditional.WhenFalse;
                keepIsComplement = trueWithProbability;
            }
            else if (conditional.WhenFalse is { } whenFalse && ZeroedElement(whenFalse) is { } zeroedWhenFalse)
            {
                zeroed = zeroedWhenFalse;
                keptBranch = conditional.WhenTrue;
                keepIsComplement = !trueWithProbability;
            }
            else if (ZeroedMemberKeptInOtherBranch(conditional.WhenTrue, conditional.WhenFalse) is { } zeroedMemberWhenTrue)
            {
                zeroed = zeroedMemberWhenTrue;
                keptBranch = conditional.WhenFalse;
                keepIsComplement = trueWithProbability;
            }
            else if (conditional.WhenFalse is { } keptWhenTrue && ZeroedMemberKeptInOtherBranch(keptWhenTrue, conditional.WhenTrue) is { } zeroedMemberWhenFalse)
            {
                zeroed = zeroedMemberWhenFalse;
                keptBranch = conditional.WhenTrue;
                keepIsComplement = !trueWithProbability;
            }
            else
            {
                return FromBooleanMaskIf(condition, draw, call, probability, bound, trueWithProbability, conditional, root)
                    ?? FromAppendedZeroOrValue(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromSkippedTerm(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromSkippedBlockTerm(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromKeptIntoFreshZeros(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromMaskFillIntoFreshZeros(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromEarlyExit(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root)
                    ?? FromKeepExitBeforeZeroing(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root);
            }

            if (!IsPerElement(conditional, root) && !IsUnitRescaledByProbability(zeroed, keptBranch, probability))
            {
                // One unit's own value zeroed and the method left (`{ output = 0; return; }`): the write after the exit is kept.
                return FromEarlyExit(condition, draw, call, probability, bound, trueWithProbability, conditional, gated, root);
            }

            ISymbol? mask = RecordedFlag(conditional) ?? (zeroed is IArrayElementReferenceOperation element && HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference) is { } array
                && (array.Name.IndexOf("mask", StringComparison.OrdinalIgnoreCase) >= 0 || WritesArray(keptBranch, array) || IsMultipliedIntoOtherValues(array, root))
                ? array
                : null) ?? RecordedUnitFlag(conditional);
            return Build(condition, call, draw, probability, bound, keepIsComplement, DropoutSiteShape.ZeroingIf, conditional, null, keptBranch, zeroed, mask, gated || IsGatedByControl(conditional, root), root);
        }

        // `for (k = 0; k < dropCount; k++) x[order[k]] = 0;`: exact-count dropout zeroing the first positions of a shuffle.
        private HandWrittenDropoutSite? FromZeroingLoop(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IForLoopOperation loop, IOperation root)
        {
            IOperation body = loop.Body;
            if (ZeroedElement(body) is not IArrayElementReferenceOperation zeroed)
            {
                return null;
            }

            // The body runs while the condition holds: those elements are dropped.
            return Build(condition, call, draw, probability, bound, trueWithProbability, DropoutSiteShape.ExactCount, loop, null, null, zeroed, null, IsGatedByControl(loop, root), root);
        }

        // `if (u < keep) sum += w[i] * x[i];`: dropout that skips the dropped element's contribution instead of zeroing it
        // (DropConnect, a neuron summing its inputs). The kept value is the added product (a weight times an input, as a
        // neuron sums them); it reads an element. A plain `total += values[i]` is subsampling, not dropout.
        private HandWrittenDropoutSite? FromSkippedTerm(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            IOperation statement = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : conditional.WhenTrue;
            if (conditional.WhenFalse is not null
                || statement is not IExpressionStatementOperation { Operation: ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add } accumulation }
                || !HandWrittenDropoutSite.IsNumeric(accumulation.Target.Type)
                || accumulation.Target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
                || HandWrittenDropoutSite.StripConversions(accumulation.Value) is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } weighted
                || !weighted.DescendantsAndSelf().Any(operation => operation is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
                || !IsPerElement(conditional, root))
            {
                return null;
            }

            return Build(condition, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.SkippedTerm, conditional, accumulation.Value, null, null, null, gated || IsGatedByControl(conditional, root), root);
        }

        // `var y = new float[n]; if (u > rate) y[i] = x[i] * scale;`: only the kept element is written; a dropped one keeps
        // the zero of the freshly made buffer (see DropoutEvidence.KeptWriteIntoFreshZeros).
        private HandWrittenDropoutSite? FromKeptIntoFreshZeros(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            if (DropoutEvidence.KeptWriteIntoFreshZeros(conditional, root) is not { } write || !IsPerElement(conditional, root))
            {
                return null;
            }

            return Build(condition, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.KeptOrZero, conditional, write.Value, null, null, null, gated || IsGatedByControl(conditional, root), root);
        }

        // `if (r < rate) mask[i] = true; else mask[i] = false;`: a boolean mask written by branches.
        private HandWrittenDropoutSite? FromBooleanMaskIf(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, IOperation root)
        {
            if (BooleanWrite(conditional.WhenTrue) is not var (target, value) || !IsPerElement(conditional, root))
            {
                return null;
            }

            if (conditional.WhenFalse is { } whenFalse && (BooleanWrite(whenFalse) is not var (otherTarget, otherValue) || otherValue == value || otherTarget.Syntax.ToString() != target.Syntax.ToString()))
            {
                return null;
            }

            ISymbol? mask = FlagLocation(target)?.Flag;
            if (mask is null)
            {
                return null;
            }

            // The entry is `value` when the condition (true with probability q) holds.
            bool entryTrueWithProbability = value ? trueWithProbability : !trueWithProbability;
            bool flagMeansDropped = FlagMeansDroppedByUse(mask, root) ?? NamesDroppedUnits(mask.Name);
            bool keepIsComplement = flagMeansDropped ? entryTrueWithProbability : !entryTrueWithProbability;
            return Build(condition, call, draw, probability, bound, keepIsComplement, DropoutSiteShape.BooleanMask, conditional, null, null, null, mask, IsGatedByControl(conditional, root), root);
        }

        // Whether a boolean mask's entry is true for a dropped unit, as its uses in the body say: a conditional on the entry
        // (`m[i] ? x : 0`, `if (m[i]) y = 0;`, or the same under `!`) whose one branch is zero. Null when the uses do not say,
        // or say both.
        internal static bool? FlagMeansDroppedByUse(ISymbol mask, IOperation root)
        {
            bool? meaning = null;
            foreach (IConditionalOperation conditional in root.Descendants().OfType<IConditionalOperation>())
            {
                IOperation tested = HandWrittenDropoutSite.StripConversions(conditional.Condition);

                // `if (mask != null && !mask[j]) y[j] = 0;`: when the zeroing branch is the true one, each conjunct holds there,
                // so the one that reads the mask says what a dropped entry is (the false branch of `&&` says nothing).
                if (tested is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } conjunction
                    && IsZeroBranch(conditional.WhenTrue) && !(conditional.WhenFalse is { } alternative && IsZeroBranch(alternative))
                    && Conjuncts(conjunction).Where(conjunct => ReadsMaskEntry(conjunct, mask)).Take(2).ToList() is { Count: 1 } readers)
                {
                    tested = readers[0];
                }

                bool negated = false;
                while (tested is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
                {
                    negated = !negated;
                    tested = HandWrittenDropoutSite.StripConversions(not.Operand);
                }

                ISymbol? read = tested switch
                {
                    IArrayElementReferenceOperation element => MaskCollectionSymbol(element.ArrayReference),
                    IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
                    IInvocationOperation getter when ElementCollection(getter) is { } container => MaskCollectionSymbol(container),
                    // A one-unit flag (`bool drop = u < rate`) is read whole: `drop ? 0 : x`.
                    ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } flag => flag.Local,
                    _ => null,
                };
                if (read is null || !SymbolEqualityComparer.Default.Equals(read, mask))
                {
                    continue;
                }

                bool trueZeroes = IsZeroBranch(conditional.WhenTrue);
                bool falseZeroes = conditional.WhenFalse is { } whenFalse && IsZeroBranch(whenFalse);
                if (trueZeroes == falseZeroes)
                {
                    continue;
                }

                bool droppedWhenTrue = trueZeroes != negated;
                if (meaning is { } earlier && earlier != droppedWhenTrue)
                {
                    return null;
                }

                meaning = droppedWhenTrue;
            }

            return meaning;
        }

        private static bool IsZeroBranch(IOperation branch) =>
            branch.Type is not null ? HandWrittenDropoutSite.IsZero(branch) : ZeroedElement(branch) is { } zeroed && HandWrittenDropoutSite.IsFloatingPoint(zeroed.Type);

        // The one `mask[i] = true/false;` of a branch, which may also do other things (count the kept units).
        private static (IOperation Target, bool Value)? BooleanWrite(IOperation branch)
        {
            IEnumerable<IOperation> statements = branch is IBlockOperation block ? block.Operations : new[] { branch };
            (IOperation Target, bool Value)? write = null;
            foreach (IOperation statement in statements)
            {
                if (statement is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: var target, Value.ConstantValue: { HasValue: true, Value: bool value } } }
                    && FlagLocation(target) is not null)
                {
                    if (write is not null)
                    {
                        return null;
                    }

                    write = (target, value);
                }
            }

            return write;
        }

        private static bool WritesArray(IOperation? branch, ISymbol array) =>
            branch is not null
            && branch.DescendantsAndSelf().Any(operation => operation is ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation target }
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(target.ArrayReference), array));

        // The target of `element = 0;` (or of `dropped[i] = true;`) among the statements of a branch, or of the loops of a
        // branch that zero a whole channel or row (`for y, x: map[c, y, x] = 0`, spatial dropout).
        // Any call that could be a random draw (by the names the model recognizes draws by), so that a nested condition that
        // draws is left to be its own site.
        private static bool IsDrawLike(IOperation operation) => operation is IInvocationOperation invocation && IsDrawCallName(invocation.TargetMethod.Name);

        private static IOperation? ZeroedElement(IOperation branch, int depth = 0)
        {
            IEnumerable<IOperation> statements = branch is IBlockOperation block ? block.Operations : new[] { branch };
            foreach (IOperation statement in statements)
            {
                if (statement is ILoopOperation { Body: var loopBody } && depth < 3
                    && ZeroedElement(loopBody, depth + 1) is { } zeroedInLoop && IsElement(zeroedInLoop))
                {
                    return zeroedInLoop;
                }

                // `if (u < rate) if (--budget > 0) x[i] = 0; else return x;`: a cap on how many units drop (a counter, a
                // budget) nests the zeroing under a second condition that draws nothing; the draw still decides the drop.
                if (statement is IConditionalOperation { WhenTrue: var capped } cap && depth < 3 && !cap.Condition.DescendantsAndSelf().Any(IsDrawLike)
                    && ZeroedElement(capped, depth + 1) is { } zeroedUnderCap)
                {
                    return zeroedUnderCap;
                }

                // `m.Set(r, c, 0)`: an element setter storing zero zeroes the element as `m[r, c] = 0` does.
                if (statement is IExpressionStatementOperation { Operation: IInvocationOperation setter } && SetterValue(setter) is { } stored
                    && HandWrittenDropoutSite.IsZero(stored) && HandWrittenDropoutSite.IsNumeric(stored.Type))
                {
                    return setter;
                }

                if (statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment })
                {
                    continue;
                }

                IOperation target = assignment.Target;
                bool isElementOrMember = target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or ILocalReferenceOperation
                    || (target is IPropertyReferenceOperation or IFieldReferenceOperation && TargetName(target) is { } memberName && ContainsAny(memberName, ActivationMemberWords));
                // A generic element (`T[]` zeroed with `ops.Zero`) is numeric as in the conditional form `c ? x[i] : ops.Zero`.
                if (isElementOrMember && (HandWrittenDropoutSite.IsZero(assignment.Value) || IsSkippedMarker(assignment))
                    && (HandWrittenDropoutSite.IsNumeric(target.Type) || target is IArrayElementReferenceOperation { Type.SpecialType: SpecialType.System_Int32 or SpecialType.System_Byte }))
                {
                    return target;
                }

                if (target is IArrayElementReferenceOperation or IPropertyReferenceOperation or IFieldReferenceOperation
                    && assignment.Value.ConstantValue is { HasValue: true, Value: bool flag }
                    && TargetName(target) is { } name
                    && ((flag && NamesDroppedUnits(name))
                        || (!flag && name.IndexOf("keep", StringComparison.OrdinalIgnoreCase) >= 0)))
                {
                    return target;
                }
            }

            return null;
        }

        private static string? TargetName(IOperation target) => target switch
        {
            IArrayElementReferenceOperation element => HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference)?.Name,
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance)?.Name,
            IInvocationOperation { Instance: { } container } => HandWrittenDropoutSite.ReferencedSymbol(container)?.Name,
            _ => HandWrittenDropoutSite.ReferencedSymbol(target)?.Name,
        };

        private HandWrittenDropoutSite? Build(
            IOperation comparison, IInvocationOperation? call, IOperation draw, IOperation probability, IOperation? bound, bool keepIsComplement,
            DropoutSiteShape shape, IOperation decision, IOperation? kept, IOperation? keptBranch, IOperation? zeroed, ISymbol? mask, bool gated, IOperation root)
        {
            if (DropoutEvidence.IsPerElementProbability(probability, decision) || DropoutEvidence.IsAugmentedCopy(zeroed, decision, root)
                || DropoutEvidence.IsPositionOnlyValue(kept) || DropoutEvidence.IsBurstFromDrawPosition(zeroed, decision))
            {
                return null;
            }

            (ISymbol? symbol, ProbabilityTerm compared) = _equalityDraw is { } coin ? (null, coin.Term) : model.ResolveProbability(probability, bound, semanticModel, cancellationToken);
            var site = new HandWrittenDropoutSite(draw, call, comparison, probability, compared, symbol, keepIsComplement, shape, decision, kept, keptBranch, zeroed, mask, gated, bound, Escapes(mask, kept, keptBranch, shape, probability, root), _equalityDraw?.Text);
            // A mask helper is kept whatever its names say: whether its mask is dropout is decided where it is called.
            return site.EscapesToCaller || SpeaksOfDropout(site, root) ? site : null;
        }

        // A helper that builds a 0/1 mask for its caller (returns it, or fills a parameter that a caller in this file passes)
        // with a probability it is given: the caller applies the mask, and is where the scale is looked for.
        private static bool Escapes(ISymbol? mask, IOperation? kept, IOperation? keptBranch, DropoutSiteShape shape, IOperation probability, IOperation root)
        {
            bool zeroOrOne = shape switch
            {
                DropoutSiteShape.BooleanMask => true,
                // A helper's (or a library fill's) 0/1 mask passed on by a method that takes the probability and returns or
                // fills the mask: that method is a mask helper too, judged where it is called.
                DropoutSiteShape.MaskFromHelper => true,
                DropoutSiteShape.KeptOrZero => kept is not null && HandWrittenDropoutSite.IsOne(kept),
                DropoutSiteShape.ZeroingIf => keptBranch is not null && keptBranch.DescendantsAndSelf().OfType<ISimpleAssignmentOperation>().Any(assignment => HandWrittenDropoutSite.IsOne(assignment.Value)),
                _ => false,
            };
            if (mask is null || !zeroOrOne
                // A local function filling its caller's mask (`static void Fill(float keep, float[] m)` inside `KeepMask`) hands the
                // mask to its caller as a private method does.
                || probability is not IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.LocalFunction } method })
            {
                return false;
            }

            if (mask is ILocalSymbol)
            {
                // Returned itself, or through locals that hold it (`bool[] train = items.ToArray(); return train;` for a mask
                // built by `items.Add(u >= holdout)`): the mask reaches the caller either way.
                return root.Descendants().OfType<IReturnOperation>().Any(returned => returned.ReturnedValue is { } value && ReachesThroughLocals(value, mask, 0));
            }

            // A method called through an interface or a base class has its callers elsewhere (a backend's fill behind an
            // interface): its filled parameter is for them, judged at compilation end (CrossCallMaskSummaries).
            return mask is IParameterSymbol { ContainingSymbol: IMethodSymbol owner } && SymbolEqualityComparer.Default.Equals(owner, method)
                && (CalledThroughADeclarationElsewhere(method) || root.Syntax.SyntaxTree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().Any(invocation =>
                    invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: var name } && name == method.Name
                    || invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var memberName } && memberName == method.Name));
        }

        // Whether the value reads the local, directly or through the complete definitions of the locals it reads (two steps).
        private static bool ReachesThroughLocals(IOperation value, ISymbol local, int depth) =>
            value.DescendantsAndSelf().Any(operation => operation is ILocalReferenceOperation reference
                && (SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    || depth < 2 && SymbolValues.OfLocal(reference.Local, operation) is { IsComplete: true } values && values.Values.Any(defined => ReachesThroughLocals(defined, local, depth + 1))));

        private static bool CalledThroughADeclarationElsewhere(IMethodSymbol method) =>
            method.IsOverride || method.IsVirtual || method.IsAbstract || !method.ExplicitInterfaceImplementations.IsEmpty
            || method.ContainingType.AllInterfaces.Any(contract => contract.GetMembers(method.Name).Any(member =>
                SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method)));

        private bool SpeaksOfDropout(HandWrittenDropoutSite site, IOperation root)
        {
            var names = new List<string>();
            if (site.MaskSymbol is { } mask)
            {
                names.Add(mask.Name);
            }

            if (site.ProbabilitySymbol is { } probabilitySymbol)
            {
                names.Add(probabilitySymbol.Name);
            }

            foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Probability))
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
                {
                    names.Add(symbol.Name);
                }
            }

            if (site.ZeroedTarget is { } zeroed && TargetName(zeroed) is { } zeroedName)
            {
                names.Add(zeroedName);
            }

            ISymbol? enclosing = semanticModel.GetEnclosingSymbol(site.Decision.Syntax.SpanStart, cancellationToken);
            for (ISymbol? symbol = enclosing; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
            {
                names.Add(symbol.Name);
                if (symbol is IMethodSymbol method)
                {
                    names.AddRange(method.Parameters.Select(parameter => parameter.Name));
                }
            }

            // A private helper speaks with its callers' words: the loop body of `Weights(fitness, keep)` moved into
            // `Apply(keep, w)` is still about fitness.
            if (enclosing is IMethodSymbol helper)
            {
                names.AddRange(CallerNames(helper, semanticModel));
            }

            // The flag that gates the draw is read by it: its name is the decision's as much as the rate's is.
            names.AddRange(GateNames(site, root));

            // A name that says dropout settles it; otherwise a word of another technique (noise, mutation, bagging) wins over train or mask.
            if (names.Any(name => name.IndexOf("dropout", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return true;
            }

            // Data flow before words: survivors rescaled by a power of the very probability they survived with
            // (`u < keep ? x / keep : 0`, a mask entry `1 / keep`, `x / (1 - rate)`) is what dropout does, right or wrong,
            // whatever the code is called (a mask named `noise`, a DropConnect over `connections`). Noise injection,
            // augmentation, masking corruption, mutation, exploration and sampling zero or replace values without
            // rescaling what is left, so the words of those techniques still decide for an unscaled site.
            if (names.Any(name => ContainsAny(name, NotDropoutVocabulary)))
            {
                return KeptValueScaledByItsProbability(site) || IsDropoutDespiteNoiseWords(site, names, root);
            }

            // drop, keep, mask and train say dropout only in code that also speaks of a network (a packet drop rate in a
            // network simulator, a keep fraction in a scheduler are not dropout): the type's members are looked at too.
            // A kept value rescaled by its own probability says dropout by data flow where no name does.
            if (!names.Any(name => ContainsAny(name, DropoutVocabulary)) && !KeptValueScaledByItsProbability(site))
            {
                return false;
            }

            if (enclosing?.ContainingType is { } type)
            {
                names.AddRange(type.MemberNames);
            }

            return names.Any(name => ContainsAny(name, NeuralVocabulary));
        }

        private static bool ContainsAny(string name, string[] words)
        {
            foreach (string word in words)
            {
                if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        // One decision per element: inside a loop or lambda, or in a GPU-style kernel that runs once per index.
        private static bool IsPerElement(IOperation operation, IOperation root)
        {
            for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return current is not ILocalFunctionOperation function || IsKernel(function.Symbol) || IsCalledPerElement(function.Symbol, root.SemanticModel);
                }

                if (current is IMethodBodyBaseOperation)
                {
                    break;
                }
            }

            return root.SemanticModel?.GetEnclosingSymbol(operation.Syntax.SpanStart) is IMethodSymbol method && (IsKernel(method) || IsCalledPerElement(method, root.SemanticModel));
        }

        // ILGPU-style kernels: a static method whose first parameter is the element index (Index1D, Index2D, LongIndex1D, or an
        // int named index, idx, tid or gid, as CPU emulations and hand-written launchers name it).
        private static bool IsKernel(IMethodSymbol method) =>
            method.IsStatic && method.Parameters.Length > 0 && method.Parameters[0].Type.Name is { } typeName
            && (typeName.StartsWith("Index", StringComparison.Ordinal) || typeName.StartsWith("LongIndex", StringComparison.Ordinal)
                || (method.Parameters[0].Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
                    && method.Parameters[0].Name is "index" or "idx" or "tid" or "gid" or "globalIndex" or "threadIndex"));

        // Under an `if` that does not draw, in a switch, or after an early `if (...) return`: the method has a path without dropout.
        public static bool IsGatedByControl(IOperation decision, IOperation root) =>
            IsGatedWithin(decision, root) || IsHelperGatedAtEveryCall(decision, root, 0);

        /// <summary>
        /// As <see cref="IsGatedByControl"/> for a call of a forward, but an early exit of the calling method that only checks
        /// its input (<c>if (text.Length == 0 || IsStopWord(text)) return false;</c>) is no gate: every input that passes it
        /// runs the dropout, in prediction as in training.
        /// </summary>
        public static bool IsCallGatedBeyondInputChecks(IOperation call, IOperation root) =>
            IsGatedWithin(call, root, inputChecksAreNoGate: true) || IsHelperGatedAtEveryCall(call, root, 0);

        private static bool IsGatedWithin(IOperation decision, IOperation root, bool inputChecksAreNoGate = false)
        {
            IOperation child = decision;
            for (IOperation? current = decision.Parent; current is not null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    // A condition on a setting fixed at construction (`if (layer.DropoutRate > 0)`, `if (config.useDropout)`) has
                    // the same value in training and in prediction: it is no gate (SettingConditions).
                    case IConditionalOperation conditional when child != conditional.Condition && !ContainsRandom(conditional.Condition) && !SettingConditions.IsFixedSetting(conditional.Condition):
                    case ISwitchOperation switchStatement when child != switchStatement.Value && IsModeSwitch(switchStatement.Value, switchStatement.Cases.SelectMany(section => section.Clauses).OfType<IPatternCaseClauseOperation>().Select(clause => clause.Pattern)):
                    case ISwitchExpressionOperation switchExpression when child != switchExpression.Value && IsModeSwitch(switchExpression.Value, switchExpression.Arms.Select(arm => arm.Pattern)):
                        return true;
                    case IBlockOperation block:
                        foreach (IOperation statement in block.Operations)
                        {
                            if (statement == child)
                            {
                                break;
                            }

                            if (statement is IConditionalOperation guard && !ContainsRandom(guard.Condition) && IsExitGuard(guard)
                                && !SettingConditions.IsFixedSetting(guard.Condition)
                                && !(inputChecksAreNoGate && InputChecks.ChecksOnlyInput(guard.Condition)))
                            {
                                return true;
                            }
                        }

                        break;
                }

                if (current == root)
                {
                    break;
                }
            }

            return false;
        }

        // A switch is a way around the dropout only where the value it switches on can differ between training and prediction,
        // as an `if` is. A dispatch on what an object is (`case DropoutLayer d:`, `LayerKind.Dropout => ...` over a layer's
        // kind fixed when it was built) runs the same case in both, and so does a switch on a random value: neither is a gate.
        private static bool IsModeSwitch(IOperation value, IEnumerable<IPatternOperation> patterns) =>
            !ContainsRandom(value)
            && !patterns.Any(pattern => pattern is IDeclarationPatternOperation or ITypePatternOperation or IRecursivePatternOperation { MatchedType: not null })
            && !SettingConditions.IsFixedSetting(value, includeEnums: true);

        // `if (!training) return x;` leaves without dropout, and so does `if (Mode == Mode.Eval) throw ...` (prediction must go
        // elsewhere). A guard that only throws on its arguments (`if (input == null || input.Length != n) throw`) validates
        // them: every call that gets past it still drops, so a throwing guard counts only when it tests a flag or mode.
        private static bool IsExitGuard(IConditionalOperation guard) =>
            guard.WhenTrue.DescendantsAndSelf().Any(operation => operation is IReturnOperation)
            || (guard.WhenTrue.DescendantsAndSelf().Any(operation => operation is IThrowOperation)
                && guard.Condition.DescendantsAndSelf().Any(operation => operation is IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation or IInvocationOperation
                    && operation.Type is { } type && (type.SpecialType == SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum)));

        private static bool ContainsRandom(IOperation condition) =>
            condition.DescendantsAndSelf().Any(operation => operation is IInvocationOperation invocation && (IsUniformDrawName(invocation.TargetMethod.Name) || invocation.TargetMethod.Name == "Next" || BernoulliNames.Contains(invocation.TargetMethod.Name)));

        /// <summary>Whether <paramref name="operation"/> is a random value: a draw, a local or buffer holding draws, or a null-conditional draw.</summary>
        public bool TryRandomValue(IOperation operation, int depth, out RandomValue value)
        {
            value = default;
            operation = HandWrittenDropoutSite.StripConversions(operation);
            switch (operation)
            {
                case IConditionalAccessOperation access:
                    return TryRandomValue(access.WhenNotNull, depth, out value);
                case ICoalesceOperation coalesce:
                    return TryRandomValue(coalesce.Value, depth, out value);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Remainder } remainder
                    when HandWrittenDropoutSite.StripConversions(remainder.LeftOperand) is IInvocationOperation { TargetMethod.Name: "Next", Arguments.Length: 0 } whole
                        && whole.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64:
                    // `rng.Next() % 100`: a non-negative integer draw reduced modulo n is (near enough) uniform below n, the
                    // same draw as `rng.Next(100)`.
                    value = new RandomValue(whole, remainder.RightOperand);
                    return true;
                case IInvocationOperation invocation:
                    if (IsUniformCall(invocation))
                    {
                        // A static wrapper of this file (ThreadSafeRandom.NextDouble()) draws from the generator inside it.
                        IInvocationOperation call = invocation.Instance is null && depth < MaxDepth
                            && model.SummaryOf(invocation.TargetMethod, semanticModel, cancellationToken, depth + 1) is { IsUniform: true, UniformCall: { } inner }
                            ? inner
                            : invocation;
                        value = new RandomValue(call, null);
                        return true;
                    }

                    if (invocation.TargetMethod is { Name: "Range", IsStatic: true, ContainingType.Name: "Random" } && invocation.Arguments.Length == 2 && HandWrittenDropoutSite.IsZero(invocation.Arguments[0].Value))
                    {
                        // UnityEngine.Random.Range(0f, 1f) is a uniform; Random.Range(0, n) an integer draw below n.
                        if (HandWrittenDropoutSite.IsFloatingPoint(invocation.Type) && HandWrittenDropoutSite.IsOne(invocation.Arguments[1].Value))
                        {
                            value = new RandomValue(invocation, null);
                            return true;
                        }

                        if (invocation.Type?.SpecialType == SpecialType.System_Int32)
                        {
                            value = new RandomValue(invocation, invocation.Arguments[1].Value);
                            return true;
                        }

                        return false;
                    }

                    if (invocation.TargetMethod.Name == "Next" && invocation.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64)
                    {
                        if (invocation.Arguments.Length == 1)
                        {
                            value = new RandomValue(invocation, invocation.Arguments[0].Value);
                            return true;
                        }

                        if (invocation.Arguments.Length == 2 && HandWrittenDropoutSite.IsZero(invocation.Arguments[0].Value))
                        {
                            value = new RandomValue(invocation, invocation.Arguments[1].Value);
                            return true;
                        }

                        // `rng.Next(1, n + 1)`: an integer from 1 to n, as 1-based languages draw it (MATLAB's `randi(n)`, Lua's
                        // `math.random(n)`, R's `sample(1:n, 1)`); `v > k` is then true with probability 1 - k/n. Its bound is the
                        // draw itself, whose width `OneBasedDrawWidth` gives (no operation holds `n` when the code writes `1001`).
                        if (invocation.Arguments.Length == 2 && HandWrittenDropoutSite.IsOne(invocation.Arguments[0].Value))
                        {
                            value = new RandomValue(invocation, invocation);
                            return true;
                        }

                        return false;
                    }

                    // `_uniform()` with `_uniform = rng.NextDouble` (or `() => rng.NextDouble()`): a delegate whose every value draws.
                    if (depth < MaxDepth && invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke && invocation.Arguments.Length == 0
                        && HandWrittenDropoutSite.IsFloatingPoint(invocation.Type) && invocation.Instance is { } target
                        && HandWrittenDropoutSite.ReferencedSymbol(target) is { } delegateSymbol)
                    {
                        return DelegateDraws(delegateSymbol, target, depth, out value);
                    }

                    if (depth < MaxDepth && invocation.TargetMethod.Parameters.Length == 0 && HandWrittenDropoutSite.IsFloatingPoint(invocation.Type)
                        && model.SummaryOf(invocation.TargetMethod, semanticModel, cancellationToken, depth + 1) is { IsUniform: true } summary)
                    {
                        value = new RandomValue(summary.UniformCall ?? invocation, null);
                        return true;
                    }

                    // `uniforms.Get(0, j)`: an element of a buffer filled with draws, read through its accessor.
                    if (depth < MaxDepth && HandWrittenDropoutSite.IsFloatingPoint(invocation.Type) && !invocation.TargetMethod.ReturnsVoid && AccessorContainer(invocation) is { } buffer)
                    {
                        return TryRandomBufferCached(HandWrittenDropoutSite.ReferencedSymbol(buffer), operation, depth, out value);
                    }

                    return false;
                case IMemberReferenceOperation unitMember when depth < MaxDepth && HandWrittenDropoutSite.IsFloatingPoint(unitMember.Type) && UnitCollection(unitMember) is { } units:
                    // `uniforms[j].Value`: a unit of a buffer filled with draws.
                    return TryRandomBufferCached(HandWrittenDropoutSite.ReferencedSymbol(units), operation, depth, out value);
                case IParameterReferenceOperation mapped when HandWrittenDropoutSite.IsFloatingPoint(mapped.Type) && IsMappedUniformElement(mapped):
                    // `Mask.MapInplace(x => x > keep ? 0 : 1)` right after `Mask = Build.Random(..., new ContinuousUniform(0, 1))`.
                    return true;
                case IPropertyReferenceOperation { Property: { Name: "value", IsStatic: true, ContainingType.Name: "Random" } }:
                    // UnityEngine.Random.value.
                    return true;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide or BinaryOperatorKind.Multiply } unit when depth < MaxDepth && HandWrittenDropoutSite.IsFloatingPoint(unit.Type) && IsUnitFromRandomBits(unit, depth):
                    // `(hash & 0xFFFFFF) / 16777216f`, `(mix >> 8) * (1f / 16777216f)`: the bits of a hash or generator as a uniform.
                    return true;
                case ILocalReferenceOperation local when depth < MaxDepth && MayHoldDraw(local.Local):
                    if (!_locals.TryGetValue(local.Local, out (bool IsRandom, RandomValue Value) knownLocal))
                    {
                        knownLocal.IsRandom = TryAllRandom(SymbolValues.OfLocal(local.Local, operation), depth, out knownLocal.Value);
                        _locals[local.Local] = knownLocal;
                    }

                    value = knownLocal.Value;
                    return knownLocal.IsRandom;
                case IArrayElementReferenceOperation element when depth < MaxDepth && HandWrittenDropoutSite.IsFloatingPoint(element.Type):
                    return TryRandomBufferCached(HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference), operation, depth, out value);
                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } indexer when depth < MaxDepth && HandWrittenDropoutSite.IsFloatingPoint(indexer.Type):
                    return TryRandomBufferCached(HandWrittenDropoutSite.ReferencedSymbol(instance), operation, depth, out value);
                default:
                    return false;
            }
        }

        private bool DelegateDraws(ISymbol delegateSymbol, IOperation context, int depth, out RandomValue value)
        {
            value = default;
            SymbolValues values = model.ValuesOf(delegateSymbol, context, semanticModel, cancellationToken);
            if (!values.IsComplete || values.Values.IsEmpty)
            {
                return false;
            }

            foreach (IOperation assigned in values.Values)
            {
                switch (HandWrittenDropoutSite.StripConversions(assigned))
                {
                    case IDelegateCreationOperation { Target: IMethodReferenceOperation { Method: var drawMethod } } when drawMethod.Parameters.Length == 0
                        && HandWrittenDropoutSite.IsFloatingPoint(drawMethod.ReturnType) && UniformDrawNames.Contains(drawMethod.Name):
                        break;
                    case IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
                        when lambda.Body.Descendants().OfType<IReturnOperation>().Where(returned => returned.ReturnedValue is not null).ToList() is { Count: > 0 } returns
                            && returns.All(returned => TryRandomValue(returned.ReturnedValue!, depth + 1, out RandomValue inner) && inner.Bound is null):
                        TryRandomValue(returns[0].ReturnedValue!, depth + 1, out value);
                        break;
                    default:
                        return false;
                }
            }

            return true;
        }

        private static readonly string[] RandomBitsWords = ["hash", "mix", "xorshift", "philox", "pcg", "murmur", "squirrel", "wang", "splitmix", "rand", "rng", "nextuint", "nextulong"];

        // An integer of random bits divided by 2^k (or multiplied by 1 / 2^k) is a uniform in [0, 1).
        private bool IsUnitFromRandomBits(IBinaryOperation unit, int depth)
        {
            IOperation left = HandWrittenDropoutSite.StripConversions(unit.LeftOperand);
            IOperation right = HandWrittenDropoutSite.StripConversions(unit.RightOperand);
            if (unit.OperatorKind == BinaryOperatorKind.Divide)
            {
                return IsPowerOfTwo(right, reciprocal: false) && IsRandomBits(left, depth + 1);
            }

            return (IsPowerOfTwo(right, reciprocal: true) && IsRandomBits(left, depth + 1)) || (IsPowerOfTwo(left, reciprocal: true) && IsRandomBits(right, depth + 1));
        }

        private static bool IsPowerOfTwo(IOperation operation, bool reciprocal)
        {
            if (operation.ConstantValue is not { HasValue: true, Value: var constant } || ProbabilityScaling.ToDouble(constant) is not double value || value <= 0)
            {
                return false;
            }

            double power = reciprocal ? 1 / value : value;
            return IsWholePowerOfTwo(power) || IsWholePowerOfTwo(power + 1);
        }

        // 2^k for k in [8, 64]. `power + 1` above also admits the largest value of k bits, the C idiom
        // `rand() / (double)RAND_MAX` (`FastRand() / 32767.0` over a 15-bit generator): a uniform in [0, 1] all the same.
        private static bool IsWholePowerOfTwo(double power)
        {
            double exponent = Math.Log(power, 2);
            return exponent >= 8 && exponent <= 64 && Math.Abs(exponent - Math.Round(exponent)) < 1e-9;
        }

        private bool IsRandomBits(IOperation operation, int depth)
        {
            operation = HandWrittenDropoutSite.StripConversions(operation);
            if (depth > MaxDepth || operation.Type?.SpecialType is not (SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Int32 or SpecialType.System_Int64))
            {
                return false;
            }

            switch (operation)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.And or BinaryOperatorKind.RightShift } bits:
                    return IsRandomBits(bits.LeftOperand, depth + 1);
                case ILocalReferenceOperation local when SymbolValues.OfLocal(local.Local, operation) is { IsComplete: true, Values.Length: 1 } values:
                    return IsRandomBits(values.Values[0], depth + 1);
                case IInvocationOperation invocation:
                    string name = invocation.TargetMethod.Name.ToLowerInvariant();
                    return RandomBitsWords.Any(word => name.Contains(word)) || IsWholeIntegerDraw(invocation);
                default:
                    return false;
            }
        }

        private readonly Dictionary<ISymbol, (bool IsRandom, RandomValue Value)> _buffers = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<ISymbol, (bool IsRandom, RandomValue Value)> _locals = new(SymbolEqualityComparer.Default);

        // Every comparison with a buffer element asks the same question of the same buffer: answered once per tree walk.
        private bool TryRandomBufferCached(ISymbol? buffer, IOperation context, int depth, out RandomValue value)
        {
            if (buffer is null)
            {
                value = default;
                return false;
            }

            if (!_buffers.TryGetValue(buffer, out (bool IsRandom, RandomValue Value) known))
            {
                known.IsRandom = TryRandomBuffer(buffer, context, depth, out known.Value);
                _buffers[buffer] = known;
            }

            value = known.Value;
            return known.IsRandom;
        }

        // A loop counter or any local initialized with something that names no draw is not worth a walk of the method;
        // a local declared without a value is (it may be assigned a draw later).
        private static bool MayHoldDraw(ILocalSymbol local)
        {
            if (local.Type is null || !(HandWrittenDropoutSite.IsNumeric(local.Type) || local.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }))
            {
                return false;
            }

            foreach (SyntaxReference reference in local.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } initializer }
                    && !initializer.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax>().Any(binary => binary.OperatorToken.ValueText is "/" or "*")
                    && !initializer.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>().Any()
                    && !initializer.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax>().Any()
                    && !initializer.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax>().Any())
                {
                    return false;
                }
            }

            return true;
        }

        private bool TryAllRandom(SymbolValues values, int depth, out RandomValue value)
        {
            value = default;
            if (!values.IsComplete || values.Values.IsEmpty)
            {
                return false;
            }

            foreach (IOperation assigned in values.Values)
            {
                if (!TryRandomValue(assigned, depth + 1, out RandomValue candidate) || candidate.Bound is not null)
                {
                    return false;
                }

                value = candidate;
            }

            return true;
        }

        // A buffer of uniforms filled first and thresholded later: every element write is a draw. A kernel parameter named
        // for randomness (ArrayView<float> randoms) holds the draws its caller made.
        private bool TryRandomBuffer(ISymbol? buffer, IOperation context, int depth, out RandomValue value)
        {
            value = default;
            if (buffer is null)
            {
                return false;
            }

            if (buffer is IParameterSymbol parameter && parameter.ContainingSymbol is IMethodSymbol method && IsKernel(method)
                && (parameter.Name.IndexOf("rand", StringComparison.OrdinalIgnoreCase) >= 0 || parameter.Name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return true;
            }

            if (buffer is IParameterSymbol kernelParameter && kernelParameter.ContainingSymbol is IMethodSymbol kernel && IsKernel(kernel) && IsFedUniformsByLauncher(kernelParameter, kernel))
            {
                return true;
            }

            IOperation root = context.TreeRoot();

            int writes = 0;
            ISymbol? owner = OwnerOfElement(context);
            foreach (IOperation operation in root.Descendants())
            {
                if (operation is IExpressionStatementOperation { Operation: IInvocationOperation fill } && FillsWithUniforms(fill, buffer, owner))
                {
                    writes++;
                    continue;
                }

                // `FillUniforms(width, uniforms);`: a helper of this type whose body fills the buffer with draws, as the loop
                // it was extracted from did (HelperFill).
                if (operation is IExpressionStatementOperation { Operation: IInvocationOperation helperCall } && FillsByHelper(helperCall, buffer, root))
                {
                    writes++;
                    continue;
                }

                // `uniforms.Set(0, j, u)`: the setter writes the entry as `uniforms[j] = u` does.
                if (operation is IInvocationOperation { Instance: { } setterBuffer } setter && SetterValue(setter) is { } stored
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(setterBuffer), buffer))
                {
                    if (!TryRandomValue(stored, depth + 1, out RandomValue drawn) || drawn.Bound is not null)
                    {
                        return false;
                    }

                    value = drawn;
                    writes++;
                    continue;
                }

                if (operation is ISimpleAssignmentOperation { Target: var target } assignment
                    && (target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } ? SymbolEqualityComparer.Default.Equals(BufferOf(target), buffer)
                        : target is IMemberReferenceOperation unitMember && UnitCollection(unitMember) is { } units && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(units), buffer)))
                {
                    if (!TryRandomValue(assignment.Value, depth + 1, out RandomValue candidate) || candidate.Bound is not null)
                    {
                        if (IsThresholdedInPlace(assignment, buffer, root))
                        {
                            continue;
                        }

                        return false;
                    }

                    value = candidate;
                    writes++;
                }
            }

            return writes > 0;
        }

        // `mask.values[i, j, 0]` is an element of the member `values` of the object `mask`; `mask[i]` of `mask` itself.
        private static ISymbol? OwnerOfElement(IOperation element) => HandWrittenDropoutSite.StripConversions(element) switch
        {
            IArrayElementReferenceOperation { ArrayReference: IMemberReferenceOperation { Instance: { } instance } } => HandWrittenDropoutSite.ReferencedSymbol(instance),
            _ => null,
        };

        // `mask.InitialiseRandom(0f, 1f);`: a call on the buffer (or on the object that holds it) whose value is discarded,
        // named for random numbers and given exactly the bounds 0 and 1, fills it with uniforms in [0, 1) (its body may be in
        // another file, which the model cannot read). Weights randomized in another range (-0.5, 0.5) or with other
        // arguments are not draws of a mask.
        private static bool FillsWithUniforms(IInvocationOperation fill, ISymbol buffer, ISymbol? owner)
        {
            string name = fill.TargetMethod.Name;
            if (fill.Instance is not { } receiver || fill.Arguments.Length != 2
                || (name.IndexOf("rand", StringComparison.OrdinalIgnoreCase) < 0 && name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) < 0))
            {
                return false;
            }

            IOperation low = fill.Arguments.First(argument => argument.Parameter?.Ordinal == 0).Value;
            IOperation high = fill.Arguments.First(argument => argument.Parameter?.Ordinal == 1).Value;
            if (!HandWrittenDropoutSite.IsZero(low) || !HandWrittenDropoutSite.IsOne(high))
            {
                return false;
            }

            ISymbol? filled = HandWrittenDropoutSite.ReferencedSymbol(receiver);
            return filled is not null
                && (SymbolEqualityComparer.Default.Equals(filled, buffer) || SymbolEqualityComparer.Default.Equals(filled, owner));
        }

        // A buffer of uniforms turned into its own 0/1 mask: `if (mask[i] > rate) mask[i] = 1; else mask[i] = 0;` or
        // `mask[i] = mask[i] > rate ? 1 : 0;` overwrites each draw with a constant decided by that draw, so the write
        // does not make the buffer something else than draws where it is compared. Only constants decided by a
        // condition that reads the buffer itself count; any other write still means the buffer is no draw.
        private static bool IsThresholdedInPlace(ISimpleAssignmentOperation assignment, ISymbol buffer, IOperation root)
        {
            IOperation value = HandWrittenDropoutSite.StripConversions(assignment.Value);
            if (value is IConditionalOperation { WhenFalse: { } whenFalse } selected)
            {
                return IsNumericConstant(selected.WhenTrue) && IsNumericConstant(whenFalse) && ReadsElementOf(selected.Condition, buffer);
            }

            if (!IsNumericConstant(value))
            {
                return false;
            }

            for (IOperation? ancestor = assignment.Parent; ancestor is not null && ancestor != root; ancestor = ancestor.Parent)
            {
                if (ancestor is IConditionalOperation branch && ReadsElementOf(branch.Condition, buffer))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsNumericConstant(IOperation operation) =>
            HandWrittenDropoutSite.StripConversions(operation).ConstantValue is { HasValue: true, Value: not null and not bool and not string };

        private static bool ReadsElementOf(IOperation condition, ISymbol buffer) =>
            condition.DescendantsAndSelf().Any(read =>
                read is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
                && SymbolEqualityComparer.Default.Equals(BufferOf(read), buffer));

        // `_kernel = accelerator.LoadAutoGroupedStreamKernel<…>(ForwardKernel);` and, in one method of the type,
        // `rng.FillUniform(stream, Mask.View); _kernel(n, inputs, activations, Mask.View);`: the kernel's parameter at that
        // position holds the uniforms its launcher filled. Followed in the type's syntax: the kernel handed over as a method
        // group, the delegate it is stored in, the launch's argument, and a call named for uniforms on the same buffer
        // before it.
        private static bool IsFedUniformsByLauncher(IParameterSymbol parameter, IMethodSymbol kernel)
        {
            foreach (SyntaxReference reference in kernel.ContainingType.DeclaringSyntaxReferences)
            {
                SyntaxNode type = reference.GetSyntax();
                var delegates = new HashSet<string>(StringComparer.Ordinal);
                foreach (IdentifierNameSyntax group in type.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (group.Identifier.ValueText == kernel.Name && group.Parent is ArgumentSyntax
                        && group.FirstAncestorOrSelf<AssignmentExpressionSyntax>() is { } assignment
                        && LastName(assignment.Left) is { } stored)
                    {
                        delegates.Add(stored);
                    }
                }

                if (delegates.Count == 0)
                {
                    continue;
                }

                foreach (InvocationExpressionSyntax launch in type.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (LastName(launch.Expression) is not { } launched || !delegates.Contains(launched)
                        || launch.ArgumentList.Arguments.Count <= parameter.Ordinal
                        || launch.FirstAncestorOrSelf<MemberDeclarationSyntax>() is not { } launcher)
                    {
                        continue;
                    }

                    string passed = launch.ArgumentList.Arguments[parameter.Ordinal].Expression.ToString();
                    if (launcher.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(fill =>
                            fill.SpanStart < launch.SpanStart
                            && LastName(fill.Expression) is { } fillName && fillName.IndexOf("Uniform", StringComparison.OrdinalIgnoreCase) >= 0
                            && fill.ArgumentList.Arguments.Any(argument => argument.Expression.ToString() == passed)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string? LastName(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => null,
        };

        private static ISymbol? BufferOf(IOperation target) => target switch
        {
            IArrayElementReferenceOperation element => HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference),
            IPropertyReferenceOperation { Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
            _ => null,
        };

        private static bool IsUniformCall(IInvocationOperation invocation) =>
            HandWrittenDropoutSite.IsFloatingPoint(invocation.TargetMethod.ReturnType)
            && (((invocation.Arguments.Length == 0 || OnlyGeneratorArguments(invocation))
                    && (IsUniformDrawName(invocation.TargetMethod.Name)
                        || (invocation.TargetMethod.Name == "Sample" && invocation.Instance?.Type?.Name.IndexOf("Uniform", StringComparison.Ordinal) >= 0)))
                || IsUnitUniformSample(invocation)
                || IsUnitRangeHelperCall(invocation));

        // `ContinuousUniform.Sample(rng, 0, 1)`, `uniform.Sample(0.0, 1.0)`: a uniform distribution's sample on [0, 1) given its
        // bounds; so is a uniform draw's name given those bounds (`GRandom.Uniform(0, 1)`, `NextDouble(0, 1)`).
        private static bool IsUnitUniformSample(IInvocationOperation invocation)
        {
            if (!IsUniformDrawName(invocation.TargetMethod.Name)
                && (invocation.TargetMethod.Name is not ("Sample" or "Next" or "NextDouble")
                    || (invocation.TargetMethod.ContainingType.Name.IndexOf("Uniform", StringComparison.Ordinal) < 0 && invocation.Instance?.Type?.Name.IndexOf("Uniform", StringComparison.Ordinal) is null or < 0)))
            {
                return false;
            }

            var bounds = invocation.Arguments.Where(argument => argument.Value.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32).ToList();
            return bounds.Count == 2 && HandWrittenDropoutSite.IsZero(bounds[0].Value) && HandWrittenDropoutSite.IsOne(bounds[1].Value);
        }

        // Bernoulli(p), Binomial(1, p), new Bernoulli(p).Sample(), Bernoulli.Sample(rng, p), or a helper of this file that returns `u < p`.
        private bool TryBernoulli(IInvocationOperation invocation, out IOperation probability, out bool trueWithProbability, out IInvocationOperation? call)
        {
            probability = invocation;
            trueWithProbability = true;
            call = null;
            IMethodSymbol method = invocation.TargetMethod;
            bool returnsDecision = method.ReturnType.SpecialType is SpecialType.System_Boolean or SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double;
            if (!returnsDecision)
            {
                return false;
            }

            if (method.Name == "Sample" && method.ContainingType.Name == "Bernoulli" && invocation.Arguments.Length > 0)
            {
                probability = HandWrittenDropoutSite.StripConversions(invocation.Arguments[invocation.Arguments.Length - 1].Value);
                return HandWrittenDropoutSite.IsFloatingPoint(probability.Type);
            }

            if (method.Name == "Sample" && invocation.Arguments.Length == 0 && invocation.Instance is { Type.Name: "Bernoulli" } instance)
            {
                IOperation source = HandWrittenDropoutSite.StripConversions(instance);
                if (HandWrittenDropoutSite.ReferencedSymbol(source) is { } variable
                    && model.SingleValueOf(variable, source, semanticModel, cancellationToken) is { } single)
                {
                    source = single;
                }

                if (source is IObjectCreationOperation { Arguments.Length: > 0 } creation)
                {
                    probability = HandWrittenDropoutSite.StripConversions(creation.Arguments[0].Value);
                    return true;
                }

                return false;
            }

            if (BernoulliNames.Contains(method.Name))
            {
                IArgumentOperation[] floating = invocation.Arguments.Where(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type)).ToArray();
                bool binomialOfOne = method.Name.IndexOf("Binomial", StringComparison.OrdinalIgnoreCase) < 0
                    || invocation.Arguments.Any(argument => argument.Value.ConstantValue is { HasValue: true, Value: int trials } && trials == 1);
                if (floating.Length == 1 && binomialOfOne)
                {
                    probability = HandWrittenDropoutSite.StripConversions(floating[0].Value);
                    return true;
                }

                return false;
            }

            if (model.SummaryOf(method, semanticModel, cancellationToken, 1) is { BernoulliParameter: >= 0 } summary
                && invocation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == summary.BernoulliParameter) is { } bernoulliArgument)
            {
                probability = HandWrittenDropoutSite.StripConversions(bernoulliArgument.Value);
                trueWithProbability = summary.BernoulliTrueWithParameter;
                call = summary.UniformCall;
                return true;
            }

            return false;
        }
    }

    /// <summary>What a helper method of this file does with randomness.</summary>
    private sealed class HelperSummary
    {
        public static HelperSummary None { get; } = new();

        /// <summary>The method returns a uniform draw (<c>static double Uniform() =&gt; Rng.NextDouble();</c>).</summary>
        public bool IsUniform { get; private set; }

        /// <summary>The generator call inside the helper, for rule 11.</summary>
        public IInvocationOperation? UniformCall { get; private set; }

        /// <summary>The parameter the helper compares a draw with (<c>static bool Bernoulli(double p) =&gt; rng.NextDouble() &lt; p;</c>), or -1.</summary>
        public int BernoulliParameter { get; private set; } = -1;

        public bool BernoulliTrueWithParameter { get; private set; }

        /// <summary>For a helper that builds a 0/1 mask (returned, or written into a parameter): the parameter holding its probability, or -1.</summary>
        public int MaskProbabilityParameter { get; private set; } = -1;

        /// <summary>For a mask helper: the parameter it fills, or -1 when it returns the mask.</summary>
        public int MaskParameter { get; private set; } = -1;

        /// <summary>For a mask helper: whether an entry is kept with <c>1 - probability</c>.</summary>
        public bool MaskKeepIsComplement { get; private set; }

        public static HelperSummary Create(HandWrittenDropoutModel model, IMethodSymbol method, SemanticModel semanticModel, CancellationToken cancellationToken, int depth)
        {
            if (method.DeclaringSyntaxReferences.Length != 1
                || SemanticModelFor(semanticModel, method.DeclaringSyntaxReferences[0].SyntaxTree, method, cancellationToken) is not { } methodModel
                || methodModel.GetOperation(method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken) is not { } body)
            {
                return None;
            }

            semanticModel = methodModel;

            // A mask helper: one site in the body, a 0/1 mask that leaves the method, its probability a parameter.
            if (depth <= 1 && model.OwnSitesIn(method, body, semanticModel, cancellationToken) is { Length: 1 } sites
                && sites[0] is { EscapesToCaller: true, Probability: IParameterReferenceOperation { Parameter: var probabilityParameter } } maskSite
                && SymbolEqualityComparer.Default.Equals(probabilityParameter.ContainingSymbol, method))
            {
                return new HelperSummary
                {
                    MaskProbabilityParameter = probabilityParameter.Ordinal,
                    MaskParameter = maskSite.MaskSymbol is IParameterSymbol maskParameter ? maskParameter.Ordinal : -1,
                    MaskKeepIsComplement = maskSite.KeepProbabilityIsComplement,
                    UniformCall = maskSite.DrawCall,
                };
            }

            var returned = body.Descendants().OfType<IReturnOperation>().Where(operation => operation.ReturnedValue is not null).Select(operation => operation.ReturnedValue!).ToList();
            if (returned.Count == 0)
            {
                return None;
            }

            var finder = new SiteFinder(model, semanticModel, cancellationToken);
            var summary = new HelperSummary();
            if (HandWrittenDropoutSite.IsFloatingPoint(method.ReturnType) && returned.All(value => finder.TryRandomValue(value, depth, out _)))
            {
                finder.TryRandomValue(returned[0], depth, out RandomValue value);
                summary.IsUniform = true;
                summary.UniformCall = value.Call;
                return summary;
            }

            if (returned.Count == 1 && HandWrittenDropoutSite.StripConversions(returned[0]) is IBinaryOperation comparison
                && comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual)
            {
                bool drawOnLeft = finder.TryRandomValue(comparison.LeftOperand, depth, out RandomValue draw);
                if (!drawOnLeft && !finder.TryRandomValue(comparison.RightOperand, depth, out draw))
                {
                    return None;
                }

                if (draw.Bound is null && HandWrittenDropoutSite.StripConversions(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand) is IParameterReferenceOperation parameter)
                {
                    summary.BernoulliParameter = parameter.Parameter.Ordinal;
                    summary.BernoulliTrueWithParameter = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual ? drawOnLeft : !drawOnLeft;
                    summary.UniformCall = draw.Call;
                    return summary;
                }
            }

            return None;
        }
    }
}
