using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>What a method of the compilation produces for a caller that applies dropout through calls.</summary>
internal enum MaskProducerKind
{
    /// <summary><c>void FillKeepMask(float[] mask, double keep)</c>: writes a 0/1 mask into a parameter, kept with a parameter's probability.</summary>
    FillsParameter,

    /// <summary><c>float[] KeepMask(int n, double keep)</c>: returns a 0/1 mask, kept with a parameter's probability.</summary>
    Returns,

    /// <summary><c>tensor.SampleMask()</c>: returns a 0/1 mask whose entry i is kept with the receiver's element i (a probability tensor).</summary>
    ReturnsFromReceiverElements,

    /// <summary><c>tensor.Fill(value)</c>: writes a parameter into every element of the receiver's storage.</summary>
    FillsReceiverElements,

    /// <summary>
    /// <c>Tensor Noise(long[] sizes, float keep) { var w = Gen.BernoulliWeights(sizes, keep); var t = new Tensor(sizes); t.SetElements(w); return t; }</c>:
    /// returns what another producer returns (<see cref="MaskProducer.Inner"/>), handing it some of its own parameters; resolved at compilation end.
    /// </summary>
    ReturnsThroughCall,

    /// <summary><c>static Tensor Rand(int[] shape)</c>: returns a buffer (or a tensor built from one) of uniforms in [0, 1), drawn per element.</summary>
    ReturnsUniforms,

    /// <summary>
    /// <c>static double Bernoulli(double keep)</c>: returns one 0/1 number kept with a parameter's probability, a mask of one
    /// value. The per-file model has no site for it (one number is no per-element decision), so a caller in the same file
    /// is judged at the join too.
    /// </summary>
    ReturnsNumber,

    /// <summary>
    /// <c>tensor.Bernoulli(keep)</c>: writes a 0/1 draw kept with a parameter's probability into every element of the
    /// receiver's storage (Torch's in-place <c>noise:bernoulli(1 - p)</c>); the receiver is the mask.
    /// </summary>
    FillsReceiverWithMask,

    /// <summary>
    /// <c>void FillMask(Arr a, double p) =&gt; _inner.FillMask(Check(a), p);</c>: an implementation that hands its arguments on to a
    /// method of the same name (a debugging decorator, another backend); it agrees with whatever the other implementations make.
    /// </summary>
    Forwards,
}

/// <summary>
/// A summary of one method as a producer of dropout masks, computed from its own body while its own file is analyzed, so
/// that a caller in another file (or behind an interface) can be judged at compilation end. Equal summaries mean the same
/// thing; implementations of one interface member agree when their summaries are equal.
/// </summary>
internal sealed class MaskProducer(MaskProducerKind kind, int maskParameter, int probabilityParameter, bool keepIsComplement, ISymbol? storage)
{
    public MaskProducerKind Kind { get; } = kind;

    /// <summary>For <see cref="MaskProducerKind.FillsParameter"/>: the ordinal of the filled parameter; otherwise -1.</summary>
    public int MaskParameter { get; } = maskParameter;

    /// <summary>The ordinal of the probability parameter (the fill value for <see cref="MaskProducerKind.FillsReceiverElements"/>), or -1.</summary>
    public int ProbabilityParameter { get; } = probabilityParameter;

    /// <summary>Whether an entry is kept with one minus the probability (the compared value is a drop rate).</summary>
    public bool KeepIsComplement { get; } = keepIsComplement;

    /// <summary>For the receiver kinds: the member whose elements are read as probabilities or written with the value.</summary>
    public ISymbol? Storage { get; } = storage;

    /// <summary>For <see cref="MaskProducerKind.ReturnsThroughCall"/>: the method whose mask is returned, and for each of its parameters the ordinal of the parameter of this method handed to it (-1 for anything else).</summary>
    public IMethodSymbol? Inner { get; private set; }

    /// <summary>See <see cref="Inner"/>.</summary>
    public System.Collections.Immutable.ImmutableArray<int> InnerArguments { get; private set; } = System.Collections.Immutable.ImmutableArray<int>.Empty;

    /// <summary>A producer that returns <paramref name="inner"/>'s mask, <paramref name="innerArguments"/> mapping its parameters to this method's.</summary>
    public static MaskProducer Through(IMethodSymbol inner, System.Collections.Immutable.ImmutableArray<int> innerArguments) =>
        new(MaskProducerKind.ReturnsThroughCall, -1, -1, false, null) { Inner = inner, InnerArguments = innerArguments };

    public bool AgreesWith(MaskProducer other) =>
        Kind == other.Kind && MaskParameter == other.MaskParameter && ProbabilityParameter == other.ProbabilityParameter
        && KeepIsComplement == other.KeepIsComplement && SymbolEqualityComparer.Default.Equals(Storage, other.Storage)
        && SymbolEqualityComparer.Default.Equals(Inner, other.Inner) && InnerArguments.SequenceEqual(other.InnerArguments);
}

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// What <paramref name="method"/> produces for its callers, from its body <paramref name="body"/> (in the file of
    /// <paramref name="semanticModel"/>): a 0/1 mask filled into a parameter or returned with a parameter's probability (the
    /// model's own sites that escape to a caller), a 0/1 mask drawn against the receiver's elements, or a fill of the
    /// receiver's elements with a parameter; <see langword="null"/> for anything else (a mask that already holds 1/p is no
    /// 0/1 mask, so it is never summarized as one).
    /// </summary>
    public MaskProducer? MaskProducerOf(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (method.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        if (NamesRandomness(body.Syntax))
        {
            if (OwnSitesIn(method, body, semanticModel, cancellationToken) is { Length: 1 } sites
                && sites[0] is { EscapesToCaller: true, Probability: IParameterReferenceOperation { Parameter: var probability } } site
                && SymbolEqualityComparer.Default.Equals(probability.ContainingSymbol, method))
            {
                return site.MaskSymbol is IParameterSymbol filled
                    ? new MaskProducer(MaskProducerKind.FillsParameter, filled.Ordinal, probability.Ordinal, site.KeepProbabilityIsComplement, null)
                    : new MaskProducer(MaskProducerKind.Returns, -1, probability.Ordinal, site.KeepProbabilityIsComplement, null);
            }

            return FromReceiverElements(method, body, semanticModel, cancellationToken)
                ?? ReceiverMaskFillOf(method, body, semanticModel, cancellationToken)
                ?? ReturnedBernoulliNumberOf(method, body, semanticModel, cancellationToken);
        }

        return FillOfReceiverElements(method, body);
    }

    // `var r = EmptyCopy(); for (...) { if (rng.NextDouble() < Data[i]) r.Data[i] = 1; else r.Data[i] = 0; } return r;`: every
    // entry of the returned mask is 1 with the probability stored in the receiver's own element.
    private MaskProducer? FromReceiverElements(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (method.IsStatic || method.ReturnsVoid)
        {
            return null;
        }

        var returned = body.Descendants().OfType<IReturnOperation>().Select(operation => operation.ReturnedValue is { } value ? HandWrittenDropoutSite.ReferencedSymbol(value) : null).ToList();
        if (returned.Count == 0 || returned[0] is not (ILocalSymbol or IParameterSymbol) || returned.Any(symbol => !SymbolEqualityComparer.Default.Equals(symbol, returned[0])))
        {
            return null;
        }

        ISymbol result = returned[0]!;
        MaskProducer? found = null;
        var finder = new SiteFinder(this, semanticModel, cancellationToken);
        foreach (IOperation operation in body.Descendants())
        {
            (IOperation condition, IOperation whenTrue, IOperation? whenFalse)? decision = operation switch
            {
                IConditionalOperation { WhenFalse: { } otherwise } conditional => (conditional.Condition, conditional.WhenTrue, otherwise),
                _ => null,
            };
            if (decision is not { } parts
                || HandWrittenDropoutSite.StripConversions(parts.condition) is not IBinaryOperation
                {
                    OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual,
                } comparison)
            {
                continue;
            }

            bool drawOnLeft = finder.TryRandomValue(comparison.LeftOperand, 1, out RandomValue draw);
            if ((!drawOnLeft && !finder.TryRandomValue(comparison.RightOperand, 1, out draw)) || draw.Bound is not null
                || ReceiverElementStorage(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand) is not { } storage)
            {
                continue;
            }

            // Which branch writes the 1: the draw below the stored probability selects the true branch when it is on the left of `<`.
            bool trueWhenBelow = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual ? drawOnLeft : !drawOnLeft;
            double? whenTrue = ConstantWrittenInto(parts.whenTrue, result);
            double? whenFalse = ConstantWrittenInto(parts.whenFalse!, result);
            if (whenTrue is not { } high || whenFalse is not { } low || !((high == 1 && low == 0) || (high == 0 && low == 1)))
            {
                return null;
            }

            // Kept (1) below the stored probability: kept with it; kept above it: kept with its complement.
            bool keptWhenBelow = (high == 1) == trueWhenBelow;
            var producer = new MaskProducer(MaskProducerKind.ReturnsFromReceiverElements, -1, -1, !keptWhenBelow, storage);
            if (found is not null && !found.AgreesWith(producer))
            {
                return null;
            }

            found = producer;
        }

        return found;
    }

    // `for (...) data[i] = rng.NextDouble() < p ? 1 : 0;` in an instance method taking `p`: every element of the receiver's
    // storage becomes a 0/1 draw kept with the parameter (Torch's in-place `noise:bernoulli(1 - p)`), so after the call the
    // receiver is a mask. Every other write is to a local (the loop counter); nothing else of the receiver is written.
    private MaskProducer? ReceiverMaskFillOf(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (method.IsStatic || method.Parameters.Length == 0)
        {
            return null;
        }

        MaskProducer? found = null;
        var finder = new SiteFinder(this, semanticModel, cancellationToken);
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is not IAssignmentOperation assignment || assignment.Target is ILocalReferenceOperation)
            {
                continue;
            }

            if (assignment is not ISimpleAssignmentOperation { Value: var value }
                || ReceiverElementStorage(assignment.Target) is not { } storage
                || !IsInLoop(assignment, body)
                || !TryZeroOneDrawOfParameter(value, method, finder, out IParameterSymbol? probability, out bool withComplement))
            {
                return null;
            }

            var producer = new MaskProducer(MaskProducerKind.FillsReceiverWithMask, -1, probability!.Ordinal, withComplement, storage);
            if (found is not null && !found.AgreesWith(producer))
            {
                return null;
            }

            found = producer;
        }

        return found;
    }

    // `Data[i]`, `this.data[i]`: an element of an instance member (of the type or a base type) read through `this`.
    private static ISymbol? ReceiverElementStorage(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        IOperation? container = operation switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } element => element.ArrayReference,
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => instance,
            _ => null,
        };
        return container is not null
            && HandWrittenDropoutSite.StripConversions(container) is IMemberReferenceOperation { Instance: IInstanceReferenceOperation, Member: var member }
            && !member.IsStatic
            ? member.OriginalDefinition
            : null;
    }

    // The constant a branch writes into an element of `result` (`result.Data[i] = 1`, `result[i] = 0`), when it writes only that.
    private static double? ConstantWrittenInto(IOperation branch, ISymbol result)
    {
        var assignments = branch.DescendantsAndSelf().OfType<ISimpleAssignmentOperation>().ToList();
        if (assignments.Count != 1 || assignments[0].Value.ConstantValue is not { HasValue: true, Value: { } value }
            || !assignments[0].Target.DescendantsAndSelf().Any(operation => SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(operation), result)))
        {
            return null;
        }

        return value switch
        {
            int whole => whole,
            float single => single,
            double number => number,
            _ => null,
        };
    }

    // `for (...) Data[i] = value;`: every element of a member of the receiver set to a floating parameter, nothing else written.
    private static MaskProducer? FillOfReceiverElements(IMethodSymbol method, IOperation body)
    {
        if (method.IsStatic || method.Parameters.Length == 0)
        {
            return null;
        }

        MaskProducer? found = null;
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is not IAssignmentOperation assignment)
            {
                continue;
            }

            if (assignment is not ISimpleAssignmentOperation { Value: var value }
                || HandWrittenDropoutSite.StripConversions(value) is not IParameterReferenceOperation { Parameter: var parameter }
                || !HandWrittenDropoutSite.IsFloatingPoint(parameter.Type)
                || ReceiverElementStorage(assignment.Target) is not { } storage
                || !IsInLoop(assignment, body))
            {
                // The loop counter's `i++` and locals are no writes of the receiver's elements; anything else is.
                if (assignment.Target is ILocalReferenceOperation)
                {
                    continue;
                }

                return null;
            }

            var producer = new MaskProducer(MaskProducerKind.FillsReceiverElements, -1, parameter.Ordinal, false, storage);
            if (found is not null && !found.AgreesWith(producer))
            {
                return null;
            }

            found = producer;
        }

        return found;
    }

    private static bool IsInLoop(IOperation operation, IOperation body)
    {
        for (IOperation? current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is ILoopOperation)
            {
                return true;
            }
        }

        return false;
    }
}
