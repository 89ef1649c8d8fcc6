namespace Dropout;

/// <summary>
/// A ready-made dropout layer for code that does not use the source generator: it reads its context's mode, draws a
/// fresh mask from its own stream on every training forward call, and applies exactly that mask in the backward call.
/// </summary>
/// <remarks>
/// In inference mode an in-place forward does no work at all, and backward passes the gradient through. The recorded
/// mask buffer grows to the largest length seen and is then reused, so steady-state calls allocate nothing.
/// </remarks>
public sealed class DropoutLayer
{
    private readonly DropoutMaskSpec _spec;
    private byte[] _mask = [];
    private int _maskedLength = -1;
    private Type? _maskedElementType;
    private ulong _maskedOffset;
    private bool _lastForwardWasActive;
    private DropoutStream? _stream;

    /// <summary>Creates a dropout layer.</summary>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="context">The model's context (mode and seed); <see cref="DropoutContext.Shared"/> when omitted.</param>
    /// <param name="maskStorage">How backward recovers the forward mask.</param>
    public DropoutLayer(double keepProbability, DropoutContext? context = null, DropoutMaskStorage maskStorage = DropoutMaskStorage.Bits)
    {
        _spec = DropoutMaskSpec.Create(keepProbability);
        Context = context ?? DropoutContext.Shared;
        MaskStorage = maskStorage;
    }

    /// <summary>Gets the keep probability p.</summary>
    public double KeepProbability => _spec.KeepProbability;

    /// <summary>Gets how backward recovers the forward mask.</summary>
    public DropoutMaskStorage MaskStorage { get; }

    /// <summary>
    /// Gets this layer's random stream (its key and position). The layer registers as a site of its context when the
    /// stream is first needed — its first forward call in training or Monte Carlo mode, or a first read of this
    /// property — the same rule as generated layers, so site order follows the order of first training calls.
    /// </summary>
    public DropoutStream Stream => _stream ??= Context.CreateStream();

    /// <summary>Gets the context whose mode this layer follows.</summary>
    public DropoutContext Context { get; }

    /// <summary>Applies dropout in place: in training, <c>values ⊙ m / p</c> with a fresh mask; in inference, nothing.</summary>
    /// <param name="values">The activations, overwritten with the result.</param>
    public void Forward(Span<float> values) => Forward(values, values);

    /// <inheritdoc cref="Forward(Span{float})"/>
    public void Forward(Span<double> values) => Forward(values, values);

    /// <summary>Applies dropout out of place: in training, <c>output = input ⊙ m / p</c> with a fresh mask; in inference, a copy.</summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result.</param>
    public void Forward(ReadOnlySpan<float> input, Span<float> output) => ForwardCore(input, output);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float})"/>
    public void Forward(ReadOnlySpan<double> input, Span<double> output) => ForwardCore(input, output);

    /// <summary>Back-propagates in place through the last forward call: <c>grad ⊙ m / p</c> with exactly its mask.</summary>
    /// <param name="gradient">The gradient with respect to the output, overwritten with the gradient with respect to the input.</param>
    /// <exception cref="InvalidOperationException">No forward call preceded, or it had another length or element type.</exception>
    public void Backward(Span<float> gradient) => Backward(gradient, gradient);

    /// <inheritdoc cref="Backward(Span{float})"/>
    public void Backward(Span<double> gradient) => Backward(gradient, gradient);

    /// <summary>Back-propagates through the last forward call: <c>gradInput = gradOutput ⊙ m / p</c> with exactly its mask.</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input.</param>
    /// <exception cref="InvalidOperationException">No forward call preceded, or it had another length or element type.</exception>
    public void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput) => BackwardCore(gradOutput, gradInput);

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, Span{float})"/>
    public void Backward(ReadOnlySpan<double> gradOutput, Span<double> gradInput) => BackwardCore(gradOutput, gradInput);

    // Everything that can fail is checked before any state changes (issue 8): a forward that throws leaves the stream,
    // the recorded mask and the pending backward exactly as they were.
    private void ForwardCore<T>(ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged
    {
        DropoutKernels.ValidateOutput(input, output, nameof(output));
        bool active = Context.IsDropoutActive && !_spec.IsIdentity;
        if (!active)
        {
            Record<T>(input.Length, active, offset: 0);
            DropoutKernels.CopyIfDistinct(input, output);
            return;
        }

        bool recordMask = MaskStorage == DropoutMaskStorage.Bits;
        Span<byte> mask = recordMask ? MaskFor(input.Length) : default;
        ulong offset = Stream.Reserve(input.Length);
        Record<T>(input.Length, active, offset);
        DropoutKernels.Run(input, output, mask, recordMask, _spec, Stream.Key, offset);
    }

    private void BackwardCore<T>(ReadOnlySpan<T> gradOutput, Span<T> gradInput)
        where T : unmanaged
    {
        DropoutKernels.ValidateOutput(gradOutput, gradInput, nameof(gradInput));
        if (_maskedLength < 0)
        {
            throw new InvalidOperationException("Backward was called before any forward call: there is no mask to reuse.");
        }

        if (gradOutput.Length != _maskedLength)
        {
            throw new InvalidOperationException($"Backward got {gradOutput.Length} elements but the last forward call had {_maskedLength}; backward must reuse exactly the forward mask.");
        }

        if (typeof(T) != _maskedElementType)
        {
            throw new InvalidOperationException($"Backward got {typeof(T).Name} gradients but the last forward call ran on {_maskedElementType!.Name}; backward must run on the element type of its forward.");
        }

        if (!_lastForwardWasActive)
        {
            DropoutKernels.CopyIfDistinct(gradOutput, gradInput);
        }
        else if (MaskStorage == DropoutMaskStorage.Bits)
        {
            DropoutKernels.ApplyMask(gradOutput, gradInput, _mask, _spec, nameof(gradInput));
        }
        else
        {
            // Backward by regeneration is the forward kernel again, at the forward call's stream position.
            DropoutKernels.Run(gradOutput, gradInput, default, recordMask: false, _spec, Stream.Key, _maskedOffset, nameof(gradInput));
        }
    }

    private void Record<T>(int length, bool active, ulong offset)
    {
        _lastForwardWasActive = active;
        _maskedLength = length;
        _maskedElementType = typeof(T);
        _maskedOffset = offset;
    }

    private Span<byte> MaskFor(int length)
    {
        int bytes = MaskLayout.MaskByteCount(length);
        if (_mask.Length < bytes)
        {
            _mask = new byte[bytes];
        }

        return _mask.AsSpan(0, bytes);
    }
}
