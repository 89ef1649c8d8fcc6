using System.Runtime.Intrinsics;

namespace Dropout;

// Channel, shared-over-time and per-sample dropout (see DropoutNoiseShape): the element-wise mask definition applied to
// the DecisionCount positions of the shape, then repeated along its shared axis. Fewer random bits than element-wise
// dropout and the same single pass over the activations.
public static unsafe partial class DropoutKernels
{
    /// <summary>
    /// Dropout forward with one keep decision per group of <paramref name="shape"/> (channel, shared-over-time or
    /// per-sample dropout): <c>output = input ⊙ m / p</c> where every element of a group takes its group's decision, and
    /// the decisions are written to <paramref name="mask"/> (1 bit per decision).
    /// </summary>
    /// <param name="input">The activations, laid out as <paramref name="shape"/> says.</param>
    /// <param name="output">Receives the result; may be <paramref name="input"/> itself.</param>
    /// <param name="mask">Receives the decisions; at least <see cref="MaskLayout.MaskByteCount"/>(<see cref="DropoutNoiseShape.DecisionCount"/>) bytes.</param>
    /// <param name="shape">Which elements share a decision.</param>
    /// <param name="keepProbability">The probability p of keeping a group, in [2^-24, 1].</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of the first decision; the call uses <see cref="DropoutNoiseShape.DecisionCount"/> positions.</param>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<byte> mask, DropoutNoiseShape shape, double keepProbability, ulong seed, ulong offset) =>
        RunShaped(input, output, mask, shape, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float}, Span{byte}, DropoutNoiseShape, double, ulong, ulong)"/>
    public static void Forward(ReadOnlySpan<double> input, Span<double> output, Span<byte> mask, DropoutNoiseShape shape, double keepProbability, ulong seed, ulong offset) =>
        RunShaped(input, output, mask, shape, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>Backward of a shaped forward: <c>gradInput = gradOutput ⊙ m / p</c> with the decisions it recorded.</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input; may be <paramref name="gradOutput"/> itself.</param>
    /// <param name="mask">The decisions the forward recorded.</param>
    /// <param name="shape">The shape the forward used.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    public static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, ReadOnlySpan<byte> mask, DropoutNoiseShape shape, double keepProbability) =>
        ApplyShaped(gradOutput, gradInput, mask, shape, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{byte}, DropoutNoiseShape, double)"/>
    public static void Backward(ReadOnlySpan<double> gradOutput, Span<double> gradInput, ReadOnlySpan<byte> mask, DropoutNoiseShape shape, double keepProbability) =>
        ApplyShaped(gradOutput, gradInput, mask, shape, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    internal static void RunShaped<T>(ReadOnlySpan<T> input, Span<T> output, Span<byte> mask, DropoutNoiseShape shape, DropoutMaskSpec spec, ulong seed, ulong offset)
        where T : unmanaged
    {
        ValidateShaped(input, output, mask, shape, nameof(output));
        FillMask(mask, shape.DecisionCount, spec, seed, offset);
        ApplyShaped(input, output, mask, shape, spec, nameof(output));
    }

    internal static void ApplyShaped<T>(ReadOnlySpan<T> input, Span<T> output, ReadOnlySpan<byte> mask, DropoutNoiseShape shape, DropoutMaskSpec spec, string outputName)
        where T : unmanaged
    {
        ValidateShaped(input, output, mask, shape, outputName);
        if (spec.IsIdentity)
        {
            CopyIfDistinct(input, output);
            return;
        }

        T scale = ScaleOf<T>(spec);
        VectorWidth width = VectorWidths.Current;
        fixed (T* inputPointer = input)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            if (shape.Inner == 1)
            {
                // One decision per contiguous group of Shared elements (channels, samples).
                for (int group = 0; group < shape.Outer; group++)
                {
                    nint start = (nint)group * shape.Shared;
                    if (((maskPointer[group >> 3] >> (group & 7)) & 1) != 0)
                    {
                        Scale(inputPointer + start, outputPointer + start, shape.Shared, scale, width);
                    }
                    else
                    {
                        new Span<T>(outputPointer + start, shape.Shared).Clear();
                    }
                }

                return;
            }

            // A row of Inner decisions repeated at every step of the shared axis (time steps).
            for (int group = 0; group < shape.Outer; group++)
            {
                nint firstBit = (nint)group * shape.Inner;
                for (int step = 0; step < shape.Shared; step++)
                {
                    nint start = (((nint)group * shape.Shared) + step) * shape.Inner;
                    MaskedScale.Apply(inputPointer + start, outputPointer + start, shape.Inner, maskPointer, firstBit, scale, width);
                }
            }
        }
    }

    private static void ValidateShaped<T>(ReadOnlySpan<T> input, Span<T> output, ReadOnlySpan<byte> mask, DropoutNoiseShape shape, string outputName)
    {
        if (input.Length != shape.ElementCount)
        {
            ThrowHelper.ThrowArgument(
                nameof(shape),
                $"The noise shape {shape} covers {shape.ElementCount} elements but the input has {input.Length}.");
        }

        ValidateOutput(input, output, outputName);
        if (mask.Length < MaskLayout.MaskByteCount(shape.DecisionCount))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), shape.DecisionCount, mask.Length);
        }
    }

    // output = input · scale over one contiguous run; IEEE multiplication, so every width gives the same values.
    private static void Scale<T>(T* input, T* output, int count, T scale, VectorWidth width)
        where T : unmanaged
    {
        nint i = 0;
        if (width == VectorWidth.Vector512)
        {
            Vector512<T> factor = Vector512.Create(scale);
            for (; i <= count - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                (Vector512.Load(input + i) * factor).Store(output + i);
            }
        }
        else if (width == VectorWidth.Vector256)
        {
            Vector256<T> factor = Vector256.Create(scale);
            for (; i <= count - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                (Vector256.Load(input + i) * factor).Store(output + i);
            }
        }
        else if (width == VectorWidth.Vector128)
        {
            Vector128<T> factor = Vector128.Create(scale);
            for (; i <= count - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                (Vector128.Load(input + i) * factor).Store(output + i);
            }
        }

        for (; i < count; i++)
        {
            output[i] = MaskedScale.Multiply(input[i], scale);
        }
    }

}
