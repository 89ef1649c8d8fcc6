namespace Dropout;

/// <summary>
/// Marks a layer class (or a partial method) whose dropout the Dropout.Generators source generator implements,
/// specialized for the keep probability given here.
/// </summary>
/// <remarks>
/// <c>keepProbability</c> is the probability of KEEPING an element (PyTorch and Keras take the drop rate instead):
/// 0.8 is usual for inputs, 0.5 for hidden layers. It must be a compile-time constant in [2^-24, 1] (2^-24 ≈ 5.96e-8 is <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares dropout with keep probability <paramref name="keepProbability"/>.</summary>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1].</param>
    public DropoutAttribute(double keepProbability)
    {
        KeepProbability = keepProbability;
    }

    /// <summary>Gets the keep probability p.</summary>
    public double KeepProbability { get; }

    /// <summary>Gets or sets the element count every call must have (checked on each call); 0 (the default) accepts any length.</summary>
    public int Size { get; set; }

    /// <summary>Gets or sets how the backward pass recovers the forward mask.</summary>
    public DropoutMaskStorage MaskStorage { get; set; } = DropoutMaskStorage.Bits;

    /// <summary>
    /// Gets or sets the activation of a fused epilogue method (<c>docs/generator.md</c>): on a partial method
    /// <c>(ReadOnlySpan&lt;T&gt; preActivation[, ReadOnlySpan&lt;T&gt; bias][, ReadOnlySpan&lt;T&gt; residual], Span&lt;T&gt; output)</c>
    /// the generator emits <c>output = dropout(activation(preActivation + bias)) + residual</c> in one pass, and its backward.
    /// </summary>
    public DropoutActivation Activation { get; set; } = DropoutActivation.Identity;

    /// <summary>Gets or sets the slope of <see cref="DropoutActivation.LeakyReLU"/> for negative inputs (default 0.01).</summary>
    public double LeakyReLUSlope { get; set; } = 0.01;

    /// <summary>
    /// Gets or sets which dropout the site applies (<c>docs/variants.md</c>); <see cref="DropoutKind.Element"/> by
    /// default. <see cref="DropoutKind.Channel"/> needs <see cref="Channels"/> and <see cref="SpatialSize"/>,
    /// <see cref="DropoutKind.SharedOverTime"/> needs <see cref="TimeSteps"/> and <see cref="Features"/>,
    /// <see cref="DropoutKind.DropPath"/> needs <see cref="SampleSize"/> (the batch is the call's length divided by that
    /// shape), and <see cref="DropoutKind.DropConnect"/> needs <see cref="Inputs"/>.
    /// </summary>
    public DropoutKind Kind { get; set; } = DropoutKind.Element;

    /// <summary>Gets or sets the channels per sample of a <see cref="DropoutKind.Channel"/> site's <c>(batch, channels, spatial)</c> layout.</summary>
    public int Channels { get; set; }

    /// <summary>Gets or sets the elements per channel (height · width, ...) of a <see cref="DropoutKind.Channel"/> site.</summary>
    public int SpatialSize { get; set; }

    /// <summary>Gets or sets the time steps per sequence of a <see cref="DropoutKind.SharedOverTime"/> site's <c>(batch, timeSteps, features)</c> layout.</summary>
    public int TimeSteps { get; set; }

    /// <summary>Gets or sets the features per time step of a <see cref="DropoutKind.SharedOverTime"/> site.</summary>
    public int Features { get; set; }

    /// <summary>Gets or sets the elements per sample of a <see cref="DropoutKind.DropPath"/> site's <c>(batch, sampleSize)</c> layout.</summary>
    public int SampleSize { get; set; }

    /// <summary>Gets or sets the inputs of a <see cref="DropoutKind.DropConnect"/> dense layer (the columns of its <c>(outputs, inputs)</c> weights).</summary>
    public int Inputs { get; set; }
}

/// <summary>Which dropout a <c>[Dropout]</c> site applies (<see cref="DropoutAttribute.Kind"/>); see <c>docs/variants.md</c>.</summary>
public enum DropoutKind
{
    /// <summary>Each element is kept with probability p and scaled by 1/p (the default).</summary>
    Element = 0,

    /// <summary>Channel (spatial) dropout: one decision per channel of a <c>(batch, channels, spatial)</c> layout (PyTorch <c>Dropout2d</c>, Keras <c>SpatialDropout</c>).</summary>
    Channel = 1,

    /// <summary>Shared-over-time (variational) dropout: one feature mask per sequence of a <c>(batch, timeSteps, features)</c> layout, reused at every time step.</summary>
    SharedOverTime = 2,

    /// <summary>Alpha dropout for SELU networks: dropped units take SELU's saturation value, with the affine correction that keeps mean and variance.</summary>
    Alpha = 3,

    /// <summary>Gaussian dropout: every element is multiplied by its own N(1, (1 - p)/p) noise; nothing is zeroed and nothing is stored.</summary>
    Gaussian = 4,

    /// <summary>Drop path (stochastic depth): one decision per sample of a <c>(batch, sampleSize)</c> residual branch.</summary>
    DropPath = 5,

    /// <summary>
    /// DropConnect: the weights of a dense layer are dropped instead of its activations. On a partial method
    /// <c>(ReadOnlySpan&lt;float&gt; input, ReadOnlySpan&lt;float&gt; weights[, ReadOnlySpan&lt;float&gt; bias], Span&lt;float&gt; output)</c>
    /// the generator emits <c>output = input·(weights ⊙ M / p)ᵀ + bias</c> and its backward.
    /// </summary>
    DropConnect = 6,
}

/// <summary>The activation of a fused epilogue site (<see cref="DropoutAttribute.Activation"/>); see <c>docs/fused.md</c>.</summary>
public enum DropoutActivation
{
    /// <summary>No activation: bias add, dropout, residual add. Backward needs only the mask.</summary>
    Identity = 0,

    /// <summary>max(x, 0): the mask bit records "kept and positive", so backward needs only the mask.</summary>
    ReLU = 1,

    /// <summary>x for x &gt; 0, else slope·x (<see cref="DropoutAttribute.LeakyReLUSlope"/>): backward recomputes the derivative from the pre-activation.</summary>
    LeakyReLU = 2,

    /// <summary>GELU, tanh form: backward recomputes the derivative from the pre-activation.</summary>
    GeluTanh = 3,

    /// <summary>SiLU (swish), x·σ(x): backward recomputes the derivative from the pre-activation.</summary>
    SiLU = 4,

    /// <summary>tanh: backward recomputes the derivative from the pre-activation.</summary>
    Tanh = 5,
}

/// <summary>How a dropout site keeps its forward mask for the backward pass.</summary>
public enum DropoutMaskStorage
{
    /// <summary>Store the mask as bits (1 bit per element): backward reads memory, draws nothing.</summary>
    Bits = 0,

    /// <summary>Store nothing; backward regenerates the mask from the seed and offset, as FlashAttention does.</summary>
    Regenerate = 1,
}

/// <summary>
/// Marks a method as an inference path (prediction, evaluation): the Dropout analyzers report dropout forced on inside
/// it, and a model run in it without an inference scope.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class InferenceAttribute : Attribute
{
}

/// <summary>
/// Opts a method into Monte Carlo dropout: dropout is deliberately kept on at inference to sample an ensemble. The
/// Dropout analyzers do not report dropout left on inside such a method.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class MonteCarloDropoutAttribute : Attribute
{
}
