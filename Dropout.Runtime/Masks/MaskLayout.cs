using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dropout;

/// <summary>
/// Where each element's random bits come from (the layout of <c>docs/masks.md</c>). Elements are grouped in
/// tiles; a tile is 16 Philox blocks (lanes) × 4 words, and each word is cut into fields of
/// <see cref="DropoutMaskSpec.BitsPerElement"/> bits. Within a tile, element <c>r</c> reads field
/// <c>r / 64</c> of word <c>(r % 64) / 16</c> of lane <c>r % 16</c>, so 16 consecutive elements that start at a
/// multiple of 16 are exactly one word of all 16 lanes: one 512-bit vector, two 256-bit or four 128-bit ones.
/// </summary>
public static class MaskLayout
{
    /// <summary>Philox blocks per tile, one per lane of the widest vector.</summary>
    public const int LanesPerTile = 16;

    /// <summary>Words per Philox block.</summary>
    public const int WordsPerBlock = 4;

    /// <summary>Random words per tile.</summary>
    public const int WordsPerTile = LanesPerTile * WordsPerBlock;

    /// <summary>Elements decided by one word index of all lanes: the unit every vector path works in.</summary>
    public const int GroupSize = LanesPerTile;

    /// <summary>Decides one element by the definition, with no shortcuts: the reference every kernel is tested against.</summary>
    /// <param name="spec">The compiled keep probability.</param>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="globalIndex">The element's position in the stream (offset + index, modulo 2^64).</param>
    /// <returns><see langword="true"/> when the element is kept.</returns>
    public static bool IsKept(in DropoutMaskSpec spec, ulong seed, ulong globalIndex)
    {
        if (spec.IsIdentity)
        {
            return true;
        }

        ulong elementsPerTile = (ulong)spec.ElementsPerTile;
        ulong tile = globalIndex / elementsPerTile;
        int withinTile = (int)(globalIndex % elementsPerTile);
        int field = withinTile / WordsPerTile;
        int word = withinTile % WordsPerTile / LanesPerTile;
        int lane = withinTile % LanesPerTile;

        ulong counter = tile * LanesPerTile + (ulong)lane;
        PhiloxBlock block = Philox4x32.Compute((uint)counter, (uint)(counter >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));
        uint value = ExtractField(block[word], field, spec.BitsPerElement);
        return value < spec.KeepThreshold;
    }

    /// <summary>Field <paramref name="field"/> of a word: bits [field·bits, field·bits + bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ExtractField(uint word, int field, int bitsPerElement) =>
        bitsPerElement == 32 ? word : (word >> (field * bitsPerElement)) & ((1u << bitsPerElement) - 1);

    /// <summary>Computes all 64 words of a tile into <paramref name="words"/>, indexed <c>word * 16 + lane</c>.</summary>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="tile">The tile index.</param>
    /// <param name="words">Receives the tile's 64 words.</param>
    public static void ComputeTile(ulong seed, ulong tile, Span<uint> words)
    {
        if (words.Length < WordsPerTile)
        {
            ThrowHelper.ThrowArgument(nameof(words), $"A tile has {WordsPerTile} words.");
        }

        if (Vector512.IsHardwareAccelerated)
        {
            ComputeTile(seed, tile, out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3);
            w0.CopyTo(words);
            w1.CopyTo(words[16..]);
            w2.CopyTo(words[32..]);
            w3.CopyTo(words[48..]);
            return;
        }

        ComputeTileScalar(seed, tile, words);
    }

    /// <summary>Computes a tile one block at a time (no vectors): the reference for the vector paths.</summary>
    internal static void ComputeTileScalar(ulong seed, ulong tile, Span<uint> words)
    {
        ulong first = tile * LanesPerTile;
        for (int lane = 0; lane < LanesPerTile; lane++)
        {
            ulong counter = first + (ulong)lane;
            PhiloxBlock block = Philox4x32.Compute((uint)counter, (uint)(counter >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));
            words[lane] = block.X0;
            words[16 + lane] = block.X1;
            words[32 + lane] = block.X2;
            words[48 + lane] = block.X3;
        }
    }

    /// <summary>Computes a whole tile: word <c>w</c> of lane <c>l</c> is lane <c>l</c> of <c>word w</c>.</summary>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="tile">The tile index.</param>
    /// <param name="word0">Word 0 of the 16 lanes.</param>
    /// <param name="word1">Word 1 of the 16 lanes.</param>
    /// <param name="word2">Word 2 of the 16 lanes.</param>
    /// <param name="word3">Word 3 of the 16 lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ComputeTile(ulong seed, ulong tile, out Vector512<uint> word0, out Vector512<uint> word1, out Vector512<uint> word2, out Vector512<uint> word3)
    {
        // tile * 16 has its low four bits clear, so adding the lane never carries into counter word 1.
        ulong first = tile * LanesPerTile;
        if (Avx512F.IsSupported)
        {
            Philox4x32.ComputeSixteenConsecutive(first, (uint)seed, (uint)(seed >> 32), out word0, out word1, out word2, out word3);
            return;
        }

        word0 = Vector512.Create((uint)first) + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        word1 = Vector512.Create((uint)(first >> 32));
        word2 = Vector512<uint>.Zero;
        word3 = Vector512<uint>.Zero;
        Philox4x32.Compute(ref word0, ref word1, ref word2, ref word3, (uint)seed, (uint)(seed >> 32));
    }

    /// <summary>
    /// Computes two whole tiles, as two calls of <see cref="ComputeTile(ulong, ulong, out Vector512{uint}, out Vector512{uint}, out Vector512{uint}, out Vector512{uint})"/>
    /// would, but with the two tiles' Philox rounds interleaved: one tile's rounds are a chain of dependent multiplies,
    /// and two chains in flight hide the latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ComputeTwoTiles(ulong seed, ulong tileA, ulong tileB, out Vector512<uint> word0, out Vector512<uint> word1, out Vector512<uint> word2, out Vector512<uint> word3, out Vector512<uint> secondWord0, out Vector512<uint> secondWord1, out Vector512<uint> secondWord2, out Vector512<uint> secondWord3)
    {
        if (Avx512F.IsSupported)
        {
            Philox4x32.ComputeTwoTiles(tileA * LanesPerTile, tileB * LanesPerTile, (uint)seed, (uint)(seed >> 32), out word0, out word1, out word2, out word3, out secondWord0, out secondWord1, out secondWord2, out secondWord3);
            return;
        }

        ComputeTile(seed, tileA, out word0, out word1, out word2, out word3);
        ComputeTile(seed, tileB, out secondWord0, out secondWord1, out secondWord2, out secondWord3);
    }

    /// <summary>Computes half a tile: lanes <c>8·half</c> to <c>8·half + 7</c>.</summary>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="tile">The tile index.</param>
    /// <param name="half">0 for lanes 0-7, 1 for lanes 8-15.</param>
    /// <param name="word0">Word 0 of the 8 lanes.</param>
    /// <param name="word1">Word 1 of the 8 lanes.</param>
    /// <param name="word2">Word 2 of the 8 lanes.</param>
    /// <param name="word3">Word 3 of the 8 lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ComputeTile(ulong seed, ulong tile, int half, out Vector256<uint> word0, out Vector256<uint> word1, out Vector256<uint> word2, out Vector256<uint> word3)
    {
        ulong first = tile * LanesPerTile + (ulong)(half * 8);
        word0 = Vector256.Create((uint)first) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        word1 = Vector256.Create((uint)(first >> 32));
        word2 = Vector256<uint>.Zero;
        word3 = Vector256<uint>.Zero;
        Philox4x32.Compute(ref word0, ref word1, ref word2, ref word3, (uint)seed, (uint)(seed >> 32));
    }

    /// <summary>Computes a quarter of a tile: lanes <c>4·quarter</c> to <c>4·quarter + 3</c>.</summary>
    /// <param name="seed">The 64-bit Philox key.</param>
    /// <param name="tile">The tile index.</param>
    /// <param name="quarter">0 to 3.</param>
    /// <param name="word0">Word 0 of the 4 lanes.</param>
    /// <param name="word1">Word 1 of the 4 lanes.</param>
    /// <param name="word2">Word 2 of the 4 lanes.</param>
    /// <param name="word3">Word 3 of the 4 lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ComputeTile(ulong seed, ulong tile, int quarter, out Vector128<uint> word0, out Vector128<uint> word1, out Vector128<uint> word2, out Vector128<uint> word3)
    {
        ulong first = tile * LanesPerTile + (ulong)(quarter * 4);
        word0 = Vector128.Create((uint)first) + Vector128.Create(0u, 1, 2, 3);
        word1 = Vector128.Create((uint)(first >> 32));
        word2 = Vector128<uint>.Zero;
        word3 = Vector128<uint>.Zero;
        Philox4x32.Compute(ref word0, ref word1, ref word2, ref word3, (uint)seed, (uint)(seed >> 32));
    }

    /// <summary>The number of bytes a bit-packed mask of <paramref name="elementCount"/> elements needs (1 bit each, rounded up).</summary>
    /// <param name="elementCount">The number of elements.</param>
    /// <returns><c>ceil(elementCount / 8)</c>.</returns>
    public static int MaskByteCount(int elementCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        return (int)(((uint)elementCount + 7u) / 8u);
    }
}
