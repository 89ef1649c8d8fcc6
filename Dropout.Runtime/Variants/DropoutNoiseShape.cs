using System.Globalization;

namespace Dropout;

/// <summary>
/// Which elements share one keep decision (Keras' <c>noise_shape</c>): the input is viewed as a row-major
/// <c>(<see cref="Outer"/>, <see cref="Shared"/>, <see cref="Inner"/>)</c> array, and element <c>(o, s, i)</c> takes the
/// decision of mask position <c>o · Inner + i</c> for every <c>s</c>. So <c>Outer · Inner</c> decisions are drawn (by
/// <c>docs/masks.md</c>, at stream positions <c>offset + o · Inner + i</c>) and each is repeated along the shared axis.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Channels"/>: channel (spatial) dropout of a <c>(batch, channels, spatial...)</c> layout — one
/// decision per channel of each sample (PyTorch <c>Dropout1d/2d/3d</c>, Keras <c>SpatialDropout</c>).</item>
/// <item><see cref="SharedOverTime"/>: variational dropout of a <c>(batch, time, features)</c> sequence — one mask per
/// sequence reused at every time step (Gal and Ghahramani, 2016; Keras <c>noise_shape=(batch, 1, features)</c>).</item>
/// <item><see cref="PerSample"/>: drop path / stochastic depth of a <c>(batch, features...)</c> residual branch — one
/// decision per sample (Huang et al., 2016; torchvision <c>stochastic_depth</c> in "row" mode).</item>
/// </list>
/// </remarks>
public readonly record struct DropoutNoiseShape
{
    private DropoutNoiseShape(int outer, int shared, int inner)
    {
        Outer = outer;
        Shared = shared;
        Inner = inner;
    }

    /// <summary>Gets the number of independent groups along the outer axis.</summary>
    public int Outer { get; }

    /// <summary>Gets the length of the axis along which a decision is repeated.</summary>
    public int Shared { get; }

    /// <summary>Gets the number of independent decisions inside one step of the shared axis.</summary>
    public int Inner { get; }

    /// <summary>Gets the number of elements this shape covers, <c>Outer · Shared · Inner</c>.</summary>
    public long ElementCount => (long)Outer * Shared * Inner;

    /// <summary>Gets the number of keep decisions drawn (and mask bits recorded), <c>Outer · Inner</c>.</summary>
    public int DecisionCount => Outer * Inner;

    /// <summary>One decision per channel of a <c>(batch, channels, spatialSize)</c> layout (NCHW-style: spatial innermost).</summary>
    /// <param name="batch">The number of samples.</param>
    /// <param name="channels">The channels per sample.</param>
    /// <param name="spatialSize">The elements per channel (length, height · width, depth · height · width).</param>
    /// <returns>The shape.</returns>
    public static DropoutNoiseShape Channels(int batch, int channels, int spatialSize) =>
        Create(batch < 0 || channels < 0 ? -1 : (long)batch * channels, spatialSize, 1, nameof(channels));

    /// <summary>One mask per sequence of a <c>(batch, timeSteps, features)</c> layout, reused at every time step.</summary>
    /// <param name="batch">The number of sequences.</param>
    /// <param name="timeSteps">The time steps per sequence.</param>
    /// <param name="features">The features per time step.</param>
    /// <returns>The shape.</returns>
    public static DropoutNoiseShape SharedOverTime(int batch, int timeSteps, int features) =>
        Create(batch, timeSteps, features, nameof(timeSteps));

    /// <summary>One decision per sample of a <c>(batch, sampleSize)</c> layout: the whole sample is kept or dropped.</summary>
    /// <param name="batch">The number of samples.</param>
    /// <param name="sampleSize">The elements per sample.</param>
    /// <returns>The shape.</returns>
    public static DropoutNoiseShape PerSample(int batch, int sampleSize) =>
        Create(batch, sampleSize, 1, nameof(sampleSize));

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"({Outer}, shared {Shared}, {Inner})");

    private static DropoutNoiseShape Create(long outer, int shared, int inner, string parameterName)
    {
        if (outer < 0 || shared < 1 || inner < 1)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                string.Create(CultureInfo.InvariantCulture, $"A dropout noise shape needs a non-negative count of groups and positive sizes; got ({outer}, {shared}, {inner})."));
        }

        if (outer * shared * inner > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameterName, "The shape covers more elements than a span can hold.");
        }

        return new DropoutNoiseShape((int)outer, shared, inner);
    }
}
