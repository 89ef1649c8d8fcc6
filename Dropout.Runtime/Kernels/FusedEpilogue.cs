using System.ComponentModel;

namespace Dropout;

/// <summary>
/// Fused epilogue kernels: <b>bias add → activation → dropout → residual add</b> in one pass over memory, each part
/// optional, for <see cref="float"/> and <see cref="double"/> (see <c>docs/fused.md</c>). The data is row-major
/// <c>rows × columns</c> with one bias per column; any column count works.
/// </summary>
/// <remarks>
/// <para>The keep bits are exactly those of <see cref="DropoutKernels"/> at the same (seed, offset) (<c>docs/masks.md</c>),
/// and the results are bit for bit those of the unfused chain: <c>z = act(x + bias)</c>, then <c>DropoutKernels.Forward</c>,
/// then <c>+ residual</c>. Dropped elements contribute exactly +0 (before the residual), also for NaN or infinite values.</para>
/// <para>The activation is a struct type argument (<see cref="ReLUActivation{T}"/>, <see cref="LeakyReLUActivation{T}"/>,
/// <see cref="GeluTanhActivation{T}"/>, <see cref="SiLUActivation{T}"/>, <see cref="TanhActivation{T}"/>,
/// <see cref="IdentityActivation{T}"/> or your own <see cref="IActivation{T}"/>): the JIT compiles one specialized kernel per activation.</para>
/// <para>As in <see cref="DropoutKernels"/>, calls of at least <see cref="DropoutKernels.ParallelThreshold"/> elements are split across
/// up to <see cref="DropoutKernels.MaxDegreeOfParallelism"/> threads in tile-aligned chunks, bit-identically to one thread; a
/// backward that computes the bias gradient stays on one thread (its summation order is fixed). Smaller calls allocate nothing.</para>
/// </remarks>
public static unsafe class FusedEpilogue
{
    /// <summary>
    /// Fused forward that records the mask: <c>output = dropout(act(preActivation + bias)) + residual</c> in one pass,
    /// with the mask bits written to <paramref name="mask"/>.
    /// </summary>
    /// <typeparam name="TActivation">The activation operator, e.g. <see cref="ReLUActivation{T}"/> or <see cref="GeluTanhActivation{T}"/>.</typeparam>
    /// <param name="preActivation">The pre-activation x, row-major, <c>rows × columns</c>.</param>
    /// <param name="bias">The bias, one per column (length <paramref name="columns"/>), or empty for none.</param>
    /// <param name="residual">Added after dropout (the length of <paramref name="preActivation"/>), or empty for none; may be <paramref name="output"/> itself.</param>
    /// <param name="output">Receives the result; may be <paramref name="preActivation"/> or <paramref name="residual"/> itself, but must not partially overlap them.</param>
    /// <param name="mask">
    /// Receives one bit per element (<see cref="MaskLayout.MaskByteCount"/> bytes): the keep bit of <c>docs/masks.md</c>,
    /// or for ReLU (<see cref="ActivationGradient.PositiveGate"/>) the bit "kept and x + bias &gt; 0", which is all its backward needs.
    /// </param>
    /// <param name="columns">The row length; positive and dividing the length of <paramref name="preActivation"/>.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>preActivation[0]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, or the mask is too small.</exception>
    public static void Forward<TActivation>(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Span<float> output, Span<byte> mask, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<float> =>
        Forward(preActivation, bias, residual, output, mask, recordMask: true, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>
    /// Fused forward that records nothing: the backward pass regenerates the keep bits from (<paramref name="seed"/>,
    /// <paramref name="offset"/>) and recomputes the activation's derivative from <paramref name="preActivation"/>.
    /// </summary>
    /// <inheritdoc cref="Forward{TActivation}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    public static void Forward<TActivation>(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Span<float> output, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<float> =>
        Forward(preActivation, bias, residual, output, default, recordMask: false, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>The inference chain, <c>output = act(preActivation + bias) + residual</c>: no dropout, no draws, no mask.</summary>
    /// <inheritdoc cref="Forward{TActivation}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    public static void Inference<TActivation>(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Span<float> output, int columns, TActivation activation)
        where TActivation : struct, IActivation<float> =>
        ForwardCore(preActivation, bias, residual, output, default, recordMask: false, columns, activation, default(NoDropout<float>), 0, 0);

    /// <summary>
    /// Fused backward from the mask <see cref="Forward{TActivation}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    /// recorded: <c>gradPreActivation = gradOutput ⊙ m / p ⊙ act'(x + bias)</c> (dropped elements exactly +0), and the
    /// bias gradient (the column sums of <paramref name="gradPreActivation"/>) when <paramref name="gradBias"/> is not empty.
    /// </summary>
    /// <remarks>
    /// The residual's gradient is <paramref name="gradOutput"/> itself; nothing is computed for it. ReLU and the identity
    /// need only the mask: pass empty <paramref name="preActivation"/> and <paramref name="bias"/>. The other activations
    /// recompute their derivative from the forward's <paramref name="preActivation"/> and <paramref name="bias"/>.
    /// </remarks>
    /// <typeparam name="TActivation">The activation the forward used.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="mask">The mask the forward recorded.</param>
    /// <param name="preActivation">The forward's pre-activation, or empty when the activation does not need it (see remarks).</param>
    /// <param name="bias">The forward's bias (length <paramref name="columns"/>), or empty.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation; may be <paramref name="gradOutput"/> or <paramref name="preActivation"/> itself.</param>
    /// <param name="gradBias">Receives (is overwritten with) the bias gradient, length <paramref name="columns"/>; empty to skip it.</param>
    /// <param name="columns">The row length the forward used.</param>
    /// <param name="activation">The activation the forward used.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, the mask is too small, or the activation needs the pre-activation and none was given.</exception>
    public static void Backward<TActivation>(ReadOnlySpan<float> gradOutput, ReadOnlySpan<byte> mask, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> gradPreActivation, Span<float> gradBias, int columns, TActivation activation, double keepProbability)
        where TActivation : struct, IActivation<float> =>
        Backward(gradOutput, mask, fromMask: true, preActivation, bias, gradPreActivation, gradBias, columns, activation, DropoutMaskSpec.Create(keepProbability), 0, 0);

    /// <summary>
    /// Fused backward by regeneration: as the overload that takes a mask, with the keep bits drawn again from
    /// (<paramref name="seed"/>, <paramref name="offset"/>). Every activation but the identity needs <paramref name="preActivation"/> here (ReLU its sign).
    /// </summary>
    /// <typeparam name="TActivation">The activation the forward used.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="preActivation">The forward's pre-activation (may be empty for the identity).</param>
    /// <param name="bias">The forward's bias (length <paramref name="columns"/>), or empty.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation; may be <paramref name="gradOutput"/> or <paramref name="preActivation"/> itself.</param>
    /// <param name="gradBias">Receives (is overwritten with) the bias gradient, length <paramref name="columns"/>; empty to skip it.</param>
    /// <param name="columns">The row length the forward used.</param>
    /// <param name="activation">The activation the forward used.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <param name="seed">The seed the forward used.</param>
    /// <param name="offset">The offset the forward used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, or the activation needs the pre-activation and none was given.</exception>
    public static void Backward<TActivation>(ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> gradPreActivation, Span<float> gradBias, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<float> =>
        Backward(gradOutput, default, fromMask: false, preActivation, bias, gradPreActivation, gradBias, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>
    /// Fused forward that records the mask: <c>output = dropout(act(preActivation + bias)) + residual</c> in one pass,
    /// with the mask bits written to <paramref name="mask"/>.
    /// </summary>
    /// <typeparam name="TActivation">The activation operator, e.g. <see cref="ReLUActivation{T}"/> or <see cref="GeluTanhActivation{T}"/>.</typeparam>
    /// <param name="preActivation">The pre-activation x, row-major, <c>rows × columns</c>.</param>
    /// <param name="bias">The bias, one per column (length <paramref name="columns"/>), or empty for none.</param>
    /// <param name="residual">Added after dropout (the length of <paramref name="preActivation"/>), or empty for none; may be <paramref name="output"/> itself.</param>
    /// <param name="output">Receives the result; may be <paramref name="preActivation"/> or <paramref name="residual"/> itself, but must not partially overlap them.</param>
    /// <param name="mask">
    /// Receives one bit per element (<see cref="MaskLayout.MaskByteCount"/> bytes): the keep bit of <c>docs/masks.md</c>,
    /// or for ReLU (<see cref="ActivationGradient.PositiveGate"/>) the bit "kept and x + bias &gt; 0", which is all its backward needs.
    /// </param>
    /// <param name="columns">The row length; positive and dividing the length of <paramref name="preActivation"/>.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>preActivation[0]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, or the mask is too small.</exception>
    public static void Forward<TActivation>(ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, ReadOnlySpan<double> residual, Span<double> output, Span<byte> mask, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<double> =>
        Forward(preActivation, bias, residual, output, mask, recordMask: true, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>
    /// Fused forward that records nothing: the backward pass regenerates the keep bits from (<paramref name="seed"/>,
    /// <paramref name="offset"/>) and recomputes the activation's derivative from <paramref name="preActivation"/>.
    /// </summary>
    /// <inheritdoc cref="Forward{TActivation}(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    public static void Forward<TActivation>(ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, ReadOnlySpan<double> residual, Span<double> output, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<double> =>
        Forward(preActivation, bias, residual, output, default, recordMask: false, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>The inference chain, <c>output = act(preActivation + bias) + residual</c>: no dropout, no draws, no mask.</summary>
    /// <inheritdoc cref="Forward{TActivation}(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    public static void Inference<TActivation>(ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, ReadOnlySpan<double> residual, Span<double> output, int columns, TActivation activation)
        where TActivation : struct, IActivation<double> =>
        ForwardCore(preActivation, bias, residual, output, default, recordMask: false, columns, activation, default(NoDropout<double>), 0, 0);

    /// <summary>
    /// Fused backward from the mask <see cref="Forward{TActivation}(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{byte}, int, TActivation, double, ulong, ulong)"/>
    /// recorded: <c>gradPreActivation = gradOutput ⊙ m / p ⊙ act'(x + bias)</c> (dropped elements exactly +0), and the
    /// bias gradient (the column sums of <paramref name="gradPreActivation"/>) when <paramref name="gradBias"/> is not empty.
    /// </summary>
    /// <remarks>
    /// The residual's gradient is <paramref name="gradOutput"/> itself; nothing is computed for it. ReLU and the identity
    /// need only the mask: pass empty <paramref name="preActivation"/> and <paramref name="bias"/>. The other activations
    /// recompute their derivative from the forward's <paramref name="preActivation"/> and <paramref name="bias"/>.
    /// </remarks>
    /// <typeparam name="TActivation">The activation the forward used.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="mask">The mask the forward recorded.</param>
    /// <param name="preActivation">The forward's pre-activation, or empty when the activation does not need it (see remarks).</param>
    /// <param name="bias">The forward's bias (length <paramref name="columns"/>), or empty.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation; may be <paramref name="gradOutput"/> or <paramref name="preActivation"/> itself.</param>
    /// <param name="gradBias">Receives (is overwritten with) the bias gradient, length <paramref name="columns"/>; empty to skip it.</param>
    /// <param name="columns">The row length the forward used.</param>
    /// <param name="activation">The activation the forward used.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, the mask is too small, or the activation needs the pre-activation and none was given.</exception>
    public static void Backward<TActivation>(ReadOnlySpan<double> gradOutput, ReadOnlySpan<byte> mask, ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, Span<double> gradPreActivation, Span<double> gradBias, int columns, TActivation activation, double keepProbability)
        where TActivation : struct, IActivation<double> =>
        Backward(gradOutput, mask, fromMask: true, preActivation, bias, gradPreActivation, gradBias, columns, activation, DropoutMaskSpec.Create(keepProbability), 0, 0);

    /// <summary>
    /// Fused backward by regeneration: as the overload that takes a mask, with the keep bits drawn again from
    /// (<paramref name="seed"/>, <paramref name="offset"/>). Every activation but the identity needs <paramref name="preActivation"/> here (ReLU its sign).
    /// </summary>
    /// <typeparam name="TActivation">The activation the forward used.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="preActivation">The forward's pre-activation (may be empty for the identity).</param>
    /// <param name="bias">The forward's bias (length <paramref name="columns"/>), or empty.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation; may be <paramref name="gradOutput"/> or <paramref name="preActivation"/> itself.</param>
    /// <param name="gradBias">Receives (is overwritten with) the bias gradient, length <paramref name="columns"/>; empty to skip it.</param>
    /// <param name="columns">The row length the forward used.</param>
    /// <param name="activation">The activation the forward used.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <param name="seed">The seed the forward used.</param>
    /// <param name="offset">The offset the forward used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported, or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length does not match, a span overlaps another it must not, or the activation needs the pre-activation and none was given.</exception>
    public static void Backward<TActivation>(ReadOnlySpan<double> gradOutput, ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, Span<double> gradPreActivation, Span<double> gradBias, int columns, TActivation activation, double keepProbability, ulong seed, ulong offset)
        where TActivation : struct, IActivation<double> =>
        Backward(gradOutput, default, fromMask: false, preActivation, bias, gradPreActivation, gradBias, columns, activation, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>
    /// The fused forward with the dropout part as an operator, for generated code: <paramref name="dropout"/> may be a
    /// struct whose keep test and scale are constants.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <typeparam name="TActivation">The activation operator.</typeparam>
    /// <typeparam name="TDropout">The dropout operator (<see cref="DropoutEpilogue{T}"/>, <see cref="NoDropout{T}"/> or generated).</typeparam>
    /// <param name="preActivation">The pre-activation x, row-major.</param>
    /// <param name="bias">The bias (length <paramref name="columns"/>) or empty.</param>
    /// <param name="residual">The residual (the length of x) or empty.</param>
    /// <param name="output">Receives the result.</param>
    /// <param name="mask">Receives the mask when <paramref name="recordMask"/> is set.</param>
    /// <param name="recordMask">Whether to record the mask.</param>
    /// <param name="columns">The row length.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="dropout">The dropout operator.</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>preActivation[0]</c>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void ForwardCore<T, TActivation, TDropout>(ReadOnlySpan<T> preActivation, ReadOnlySpan<T> bias, ReadOnlySpan<T> residual, Span<T> output, Span<byte> mask, bool recordMask, int columns, TActivation activation, TDropout dropout, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
    {
        EnsureSupported<T>();
        if (dropout.Draws && dropout.Spec.IsIdentity)
        {
            // p = 1 draws nothing and scales nothing.
            ForwardCore(preActivation, bias, residual, output, mask, recordMask, columns, activation, default(NoDropout<T>), seed, offset);
            return;
        }

        int count = preActivation.Length;
        ValidateForward(preActivation, bias, residual, output, columns);
        if (recordMask && mask.Length < MaskLayout.MaskByteCount(count))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), count, mask.Length);
        }

        fixed (T* input = preActivation)
        fixed (T* biasPointer = bias)
        fixed (T* residualPointer = residual)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            byte* record = recordMask ? maskPointer : null;
            if (bias.IsEmpty)
            {
                if (residual.IsEmpty)
                {
                    RunForward<T, TActivation, TDropout, Absent, Absent>(input, null, null, outputPointer, record, count, columns, activation, dropout, seed, offset);
                }
                else
                {
                    RunForward<T, TActivation, TDropout, Absent, Present>(input, null, residualPointer, outputPointer, record, count, columns, activation, dropout, seed, offset);
                }
            }
            else if (residual.IsEmpty)
            {
                RunForward<T, TActivation, TDropout, Present, Absent>(input, biasPointer, null, outputPointer, record, count, columns, activation, dropout, seed, offset);
            }
            else
            {
                RunForward<T, TActivation, TDropout, Present, Present>(input, biasPointer, residualPointer, outputPointer, record, count, columns, activation, dropout, seed, offset);
            }
        }
    }

    /// <summary>The fused backward with the dropout part as an operator, for generated code.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <typeparam name="TActivation">The activation operator.</typeparam>
    /// <typeparam name="TDropout">The dropout operator the forward used.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="mask">The recorded mask, when <paramref name="fromMask"/> is set.</param>
    /// <param name="fromMask">Read the keep bits from <paramref name="mask"/> instead of regenerating them.</param>
    /// <param name="preActivation">The forward's pre-activation, or empty when the activation does not need it.</param>
    /// <param name="bias">The forward's bias, or empty.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation.</param>
    /// <param name="gradBias">Receives the bias gradient, or empty.</param>
    /// <param name="columns">The row length.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="dropout">The dropout operator.</param>
    /// <param name="seed">The seed the forward used (when regenerating).</param>
    /// <param name="offset">The offset the forward used (when regenerating).</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void BackwardCore<T, TActivation, TDropout>(ReadOnlySpan<T> gradOutput, ReadOnlySpan<byte> mask, bool fromMask, ReadOnlySpan<T> preActivation, ReadOnlySpan<T> bias, Span<T> gradPreActivation, Span<T> gradBias, int columns, TActivation activation, TDropout dropout, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
    {
        EnsureSupported<T>();
        if (dropout.Draws && dropout.Spec.IsIdentity)
        {
            BackwardCore(gradOutput, mask, fromMask, preActivation, bias, gradPreActivation, gradBias, columns, activation, default(NoDropout<T>), seed, offset);
            return;
        }

        int count = gradOutput.Length;
        ValidateShape(count, columns, bias, nameof(bias));
        DropoutKernels.ValidateOutput(gradOutput, gradPreActivation, nameof(gradPreActivation));
        ActivationGradient kind = activation.Gradient;
        bool needsInput = kind == ActivationGradient.FromPreActivation || (kind == ActivationGradient.PositiveGate && !fromMask);
        if (needsInput)
        {
            if (preActivation.Length != count)
            {
                ThrowHelper.ThrowArgument(
                    nameof(preActivation),
                    $"The derivative of {typeof(TActivation).Name} is recomputed from the forward's pre-activation: pass it ({count} elements, got {preActivation.Length}).");
            }

            DropoutKernels.ValidateOutput(preActivation, gradPreActivation, nameof(gradPreActivation));
        }

        if (!gradBias.IsEmpty)
        {
            ValidateLength(gradBias, columns, nameof(gradBias));
            ValidateDisjoint(gradBias, gradPreActivation, nameof(gradBias));
            ValidateDisjoint(gradBias, gradOutput, nameof(gradBias));
            ValidateDisjoint(gradBias, preActivation, nameof(gradBias));
            ValidateDisjoint(gradBias, bias, nameof(gradBias));
        }

        ValidateDisjoint(bias, gradPreActivation, nameof(bias));
        if (fromMask && mask.Length < MaskLayout.MaskByteCount(count))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), count, mask.Length);
        }

        // Overwritten, not accumulated: the kernel's result is the column sums of this call.
        gradBias.Clear();
        fixed (T* gradOutputPointer = gradOutput)
        fixed (T* input = preActivation)
        fixed (T* biasPointer = bias)
        fixed (T* gradInput = gradPreActivation)
        fixed (T* gradBiasPointer = gradBias)
        fixed (byte* maskPointer = mask)
        {
            T* inputOrNull = needsInput ? input : null;
            byte* keepBits = fromMask ? maskPointer : null;
            bool recomputeGate = kind == ActivationGradient.PositiveGate && !fromMask;
            bool withBias = needsInput && !bias.IsEmpty;
            if (!withBias)
            {
                if (gradBias.IsEmpty)
                {
                    RunBackward<T, TActivation, TDropout, Absent, Absent>(gradOutputPointer, inputOrNull, null, gradInput, null, keepBits, recomputeGate, count, columns, activation, dropout, seed, offset);
                }
                else
                {
                    RunBackward<T, TActivation, TDropout, Absent, Present>(gradOutputPointer, inputOrNull, null, gradInput, gradBiasPointer, keepBits, recomputeGate, count, columns, activation, dropout, seed, offset);
                }
            }
            else if (gradBias.IsEmpty)
            {
                RunBackward<T, TActivation, TDropout, Present, Absent>(gradOutputPointer, inputOrNull, biasPointer, gradInput, null, keepBits, recomputeGate, count, columns, activation, dropout, seed, offset);
            }
            else
            {
                RunBackward<T, TActivation, TDropout, Present, Present>(gradOutputPointer, inputOrNull, biasPointer, gradInput, gradBiasPointer, keepBits, recomputeGate, count, columns, activation, dropout, seed, offset);
            }
        }
    }

    // One instantiation per combination of optional parts, so absent parts cost nothing in the loop.
    private static void RunForward<T, TActivation, TDropout, TBias, TResidual>(T* input, T* bias, T* residual, T* output, byte* record, int count, int columns, TActivation activation, TDropout dropout, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
        where TBias : struct, IPresence
        where TResidual : struct, IPresence
    {
        bool draws = dropout.Draws;
        DropoutMaskSpec spec = draws ? dropout.Spec : default;
        int degree = DegreeOfParallelism(count);
        if (degree <= 1)
        {
            var step = new ForwardStep<T, TActivation, TDropout, TBias, TResidual>(input, bias, residual, output, activation, dropout);
            FusedEpilogueDriver.Run<T, ForwardStep<T, TActivation, TDropout, TBias, TResidual>>(step, count, columns, 0, spec, regenerate: draws, seed, offset, keepBits: null, record);
            return;
        }

        RunForwardParallel<T, TActivation, TDropout, TBias, TResidual>(input, bias, residual, output, record, count, columns, activation, dropout, spec, draws, seed, offset, degree);
    }

    // A method of its own: the lambda's closure would otherwise be allocated on every call, also the small ones.
    private static void RunForwardParallel<T, TActivation, TDropout, TBias, TResidual>(T* input, T* bias, T* residual, T* output, byte* record, int count, int columns, TActivation activation, TDropout dropout, DropoutMaskSpec spec, bool draws, ulong seed, ulong offset, int degree)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
        where TBias : struct, IPresence
        where TResidual : struct, IPresence
    {
        // As DropoutKernels: tile-aligned chunks (whole mask bytes), each a call of its own at its stream position and
        // starting column, so the result is bit-identical to one thread.
        int chunk = DropoutKernels.ParallelChunkLength(count, degree);
        nint inputAddress = (nint)input, biasAddress = (nint)bias, residualAddress = (nint)residual, outputAddress = (nint)output, recordAddress = (nint)record;
        Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree }, part =>
        {
            long first = (long)part * chunk;
            if (first >= count)
            {
                return;
            }

            int start = (int)first;
            var step = new ForwardStep<T, TActivation, TDropout, TBias, TResidual>(
                (T*)inputAddress + start,
                (T*)biasAddress,
                residualAddress == 0 ? null : (T*)residualAddress + start,
                (T*)outputAddress + start,
                activation,
                dropout);
            byte* partRecord = recordAddress == 0 ? null : (byte*)recordAddress + (start / 8);
            FusedEpilogueDriver.Run<T, ForwardStep<T, TActivation, TDropout, TBias, TResidual>>(step, Math.Min(chunk, count - start), columns, start % columns, spec, regenerate: draws, seed, offset + (ulong)start, keepBits: null, partRecord);
        });
    }

    private static void RunBackward<T, TActivation, TDropout, TBias, TGradBias>(T* gradOutput, T* input, T* bias, T* gradInput, T* gradBias, byte* keepBits, bool recomputeGate, int count, int columns, TActivation activation, TDropout dropout, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
        where TBias : struct, IPresence
        where TGradBias : struct, IPresence
    {
        bool regenerate = keepBits == null && dropout.Draws;
        DropoutMaskSpec spec = regenerate ? dropout.Spec : default;

        // The bias gradient is summed row by row in element order on one thread: partial sums per thread would round
        // differently from one thread, and the result must not depend on the machine.
        int degree = TGradBias.IsPresent ? 1 : DegreeOfParallelism(count);
        if (degree <= 1)
        {
            var step = new BackwardStep<T, TActivation, TDropout, TBias, TGradBias>(gradOutput, input, bias, gradInput, gradBias, activation, dropout, recomputeGate);
            if (TGradBias.IsPresent && !regenerate && FusedEpilogueDriver.CanRunColumnSums<T>(columns, count))
            {
                FusedEpilogueDriver.RunColumnSums<T, BackwardStep<T, TActivation, TDropout, TBias, TGradBias>>(step, gradBias, count / columns, columns, keepBits);
                return;
            }

            FusedEpilogueDriver.Run<T, BackwardStep<T, TActivation, TDropout, TBias, TGradBias>>(step, count, columns, 0, spec, regenerate, seed, offset, keepBits, record: null);
            return;
        }

        RunBackwardParallel<T, TActivation, TDropout, TBias, TGradBias>(gradOutput, input, bias, gradInput, keepBits, recomputeGate, count, columns, activation, dropout, spec, regenerate, seed, offset, degree);
    }

    private static void RunBackwardParallel<T, TActivation, TDropout, TBias, TGradBias>(T* gradOutput, T* input, T* bias, T* gradInput, byte* keepBits, bool recomputeGate, int count, int columns, TActivation activation, TDropout dropout, DropoutMaskSpec spec, bool regenerate, ulong seed, ulong offset, int degree)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
        where TDropout : struct, IDropoutEpilogue<T>
        where TBias : struct, IPresence
        where TGradBias : struct, IPresence
    {
        int chunk = DropoutKernels.ParallelChunkLength(count, degree);
        nint gradOutputAddress = (nint)gradOutput, inputAddress = (nint)input, biasAddress = (nint)bias, gradInputAddress = (nint)gradInput, keepBitsAddress = (nint)keepBits;
        Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree }, part =>
        {
            long first = (long)part * chunk;
            if (first >= count)
            {
                return;
            }

            int start = (int)first;
            var step = new BackwardStep<T, TActivation, TDropout, TBias, TGradBias>(
                (T*)gradOutputAddress + start,
                inputAddress == 0 ? null : (T*)inputAddress + start,
                (T*)biasAddress,
                (T*)gradInputAddress + start,
                null,
                activation,
                dropout,
                recomputeGate);
            byte* partKeepBits = keepBitsAddress == 0 ? null : (byte*)keepBitsAddress + (start / 8);
            FusedEpilogueDriver.Run<T, BackwardStep<T, TActivation, TDropout, TBias, TGradBias>>(step, Math.Min(chunk, count - start), columns, start % columns, spec, regenerate, seed, offset + (ulong)start, partKeepBits, record: null);
        });
    }

    /// <summary>The threads one call may use, by the rule of <see cref="DropoutKernels"/> (its threshold and degree).</summary>
    private static int DegreeOfParallelism(int count) =>
        count >= DropoutKernels.ParallelThreshold ? Math.Min(DropoutKernels.MaxDegreeOfParallelism, count / DropoutKernels.ParallelThreshold * 2) : 1;

    // p = 1 runs as the inference chain inside ForwardCore (which still records ones, or ReLU's gate, as the mask).
    private static void Forward<T, TActivation>(ReadOnlySpan<T> preActivation, ReadOnlySpan<T> bias, ReadOnlySpan<T> residual, Span<T> output, Span<byte> mask, bool recordMask, int columns, TActivation activation, DropoutMaskSpec spec, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
    {
        ForwardCore(preActivation, bias, residual, output, mask, recordMask, columns, activation, new DropoutEpilogue<T>(spec), seed, offset);
    }

    private static void Backward<T, TActivation>(ReadOnlySpan<T> gradOutput, ReadOnlySpan<byte> mask, bool fromMask, ReadOnlySpan<T> preActivation, ReadOnlySpan<T> bias, Span<T> gradPreActivation, Span<T> gradBias, int columns, TActivation activation, DropoutMaskSpec spec, ulong seed, ulong offset)
        where T : unmanaged
        where TActivation : struct, IActivation<T>
    {
        BackwardCore(gradOutput, mask, fromMask, preActivation, bias, gradPreActivation, gradBias, columns, activation, new DropoutEpilogue<T>(spec), seed, offset);
    }

    private static void EnsureSupported<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"The fused epilogue kernels support float and double, not {typeof(T).Name}.");
        }
    }

    /// <summary>The forward's argument checks (shape, lengths, overlaps), also run by generated sites before they change any state.</summary>
    internal static void ValidateForward<T>(ReadOnlySpan<T> preActivation, ReadOnlySpan<T> bias, ReadOnlySpan<T> residual, Span<T> output, int columns)
    {
        int count = preActivation.Length;
        ValidateShape(count, columns, bias, nameof(bias));
        DropoutKernels.ValidateOutput(preActivation, output, nameof(output));
        if (!residual.IsEmpty)
        {
            ValidateLength(residual, count, nameof(residual));
            DropoutKernels.ValidateOutput(residual, output, nameof(output));
        }

        ValidateDisjoint(bias, output, nameof(bias));
    }

    /// <summary>Throws unless <paramref name="columns"/> is positive and divides <paramref name="count"/>, and the bias is empty or one per column.</summary>
    private static void ValidateShape<T>(int count, int columns, ReadOnlySpan<T> bias, string biasName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (count % columns != 0)
        {
            ThrowHelper.ThrowArgument(nameof(columns), $"The data is rows × columns: {columns} columns do not divide {count} elements.");
        }

        if (!bias.IsEmpty && bias.Length != columns)
        {
            ThrowHelper.ThrowArgument(biasName, $"The bias has one element per column: {columns} expected, got {bias.Length}.");
        }
    }

    private static void ValidateLength<T>(ReadOnlySpan<T> span, int expected, string name)
    {
        if (span.Length != expected)
        {
            ThrowHelper.ThrowLengthMismatch(name, expected, span.Length);
        }
    }

    private static void ValidateDisjoint<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, string name)
    {
        if (first.Overlaps(second))
        {
            ThrowHelper.ThrowArgument(name, $"'{name}' must not overlap the spans the kernel writes or reads element by element.");
        }
    }
}
