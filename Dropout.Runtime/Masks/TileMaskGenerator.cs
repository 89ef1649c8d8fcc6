using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// Turns one tile of Philox words into the tile's keep bits in element order: bit <c>r</c> of the result
/// (word <c>r / 64</c>, bit <c>r % 64</c>) is element <c>r</c> of the tile. Because element <c>r</c> reads field
/// <c>r / 64</c>, result word <c>j</c> is field <c>j</c> of all 64 random words, and each 16-bit quarter of it is
/// one compare of one random-word vector: no transposes, the same bits at every width.
/// </summary>
public static class TileMaskGenerator
{
    /// <summary>The most 64-bit words one tile's keep bits can need (1-bit fields: 2,048 elements).</summary>
    public const int MaxWordsPerTile = 32;

    /// <summary>Computes the keep bits of a whole tile.</summary>
    /// <param name="spec">The compiled keep probability; must not be the identity.</param>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="tile">The tile index.</param>
    /// <param name="keepBits">Receives <c>spec.ElementsPerTile / 64</c> words of keep bits.</param>
    public static void ComputeTileBits(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits) =>
        ComputeTileBits(spec, seed, tile, keepBits, VectorWidths.Current);

    internal static void ComputeTileBits(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits, VectorWidth width)
    {
        int fields = spec.ElementsPerWord;
        if (spec.IsIdentity || keepBits.Length < fields)
        {
            ThrowHelper.ThrowArgument(nameof(keepBits), "The tile needs one 64-bit word per field, and p = 1 draws no tile.");
        }

        switch (width)
        {
            case VectorWidth.Vector512:
                ComputeTileBits512(spec, seed, tile, keepBits);
                break;
            case VectorWidth.Vector256:
                ComputeTileBits256(spec, seed, tile, keepBits);
                break;
            case VectorWidth.Vector128:
                ComputeTileBits128(spec, seed, tile, keepBits);
                break;
            default:
                ComputeTileBitsScalar(spec, seed, tile, keepBits);
                break;
        }
    }

    // Each width is its own method so the tests can run every one of them on a machine that has all of them.
    internal static void ComputeTileBits512(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits)
    {
        int bits = spec.BitsPerElement;
        uint threshold = spec.KeepThreshold;
        MaskLayout.ComputeTile(seed, tile, out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3);
        for (int field = 0; field < spec.ElementsPerWord; field++)
        {
            keepBits[field] = KeepBits(w0, field, bits, threshold)
                | (KeepBits(w1, field, bits, threshold) << 16)
                | (KeepBits(w2, field, bits, threshold) << 32)
                | (KeepBits(w3, field, bits, threshold) << 48);
        }
    }

    internal static void ComputeTileBits256(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits)
    {
        int bits = spec.BitsPerElement;
        uint threshold = spec.KeepThreshold;
        MaskLayout.ComputeTile(seed, tile, 0, out Vector256<uint> a0, out Vector256<uint> a1, out Vector256<uint> a2, out Vector256<uint> a3);
        MaskLayout.ComputeTile(seed, tile, 1, out Vector256<uint> b0, out Vector256<uint> b1, out Vector256<uint> b2, out Vector256<uint> b3);
        for (int field = 0; field < spec.ElementsPerWord; field++)
        {
            keepBits[field] = KeepBits(a0, b0, field, bits, threshold)
                | (KeepBits(a1, b1, field, bits, threshold) << 16)
                | (KeepBits(a2, b2, field, bits, threshold) << 32)
                | (KeepBits(a3, b3, field, bits, threshold) << 48);
        }
    }

    internal static void ComputeTileBits128(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits)
    {
        int bits = spec.BitsPerElement;
        uint threshold = spec.KeepThreshold;
        int fields = spec.ElementsPerWord;
        keepBits[..fields].Clear();
        for (int quarter = 0; quarter < 4; quarter++)
        {
            MaskLayout.ComputeTile(seed, tile, quarter, out Vector128<uint> q0, out Vector128<uint> q1, out Vector128<uint> q2, out Vector128<uint> q3);
            int shift = quarter * 4;
            for (int field = 0; field < fields; field++)
            {
                keepBits[field] |= (KeepBits(q0, field, bits, threshold) << shift)
                    | (KeepBits(q1, field, bits, threshold) << (16 + shift))
                    | (KeepBits(q2, field, bits, threshold) << (32 + shift))
                    | (KeepBits(q3, field, bits, threshold) << (48 + shift));
            }
        }
    }

    /// <summary>The scalar path, also the check that every vector width agrees with one word at a time.</summary>
    internal static void ComputeTileBitsScalar(in DropoutMaskSpec spec, ulong seed, ulong tile, Span<ulong> keepBits)
    {
        Span<uint> words = stackalloc uint[MaskLayout.WordsPerTile];
        MaskLayout.ComputeTileScalar(seed, tile, words);
        int fields = spec.ElementsPerWord;
        for (int field = 0; field < fields; field++)
        {
            ulong result = 0;
            for (int position = 0; position < 64; position++)
            {
                // position = word * 16 + lane, the order in which words are stored.
                uint value = MaskLayout.ExtractField(words[position], field, spec.BitsPerElement);
                if (value < spec.KeepThreshold)
                {
                    result |= 1UL << position;
                }
            }

            keepBits[field] = result;
        }
    }

    // A field compared in place would need a shift right and an AND. Shifting it to the top of the word instead puts
    // junk only below it, and for a field v and junk below 2^(32-k): v·2^(32-k) + junk < T·2^(32-k)  <=>  v < T.
    // So one shift left and one unsigned compare against the threshold moved to the top decide 16 elements.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TopShift(int field, int bits) => 32 - ((field + 1) * bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint TopThreshold(uint threshold, int bits) => bits == 32 ? threshold : threshold << (32 - bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeepBits(Vector512<uint> words, int field, int bits, uint threshold) =>
        Vector512.LessThan(Vector512.ShiftLeft(words, TopShift(field, bits)), Vector512.Create(TopThreshold(threshold, bits))).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeepBits(Vector256<uint> lower, Vector256<uint> upper, int field, int bits, uint threshold)
    {
        int shift = TopShift(field, bits);
        Vector256<uint> limit = Vector256.Create(TopThreshold(threshold, bits));
        uint low = Vector256.LessThan(Vector256.ShiftLeft(lower, shift), limit).ExtractMostSignificantBits();
        uint high = Vector256.LessThan(Vector256.ShiftLeft(upper, shift), limit).ExtractMostSignificantBits();
        return low | ((ulong)high << 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeepBits(Vector128<uint> words, int field, int bits, uint threshold) =>
        Vector128.LessThan(Vector128.ShiftLeft(words, TopShift(field, bits)), Vector128.Create(TopThreshold(threshold, bits))).ExtractMostSignificantBits();
}
