using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The AVX-512 path for whole tiles: each compare of a random-word vector against the threshold is used directly as
/// the lane mask of the 16 elements it decides, instead of going through keep bits in memory and back. This is what
/// keeps a p = 0.8 kernel (a tile every 128 elements) close to the speed of a copy; the batch path in
/// <see cref="DropoutKernels"/> handles the partial tiles at either end of a call and the narrower widths.
/// </summary>
internal static unsafe class FusedTiles512
{
    /// <summary>
    /// The most fields per word (16-bit fields: 2) for which tiles are drawn two at a time. With wide fields Philox is
    /// most of the work and two tiles in flight hide its latency; with narrow ones (p = 0.5: 32 fields, 2,048 elements
    /// per tile) it is a small share, and measured at 134M elements the paired loop was slower there (BENCHMARKS.md).
    /// </summary>
    internal const int PairedFieldsMax = 2;

    /// <summary>Applies dropout to <paramref name="tiles"/> whole tiles starting at tile <paramref name="firstTile"/>.</summary>
    /// <remarks>
    /// Optimized fully at its first call (<see cref="MethodImplOptions.AggressiveOptimization"/>), as are the other loops
    /// a kernel call runs once over all its elements: with tiered compilation such a loop starts in tier-0 code, moves to
    /// an on-stack-replacement version, and reaches its final code only after some thirty calls. A training loop gets
    /// there soon, but at 134M elements a call takes tens of milliseconds, and the slower early versions were what a
    /// short benchmark measured (BENCHMARKS.md, issue 10: the p = 0.5 fused forward at 134M, 1.25–1.29× against
    /// 1.17–1.21× `CopyTo` fully optimized).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<T>(T* input, T* output, int tiles, in DropoutMaskSpec spec, ulong seed, ulong firstTile, T scale, ref BitMaskWriter writer, bool recordMask)
        where T : unmanaged
    {
        int bits = spec.BitsPerElement;
        int fields = spec.ElementsPerWord;
        int elementsPerTile = spec.ElementsPerTile;
        ulong tileMask = ulong.MaxValue >> System.Numerics.BitOperations.TrailingZeroCount(elementsPerTile);
        Vector512<uint> limit = Vector512.Create(TileMaskGenerator.TopThreshold(spec.KeepThreshold, bits));
        Vector512<T> scaleVector = Vector512.Create(scale);
        T* source = input;
        T* destination = output;
        int t = 0;
        for (; fields <= PairedFieldsMax && t + 1 < tiles; t += 2)
        {
            // Two tiles' Philox rounds at once: independent multiply chains hide each other's latency.
            MaskLayout.ComputeTwoTiles(seed, (firstTile + (ulong)t) & tileMask, (firstTile + (ulong)t + 1) & tileMask, out Vector512<uint> a0, out Vector512<uint> a1, out Vector512<uint> a2, out Vector512<uint> a3, out Vector512<uint> b0, out Vector512<uint> b1, out Vector512<uint> b2, out Vector512<uint> b3);
            ApplyTile(source, destination, a0, a1, a2, a3, bits, fields, limit, scaleVector, ref writer, recordMask);
            ApplyTile(source + elementsPerTile, destination + elementsPerTile, b0, b1, b2, b3, bits, fields, limit, scaleVector, ref writer, recordMask);
            source += 2 * elementsPerTile;
            destination += 2 * elementsPerTile;
        }

        for (; t < tiles; t++)
        {
            MaskLayout.ComputeTile(seed, (firstTile + (ulong)t) & tileMask, out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3);
            ApplyTile(source, destination, w0, w1, w2, w3, bits, fields, limit, scaleVector, ref writer, recordMask);
            source += elementsPerTile;
            destination += elementsPerTile;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyTile<T>(T* source, T* destination, Vector512<uint> w0, Vector512<uint> w1, Vector512<uint> w2, Vector512<uint> w3, int bits, int fields, Vector512<uint> limit, Vector512<T> scaleVector, ref BitMaskWriter writer, bool recordMask)
        where T : unmanaged
    {
        for (int field = 0; field < fields; field++)
        {
            int shift = TileMaskGenerator.TopShift(field, bits);
            Vector512<uint> keep0 = Vector512.LessThan(Vector512.ShiftLeft(w0, shift), limit);
            Vector512<uint> keep1 = Vector512.LessThan(Vector512.ShiftLeft(w1, shift), limit);
            Vector512<uint> keep2 = Vector512.LessThan(Vector512.ShiftLeft(w2, shift), limit);
            Vector512<uint> keep3 = Vector512.LessThan(Vector512.ShiftLeft(w3, shift), limit);
            Apply16(source, destination, keep0, scaleVector);
            Apply16(source + 16, destination + 16, keep1, scaleVector);
            Apply16(source + 32, destination + 32, keep2, scaleVector);
            Apply16(source + 48, destination + 48, keep3, scaleVector);
            if (recordMask)
            {
                writer.Append(
                    keep0.ExtractMostSignificantBits()
                    | (keep1.ExtractMostSignificantBits() << 16)
                    | (keep2.ExtractMostSignificantBits() << 32)
                    | (keep3.ExtractMostSignificantBits() << 48),
                    64);
            }

            source += 64;
            destination += 64;
        }
    }

    // 16 consecutive elements decided by the 16 lanes of one compare: one float vector, or two double vectors whose
    // lane masks are the compare's lanes sign-extended to 64 bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Apply16<T>(T* source, T* destination, Vector512<uint> keep, Vector512<T> scale)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            ((Vector512.Load(source) * scale) & keep.As<uint, T>()).Store(destination);
            return;
        }

        (Vector512<long> lower, Vector512<long> upper) = Vector512.Widen(keep.AsInt32());
        ((Vector512.Load(source) * scale) & lower.As<long, T>()).Store(destination);
        ((Vector512.Load(source + 8) * scale) & upper.As<long, T>()).Store(destination + 8);
    }
}
