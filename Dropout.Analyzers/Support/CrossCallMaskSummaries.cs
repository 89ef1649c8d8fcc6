using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Follows hand-written dropout whose mask is made by a call the per-file model cannot read: a fill method behind an
/// interface (<c>backend.FillKeepMask(mask, 1 - rate)</c>), a sampler on a tensor class of another file
/// (<c>input.Mul(source.SampleMask())</c> after <c>source.Fill(1 - rate)</c>), applied by an element-wise product written as
/// a call (<c>x.Mul(mask)</c>, <c>backend.Multiply(x, mask)</c>, <c>Where(mask, x, 0)</c>) or a user operator
/// (<c>x * mask</c> on a tensor type). A type that applies such a mask and no factor of any kind is reported for the
/// missing 1/p (DRP004) once the producer is known to make a 0/1 mask.
/// </summary>
/// <remarks>
/// Producers are summarized from their own bodies while their own files are analyzed
/// (<see cref="HandWrittenDropoutModel.MaskProducerOf"/>), callers by symbols only, and a compilation-end action joins
/// them: an interface or virtual callee counts only when every implementation with a body in the compilation is
/// summarized and all agree. The caller's side is deliberately blunt: any division, any call named for dividing or
/// scaling, and any product with a non-constant scalar anywhere in the type make it silent, since such a factor could be
/// the scale or the inference factor.
/// </remarks>
internal static partial class CrossCallMaskSummaries
{
    private static readonly ConditionalWeakTable<SyntaxTree, DropWords> Trees = new();

    // Any case: ports of Lua and Python libraries keep their lower-case names (Torch's `cmul`).
    private static readonly ImmutableHashSet<string> ElementwiseProductNames = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Mul", "Multiply", "PointwiseMultiply", "ElementwiseMultiply", "MultiplyElementwise", "ElementMul", "MulElementwise", "Hadamard", "HadamardProduct", "CMul");

    /// <summary>Registers the summaries and the join that reports DRP004 for a mask made by a call and applied without a scale.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerType(
            context,
            () => new Summaries(),
            Admit,
            (compilation, cancellationToken) => HandWrittenDropoutModel.AnyTypeMayDraw(compilation, cancellationToken) || MayHoldTensorDropout(compilation, cancellationToken));

    // A type is summarized as a producer when it may draw or declares a fill, as an applier when its text names dropping.
    private static TypeSummarizer? Admit(Summaries summaries, INamedTypeSymbol type, SymbolStartAnalysisContext context)
    {
        bool produces = HandWrittenDropoutModel.MayDraw(type, context.CancellationToken)
            || type.MemberNames.Any(name => name.StartsWith("Fill", StringComparison.Ordinal));
        bool applies = type.DeclaringSyntaxReferences.Any(reference => Trees.GetValue(reference.SyntaxTree, DropWords.Create).AnyIn(reference.Span));
        bool namesRandomness = type.DeclaringSyntaxReferences.Any(reference => HandWrittenDropoutModel.NamesRandomness(reference.SyntaxTree, reference.Span));
        if (!produces && !applies && !namesRandomness)
        {
            return null;
        }

        return new TypeSummarizer(
            (root, block) => summaries.AddProducerOf(root, block, produces, namesRandomness),
            applies ? (roots, _) => summaries.AddApplications(type, roots) : null);
    }

    // Identifiers with "drop" in one tree (`DropoutLayer`, `_dropRate`), found by one text search confirmed on the token.
    private sealed class DropWords
    {
        private readonly List<int> _positions = [];

        public static DropWords Create(SyntaxTree tree)
        {
            var words = new DropWords();
            string text = tree.GetText().ToString();
            SyntaxNode? root = null;
            for (int at = text.IndexOf("drop", StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf("drop", at + 4, StringComparison.OrdinalIgnoreCase))
            {
                root ??= tree.GetRoot();
                if (root.FindToken(at).IsKind(SyntaxKind.IdentifierToken))
                {
                    words._positions.Add(at);
                }
            }

            return words;
        }

        public bool AnyIn(Microsoft.CodeAnalysis.Text.TextSpan span) => _positions.Any(span.Contains);

        public bool Any => _positions.Count > 0;
    }

    /// <summary>Where a mask comes from, as the caller sees it.</summary>
    private sealed class MaskSource(IMethodSymbol callee, bool throughDeclarationElsewhere, ImmutableArray<IOperation?> arguments, ImmutableArray<MaskSource> receiverCalls, int maskArgument, IOperation? threshold = null, bool keptAbove = false)
    {
        /// <summary>
        /// For a random tensor thresholded by a comparison (<c>Tensor.Rand(shape).GreaterThan(p)</c>): the probability it is
        /// compared with; <see cref="Callee"/> is then the method that returns the random tensor.
        /// </summary>
        public IOperation? Threshold { get; } = threshold;

        /// <summary>For <see cref="Threshold"/>: whether the mask is 1 where the uniform is above the probability (so it keeps with one minus it).</summary>
        public bool KeptAbove { get; } = keptAbove;

        /// <summary>Where the mask is drawn: the threshold or the producer's call, when the caller makes it; null for a fill found elsewhere in the type.</summary>
        public IOperation? Draw { get; set; }

        /// <summary>For a library's array of 0/1 Bernoulli values (<c>np.random.binomial(1, keep, shape)</c>): <see cref="Threshold"/> is the keep probability.</summary>
        public bool IsLibraryBernoulli { get; set; }

        public IMethodSymbol Callee { get; } = callee;

        public bool Virtual { get; } = throughDeclarationElsewhere;

        /// <summary>The call's arguments by parameter ordinal.</summary>
        public ImmutableArray<IOperation?> Arguments { get; } = arguments;

        /// <summary>For a sampler on a receiver: the other calls on that receiver in the type, one of which may fill it (<c>source.Fill(1 - rate)</c>).</summary>
        public ImmutableArray<MaskSource> ReceiverCalls { get; } = receiverCalls;

        /// <summary>For a fill: the ordinal of the argument that is the mask.</summary>
        public int MaskArgument { get; } = maskArgument;

        /// <summary>
        /// For a call on the mask itself (<c>noise.Bernoulli(1 - p)</c> before <c>output.CMul(noise)</c>): the call counts only
        /// when it resolves to a fill of its receiver with a 0/1 draw (<see cref="MaskProducerKind.FillsReceiverWithMask"/>).
        /// </summary>
        public bool FillsReceiver { get; set; }
    }

    private sealed class Application(MaskSource source, Location location, SyntaxTree tree, bool scaled, string? everyCallForward)
    {
        /// <summary>Whether the applying type has any factor that could be the scale or an inference factor (then DRP004 is not reported).</summary>
        public bool Scaled { get; } = scaled;

        /// <summary>The layer forward (<c>Type.Method</c>) that draws and applies this mask on every call with nothing that could switch it off (DRP014), or null.</summary>
        public string? EveryCallForward { get; } = everyCallForward;

        /// <summary>The applying type, for DRP014's look at the rest of the compilation.</summary>
        public INamedTypeSymbol? Type { get; set; }

        public MaskSource Source { get; } = source;

        public Location Location { get; } = location;

        public SyntaxTree Tree { get; } = tree;
    }

    private sealed partial class Summaries : ICompilationEndJoin
    {
        // A method, and every interface member or base method it implements, → its producer summaries.
        private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentBag<(IMethodSymbol Method, MaskProducer Producer)>> _producers = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentBag<Application> _applications = [];

        /// <summary>Adds what a member body produces, when it is a mask producer the join can follow.</summary>
        public void AddProducerOf(IOperation root, OperationBlockAnalysisContext block, bool produces, bool namesRandomness)
        {
            if (block.OwningSymbol is not IMethodSymbol method || root is not (IBlockOperation or IMethodBodyOperation) || root.SemanticModel is not { } semanticModel)
            {
                return;
            }

            HandWrittenDropoutModel model = HandWrittenDropoutModel.For(block.Compilation);
            MaskProducer? producer = produces ? model.MaskProducerOf(method, root, semanticModel, block.CancellationToken) : null;
            producer ??= namesRandomness && model.ReturnsUniforms(method, root, semanticModel, block.CancellationToken)
                ? new MaskProducer(MaskProducerKind.ReturnsUniforms, -1, -1, false, null)
                : null;
            producer ??= HandWrittenDropoutModel.ReturnsThroughCallOf(method, root);
            producer ??= produces ? HandWrittenDropoutModel.GeneratorBitsFillOf(method, root) ?? HandWrittenDropoutModel.ForwarderOf(method, root) : null;
            if (producer is not null)
            {
                AddProducer(method, producer);
            }
        }

        private void AddProducer(IMethodSymbol method, MaskProducer producer)
        {
            method = method.OriginalDefinition;
            foreach (IMethodSymbol key in DeclarationsOf(method))
            {
                _producers.GetOrAdd(key, _ => []).Add((method, producer));
            }
        }

        public void AddApplications(INamedTypeSymbol type, IEnumerable<IOperation> roots)
        {
            IOperation[] all = roots.ToArray();
            var found = new List<(IOperation Product, MaskSource Source)>();
            var index = new SourceIndex(all);
            foreach (IOperation root in all)
            {
                foreach (IOperation operation in root.Descendants())
                {
                    if (MaskOperands(operation) is not { } operands)
                    {
                        continue;
                    }

                    // Every operand made by a call is a candidate (`handler.Multiply(inputs, mask)`: `inputs` may be a call's
                    // value too); the join keeps the ones whose producer makes a mask, one diagnostic per product.
                    foreach (IOperation operand in operands)
                    {
                        // A tensor filled in place is a mask only where it multiplies another tensor: `output.Mul(1 - p)` scales.
                        if (SourceOf(operand, index, 0) is { } source && SpeaksOfDropout(type, root, operand)
                            && !(source.FillsReceiver && operands.Any(other => IsScalar(other))))
                        {
                            found.Add((operation, source));
                        }
                    }
                }
            }

            if (found.Count == 0)
            {
                return;
            }

            AddLibraryArrayFindings(all, index, found);

            // The products that apply the mask are no factor; any other factor in the type could be the scale.
            var products = new HashSet<IOperation>(found.Select(application => application.Product));
            bool scaled = all.Any(root => root.DescendantsAndSelf().Any(operation => !products.Contains(operation) && IsAnyFactor(operation)));
            // A mask filled in place by a call on it stands for each call that may be the fill; the join keeps the one that is.
            var candidates = new List<(IOperation Product, MaskSource Source)>();
            foreach ((IOperation Product, MaskSource Source) entry in found)
            {
                if (entry.Source.FillsReceiver)
                {
                    candidates.AddRange(entry.Source.ReceiverCalls.Select(candidate => (entry.Product, candidate)));
                }
                else
                {
                    candidates.Add(entry);
                }
            }

            foreach ((IOperation product, MaskSource source) in candidates)
            {
                if (IsReapplicationOfLibraryArrayMask(product, source, found))
                {
                    continue;
                }

                string? forward = EveryCallForward(type, product, source);
                if (scaled && forward is null)
                {
                    continue;
                }

                _applications.Add(new Application(source, product.Syntax.GetLocation(), product.Syntax.SyntaxTree, scaled, forward) { Type = type });
            }
        }

        public void Report(CompilationAnalysisContext context)
        {
            var reported = new HashSet<Location>();
            var reportedForwards = new HashSet<string>(StringComparer.Ordinal);
            foreach (Diagnostic diagnostic in _arrayDiagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }

            foreach (Application application in _applications)
            {
                MaskSource source = application.Source;
                string? keep;
                if (source.Threshold is not null)
                {
                    keep = source.IsLibraryBernoulli || IsUniformTensorCall(source, context.Compilation) ? ThresholdKeepText(source) : null;
                }
                else
                {
                    if (Resolve(source, context.Compilation) is not { } producer
                        || source.FillsReceiver != (producer.Kind == MaskProducerKind.FillsReceiverWithMask))
                    {
                        continue;
                    }

                    // A direct call of a fill or mask helper of the same file is the per-file model's (MaskFromHelper); so is a
                    // wrapper whose inner helpers are all in that file.
                    if (!source.Virtual && producer.Kind is MaskProducerKind.FillsParameter or MaskProducerKind.Returns
                        && source.Callee.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == application.Tree))
                    {
                        continue;
                    }

                    if (producer.Kind == MaskProducerKind.ReturnsThroughCall && ChainOf(source.Callee).All(method => method.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == application.Tree)))
                    {
                        continue;
                    }

                    keep = KeepText(source, producer, context.Compilation);
                }

                if (keep is null)
                {
                    continue;
                }

                if (!application.Scaled && reported.Add(application.Location))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingInvertedScalingAcrossCalls, application.Location, keep));
                }

                if (application.EveryCallForward is { } forward && application.Type is { } type && reportedForwards.Add(forward)
                    && !DropoutWithoutInferencePathAnalyzer.IsSkippedByTypeTest(type, context.Compilation, context.CancellationToken))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutWithoutInferencePathAcrossCalls, application.Location, forward));
                }
            }
        }

        // The wrapper and the methods it returns the mask of, innermost last.
        private IEnumerable<IMethodSymbol> ChainOf(IMethodSymbol method)
        {
            for (int depth = 0; depth < 4 && method is not null; depth++)
            {
                yield return method;
                if (!_producers.TryGetValue(method.OriginalDefinition, out ConcurrentBag<(IMethodSymbol Method, MaskProducer Producer)>? known)
                    || known.FirstOrDefault(entry => SymbolEqualityComparer.Default.Equals(entry.Method, method.OriginalDefinition)).Producer is not { Kind: MaskProducerKind.ReturnsThroughCall, Inner: { } inner })
                {
                    yield break;
                }

                method = inner;
            }
        }

        // `Tensor.Rand(shape)`: a method of the compilation summarized as returning uniforms, or a library's (no body in
        // view) named for them.
        private bool IsUniformTensorCall(MaskSource source, Compilation compilation)
        {
            if (source.Callee.DeclaringSyntaxReferences.Length == 0)
            {
                return UniformTensorNames.Contains(source.Callee.Name) || IsLibraryUniformArrayName(source.Callee);
            }

            return Resolve(new MaskSource(source.Callee, source.Virtual, ImmutableArray<IOperation?>.Empty, ImmutableArray<MaskSource>.Empty, -1), compilation) is { Kind: MaskProducerKind.ReturnsUniforms };
        }

        // The keep probability as source text, or null when the producers or the probability argument cannot be followed.
        private string? KeepText(MaskSource source, MaskProducer producer, Compilation compilation)
        {
            IOperation? probability;
            bool complement = producer.KeepIsComplement;
            if (producer.Kind == MaskProducerKind.ReturnsFromReceiverElements)
            {
                // Exactly one fill of the sampler's receiver gives the probabilities its elements hold.
                var fills = source.ReceiverCalls
                    .Select(call => (Call: call, Filler: Resolve(call, compilation)))
                    .Where(fill => fill.Filler is { Kind: MaskProducerKind.FillsReceiverElements } filler && SymbolEqualityComparer.Default.Equals(filler.Storage, producer.Storage)
                        && filler.ProbabilityParameter < fill.Call.Arguments.Length)
                    .ToList();
                if (fills.Count != 1)
                {
                    return null;
                }

                probability = fills[0].Call.Arguments[fills[0].Filler!.ProbabilityParameter];
            }
            else
            {
                if (producer.ProbabilityParameter < 0 || producer.ProbabilityParameter >= source.Arguments.Length
                    || (producer.Kind == MaskProducerKind.FillsParameter && producer.MaskParameter != source.MaskArgument))
                {
                    return null;
                }

                probability = source.Arguments[producer.ProbabilityParameter];
            }

            if (probability is null || !LooksLikeAProbability(probability))
            {
                return null;
            }

            string text = probability.Syntax.ToString();
            bool simple = probability is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILiteralOperation;
            return complement ? (simple ? "(1 - " + text + ")" : "(1 - (" + text + "))") : (simple ? text : "(" + text + ")");
        }

        // A wrapper that returns another producer's mask is that producer, kept with the wrapper's parameter handed to the
        // inner probability parameter (null when the wrapper does not hand one on).
        private MaskProducer? ResolveThrough(MaskProducer wrapper, int depth)
        {
            if (depth > 3 || wrapper.Inner is not { } inner
                || !_producers.TryGetValue(inner.OriginalDefinition, out ConcurrentBag<(IMethodSymbol Method, MaskProducer Producer)>? known))
            {
                return null;
            }

            MaskProducer? innerProducer = known.FirstOrDefault(entry => SymbolEqualityComparer.Default.Equals(entry.Method, inner.OriginalDefinition)).Producer;
            if (innerProducer is { Kind: MaskProducerKind.ReturnsThroughCall })
            {
                innerProducer = ResolveThrough(innerProducer, depth + 1);
            }

            if (innerProducer is not { Kind: MaskProducerKind.Returns or MaskProducerKind.ReturnsThroughCall, ProbabilityParameter: var probability }
                || probability < 0 || probability >= wrapper.InnerArguments.Length || wrapper.InnerArguments[probability] < 0)
            {
                return null;
            }

            return new MaskProducer(MaskProducerKind.ReturnsThroughCall, -1, wrapper.InnerArguments[probability], innerProducer.KeepIsComplement, null);
        }

        // The producer summary of a callee: its own, or, behind an interface or a virtual method, the one every
        // implementation with a body agrees on.
        private MaskProducer? Resolve(MaskSource source, Compilation compilation)
        {
            IMethodSymbol callee = source.Callee.OriginalDefinition;
            if (!_producers.TryGetValue(callee, out ConcurrentBag<(IMethodSymbol Method, MaskProducer Producer)>? known))
            {
                return null;
            }

            if (!source.Virtual)
            {
                MaskProducer? own = known.FirstOrDefault(entry => SymbolEqualityComparer.Default.Equals(entry.Method, callee)).Producer;
                return own is { Kind: MaskProducerKind.ReturnsThroughCall } ? ResolveThrough(own, 0) : own;
            }

            // Every implementation with a body must be summarized, and all the same; one that hands its arguments on to a
            // method of its name (a decorator, another backend) agrees with the others.
            MaskProducer? agreed = null;
            foreach (IMethodSymbol implementation in ImplementationsOf(callee, compilation))
            {
                MaskProducer? producer = known.FirstOrDefault(entry => SymbolEqualityComparer.Default.Equals(entry.Method, implementation)).Producer;
                if (producer is { Kind: MaskProducerKind.Forwards })
                {
                    continue;
                }

                if (producer is null || (agreed is not null && !agreed.AgreesWith(producer)))
                {
                    return null;
                }

                agreed = producer;
            }

            return agreed;
        }
    }

    // The method itself, the interface members it implements and the methods it overrides.
    private static IEnumerable<IMethodSymbol> DeclarationsOf(IMethodSymbol method)
    {
        yield return method;

        // An override runs for the interface members the method it overrides implements (`GpuHandler.Fill` overriding
        // `CpuHandler.Fill`, which implements `IHandler.Fill`): interface mapping names the base's method, not the override.
        if (method.OverriddenMethod is { } overridden)
        {
            foreach (IMethodSymbol declaration in DeclarationsOf(overridden.OriginalDefinition))
            {
                yield return declaration;
            }
        }

        foreach (IMethodSymbol explicitly in method.ExplicitInterfaceImplementations)
        {
            yield return explicitly.OriginalDefinition;
        }

        foreach (INamedTypeSymbol contract in method.ContainingType.AllInterfaces)
        {
            foreach (IMethodSymbol member in contract.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member)?.OriginalDefinition, method))
                {
                    yield return member.OriginalDefinition;
                }
            }
        }
    }

    // Methods with a body in the compilation's source that a call of `callee` can run.
    private static IEnumerable<IMethodSymbol> ImplementationsOf(IMethodSymbol callee, Compilation compilation)
    {
        foreach (IMethodSymbol candidate in compilation.GetSymbolsWithName(callee.Name, SymbolFilter.Member).OfType<IMethodSymbol>())
        {
            if (!candidate.IsAbstract && candidate.DeclaringSyntaxReferences.Length > 0
                && DeclarationsOf(candidate.OriginalDefinition).Any(declaration => SymbolEqualityComparer.Default.Equals(declaration, callee)))
            {
                yield return candidate.OriginalDefinition;
            }
        }
    }

    private static bool IsVirtualCall(IInvocationOperation invocation) =>
        invocation.TargetMethod is { IsAbstract: true } or { IsVirtual: true } or { IsOverride: true }
        || invocation.TargetMethod.ContainingType.TypeKind == TypeKind.Interface;

    // The operands of an element-wise product that may be a mask: `x.Mul(m)`, `ops.Multiply(x, m)`, `x * m` with a user
    // operator on a tensor type, `x[i] * m[i]`, `Where(m, x, 0)`.
    private static IEnumerable<IOperation>? MaskOperands(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation { TargetMethod.Name: "Where", Arguments.Length: 3 } where
                when where.Arguments.Any(argument => argument.Parameter?.Ordinal == 2 && HandWrittenDropoutSite.IsZero(argument.Value)):
                return where.Arguments.Where(argument => argument.Parameter?.Ordinal == 0).Select(argument => argument.Value);
            case IInvocationOperation invocation when ElementwiseProductNames.Contains(invocation.TargetMethod.Name)
                || (invocation.TargetMethod.DeclaringSyntaxReferences.Length == 0 && invocation.TargetMethod.Name is "multiply" or "mul"):
                var operands = invocation.Arguments.Select(argument => argument.Value).ToList();
                if (invocation.Instance is { } instance)
                {
                    operands.Add(instance);
                }

                return operands.Count >= 2 ? operands : null;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product
                when product.OperatorMethod is not null || HandWrittenDropoutSite.IsFloatingPoint(product.Type):
                return [Element(product.LeftOperand), Element(product.RightOperand)];
            default:
                return null;
        }
    }

    private static IOperation Element(IOperation operand)
    {
        operand = HandWrittenDropoutSite.StripConversions(operand);
        return operand is IArrayElementReferenceOperation element ? element.ArrayReference : operand;
    }

    // The void calls of the type that take `symbol` as an argument (a fill of it) or as their receiver (`source.Fill(v)`).
    private static IEnumerable<MaskSource> FillsOf(ISymbol symbol, IEnumerable<IInvocationOperation> invocations)
    {
        {
            foreach (IInvocationOperation invocation in invocations)
            {
                if (invocation.TargetMethod.DeclaringSyntaxReferences.Length == 0)
                {
                    continue;
                }

                if (invocation.Instance is { } receiver && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(receiver), symbol))
                {
                    yield return new MaskSource(invocation.TargetMethod, IsVirtualCall(invocation), ArgumentsOf(invocation), ImmutableArray<MaskSource>.Empty, -1) { Draw = invocation };
                    continue;
                }

                if (!invocation.TargetMethod.ReturnsVoid)
                {
                    continue;
                }

                IArgumentOperation? filled = invocation.Arguments.FirstOrDefault(argument =>
                    SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(argument.Value), symbol));
                if (filled?.Parameter is { } parameter)
                {
                    yield return new MaskSource(invocation.TargetMethod, IsVirtualCall(invocation), ArgumentsOf(invocation), ImmutableArray<MaskSource>.Empty, parameter.Ordinal) { Draw = invocation };
                }
            }
        }
    }

    private static ImmutableArray<IOperation?> ArgumentsOf(IInvocationOperation invocation)
    {
        var arguments = new IOperation?[invocation.TargetMethod.Parameters.Length];
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { Ordinal: var ordinal } && ordinal < arguments.Length && argument.ArgumentKind == ArgumentKind.Explicit)
            {
                arguments[ordinal] = HandWrittenDropoutSite.StripConversions(argument.Value);
            }
        }

        return arguments.ToImmutableArray();
    }

    // Dropout by its names: the type, the method or the mask says drop.
    private static bool SpeaksOfDropout(INamedTypeSymbol type, IOperation root, IOperation operand) =>
        Says(type.Name) || (root.SemanticModel?.GetEnclosingSymbol(root.Syntax.SpanStart) is { } owner && Says(owner.Name))
        || (HandWrittenDropoutSite.ReferencedSymbol(operand) is { } mask && Says(mask.Name))
        || (MaskUnderCastOrScalar(HandWrittenDropoutSite.StripConversions(operand)) is { } underneath && HandWrittenDropoutSite.ReferencedSymbol(underneath) is { } scaledMask && Says(scaledMask.Name));

    private static bool Says(string name) => name.IndexOf("drop", StringComparison.OrdinalIgnoreCase) >= 0;

    // A probability argument: a literal in (0, 1), a symbol, or one minus one.
    private static bool LooksLikeAProbability(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        if (operation.ConstantValue.HasValue)
        {
            return ProbabilityScaling.ToDouble(operation.ConstantValue.Value) is { } number && number > 0 && number < 1;
        }

        return operation is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or IInvocationOperation
            || (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } complement && HandWrittenDropoutSite.IsOne(complement.LeftOperand));
    }

    // Any factor that could be a dropout scale or an inference factor: a division, a call named for dividing or scaling,
    // or a product with a scalar that is not a constant.
    private static bool IsAnyFactor(IOperation operation) => operation switch
    {
        IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } => true,
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Divide } => true,
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound => IsScalar(compound.Value),
        // Any case: ports keep the source library's lower-case names (Torch's `div`, `cdiv`).
        IInvocationOperation invocation => invocation.TargetMethod.Name.IndexOf("Div", StringComparison.OrdinalIgnoreCase) >= 0
            || invocation.TargetMethod.Name.IndexOf("Scale", StringComparison.OrdinalIgnoreCase) >= 0
            || (ElementwiseProductNames.Contains(invocation.TargetMethod.Name) && invocation.Arguments.Any(argument => IsScalar(argument.Value))),
        IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product => IsScalar(product.LeftOperand) || IsScalar(product.RightOperand),
        _ => false,
    };

    // A scalar converted to an array type by the type's own implicit conversion (`x * (1.0 - rate)` with NDArray's
    // `operator *(NDArray, NDArray)`) is still a scalar factor.
    private static bool IsScalar(IOperation operand) =>
        HandWrittenDropoutSite.IsNumeric(HandWrittenDropoutSite.StripConversions(operand).Type) && !operand.ConstantValue.HasValue
        && HandWrittenDropoutSite.StripConversions(operand) is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true });
}
