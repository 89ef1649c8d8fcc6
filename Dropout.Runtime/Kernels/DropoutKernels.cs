using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dropout;

/// <summary>
/// Reference dropout kernels over spans of <see cref="float"/> and <see cref="double"/>, vectorized with
/// Vector512/256/128 and a scalar tail. Every kernel implements the mask definition of <c>docs/masks.md</c>:
/// element <c>i</c> of a call is element <c>offset + i</c> of the stream keyed by <c>seed</c>, so any split of a span
/// into calls, any vector width and any thread count produce the same bits.
/// </summary>
/// <remarks>
/// <para>Kept elements are multiplied by 1/p; dropped elements are exactly +0.0, also for NaN or infinite inputs.
/// p = 1 is the identity and draws nothing. <c>input</c> and <c>output</c> may be the same span (in place), but must not
/// partially overlap.</para>
/// <para>Masks are bit-packed, 1 bit per element, LSB first: element <c>i</c> is bit <c>i % 8</c> of byte <c>i / 8</c>
/// (<see cref="MaskLayout.MaskByteCount"/> bytes). A set bit means kept.</para>
/// <para>Spans of at least <see cref="ParallelThreshold"/> elements are split across up to
/// <see cref="MaxDegreeOfParallelism"/> threads in tile-aligned chunks; the result is bit-identical to one thread.
/// Smaller calls allocate nothing and never leave the calling thread.</para>
/// </remarks>
public static unsafe partial class DropoutKernels
{
    /// <summary>Chunks handed to threads are multiples of this many elements: a whole number of tiles and of mask bytes.</summary>
    private const int ParallelChunkAlignment = 2048;

    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// Gets the element count from which a call may use several threads. Below it, thread hand-off costs more than the
    /// work (about 4 MiB of floats, well past the L2 cache).
    /// </summary>
    public static int ParallelThreshold => 1 << 20;

    /// <summary>Gets or sets the most threads one large call may use; 1 keeps every call on the calling thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Dropout forward that records the mask: <c>output = input ⊙ m / p</c>, with m written to <paramref name="mask"/>.</summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result; may be <paramref name="input"/> itself.</param>
    /// <param name="mask">Receives the bit-packed mask; at least <see cref="MaskLayout.MaskByteCount"/> bytes.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>input[0]</c>.</param>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<byte> mask, double keepProbability, ulong seed, ulong offset) =>
        Run(input, output, mask, recordMask: true, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float}, Span{byte}, double, ulong, ulong)"/>
    public static void Forward(ReadOnlySpan<double> input, Span<double> output, Span<byte> mask, double keepProbability, ulong seed, ulong offset) =>
        Run(input, output, mask, recordMask: true, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>
    /// Dropout forward that records nothing: the backward pass regenerates the mask from (<paramref name="seed"/>,
    /// <paramref name="offset"/>) with <see cref="Backward(ReadOnlySpan{float}, Span{float}, double, ulong, ulong)"/>.
    /// </summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result; may be <paramref name="input"/> itself.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>input[0]</c>.</param>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, double keepProbability, ulong seed, ulong offset) =>
        Run(input, output, default, recordMask: false, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float}, double, ulong, ulong)"/>
    public static void Forward(ReadOnlySpan<double> input, Span<double> output, double keepProbability, ulong seed, ulong offset) =>
        Run(input, output, default, recordMask: false, DropoutMaskSpec.Create(keepProbability), seed, offset);

    /// <summary>Dropout backward by regeneration: <c>gradInput = gradOutput ⊙ m / p</c> with the mask the forward drew at (<paramref name="seed"/>, <paramref name="offset"/>).</summary>
    /// <param name="gradOutput">The gradient with respect to the dropout's output.</param>
    /// <param name="gradInput">Receives the gradient with respect to its input; may be <paramref name="gradOutput"/> itself.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <param name="seed">The seed the forward used.</param>
    /// <param name="offset">The offset the forward used.</param>
    public static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, double keepProbability, ulong seed, ulong offset) =>
        Run(gradOutput, gradInput, default, recordMask: false, DropoutMaskSpec.Create(keepProbability), seed, offset, nameof(gradInput));

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, Span{float}, double, ulong, ulong)"/>
    public static void Backward(ReadOnlySpan<double> gradOutput, Span<double> gradInput, double keepProbability, ulong seed, ulong offset) =>
        Run(gradOutput, gradInput, default, recordMask: false, DropoutMaskSpec.Create(keepProbability), seed, offset, nameof(gradInput));

    /// <summary>Dropout backward from a recorded bit mask: <c>gradInput = gradOutput ⊙ m / p</c>.</summary>
    /// <param name="gradOutput">The gradient with respect to the dropout's output.</param>
    /// <param name="gradInput">Receives the gradient with respect to its input; may be <paramref name="gradOutput"/> itself.</param>
    /// <param name="mask">The mask the forward recorded.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    public static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, ReadOnlySpan<byte> mask, double keepProbability) =>
        ApplyMask(gradOutput, gradInput, mask, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{byte}, double)"/>
    public static void Backward(ReadOnlySpan<double> gradOutput, Span<double> gradInput, ReadOnlySpan<byte> mask, double keepProbability) =>
        ApplyMask(gradOutput, gradInput, mask, DropoutMaskSpec.Create(keepProbability), nameof(gradInput));

    /// <summary>Writes the mask of <paramref name="count"/> elements at (<paramref name="seed"/>, <paramref name="offset"/>) without touching any activations.</summary>
    /// <param name="mask">Receives the bit-packed mask.</param>
    /// <param name="count">The number of elements.</param>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of the first element.</param>
    public static void FillMask(Span<byte> mask, int count, double keepProbability, ulong seed, ulong offset) =>
        FillMask(mask, count, DropoutMaskSpec.Create(keepProbability), seed, offset);

    internal static void FillMask(Span<byte> mask, int count, in DropoutMaskSpec spec, ulong seed, ulong offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (mask.Length < MaskLayout.MaskByteCount(count))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), count, mask.Length);
        }

        if (spec.IsIdentity)
        {
            mask[..MaskLayout.MaskByteCount(count)].Fill(0xFF);
            ClearUnusedBits(mask, count);
            return;
        }

        fixed (byte* maskPointer = mask)
        {
            var writer = new BitMaskWriter(maskPointer);
            ulong* batchBits = stackalloc ulong[TileMaskGenerator.MaxWordsPerTile];
            VectorWidth width = VectorWidths.Current;
            int done = 0;
            while (done < count)
            {
                int first = ComputeBatch(spec, seed, offset + (ulong)done, count - done, batchBits, width, out int length);
                writer.AppendRange((byte*)batchBits, first, length);
                done += length;
            }

            writer.Flush();
        }
    }

    /// <summary>
    /// Computes the keep bits of the consecutive tiles that cover the next at most 2,048 elements from stream position
    /// <paramref name="position"/> into <paramref name="batchBits"/> (32 words), so that small tiles (128 elements at
    /// p = 0.8) are applied in one pass instead of one call each.
    /// </summary>
    /// <returns>The bit of <paramref name="position"/> in the batch; <paramref name="length"/> gets the elements covered.</returns>
    private static int ComputeBatch(in DropoutMaskSpec spec, ulong seed, ulong position, int remaining, ulong* batchBits, VectorWidth width, out int length)
    {
        int elementsPerTile = spec.ElementsPerTile;
        int shift = BitOperations.TrailingZeroCount(elementsPerTile);
        ulong tile = position >> shift;
        int first = (int)(position & (ulong)(elementsPerTile - 1));
        int needed = (int)Math.Min((long)remaining + first, TileMaskGenerator.MaxWordsPerTile * 64);
        int tiles = (needed + elementsPerTile - 1) >> shift;
        int wordsPerTile = spec.ElementsPerWord;

        // Tile indices wrap with the stream position (modulo 2^64 elements).
        ulong tileMask = ulong.MaxValue >> shift;
        for (int k = 0; k < tiles; k++)
        {
            TileMaskGenerator.ComputeTileBits(spec, seed, (tile + (ulong)k) & tileMask, new Span<ulong>(batchBits + (k * wordsPerTile), wordsPerTile), width);
        }

        length = Math.Min(remaining, (tiles << shift) - first);
        return first;
    }

    private static void ClearUnusedBits(Span<byte> mask, int count)
    {
        if (count % 8 != 0)
        {
            mask[count / 8] &= (byte)((1 << (count % 8)) - 1);
        }
    }

    // The entry points below the public overloads take an already compiled spec, so layers that call every step do
    // not compile p again.
    internal static void Run<T>(ReadOnlySpan<T> input, Span<T> output, Span<byte> mask, bool recordMask, DropoutMaskSpec spec, ulong seed, ulong offset, string outputName = "output")
        where T : unmanaged
    {
        ValidateOutput(input, output, outputName);
        if (recordMask && mask.Length < MaskLayout.MaskByteCount(input.Length))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), input.Length, mask.Length);
        }

        int degree = input.Length >= ParallelThreshold ? Math.Min(s_maxDegreeOfParallelism, input.Length / ParallelThreshold * 2) : 1;
        if (degree <= 1)
        {
            RunChunk(input, output, recordMask ? mask : default, recordMask, spec, seed, offset);
            return;
        }

        RunParallel(input, output, mask, recordMask, spec, seed, offset, degree);
    }

    private static void RunParallel<T>(ReadOnlySpan<T> input, Span<T> output, Span<byte> mask, bool recordMask, DropoutMaskSpec spec, ulong seed, ulong offset, int degree)
        where T : unmanaged
    {
        int length = input.Length;
        int chunk = ParallelChunkLength(length, degree);
        fixed (T* inputPointer = input)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            nint inputAddress = (nint)inputPointer, outputAddress = (nint)outputPointer, maskAddress = (nint)maskPointer;
            Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree }, part =>
            {
                // long: (degree - 1) · chunk can pass int.MaxValue for spans near the largest length.
                long firstElement = (long)part * chunk;
                if (firstElement >= length)
                {
                    return;
                }

                int start = (int)firstElement;
                int count = Math.Min(chunk, length - start);

                var partInput = new ReadOnlySpan<T>((T*)inputAddress + start, count);
                var partOutput = new Span<T>((T*)outputAddress + start, count);
                Span<byte> partMask = recordMask ? new Span<byte>((byte*)maskAddress + start / 8, MaskLayout.MaskByteCount(count)) : default;
                RunChunk(partInput, partOutput, partMask, recordMask, spec, seed, offset + (ulong)start);
            });
        }
    }

    /// <summary>
    /// The length of each thread's chunk: the ceiling of <paramref name="length"/> / <paramref name="degree"/> rounded up to
    /// <see cref="ParallelChunkAlignment"/>, so that <paramref name="degree"/> chunks always cover every element (the last one
    /// may be shorter or empty). Rounding the floor instead lost the last <c>length mod degree</c> elements whenever the
    /// floor was already a multiple of the alignment (issue 8).
    /// </summary>
    internal static int ParallelChunkLength(int length, int degree)
    {
        long perThread = ((long)length + degree - 1) / degree;
        return (int)((perThread + ParallelChunkAlignment - 1) / ParallelChunkAlignment * ParallelChunkAlignment);
    }

    private static void RunChunk<T>(ReadOnlySpan<T> input, Span<T> output, Span<byte> mask, bool recordMask, in DropoutMaskSpec spec, ulong seed, ulong offset)
        where T : unmanaged
    {
        fixed (T* inputPointer = input)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            var writer = new BitMaskWriter(recordMask ? maskPointer : null);
            if (spec.IsIdentity)
            {
                // p = 1: nothing is drawn and nothing is scaled.
                if (inputPointer != outputPointer)
                {
                    input.CopyTo(output);
                }

                if (recordMask)
                {
                    writer.AppendOnes(input.Length);
                    writer.Flush();
                }

                return;
            }

            T scale = ScaleOf<T>(spec);
            VectorWidth width = VectorWidths.Current;
            ulong* batchBits = stackalloc ulong[TileMaskGenerator.MaxWordsPerTile];
            int count = input.Length;
            int done = 0;
            int elementsPerTile = spec.ElementsPerTile;
            while (done < count)
            {
                ulong position = offset + (ulong)done;
                int wholeTiles = (count - done) / elementsPerTile;
                if (width == VectorWidth.Vector512 && wholeTiles > 0 && position % (ulong)elementsPerTile == 0)
                {
                    FusedTiles512.Apply(inputPointer + done, outputPointer + done, wholeTiles, spec, seed, position / (ulong)elementsPerTile, scale, ref writer, recordMask);
                    done += wholeTiles * elementsPerTile;
                    continue;
                }

                int first = ComputeBatch(spec, seed, position, count - done, batchBits, width, out int length);
                MaskedScale.Apply(inputPointer + done, outputPointer + done, length, (byte*)batchBits, first, scale, width);
                if (recordMask)
                {
                    writer.AppendRange((byte*)batchBits, first, length);
                }

                done += length;
            }

            if (recordMask)
            {
                writer.Flush();
            }
        }
    }

    internal static void ApplyMask<T>(ReadOnlySpan<T> input, Span<T> output, ReadOnlySpan<byte> mask, DropoutMaskSpec spec, string outputName = "output")
        where T : unmanaged
    {
        ValidateOutput(input, output, outputName);
        if (mask.Length < MaskLayout.MaskByteCount(input.Length))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), input.Length, mask.Length);
        }

        fixed (T* inputPointer = input)
        fixed (T* outputPointer = output)
        fixed (byte* maskPointer = mask)
        {
            if (spec.IsIdentity)
            {
                if (inputPointer != outputPointer)
                {
                    input.CopyTo(output);
                }

                return;
            }

            MaskedScale.Apply(inputPointer, outputPointer, input.Length, maskPointer, 0, ScaleOf<T>(spec), VectorWidths.Current);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ScaleOf<T>(in DropoutMaskSpec spec)
        where T : unmanaged =>
        typeof(T) == typeof(float) ? (T)(object)spec.ScaleSingle : (T)(object)spec.Scale;

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> unless they are the same span (an in-place call); callers have validated lengths and overlap.</summary>
    internal static void CopyIfDistinct<T>(ReadOnlySpan<T> input, Span<T> output)
    {
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output)))
        {
            input.CopyTo(output);
        }
    }

    /// <summary>Throws unless <paramref name="output"/> has the input's length and is either the same span or disjoint from it.</summary>
    internal static void ValidateOutput<T>(ReadOnlySpan<T> input, Span<T> output, string outputName)
    {
        if (output.Length != input.Length)
        {
            ThrowHelper.ThrowLengthMismatch(outputName, input.Length, output.Length);
        }

        ref T inputStart = ref MemoryMarshal.GetReference(input);
        ref T outputStart = ref MemoryMarshal.GetReference(output);
        if (input.Length > 0 && !Unsafe.AreSame(ref inputStart, ref outputStart) && input.Overlaps(output))
        {
            ThrowHelper.ThrowPartialOverlap(outputName);
        }
    }
}
