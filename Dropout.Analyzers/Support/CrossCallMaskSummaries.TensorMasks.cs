using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Dropout written as calls on a tensor type of the user's own library: where the mask of an element-wise product comes
/// from (a thresholded random tensor, a producer's call held in a local or seen through a view), and whether the forward
/// that draws and applies it runs on every call (DRP014).
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    // Library methods (no body in view) that return a tensor of uniforms in [0, 1); a method of the compilation must
    // show it in its body instead (HandWrittenDropoutModel.ReturnsUniforms).
    private static readonly ImmutableHashSet<string> UniformTensorNames = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "Rand", "RandU", "RandUniform", "Uniform", "RandomUniform", "UniformRandom", "RandLike", "RandomUniformLike", "Random", "RandomTensor");

    // Comparison calls on tensors (any case: NumSharp and numpy ports spell them `greater`), and whether each is 1 where its first operand (the receiver) is above the second.
    // A plain dictionary, only read: an ImmutableDictionary<string, bool> here cost every build the compiling of that
    // instantiation's code (forty-odd methods) in this type's static initializer, which the compilation-start gate runs.
    private static readonly Dictionary<string, bool> ComparisonAbove = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GreaterThan"] = true, ["Greater"] = true, ["Gt"] = true, ["GreaterThanOrEqual"] = true, ["GreaterEqual"] = true, ["GreaterOrEqual"] = true, ["Ge"] = true,
        ["LessThan"] = false, ["Less"] = false, ["Lt"] = false, ["LessThanOrEqual"] = false, ["LessEqual"] = false, ["LessOrEqual"] = false, ["Le"] = false,
    };

    private const int MaxSourceDepth = 4;

    /// <summary>
    /// What <see cref="SourceOf"/> asks of the applying type's bodies, computed once per type: the one value of each local
    /// (its initializer, when nothing else writes it) and the calls of the type, with their fills cached per symbol, so a
    /// type with many products pays one walk rather than one per operand.
    /// </summary>
    private sealed class SourceIndex(IOperation[] roots)
    {
        /// <summary>The type's bodies the index reads.</summary>
        public IOperation[] Roots => roots;

        private readonly Dictionary<ISymbol, MaskSource[]> _fills = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<ISymbol, List<IOperation>> _assigned = new(SymbolEqualityComparer.Default);
        private Dictionary<ILocalSymbol, IOperation?>? _values;
        private List<IInvocationOperation>? _invocations;

        public IOperation? SingleValueOf(ILocalSymbol local)
        {
            if (_values is null)
            {
                _values = new Dictionary<ILocalSymbol, IOperation?>(SymbolEqualityComparer.Default);
                foreach (IOperation operation in roots.SelectMany(root => root.Descendants()))
                {
                    switch (operation)
                    {
                        case IVariableDeclaratorOperation declarator:
                            IOperation? initial = declarator.GetVariableInitializer()?.Value is { } value ? HandWrittenDropoutSite.StripConversions(value) : null;
                            _values[declarator.Symbol] = _values.ContainsKey(declarator.Symbol) ? null : initial;
                            break;
                        case IAssignmentOperation { Target: ILocalReferenceOperation { Local: var written } }:
                            _values[written] = null;
                            break;
                        case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: ILocalReferenceOperation { Local: var passed } }:
                            _values[passed] = null;
                            break;
                    }
                }
            }

            return _values.TryGetValue(local, out IOperation? found) ? found : null;
        }

        /// <summary>
        /// The one non-null value the type's bodies assign to a field, property or local (initializers included), or null.
        /// A rebinding to its own value under a cast or a scalar factor (<c>this.mask = this.mask.astype(double) / p</c>)
        /// keeps what it holds, so it is not another value.
        /// </summary>
        public IOperation? SingleAssignedValueOf(ISymbol member) =>
            AssignedValuesOf(member).Where(value => !IsRebindingOf(value, member)).ToList() is { Count: 1 } found
                && found[0] is IInvocationOperation or IBinaryOperation { OperatorMethod: not null } ? found[0] : null;

        /// <summary>The non-null values the type's bodies assign to a field, property or local (initializers included).</summary>
        public List<IOperation> AssignedValuesOf(ISymbol member)
        {
            if (_assigned.TryGetValue(member, out List<IOperation>? known))
            {
                return known;
            }

            var found = new List<IOperation>();
            _assigned[member] = found;
            foreach (IOperation operation in roots.SelectMany(root => root.Descendants()))
            {
                IOperation? assigned = operation switch
                {
                    ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation } assignment
                        when SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), member) => assignment.Value,
                    IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, member) => declarator.GetVariableInitializer()?.Value,
                    _ => null,
                };
                if (assigned is not null)
                {
                    IOperation value = HandWrittenDropoutSite.StripConversions(assigned);
                    if (!(value.ConstantValue is { HasValue: true, Value: null } || value is IDefaultValueOperation))
                    {
                        found.Add(value);
                    }
                }
            }

            return found;
        }

        public MaskSource[] FillsOf(ISymbol symbol)
        {
            _invocations ??= roots.SelectMany(root => root.Descendants()).OfType<IInvocationOperation>().ToList();
            if (!_fills.TryGetValue(symbol, out MaskSource[]? fills))
            {
                fills = CrossCallMaskSummaries.FillsOf(symbol, _invocations).ToArray();
                _fills[symbol] = fills;
            }

            return fills;
        }
    }

    // A tensor library's dropout may live in a compilation where no type compares a draw (the draw is `Sample01(shape)`,
    // the comparison a call or a user operator, or the bits of a hand-written generator behind an interface): such a
    // compilation is read when a file names dropout and a file holds one of those shapes as text (a comparison call, a
    // comparison operator's declaration, or `^` beside a shift). Anything else (a sample's dropout layers that draw
    // nothing by hand) registers nothing, as before: reading every type's operations would charge this analyzer with
    // building the operation trees of the whole compilation.
    private static readonly ConditionalWeakTable<SyntaxTree, object> TensorShapeTrees = new();
    private static readonly object HoldsTensorShape = new();
    private static readonly object HoldsNoTensorShape = new();

    private static readonly string[] TensorShapeTexts =
        ComparisonAbove.Keys.Select(name => name + "(").Concat(["operator <", "operator >", "operator<", "operator>"]).ToArray();

    private static bool MayHoldTensorDropout(Compilation compilation, CancellationToken cancellationToken) =>
        compilation.SyntaxTrees.Any(tree => Trees.GetValue(tree, DropWords.Create).Any)
        && compilation.SyntaxTrees.Any(tree => TensorShapeTrees.GetValue(tree, t => HasTensorShapeText(t, cancellationToken) ? HoldsTensorShape : HoldsNoTensorShape) == HoldsTensorShape);

    private static bool HasTensorShapeText(SyntaxTree tree, CancellationToken cancellationToken)
    {
        string text = tree.GetText(cancellationToken).ToString();
        return TensorShapeTexts.Any(shape => ContainsName(text, shape))
            || (text.IndexOf('^') >= 0 && (text.IndexOf("<<", StringComparison.Ordinal) >= 0 || text.IndexOf(">>", StringComparison.Ordinal) >= 0));
    }

    // The shape as a name of its own: `mask.GreaterThan(` or `Gt(`, not the end of another name. A substring match opened
    // the gate on `ArgumentOutOfRangeException.ThrowIfLessThan(` (the sample has it, and so does most modern .NET code),
    // which made the timing compilation pay for the tensor join (16 % → 26 % of analyzer time).
    private static bool ContainsName(string text, string shape)
    {
        for (int at = text.IndexOf(shape, StringComparison.Ordinal); at >= 0; at = text.IndexOf(shape, at + 1, StringComparison.Ordinal))
        {
            if (at == 0 || !DropoutWithoutInferencePathAnalyzer.IsIdentifierCharacter(text[at - 1]))
            {
                return true;
            }
        }

        return false;
    }

    // A mask operand made by calls: a random tensor thresholded by a comparison (`Tensor.Rand(shape).GreaterThan(p)`, a
    // user `>`), a producer's call (`source.SampleMask()`), a view of one (`noise.Expand(sizes)`), a local or field that a
    // call fills (`backend.FillKeepMask(mask, keep)` in the type), or a local holding one of these.
    private static MaskSource? SourceOf(IOperation operand, SourceIndex index, int depth)
    {
        operand = HandWrittenDropoutSite.StripConversions(operand);
        if (depth > MaxSourceDepth)
        {
            return null;
        }

        if (ThresholdOf(operand, index, depth) is { } threshold)
        {
            return threshold;
        }

        if (LibraryBernoulliArrayOf(operand) is { } bernoulli)
        {
            return bernoulli;
        }

        if (MaskUnderCastOrScalar(operand) is { } underneath)
        {
            return SourceOf(underneath, index, depth + 1);
        }

        // A receiver filled in place is not followed through a view: a sampler that takes nothing (`source.SampleMask()`)
        // has a view's signature, and its own summary decides.
        if (operand is IInvocationOperation { Instance: { } viewed } view && IsView(view) && SourceOf(viewed, index, depth + 1) is { FillsReceiver: false } throughView)
        {
            return throughView;
        }

        if (operand is IInvocationOperation call && call.TargetMethod.DeclaringSyntaxReferences.Length > 0)
        {
            ImmutableArray<MaskSource> receiverCalls = call.Instance is { } receiver && HandWrittenDropoutSite.ReferencedSymbol(receiver) is { } receiverSymbol
                ? index.FillsOf(receiverSymbol).Where(fill => fill.MaskArgument < 0 && !SymbolEqualityComparer.Default.Equals(fill.Callee, call.TargetMethod)).ToImmutableArray()
                : ImmutableArray<MaskSource>.Empty;
            return new MaskSource(call.TargetMethod, IsVirtualCall(call), ArgumentsOf(call), receiverCalls, -1) { Draw = call };
        }

        if (operand is ILocalReferenceOperation or IFieldReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(operand) is { } mask)
        {
            MaskSource[] fills = index.FillsOf(mask).Where(fill => fill.MaskArgument >= 0).ToArray();
            if (fills.Length == 1)
            {
                return fills[0];
            }

            // `this.mask = np.random.rand(x.shape) > rate;`: a field of the type given one array value (besides null), followed
            // only to a library's whole-array draw (a field holding another call's value is a receiver, seen through views).
            if (fills.Length == 0 && mask is IFieldSymbol or IPropertySymbol && index.SingleAssignedValueOf(mask) is { } assigned
                && SourceOf(assigned, index, depth + 1) is { Threshold: not null } stored && (stored.IsLibraryBernoulli || IsLibraryUniformArrayName(stored.Callee)))
            {
                return stored;
            }

            // `this.noise = Rand.Bernoulli(1 - p); output.Mul(this.noise);`: a number field given one value, a call of the
            // compilation, is followed to that call (its summary says whether it returns a 0/1 draw).
            if (fills.Length == 0 && mask is IFieldSymbol { Type: var numberType } && HandWrittenDropoutSite.IsNumeric(numberType)
                && index.AssignedValuesOf(mask) is { Count: 1 } numbers && numbers[0] is IInvocationOperation { TargetMethod.DeclaringSyntaxReferences.Length: > 0 } numberCall)
            {
                return SourceOf(numberCall, index, depth + 1);
            }

            if (fills.Length == 0 && InPlaceThresholdOf(mask, index) is { } inPlace)
            {
                return inPlace;
            }

            // `noise.Bernoulli(1 - p); output.CMul(noise);`: a call on the mask that takes a probability may fill it in place;
            // which call does is known at the join (FillsReceiver), so the one call of that shape in the type stands for it.
            if (fills.Length == 0 && ReceiverFillOf(mask, index) is { } receiverFill)
            {
                return receiverFill;
            }

            // `var noise = MakeNoise(sizes, keep);`: a local given one value, a call or a comparison.
            // A scalar is no tensor mask, so only a local of another type is followed.
            if (fills.Length == 0 && mask is ILocalSymbol local && !HandWrittenDropoutSite.IsNumeric(local.Type)
                && index.SingleValueOf(local) is { } value && value is IInvocationOperation or IBinaryOperation { OperatorMethod: not null })
            {
                return SourceOf(value, index, depth + 1);
            }

            // `NDArray mask = null; if (train) { mask = (np.random.rand(x.shape) > p) / p; ... } else { mask = null; }`: a local
            // whose every value besides null is a library's whole-array draw (the first stands for them).
            if (fills.Length == 0 && mask is ILocalSymbol arrayLocal && !HandWrittenDropoutSite.IsNumeric(arrayLocal.Type)
                && index.AssignedValuesOf(arrayLocal) is { Count: > 0 and <= 4 } values)
            {
                MaskSource? first = null;
                foreach (IOperation assignedValue in values)
                {
                    // `a = a / keep;`, `a = a.astype(float)`: the local rebound to its own mask, cast or scaled by a number,
                    // still holds that mask; its other values say what the mask is.
                    if (IsRebindingOf(assignedValue, arrayLocal))
                    {
                        continue;
                    }

                    if (assignedValue is not (IInvocationOperation or IBinaryOperation { OperatorMethod: not null })
                        || SourceOf(assignedValue, index, depth + 1) is not { Threshold: not null } drawn
                        || !(drawn.IsLibraryBernoulli || IsLibraryUniformArrayName(drawn.Callee)))
                    {
                        return null;
                    }

                    first ??= drawn;
                }

                return first;
            }
        }

        return null;
    }

    // `a / keep`, `a.astype(float)`, `scale * a`: the local's (or member's) own value under a cast or a scalar factor (through nested ones).
    private static bool IsRebindingOf(IOperation value, ISymbol held)
    {
        for (IOperation? current = HandWrittenDropoutSite.StripConversions(value); current is not null; current = MaskUnderCastOrScalar(current) is { } inner ? HandWrittenDropoutSite.StripConversions(inner) : null)
        {
            if (current is ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(current), held))
            {
                return true;
            }
        }

        return false;
    }

    // The calls on `mask` in the type's bodies, of source methods, that take a floating-point parameter and no argument of
    // the mask's own type (`noise.Bernoulli(1 - p)`, not `noise.CopyFrom(other)`): the candidate fills of the receiver.
    // Several such calls (`noise.Div(1 - p)` beside it) are told apart only at the join, by what their callees are: the
    // source returned carries them all (ReceiverCalls), and AddApplications records one application per candidate.
    private static MaskSource? ReceiverFillOf(ISymbol mask, SourceIndex index)
    {
        ITypeSymbol? maskType = mask switch
        {
            IFieldSymbol field => field.Type,
            ILocalSymbol local => local.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };
        if (maskType is null || HandWrittenDropoutSite.IsNumeric(maskType) || maskType.SpecialType != SpecialType.None)
        {
            return null;
        }

        // Copies: the index's sources are shared with the samplers' receiver calls, which are no receiver fills.
        MaskSource[] candidates = index.FillsOf(mask)
            .Where(call => call.MaskArgument < 0 && !call.Callee.IsStatic && call.Callee.Parameters.Length > 0
                && call.Callee.Parameters.Any(parameter => HandWrittenDropoutSite.IsFloatingPoint(parameter.Type))
                && call.Arguments.All(argument => argument is null || !SymbolEqualityComparer.Default.Equals(argument.Type, maskType)))
            .Select(call => new MaskSource(call.Callee, call.Virtual, call.Arguments, ImmutableArray<MaskSource>.Empty, -1) { Draw = call.Draw, FillsReceiver = true })
            .ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }

        MaskSource first = candidates[0];
        return new MaskSource(first.Callee, first.Virtual, first.Arguments, candidates.ToImmutableArray(), -1) { Draw = first.Draw, FillsReceiver = true };
    }

    // `noise.Expand(sizes)`, `mask.Reshape(shape)`, `mask.CopyRef()`: a call on a tensor that returns the same type and takes
    // nothing but sizes, so it shows the same values (broadcast, reshaped or shared).
    private static bool IsView(IInvocationOperation call) =>
        call.Instance is { Type: { } receiverType }
        && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ReturnType.OriginalDefinition, receiverType.OriginalDefinition)
        && !ElementwiseProductNames.Contains(call.TargetMethod.Name)
        && call.TargetMethod.Parameters.All(parameter => IsSize(parameter.Type));

    private static bool IsSize(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
        || (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 });

    // `Tensor.Rand(shape).GreaterThan(Tensor.FromScalar(p))`, `Rand(shape) < keep` (a user operator on a tensor type), also
    // through locals: 1 where the uniform is on the kept side of the probability.
    private static MaskSource? ThresholdOf(IOperation operation, SourceIndex index, int depth)
    {
        IOperation first, second;
        bool above;
        switch (operation)
        {
            case IInvocationOperation invocation when ComparisonAbove.TryGetValue(invocation.TargetMethod.Name, out above) && !IsScalarOrFlag(invocation):
                var operands = invocation.Arguments.Select(argument => argument.Value).ToList();
                if (invocation.Instance is { } instance)
                {
                    operands.Insert(0, instance);
                }

                if (operands.Count != 2)
                {
                    return null;
                }

                (first, second) = (operands[0], operands[1]);
                break;
            case IBinaryOperation { OperatorMethod: not null } comparison when comparison.Type?.SpecialType != SpecialType.System_Boolean && !IsScalarOrFlag(comparison):
                switch (comparison.OperatorKind)
                {
                    case BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual:
                        above = true;
                        break;
                    case BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual:
                        above = false;
                        break;
                    default:
                        return null;
                }

                (first, second) = (comparison.LeftOperand, comparison.RightOperand);
                break;
            default:
                return null;
        }

        // The uniform on the right reverses the comparison: `p.LessThan(u)` is 1 where u is above p.
        if (UniformTensorCallOf(first, index, depth) is { } uniform && ProbabilityOf(second, index) is { } probability)
        {
            return new MaskSource(uniform.TargetMethod, IsVirtualCall(uniform), ImmutableArray<IOperation?>.Empty, ImmutableArray<MaskSource>.Empty, -1, probability, above) { Draw = operation };
        }

        if (UniformTensorCallOf(second, index, depth) is { } reversed && ProbabilityOf(first, index) is { } reversedProbability)
        {
            return new MaskSource(reversed.TargetMethod, IsVirtualCall(reversed), ImmutableArray<IOperation?>.Empty, ImmutableArray<MaskSource>.Empty, -1, reversedProbability, !above) { Draw = operation };
        }

        return null;
    }

    private static bool IsScalarOrFlag(IOperation operation) => HandWrittenDropoutSite.IsNumeric(operation.Type) || operation.Type?.SpecialType == SpecialType.System_Boolean;

    // A call that may return a tensor of uniforms (decided at compilation end), directly or through a local: not a scalar
    // draw (`rng.NextDouble()` compared with `p` is the per-file model's).
    private static IInvocationOperation? UniformTensorCallOf(IOperation operand, SourceIndex index, int depth)
    {
        operand = HandWrittenDropoutSite.StripConversions(operand);
        if (operand is ILocalReferenceOperation { Local: var local } && depth < MaxSourceDepth && index.SingleValueOf(local) is { } value)
        {
            operand = value;
        }

        return operand is IInvocationOperation call && !IsScalarOrFlag(call) && call.Type is not null && !call.TargetMethod.ReturnsVoid
            && (!IsLibraryUniformArrayName(call.TargetMethod) || HasUnitBounds(call)) ? call : null;
    }

    // The probability a tensor is compared with: a scalar, or a tensor made from one scalar (`Tensor.FromScalar(p)`).
    private static IOperation? ProbabilityOf(IOperation operand, SourceIndex index)
    {
        operand = HandWrittenDropoutSite.StripConversions(operand);
        if (operand is ILocalReferenceOperation { Local: var local } && !HandWrittenDropoutSite.IsNumeric(local.Type) && index.SingleValueOf(local) is { } value)
        {
            operand = value;
        }

        if (HandWrittenDropoutSite.IsNumeric(operand.Type))
        {
            return LooksLikeAProbability(operand) ? operand : null;
        }

        return operand is IInvocationOperation { Arguments.Length: 1 } wrap && HandWrittenDropoutSite.IsNumeric(wrap.Arguments[0].Value.Type) && LooksLikeAProbability(wrap.Arguments[0].Value)
            ? HandWrittenDropoutSite.StripConversions(wrap.Arguments[0].Value)
            : null;
    }

    // The keep probability of a thresholded random tensor as source text: the probability itself when the mask is 1 below
    // it, one minus it when above.
    private static string ThresholdKeepText(MaskSource source)
    {
        IOperation probability = source.Threshold!;
        string text = probability.Syntax.ToString();
        bool simple = probability is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILiteralOperation;
        return source.KeptAbove ? (simple ? "(1 - " + text + ")" : "(1 - (" + text + "))") : (simple ? text : "(" + text + ")");
    }

    // `Type.Method` when the product is in a layer forward that draws the mask itself and that nothing can switch off: no
    // condition around the product or its draw, no exit on a flag before it, no flag parameter, no boolean or enum state in
    // the type or its bases, no caller in the type's files that calls it only under a condition, and no training or Monte
    // Carlo name. DropoutWithoutInferencePathAnalyzer asks the same of the per-file model's sites.
    private static string? EveryCallForward(INamedTypeSymbol type, IOperation product, MaskSource source)
    {
        if (source.Draw is not { } draw || product.SemanticModel is not { } semanticModel)
        {
            return null;
        }

        IOperation root = product.TreeRoot();
        if (draw.TreeRoot() != root || semanticModel.GetEnclosingSymbol(product.Syntax.SpanStart) is not IMethodSymbol method
            || method.MethodKind != MethodKind.Ordinary
            || !DropoutWithoutInferencePathAnalyzer.IsLayerForward(method, type)
            || DropoutWithoutInferencePathAnalyzer.HasReadFlagParameter(method)
            || DropoutWithoutInferencePathAnalyzer.HasModeState(type)
            || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(method.Name)
            || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(type.Name)
            || IsConditional(product, root) || (IsConditional(draw, root) && !IsUnderRateGuardsOnly(draw, root))
            || root.Descendants().Any(operation => operation is IConditionalOperation conditional && conditional.Syntax.SpanStart < product.Syntax.SpanStart && ReadsFlag(conditional.Condition))
            || HasGuardedCaller(method, type, semanticModel.Compilation))
        {
            return null;
        }

        return type.Name + "." + method.Name;
    }

    // Inside a branch, a loop, a lambda (a backward closure) or a short-circuit operand of the method.
    private static bool IsConditional(IOperation operation, IOperation root)
    {
        for (IOperation current = operation; current.Parent is { } parent && current != root; current = parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when conditional.Condition != current:
                case ILoopOperation:
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                case ICoalesceOperation:
                case IConditionalAccessOperation:
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr }:
                case ISwitchCaseOperation:
                case ISwitchExpressionArmOperation:
                    return true;
            }
        }

        return false;
    }

    // `if (p > 0) noise.Bernoulli(1 - p); else noise.Zero();` before an unconditional `output.CMul(noise)`: the only branches
    // around the draw compare a member the draw's own arguments read with a constant, and nothing writes that member outside
    // construction. Such a guard skips a degenerate rate; it has the same value in training and in prediction, so the product
    // after it still runs at inference (a setting is no mode, as for DRP014's per-file part). Anything else around the draw
    // (a loop, a lambda, a flag, a parameter) still counts as a way to switch it off.
    private static bool IsUnderRateGuardsOnly(IOperation draw, IOperation root)
    {
        if (draw is not IInvocationOperation call || draw.SemanticModel is not { } semanticModel)
        {
            return false;
        }

        var rates = new HashSet<ISymbol>(
            call.Arguments.SelectMany(argument => argument.Value.DescendantsAndSelf()).OfType<IMemberReferenceOperation>().Select(member => member.Member.OriginalDefinition),
            SymbolEqualityComparer.Default);
        for (IOperation current = draw; current.Parent is { } parent && current != root; current = parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when conditional.Condition != current:
                    if (HandWrittenDropoutSite.StripConversions(conditional.Condition) is not IBinaryOperation comparison
                        || comparison.OperatorKind is not (BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan
                            or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.NotEquals)
                        || !IsRateAgainstConstant(comparison, rates, semanticModel.Compilation))
                    {
                        return false;
                    }

                    break;
                case ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation or ICoalesceOperation or IConditionalAccessOperation
                    or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } or ISwitchCaseOperation or ISwitchExpressionArmOperation:
                    return false;
            }
        }

        return true;
    }

    private static bool IsRateAgainstConstant(IBinaryOperation comparison, HashSet<ISymbol> rates, Compilation compilation)
    {
        IOperation left = HandWrittenDropoutSite.StripConversions(comparison.LeftOperand);
        IOperation right = HandWrittenDropoutSite.StripConversions(comparison.RightOperand);
        IOperation? rate = left.ConstantValue.HasValue ? right : right.ConstantValue.HasValue ? left : null;
        return rate is IFieldReferenceOperation or IPropertyReferenceOperation
            && rates.Contains(((IMemberReferenceOperation)rate).Member.OriginalDefinition)
            && !SettingConditions.IsWrittenOutsideConstruction(compilation, ((IMemberReferenceOperation)rate).Member.Name, CancellationToken.None);
    }

    // A condition that reads a boolean or enum value other than a comparison's result (`training`, `Mode == Mode.Train`).
    private static bool ReadsFlag(IOperation condition) =>
        condition.DescendantsAndSelf().Any(operation =>
            operation is IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation or IInvocationOperation
            && operation.Type is { } flagType && (flagType.SpecialType == SpecialType.System_Boolean || flagType.TypeKind == TypeKind.Enum));

    // Every call of the forward in its type's files under a condition (`if (training) y = Forward(x);`), or none at all for
    // a private forward: either way it may run in training only.
    private static bool HasGuardedCaller(IMethodSymbol method, INamedTypeSymbol type, Compilation compilation)
    {
        bool called = false, unguarded = false;
        foreach (SyntaxTree tree in type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Distinct())
        {
            SemanticModel? model = null;
            foreach (InvocationExpressionSyntax invocation in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (DropoutWithoutInferencePathAnalyzer.CalledName(invocation) != method.Name
                    || method.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree && reference.Span.Contains(invocation.Span)))
                {
                    continue;
                }

                // `this.layer1.forwardProp(x)` on another layer type is no call of this forward; a call of the base or
                // interface method it overrides or implements (`layer.forward_propagation(x)` over a list of layers) is.
                model ??= compilation.GetSemanticModel(tree);
                if (model.GetSymbolInfo(invocation).Symbol is IMethodSymbol target && !CanDispatchTo(target, method, type))
                {
                    continue;
                }

                called = true;

                // The training loop's call (`fit`, `train`) runs in training whatever it tests; the question is inference.
                if (invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } caller && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Identifier.ValueText))
                {
                    continue;
                }

                if (!invocation.Ancestors().Any(ancestor => ancestor is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or SwitchExpressionSyntax
                        || (ancestor is BinaryExpressionSyntax binary && binary.OperatorToken.IsKind(SyntaxKind.AmpersandAmpersandToken) || ancestor is BinaryExpressionSyntax { OperatorToken.ValueText: "||" })))
                {
                    // `foreach (var layer in layers) output = layer.forward(output, train_mode)` in `predict`: one call
                    // under no condition runs the dropout whatever the other callers test (`if (val_mode) ...`).
                    unguarded = true;
                }
            }
        }

        return called ? !unguarded : method.DeclaredAccessibility == Accessibility.Private;
    }

    private static bool CanDispatchTo(IMethodSymbol target, IMethodSymbol method, INamedTypeSymbol type)
    {
        target = target.OriginalDefinition;
        for (IMethodSymbol? current = method.OriginalDefinition; current is not null; current = current.OverriddenMethod?.OriginalDefinition)
        {
            if (SymbolEqualityComparer.Default.Equals(current, target))
            {
                return true;
            }
        }

        return target.ContainingType?.TypeKind == TypeKind.Interface
            && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(target)?.OriginalDefinition, method.OriginalDefinition);
    }
}
