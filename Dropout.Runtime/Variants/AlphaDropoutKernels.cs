using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The affine map alpha dropout applies (Klambauer et al., 2017; PyTorch <c>AlphaDropout</c>): for a SELU network, a
/// dropped unit takes SELU's negative saturation value <c>α' = -λα</c> instead of 0, and <c>a·(·) + b</c> restores zero
/// mean and unit variance: <c>a = (p·(1 + (1 - p)·α'²))^(-1/2)</c>, <c>b = -a·α'·(1 - p)</c> (p = keep probability).
/// </summary>
public readonly record struct AlphaDropoutCoefficients
{
    /// <summary>SELU's negative saturation value, <c>-λα</c> = -1.7580993408473766.</summary>
    public const double SeluSaturation = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717;

    internal AlphaDropoutCoefficients(double keepProbability)
    {
        double dropRate = 1.0 - keepProbability;
        Scale = 1.0 / Math.Sqrt(keepProbability * (1.0 + (dropRate * SeluSaturation * SeluSaturation)));
        Shift = -Scale * SeluSaturation * dropRate;
        DroppedValue = (Scale * SeluSaturation) + Shift;
    }

    /// <summary>Gets <c>a</c>: kept values become <c>a·x + b</c>; backward multiplies kept gradients by it.</summary>
    public double Scale { get; }

    /// <summary>Gets <c>b</c>.</summary>
    public double Shift { get; }

    /// <summary>Gets the value of every dropped unit, <c>a·α' + b</c>.</summary>
    public double DroppedValue { get; }

    /// <summary>Computes the coefficients of keep probability <paramref name="keepProbability"/>.</summary>
    /// <param name="keepProbability">The keep probability, in [2^-24, 1]; 1 gives the identity (a = 1, b = 0).</param>
    /// <returns>The coefficients.</returns>
    public static AlphaDropoutCoefficients Create(double keepProbability) =>
        new(DropoutMaskSpec.Create(keepProbability).KeepProbability);
}

public static unsafe partial class DropoutKernels
{
    /// <summary>
    /// Alpha dropout forward (for SELU networks): kept elements become <c>a·x + b</c>, dropped ones <c>a·α' + b</c>
    /// (see <see cref="AlphaDropoutCoefficients"/>), with the keep decisions of <c>docs/masks.md</c> written to <paramref name="mask"/>.
    /// </summary>
    /// <param name="input">The activations (SELU outputs).</param>
    /// <param name="output">Receives the result; may be <paramref name="input"/> itself.</param>
    /// <param name="mask">Receives the bit-packed decisions; at least <see cref="MaskLayout.MaskByteCount"/> bytes.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1].</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>input[0]</c>.</param>
    public static void ForwardAlpha(ReadOnlySpan<float> input, Span<float> output, Span<byte> mask, double keepProbability, ulong seed, ulong offset) =>
        RunAlpha(input, output, mask, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <inheritdoc cref="ForwardAlpha(ReadOnlySpan{float}, Span{float}, Span{byte}, double, ulong, ulong)"/>
    public static void ForwardAlpha(ReadOnlySpan<double> input, Span<double> output, Span<byte> mask, double keepProbability, ulong seed, ulong offset) =>
        RunAlpha(input, output, mask, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>Alpha dropout backward: <c>gradInput = gradOutput ⊙ m · a</c> with the forward's decisions.</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input; may be <paramref name="gradOutput"/> itself.</param>
    /// <param name="mask">The decisions the forward recorded.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    public static void BackwardAlpha(ReadOnlySpan<float> gradOutput, Span<float> gradInput, ReadOnlySpan<byte> mask, double keepProbability) =>
        BackwardAlphaCore(gradOutput, gradInput, mask, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    /// <inheritdoc cref="BackwardAlpha(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{byte}, double)"/>
    public static void BackwardAlpha(ReadOnlySpan<double> gradOutput, Span<double> gradInput, ReadOnlySpan<byte> mask, double keepProbability) =>
        BackwardAlphaCore(gradOutput, gradInput, mask, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    internal static void RunAlpha<T>(ReadOnlySpan<T> input, Span<T> output, Span<byte> mask, DropoutMaskSpec spec, ulong seed, ulong offset)
        where T : unmanaged
    {
        var coefficients = new AlphaDropoutCoefficients(spec.KeepProbability);
        ValidateOutput(input, output, nameof(output));
        if (mask.Length < MaskLayout.MaskByteCount(input.Length))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), input.Length, mask.Length);
        }

        FillMask(mask, input.Length, spec, seed, offset);
        T scale = Convert<T>(coefficients.Scale), shift = Convert<T>(coefficients.Shift), dropped = Convert<T>(coefficients.DroppedValue);
        fixed (T* inputPointer = input)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            AlphaAffine(inputPointer, outputPointer, input.Length, maskPointer, scale, shift, dropped, VectorWidths.Current);
        }
    }

    internal static void BackwardAlphaCore<T>(ReadOnlySpan<T> gradOutput, Span<T> gradInput, ReadOnlySpan<byte> mask, DropoutMaskSpec spec, string gradInputName)
        where T : unmanaged
    {
        var coefficients = new AlphaDropoutCoefficients(spec.KeepProbability);
        ValidateOutput(gradOutput, gradInput, gradInputName);
        if (mask.Length < MaskLayout.MaskByteCount(gradOutput.Length))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), gradOutput.Length, mask.Length);
        }

        fixed (T* inputPointer = gradOutput)
        fixed (T* outputPointer = gradInput)
        fixed (byte* maskPointer = mask)
        {
            MaskedScale.Apply(inputPointer, outputPointer, gradOutput.Length, maskPointer, 0, Convert<T>(coefficients.Scale), VectorWidths.Current);
        }
    }

    // output[i] = kept(i) ? x·a + b : dropped — a multiply then an add (never fused), so every width rounds alike.
    private static void AlphaAffine<T>(T* input, T* output, int count, byte* bits, T scale, T shift, T dropped, VectorWidth width)
        where T : unmanaged
    {
        nint i = 0;
        if (width == VectorWidth.Vector512)
        {
            Vector512<T> a = Vector512.Create(scale), b = Vector512.Create(shift), c = Vector512.Create(dropped);
            for (; i <= count - 64; i += 64)
            {
                ulong window = MaskedScale.ReadWindow(bits, i, count);
                for (int v = 0; v < 64; v += Vector512<T>.Count)
                {
                    Vector512<T> kept = (Vector512.Load(input + i + v) * a) + b;
                    Vector512.ConditionalSelect(MaskedScale.LaneMask512<T>((uint)(window >> v)), kept, c).Store(output + i + v);
                }
            }
        }
        else if (width == VectorWidth.Vector256)
        {
            Vector256<T> a = Vector256.Create(scale), b = Vector256.Create(shift), c = Vector256.Create(dropped);
            for (; i <= count - 64; i += 64)
            {
                ulong window = MaskedScale.ReadWindow(bits, i, count);
                for (int v = 0; v < 64; v += Vector256<T>.Count)
                {
                    Vector256<T> kept = (Vector256.Load(input + i + v) * a) + b;
                    Vector256.ConditionalSelect(MaskedScale.LaneMask256<T>((uint)(window >> v)), kept, c).Store(output + i + v);
                }
            }
        }
        else if (width == VectorWidth.Vector128)
        {
            Vector128<T> a = Vector128.Create(scale), b = Vector128.Create(shift), c = Vector128.Create(dropped);
            for (; i <= count - 64; i += 64)
            {
                ulong window = MaskedScale.ReadWindow(bits, i, count);
                for (int v = 0; v < 64; v += Vector128<T>.Count)
                {
                    Vector128<T> kept = (Vector128.Load(input + i + v) * a) + b;
                    Vector128.ConditionalSelect(MaskedScale.LaneMask128<T>((uint)(window >> v)), kept, c).Store(output + i + v);
                }
            }
        }

        for (; i < count; i++)
        {
            bool kept = ((bits[i >> 3] >> (int)(i & 7)) & 1) != 0;
            output[i] = kept ? Add(MaskedScale.Multiply(input[i], scale), shift) : dropped;
        }
    }

    private static T Convert<T>(double value)
        where T : unmanaged =>
        typeof(T) == typeof(float) ? (T)(object)(float)value : (T)(object)value;

    private static T Add<T>(T left, T right)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? (T)(object)((float)(object)left + (float)(object)right)
            : (T)(object)((double)(object)left + (double)(object)right);
}
