using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dropout;

/// <summary>
/// The one vectorized loop every kernel ends in: <c>output[i] = keep(i) ? input[i] · scale : +0.0</c>, with the keep
/// bits read LSB-first from a bit stream. Dropped elements are produced by AND-ing with an all-zero lane, so they are
/// exactly +0.0 even for NaN or infinite inputs.
/// </summary>
internal static unsafe class MaskedScale
{
    /// <summary>Applies <paramref name="count"/> keep bits, starting at bit <paramref name="firstBit"/> of <paramref name="bits"/>.</summary>
    /// <param name="input">The first input element.</param>
    /// <param name="output">The first output element (may equal <paramref name="input"/>).</param>
    /// <param name="count">The number of elements.</param>
    /// <param name="bits">The bit stream; bytes up to bit <c>firstBit + count - 1</c> are read, no further.</param>
    /// <param name="firstBit">The bit of the first element.</param>
    /// <param name="scale">1/p in the element type.</param>
    /// <param name="width">The vector width to run at.</param>
    public static void Apply<T>(T* input, T* output, nint count, byte* bits, nint firstBit, T scale, VectorWidth width)
        where T : unmanaged
    {
        nint done = width switch
        {
            VectorWidth.Vector512 => Apply512(input, output, count, bits, firstBit, scale),
            VectorWidth.Vector256 => Apply256(input, output, count, bits, firstBit, scale),
            VectorWidth.Vector128 => Apply128(input, output, count, bits, firstBit, scale),
            _ => 0,
        };

        ApplyScalar(input + done, output + done, count - done, bits, firstBit + done, scale);
    }

    // One method per width (each returns how many elements it did, a multiple of 64) so the tests can run every
    // width on a machine that has all of them; the remainder goes through ApplyScalar.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    internal static nint Apply512<T>(T* input, T* output, nint count, byte* bits, nint firstBit, T scale)
        where T : unmanaged
    {
        nint i = 0;
        nint bitEnd = firstBit + count;
        Vector512<T> scaleVector = Vector512.Create(scale);
        int lanes = Vector512<T>.Count;
        for (; i <= count - 64; i += 64)
        {
            ulong window = ReadWindow(bits, firstBit + i, bitEnd);
            for (int v = 0; v < 64; v += lanes)
            {
                Vector512<T> scaled = Vector512.Load(input + i + v) * scaleVector;
                (scaled & LaneMask512<T>((uint)(window >> v))).Store(output + i + v);
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    internal static nint Apply256<T>(T* input, T* output, nint count, byte* bits, nint firstBit, T scale)
        where T : unmanaged
    {
        nint i = 0;
        nint bitEnd = firstBit + count;
        Vector256<T> scaleVector = Vector256.Create(scale);
        int lanes = Vector256<T>.Count;
        for (; i <= count - 64; i += 64)
        {
            ulong window = ReadWindow(bits, firstBit + i, bitEnd);
            for (int v = 0; v < 64; v += lanes)
            {
                Vector256<T> scaled = Vector256.Load(input + i + v) * scaleVector;
                (scaled & LaneMask256<T>((uint)(window >> v))).Store(output + i + v);
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    internal static nint Apply128<T>(T* input, T* output, nint count, byte* bits, nint firstBit, T scale)
        where T : unmanaged
    {
        nint i = 0;
        nint bitEnd = firstBit + count;
        Vector128<T> scaleVector = Vector128.Create(scale);
        int lanes = Vector128<T>.Count;
        for (; i <= count - 64; i += 64)
        {
            ulong window = ReadWindow(bits, firstBit + i, bitEnd);
            for (int v = 0; v < 64; v += lanes)
            {
                Vector128<T> scaled = Vector128.Load(input + i + v) * scaleVector;
                (scaled & LaneMask128<T>((uint)(window >> v))).Store(output + i + v);
            }
        }

        return i;
    }

    internal static void ApplyScalar<T>(T* input, T* output, nint count, byte* bits, nint firstBit, T scale)
        where T : unmanaged
    {
        for (nint i = 0; i < count; i++)
        {
            nint bit = firstBit + i;
            bool kept = ((bits[bit >> 3] >> (int)(bit & 7)) & 1) != 0;
            output[i] = kept ? Multiply(input[i], scale) : default;
        }
    }

    /// <summary>Reads the 64 bits that start at <paramref name="bit"/>, never touching a byte at or past <paramref name="bitEnd"/>'s byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadWindow(byte* bits, nint bit, nint bitEnd)
    {
        byte* first = bits + (bit >> 3);
        int shift = (int)(bit & 7);
        nint bytesAvailable = ((bitEnd + 7) >> 3) - (bit >> 3);
        if (shift == 0 && bytesAvailable >= 8)
        {
            // The common case: windows start on a byte boundary (calls that start on a tile, masks read from bit 0).
            return Unsafe.ReadUnaligned<ulong>(first);
        }

        if (bytesAvailable >= 9)
        {
            ulong low = Unsafe.ReadUnaligned<ulong>(first) >> shift;
            return shift == 0 ? low : low | ((ulong)first[8] << (64 - shift));
        }

        ulong value = 0;
        for (int b = (int)Math.Min(bytesAvailable, 8) - 1; b >= 0; b--)
        {
            value = (value << 8) | first[b];
        }

        return value >> shift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Multiply<T>(T value, T scale)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return (T)(object)((float)(object)value * (float)(object)scale);
        }

        return (T)(object)((double)(object)value * (double)(object)scale);
    }

    // All-ones lanes where the corresponding bit of `bits` is set: broadcast, isolate one bit per lane, compare. On
    // AVX-512, one instruction fewer: shift each lane's bit into the sign position, then spread the sign over the lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> LaneMask512<T>(uint bits)
        where T : unmanaged
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<uint> toSign = Vector512.Create(31u, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16);
                return Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(Vector512.Create(bits), toSign).AsInt32(), 31).As<int, T>();
            }

            Vector512<ulong> toWideSign = Vector512.Create(63ul, 62, 61, 60, 59, 58, 57, 56);
            return Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(Vector512.Create((ulong)bits), toWideSign).AsInt64(), 63).As<long, T>();
        }

        if (typeof(T) == typeof(float))
        {
            Vector512<uint> laneBits = Vector512.Create(1u, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
            return Vector512.Equals(Vector512.Create(bits) & laneBits, laneBits).As<uint, T>();
        }

        Vector512<ulong> wideBits = Vector512.Create(1ul, 2, 4, 8, 16, 32, 64, 128);
        return Vector512.Equals(Vector512.Create((ulong)bits) & wideBits, wideBits).As<ulong, T>();
    }

    /// <summary>
    /// The lane masks of four consecutive vectors from one window of keep bits (64 for float, the low 32 for double):
    /// the same lanes as four calls of <see cref="LaneMask512{T}"/>, with one broadcast for all four (float: one per
    /// two) instead of one each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LaneMasks512x4<T>(ulong window, out Vector512<T> keep0, out Vector512<T> keep1, out Vector512<T> keep2, out Vector512<T> keep3)
        where T : unmanaged
    {
        if (!Avx512F.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            keep0 = LaneMask512<T>((uint)window);
            keep1 = LaneMask512<T>((uint)(window >> lanes));
            keep2 = LaneMask512<T>((uint)(window >> (2 * lanes)));
            keep3 = LaneMask512<T>((uint)(window >> (3 * lanes)));
            return;
        }

        if (typeof(T) == typeof(float))
        {
            // Bit b of a 32-bit broadcast reaches the sign of a lane shifted left by 31 - b.
            Vector512<uint> lowBits = Vector512.Create(31u, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16);
            Vector512<uint> highBits = Vector512.Create(15u, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
            Vector512<uint> low = Vector512.Create((uint)window), high = Vector512.Create((uint)(window >> 32));
            keep0 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(low, lowBits).AsInt32(), 31).As<int, T>();
            keep1 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(low, highBits).AsInt32(), 31).As<int, T>();
            keep2 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(high, lowBits).AsInt32(), 31).As<int, T>();
            keep3 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(high, highBits).AsInt32(), 31).As<int, T>();
            return;
        }

        // Bit b of a 64-bit broadcast (b < 32) reaches the sign of a lane shifted left by 63 - b.
        Vector512<ulong> all = Vector512.Create(window);
        keep0 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(all, Vector512.Create(63ul, 62, 61, 60, 59, 58, 57, 56)).AsInt64(), 63).As<long, T>();
        keep1 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(all, Vector512.Create(55ul, 54, 53, 52, 51, 50, 49, 48)).AsInt64(), 63).As<long, T>();
        keep2 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(all, Vector512.Create(47ul, 46, 45, 44, 43, 42, 41, 40)).AsInt64(), 63).As<long, T>();
        keep3 = Vector512.ShiftRightArithmetic(Avx512F.ShiftLeftLogicalVariable(all, Vector512.Create(39ul, 38, 37, 36, 35, 34, 33, 32)).AsInt64(), 63).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> LaneMask256<T>(uint bits)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<uint> laneBits = Vector256.Create(1u, 2, 4, 8, 16, 32, 64, 128);
            return Vector256.Equals(Vector256.Create(bits) & laneBits, laneBits).As<uint, T>();
        }

        Vector256<ulong> wideBits = Vector256.Create(1ul, 2, 4, 8);
        return Vector256.Equals(Vector256.Create((ulong)bits) & wideBits, wideBits).As<ulong, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> LaneMask128<T>(uint bits)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<uint> laneBits = Vector128.Create(1u, 2, 4, 8);
            return Vector128.Equals(Vector128.Create(bits) & laneBits, laneBits).As<uint, T>();
        }

        Vector128<ulong> wideBits = Vector128.Create(1ul, 2);
        return Vector128.Equals(Vector128.Create((ulong)bits) & wideBits, wideBits).As<ulong, T>();
    }
}
