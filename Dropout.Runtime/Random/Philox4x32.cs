using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dropout;

/// <summary>
/// The Philox4x32-10 counter-based random number generator (Salmon, Moraes, Dror and Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3", SC'11): a keyed bijection from a 128-bit counter
/// to four 32-bit words. Any element's random bits are a pure function of (key, counter), so vector
/// lanes, threads and a later backward pass can recompute them without sharing state.
/// </summary>
/// <remarks>
/// The scalar <see cref="Compute(uint, uint, uint, uint, uint, uint)"/> and the lane-parallel overloads
/// produce identical words: each vector lane runs the same ten rounds on its own counter.
/// </remarks>
public static class Philox4x32
{
    /// <summary>The multiplier applied to counter word 0 in every round.</summary>
    public const uint Multiplier0 = 0xD2511F53;

    /// <summary>The multiplier applied to counter word 2 in every round.</summary>
    public const uint Multiplier1 = 0xCD9E8D57;

    /// <summary>The Weyl increment added to key word 0 between rounds (golden ratio).</summary>
    public const uint KeyIncrement0 = 0x9E3779B9;

    /// <summary>The Weyl increment added to key word 1 between rounds (sqrt(3) - 1).</summary>
    public const uint KeyIncrement1 = 0xBB67AE85;

    /// <summary>The number of rounds; ten is the count Random123 and cuRAND recommend (Crush-resistant with margin).</summary>
    public const int Rounds = 10;

    /// <summary>Computes one Philox4x32-10 block.</summary>
    /// <param name="counter0">Counter word 0 (least significant).</param>
    /// <param name="counter1">Counter word 1.</param>
    /// <param name="counter2">Counter word 2.</param>
    /// <param name="counter3">Counter word 3 (most significant).</param>
    /// <param name="key0">Key word 0.</param>
    /// <param name="key1">Key word 1.</param>
    /// <returns>The four output words.</returns>
    public static PhiloxBlock Compute(uint counter0, uint counter1, uint counter2, uint counter3, uint key0, uint key1)
    {
        uint x0 = counter0, x1 = counter1, x2 = counter2, x3 = counter3;
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                key0 += KeyIncrement0;
                key1 += KeyIncrement1;
            }

            ulong product0 = (ulong)Multiplier0 * x0;
            ulong product1 = (ulong)Multiplier1 * x2;
            uint hi0 = (uint)(product0 >> 32), lo0 = (uint)product0;
            uint hi1 = (uint)(product1 >> 32), lo1 = (uint)product1;
            x0 = hi1 ^ x1 ^ key0;
            x1 = lo1;
            x2 = hi0 ^ x3 ^ key1;
            x3 = lo0;
        }

        return new PhiloxBlock(x0, x1, x2, x3);
    }

    /// <summary>
    /// Runs Philox4x32-10 on 16 independent blocks at once, one per lane: lane <c>l</c> of
    /// <paramref name="x0"/>..<paramref name="x3"/> holds block <c>l</c>'s counter on entry and its output on return.
    /// </summary>
    /// <param name="x0">Counter word 0 of every lane on entry; output word 0 on return.</param>
    /// <param name="x1">Counter word 1 of every lane on entry; output word 1 on return.</param>
    /// <param name="x2">Counter word 2 of every lane on entry; output word 2 on return.</param>
    /// <param name="x3">Counter word 3 of every lane on entry; output word 3 on return.</param>
    /// <param name="key0">Key word 0, shared by all lanes.</param>
    /// <param name="key1">Key word 1, shared by all lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(ref Vector512<uint> x0, ref Vector512<uint> x1, ref Vector512<uint> x2, ref Vector512<uint> x3, uint key0, uint key1)
    {
        Vector512<uint> m0 = Vector512.Create(Multiplier0), m1 = Vector512.Create(Multiplier1);
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                key0 += KeyIncrement0;
                key1 += KeyIncrement1;
            }

            Vector512<uint> hi0 = MultiplyHigh(x0, m0), lo0 = x0 * m0;
            Vector512<uint> hi1 = MultiplyHigh(x2, m1), lo1 = x2 * m1;
            Vector512<uint> newX0 = hi1 ^ x1 ^ Vector512.Create(key0);
            Vector512<uint> newX2 = hi0 ^ x3 ^ Vector512.Create(key1);
            x0 = newX0;
            x1 = lo1;
            x2 = newX2;
            x3 = lo0;
        }
    }

    /// <summary>Runs Philox4x32-10 on 8 independent blocks at once, one per lane (see the 16-lane overload).</summary>
    /// <param name="x0">Counter word 0 of every lane on entry; output word 0 on return.</param>
    /// <param name="x1">Counter word 1 of every lane on entry; output word 1 on return.</param>
    /// <param name="x2">Counter word 2 of every lane on entry; output word 2 on return.</param>
    /// <param name="x3">Counter word 3 of every lane on entry; output word 3 on return.</param>
    /// <param name="key0">Key word 0, shared by all lanes.</param>
    /// <param name="key1">Key word 1, shared by all lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(ref Vector256<uint> x0, ref Vector256<uint> x1, ref Vector256<uint> x2, ref Vector256<uint> x3, uint key0, uint key1)
    {
        Vector256<uint> m0 = Vector256.Create(Multiplier0), m1 = Vector256.Create(Multiplier1);
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                key0 += KeyIncrement0;
                key1 += KeyIncrement1;
            }

            Vector256<uint> hi0 = MultiplyHigh(x0, m0), lo0 = x0 * m0;
            Vector256<uint> hi1 = MultiplyHigh(x2, m1), lo1 = x2 * m1;
            Vector256<uint> newX0 = hi1 ^ x1 ^ Vector256.Create(key0);
            Vector256<uint> newX2 = hi0 ^ x3 ^ Vector256.Create(key1);
            x0 = newX0;
            x1 = lo1;
            x2 = newX2;
            x3 = lo0;
        }
    }

    /// <summary>Runs Philox4x32-10 on 4 independent blocks at once, one per lane (see the 16-lane overload).</summary>
    /// <param name="x0">Counter word 0 of every lane on entry; output word 0 on return.</param>
    /// <param name="x1">Counter word 1 of every lane on entry; output word 1 on return.</param>
    /// <param name="x2">Counter word 2 of every lane on entry; output word 2 on return.</param>
    /// <param name="x3">Counter word 3 of every lane on entry; output word 3 on return.</param>
    /// <param name="key0">Key word 0, shared by all lanes.</param>
    /// <param name="key1">Key word 1, shared by all lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(ref Vector128<uint> x0, ref Vector128<uint> x1, ref Vector128<uint> x2, ref Vector128<uint> x3, uint key0, uint key1)
    {
        Vector128<uint> m0 = Vector128.Create(Multiplier0), m1 = Vector128.Create(Multiplier1);
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                key0 += KeyIncrement0;
                key1 += KeyIncrement1;
            }

            Vector128<uint> hi0 = MultiplyHigh(x0, m0), lo0 = x0 * m0;
            Vector128<uint> hi1 = MultiplyHigh(x2, m1), lo1 = x2 * m1;
            Vector128<uint> newX0 = hi1 ^ x1 ^ Vector128.Create(key0);
            Vector128<uint> newX2 = hi0 ^ x3 ^ Vector128.Create(key1);
            x0 = newX0;
            x1 = lo1;
            x2 = newX2;
            x3 = lo0;
        }
    }

    /// <summary>
    /// Philox4x32-10 on the 16 consecutive counters <c>first + 0 .. first + 15</c> (<paramref name="first"/> a multiple
    /// of 16), for AVX-512 hardware: each 32-bit state word lives in the low half of a 64-bit lane, so one VPMULUDQ
    /// yields both halves of a product and no lane shuffles or low multiplies are needed inside the rounds. The upper
    /// halves fill with junk that never reaches a low half (products read only low halves; XOR and the key additions
    /// carry only upwards), and one permute per word packs the 16 results at the end. Same words as
    /// <see cref="Compute(ref Vector512{uint}, ref Vector512{uint}, ref Vector512{uint}, ref Vector512{uint}, uint, uint)"/>, in fewer instructions.
    /// </summary>
    /// <remarks>
    /// The ten rounds are written out, not looped: a round moves every state word to another variable (x1 becomes the
    /// low product, x0 the XOR of the high one), which in a loop costs a register copy per word per round to bring the
    /// values back to the loop's registers; unrolled, the register allocator just renames. The round keys advance by a
    /// vector addition (64-bit lanes whose low halves are the 32-bit sums) instead of a scalar add and a broadcast.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ComputeSixteenConsecutive(ulong first, uint key0, uint key1, out Vector512<uint> word0, out Vector512<uint> word1, out Vector512<uint> word2, out Vector512<uint> word3)
    {
        Vector512<ulong> low = Vector512.Create((ulong)(uint)first);
        Vector512<ulong> a0 = low + Vector512.Create(0ul, 1, 2, 3, 4, 5, 6, 7);
        Vector512<ulong> b0 = low + Vector512.Create(8ul, 9, 10, 11, 12, 13, 14, 15);
        Vector512<ulong> a1 = Vector512.Create((ulong)(uint)(first >> 32)), b1 = a1;
        Vector512<ulong> a2 = default, b2 = default, a3 = default, b3 = default;
        Vector512<ulong> k0 = Vector512.Create((ulong)key0), k1 = Vector512.Create((ulong)key1);
        Vector512<ulong> increment0 = Vector512.Create((ulong)KeyIncrement0), increment1 = Vector512.Create((ulong)KeyIncrement1);
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);

        Pack(a0, a1, a2, a3, b0, b1, b2, b3, out word0, out word1, out word2, out word3);
    }

    /// <summary>
    /// <see cref="ComputeSixteenConsecutive"/> for two sets of 16 consecutive counters at once (<paramref name="firstA"/>
    /// and <paramref name="firstB"/>, multiples of 16): the same words, faster. A round is a chain of a multiply, a shift
    /// and a ternary XOR, about five cycles of latency, and 16 counters give only two independent 8-lane chains to hide
    /// it with; four chains keep the multipliers busy while each waits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ComputeTwoTiles(ulong firstA, ulong firstB, uint key0, uint key1, out Vector512<uint> word0, out Vector512<uint> word1, out Vector512<uint> word2, out Vector512<uint> word3, out Vector512<uint> secondWord0, out Vector512<uint> secondWord1, out Vector512<uint> secondWord2, out Vector512<uint> secondWord3)
    {
        Vector512<ulong> lowA = Vector512.Create((ulong)(uint)firstA), lowB = Vector512.Create((ulong)(uint)firstB);
        Vector512<ulong> lanesLow = Vector512.Create(0ul, 1, 2, 3, 4, 5, 6, 7), lanesHigh = Vector512.Create(8ul, 9, 10, 11, 12, 13, 14, 15);
        Vector512<ulong> a0 = lowA + lanesLow, b0 = lowA + lanesHigh, c0 = lowB + lanesLow, d0 = lowB + lanesHigh;
        Vector512<ulong> a1 = Vector512.Create((ulong)(uint)(firstA >> 32)), b1 = a1;
        Vector512<ulong> c1 = Vector512.Create((ulong)(uint)(firstB >> 32)), d1 = c1;
        Vector512<ulong> a2 = default, b2 = default, a3 = default, b3 = default;
        Vector512<ulong> c2 = default, d2 = default, c3 = default, d3 = default;
        Vector512<ulong> k0 = Vector512.Create((ulong)key0), k1 = Vector512.Create((ulong)key1);
        Vector512<ulong> increment0 = Vector512.Create((ulong)KeyIncrement0), increment1 = Vector512.Create((ulong)KeyIncrement1);
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);
        k0 += increment0;
        k1 += increment1;
        Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
        Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Round(ref d0, ref d1, ref d2, ref d3, k0, k1);

        Pack(a0, a1, a2, a3, b0, b1, b2, b3, out word0, out word1, out word2, out word3);
        Pack(c0, c1, c2, c3, d0, d1, d2, d3, out secondWord0, out secondWord1, out secondWord2, out secondWord3);
    }

    // One round on one 8-lane chain of ComputeSixteenConsecutive's layout (32-bit words in the low halves of 64-bit lanes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref Vector512<ulong> x0, ref Vector512<ulong> x1, ref Vector512<ulong> x2, ref Vector512<ulong> x3, Vector512<ulong> k0, Vector512<ulong> k1)
    {
        Vector512<ulong> product0 = Avx512F.Multiply(x0.AsUInt32(), Vector512.Create(Multiplier0));
        Vector512<ulong> product2 = Avx512F.Multiply(x2.AsUInt32(), Vector512.Create(Multiplier1));
        x0 = Vector512.ShiftRightLogical(product2, 32) ^ x1 ^ k0;
        x2 = Vector512.ShiftRightLogical(product0, 32) ^ x3 ^ k1;
        x1 = product2;
        x3 = product0;
    }

    // The low halves of the two 8-lane chains, packed into the 16 lanes of each output word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack(Vector512<ulong> a0, Vector512<ulong> a1, Vector512<ulong> a2, Vector512<ulong> a3, Vector512<ulong> b0, Vector512<ulong> b1, Vector512<ulong> b2, Vector512<ulong> b3, out Vector512<uint> word0, out Vector512<uint> word1, out Vector512<uint> word2, out Vector512<uint> word3)
    {
        Vector512<uint> lowHalves = Vector512.Create(0u, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        word0 = Avx512F.PermuteVar16x32x2(a0.AsUInt32(), lowHalves, b0.AsUInt32());
        word1 = Avx512F.PermuteVar16x32x2(a1.AsUInt32(), lowHalves, b1.AsUInt32());
        word2 = Avx512F.PermuteVar16x32x2(a2.AsUInt32(), lowHalves, b2.AsUInt32());
        word3 = Avx512F.PermuteVar16x32x2(a3.AsUInt32(), lowHalves, b3.AsUInt32());
    }

    // The high 32 bits of a 32x32 -> 64-bit product per lane. x86 multiplies only the even lanes
    // (PMULUDQ), so the odd lanes are shifted down, multiplied, and the two halves blended back.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> MultiplyHigh(Vector512<uint> value, Vector512<uint> multiplier)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<ulong> even = Avx512F.Multiply(value, multiplier);
            Vector512<ulong> odd = Avx512F.Multiply(Vector512.ShiftRightLogical(value.AsUInt64(), 32).AsUInt32(), multiplier);
            return (Vector512.ShiftRightLogical(even, 32) | (odd & Vector512.Create(0xFFFF_FFFF_0000_0000UL))).AsUInt32();
        }

        return Vector512.Create(MultiplyHigh(value.GetLower(), multiplier.GetLower()), MultiplyHigh(value.GetUpper(), multiplier.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MultiplyHigh(Vector256<uint> value, Vector256<uint> multiplier)
    {
        if (Avx2.IsSupported)
        {
            Vector256<ulong> even = Avx2.Multiply(value, multiplier);
            Vector256<ulong> odd = Avx2.Multiply(Vector256.ShiftRightLogical(value.AsUInt64(), 32).AsUInt32(), multiplier);
            return (Vector256.ShiftRightLogical(even, 32) | (odd & Vector256.Create(0xFFFF_FFFF_0000_0000UL))).AsUInt32();
        }

        return Vector256.Create(MultiplyHigh(value.GetLower(), multiplier.GetLower()), MultiplyHigh(value.GetUpper(), multiplier.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> MultiplyHigh(Vector128<uint> value, Vector128<uint> multiplier)
    {
        if (Sse2.IsSupported)
        {
            Vector128<ulong> even = Sse2.Multiply(value, multiplier);
            Vector128<ulong> odd = Sse2.Multiply(Vector128.ShiftRightLogical(value.AsUInt64(), 32).AsUInt32(), multiplier);
            return (Vector128.ShiftRightLogical(even, 32) | (odd & Vector128.Create(0xFFFF_FFFF_0000_0000UL))).AsUInt32();
        }

        // Portable path (Arm64 and others): widen to 64-bit lanes, multiply, keep the high halves.
        Vector128<ulong> lower = Vector128.WidenLower(value) * Vector128.WidenLower(multiplier);
        Vector128<ulong> upper = Vector128.WidenUpper(value) * Vector128.WidenUpper(multiplier);
        return Vector128.Narrow(Vector128.ShiftRightLogical(lower, 32), Vector128.ShiftRightLogical(upper, 32));
    }
}

/// <summary>The four 32-bit output words of one Philox4x32 block.</summary>
/// <param name="X0">Output word 0.</param>
/// <param name="X1">Output word 1.</param>
/// <param name="X2">Output word 2.</param>
/// <param name="X3">Output word 3.</param>
public readonly record struct PhiloxBlock(uint X0, uint X1, uint X2, uint X3)
{
    /// <summary>Gets output word <paramref name="index"/> (0 to 3).</summary>
    /// <param name="index">The word index, 0 to 3.</param>
    public uint this[int index] => index switch
    {
        0 => X0,
        1 => X1,
        2 => X2,
        3 => X3,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "A Philox4x32 block has words 0 to 3."),
    };
}
