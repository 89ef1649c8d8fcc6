using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The vector paths of Gaussian dropout: Philox on one block per lane, then <see cref="GaussianMath"/>'s operations
/// lane by lane in the same order, so each width writes the bits the scalar definition gives.
/// </summary>
internal static class GaussianVectors
{
    /// <summary>
    /// Runs whole batches of one Philox block per uint lane of Vector512 (2·that many elements) from element <paramref name="start"/>,
    /// whose stream position is even; returns the first element it did not write.
    /// </summary>
    public static int Run512<T>(ref T input, ref T output, int start, int length, double sigma, ulong seed, ulong offset)
        where T : unmanaged
    {
        int blocks = Vector512<uint>.Count;
        int half = blocks / 2;
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        Vector512<uint> laneIndex = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Vector512<double> sigmas = Vector512.Create(sigma);
        int i = start;
        for (; length - i >= 2 * blocks; i += 2 * blocks)
        {
            ulong block = (offset + (ulong)i) >> 1;
            Vector512<uint> low = Vector512.Create((uint)block);
            Vector512<uint> x0 = low + laneIndex;

            // A lane whose counter word 0 wrapped past 2^32 carries into word 1 (the compare is all ones, i.e. -1); block
            // numbers are positions / 2 with positions mod 2^64, so they wrap at 2^63 and word 1 keeps 31 bits.
            Vector512<uint> x1 = (Vector512.Create((uint)(block >> 32)) - Vector512.LessThan(x0, low)) & Vector512.Create(0x7FFF_FFFFu);
            Vector512<uint> x2 = Vector512<uint>.One, x3 = Vector512<uint>.Zero;
            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, key0, key1);

            // Even positions take words 0 and 1, odd ones 2 and 3: one block's two words side by side in a 64-bit lane
            // are two consecutive elements' words in element order.
            Vector512<uint> radiusLow = (Vector512.WidenLower(x0) | Vector512.ShiftLeft(Vector512.WidenLower(x2), 32)).AsUInt32();
            Vector512<uint> radiusHigh = (Vector512.WidenUpper(x0) | Vector512.ShiftLeft(Vector512.WidenUpper(x2), 32)).AsUInt32();
            Vector512<uint> angleLow = (Vector512.WidenLower(x1) | Vector512.ShiftLeft(Vector512.WidenLower(x3), 32)).AsUInt32();
            Vector512<uint> angleHigh = (Vector512.WidenUpper(x1) | Vector512.ShiftLeft(Vector512.WidenUpper(x3), 32)).AsUInt32();
            Vector512<double> noise0 = Noise(Vector512.WidenLower(radiusLow), Vector512.WidenLower(angleLow), sigmas);
            Vector512<double> noise1 = Noise(Vector512.WidenUpper(radiusLow), Vector512.WidenUpper(angleLow), sigmas);
            Vector512<double> noise2 = Noise(Vector512.WidenLower(radiusHigh), Vector512.WidenLower(angleHigh), sigmas);
            Vector512<double> noise3 = Noise(Vector512.WidenUpper(radiusHigh), Vector512.WidenUpper(angleHigh), sigmas);
            if (typeof(T) == typeof(float))
            {
                // Narrowing rounds each noise to float once, as the scalar path's cast does.
                ref float source = ref Unsafe.As<T, float>(ref input);
                ref float target = ref Unsafe.As<T, float>(ref output);
                (Vector512.LoadUnsafe(ref source, (nuint)i) * Vector512.Narrow(noise0, noise1)).StoreUnsafe(ref target, (nuint)i);
                (Vector512.LoadUnsafe(ref source, (nuint)(i + blocks)) * Vector512.Narrow(noise2, noise3)).StoreUnsafe(ref target, (nuint)(i + blocks));
            }
            else
            {
                ref double source = ref Unsafe.As<T, double>(ref input);
                ref double target = ref Unsafe.As<T, double>(ref output);
                (Vector512.LoadUnsafe(ref source, (nuint)i) * noise0).StoreUnsafe(ref target, (nuint)i);
                (Vector512.LoadUnsafe(ref source, (nuint)(i + half)) * noise1).StoreUnsafe(ref target, (nuint)(i + half));
                (Vector512.LoadUnsafe(ref source, (nuint)(i + blocks)) * noise2).StoreUnsafe(ref target, (nuint)(i + blocks));
                (Vector512.LoadUnsafe(ref source, (nuint)(i + blocks + half)) * noise3).StoreUnsafe(ref target, (nuint)(i + blocks + half));
            }
        }

        return i;
    }

    // 1 + σ·(√(−2 ln u1)·cos(2π u2)), lane by lane exactly as GaussianMath does it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Noise(Vector512<ulong> radiusWords, Vector512<ulong> angleWords, Vector512<double> sigma)
    {
        Vector512<double> u1 = (FromSmallInteger(radiusWords) + Vector512.Create(1.0)) * Vector512.Create(GaussianMath.TwoToTheMinus32);
        Vector512<double> radius = Vector512.Sqrt(Vector512.Create(-2.0) * Log(u1));
        return Vector512.Create(1.0) + (sigma * (radius * CosTwoPi(angleWords)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Log(Vector512<double> x)
    {
        Vector512<ulong> bits = x.AsUInt64();
        Vector512<double> k = FromSmallInteger(Vector512.ShiftRightLogical(bits, 52)) - Vector512.Create(1023.0);
        Vector512<double> m = ((bits & Vector512.Create(0x000F_FFFF_FFFF_FFFFUL)) | Vector512.Create(0x3FF0_0000_0000_0000UL)).AsDouble();
        Vector512<double> large = Vector512.GreaterThan(m, Vector512.Create(GaussianMath.Sqrt2));
        m = Vector512.ConditionalSelect(large, m * Vector512.Create(0.5), m);
        k = Vector512.ConditionalSelect(large, k + Vector512.Create(1.0), k);
        Vector512<double> f = m - Vector512.Create(1.0);
        Vector512<double> s = f / (Vector512.Create(2.0) + f);
        Vector512<double> z = s * s;
        Vector512<double> r = Vector512.Create(GaussianMath.A10);
        r = Vector512.Create(GaussianMath.A9) + (z * r);
        r = Vector512.Create(GaussianMath.A8) + (z * r);
        r = Vector512.Create(GaussianMath.A7) + (z * r);
        r = Vector512.Create(GaussianMath.A6) + (z * r);
        r = Vector512.Create(GaussianMath.A5) + (z * r);
        r = Vector512.Create(GaussianMath.A4) + (z * r);
        r = Vector512.Create(GaussianMath.A3) + (z * r);
        r = Vector512.Create(GaussianMath.A2) + (z * r);
        r = Vector512.Create(GaussianMath.A1) + (z * r);
        r = z * r;
        Vector512<double> lnM = f - (s * (f - r));
        return (k * Vector512.Create(GaussianMath.Ln2High)) + (lnM + (k * Vector512.Create(GaussianMath.Ln2Low)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> CosTwoPi(Vector512<ulong> angleWords)
    {
        Vector512<ulong> shifted = angleWords + Vector512.Create(1UL << 29);
        Vector512<ulong> quadrant = Vector512.ShiftRightLogical(shifted, 30);
        Vector512<double> d = (FromSmallInteger(shifted & Vector512.Create(0x3FFF_FFFFUL)) - Vector512.Create(536870912.0)) * Vector512.Create(GaussianMath.TwoToTheMinus30);
        Vector512<double> z = d * d;
        Vector512<double> cos = Vector512.Create(GaussianMath.C8);
        cos = Vector512.Create(GaussianMath.C7) + (z * cos);
        cos = Vector512.Create(GaussianMath.C6) + (z * cos);
        cos = Vector512.Create(GaussianMath.C5) + (z * cos);
        cos = Vector512.Create(GaussianMath.C4) + (z * cos);
        cos = Vector512.Create(GaussianMath.C3) + (z * cos);
        cos = Vector512.Create(GaussianMath.C2) + (z * cos);
        cos = Vector512.Create(GaussianMath.C1) + (z * cos);
        cos = Vector512.Create(1.0) + (z * cos);
        Vector512<double> sin = Vector512.Create(GaussianMath.S8);
        sin = Vector512.Create(GaussianMath.S7) + (z * sin);
        sin = Vector512.Create(GaussianMath.S6) + (z * sin);
        sin = Vector512.Create(GaussianMath.S5) + (z * sin);
        sin = Vector512.Create(GaussianMath.S4) + (z * sin);
        sin = Vector512.Create(GaussianMath.S3) + (z * sin);
        sin = Vector512.Create(GaussianMath.S2) + (z * sin);
        sin = Vector512.Create(GaussianMath.S1) + (z * sin);
        sin = Vector512.Create(GaussianMath.S0) + (z * sin);
        sin = d * sin;
        Vector512<double> odd = Vector512.Equals(quadrant & Vector512.Create(1UL), Vector512.Create(1UL)).AsDouble();
        Vector512<double> value = Vector512.ConditionalSelect(odd, sin, cos);
        Vector512<ulong> sign = Vector512.ShiftLeft((quadrant + Vector512.Create(1UL)) & Vector512.Create(2UL), 62);
        return (value.AsUInt64() ^ sign).AsDouble();
    }

    // An integer below 2^52 as a double, exactly: its bits under the exponent of 2^52, minus 2^52.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> FromSmallInteger(Vector512<ulong> value) =>
        (value | Vector512.Create(0x4330_0000_0000_0000UL)).AsDouble() - Vector512.Create(4503599627370496.0);

    /// <summary>
    /// Runs whole batches of one Philox block per uint lane of Vector256 (2·that many elements) from element <paramref name="start"/>,
    /// whose stream position is even; returns the first element it did not write.
    /// </summary>
    public static int Run256<T>(ref T input, ref T output, int start, int length, double sigma, ulong seed, ulong offset)
        where T : unmanaged
    {
        int blocks = Vector256<uint>.Count;
        int half = blocks / 2;
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        Vector256<uint> laneIndex = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        Vector256<double> sigmas = Vector256.Create(sigma);
        int i = start;
        for (; length - i >= 2 * blocks; i += 2 * blocks)
        {
            ulong block = (offset + (ulong)i) >> 1;
            Vector256<uint> low = Vector256.Create((uint)block);
            Vector256<uint> x0 = low + laneIndex;

            // A lane whose counter word 0 wrapped past 2^32 carries into word 1 (the compare is all ones, i.e. -1); block
            // numbers are positions / 2 with positions mod 2^64, so they wrap at 2^63 and word 1 keeps 31 bits.
            Vector256<uint> x1 = (Vector256.Create((uint)(block >> 32)) - Vector256.LessThan(x0, low)) & Vector256.Create(0x7FFF_FFFFu);
            Vector256<uint> x2 = Vector256<uint>.One, x3 = Vector256<uint>.Zero;
            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, key0, key1);

            // Even positions take words 0 and 1, odd ones 2 and 3: one block's two words side by side in a 64-bit lane
            // are two consecutive elements' words in element order.
            Vector256<uint> radiusLow = (Vector256.WidenLower(x0) | Vector256.ShiftLeft(Vector256.WidenLower(x2), 32)).AsUInt32();
            Vector256<uint> radiusHigh = (Vector256.WidenUpper(x0) | Vector256.ShiftLeft(Vector256.WidenUpper(x2), 32)).AsUInt32();
            Vector256<uint> angleLow = (Vector256.WidenLower(x1) | Vector256.ShiftLeft(Vector256.WidenLower(x3), 32)).AsUInt32();
            Vector256<uint> angleHigh = (Vector256.WidenUpper(x1) | Vector256.ShiftLeft(Vector256.WidenUpper(x3), 32)).AsUInt32();
            Vector256<double> noise0 = Noise(Vector256.WidenLower(radiusLow), Vector256.WidenLower(angleLow), sigmas);
            Vector256<double> noise1 = Noise(Vector256.WidenUpper(radiusLow), Vector256.WidenUpper(angleLow), sigmas);
            Vector256<double> noise2 = Noise(Vector256.WidenLower(radiusHigh), Vector256.WidenLower(angleHigh), sigmas);
            Vector256<double> noise3 = Noise(Vector256.WidenUpper(radiusHigh), Vector256.WidenUpper(angleHigh), sigmas);
            if (typeof(T) == typeof(float))
            {
                // Narrowing rounds each noise to float once, as the scalar path's cast does.
                ref float source = ref Unsafe.As<T, float>(ref input);
                ref float target = ref Unsafe.As<T, float>(ref output);
                (Vector256.LoadUnsafe(ref source, (nuint)i) * Vector256.Narrow(noise0, noise1)).StoreUnsafe(ref target, (nuint)i);
                (Vector256.LoadUnsafe(ref source, (nuint)(i + blocks)) * Vector256.Narrow(noise2, noise3)).StoreUnsafe(ref target, (nuint)(i + blocks));
            }
            else
            {
                ref double source = ref Unsafe.As<T, double>(ref input);
                ref double target = ref Unsafe.As<T, double>(ref output);
                (Vector256.LoadUnsafe(ref source, (nuint)i) * noise0).StoreUnsafe(ref target, (nuint)i);
                (Vector256.LoadUnsafe(ref source, (nuint)(i + half)) * noise1).StoreUnsafe(ref target, (nuint)(i + half));
                (Vector256.LoadUnsafe(ref source, (nuint)(i + blocks)) * noise2).StoreUnsafe(ref target, (nuint)(i + blocks));
                (Vector256.LoadUnsafe(ref source, (nuint)(i + blocks + half)) * noise3).StoreUnsafe(ref target, (nuint)(i + blocks + half));
            }
        }

        return i;
    }

    // 1 + σ·(√(−2 ln u1)·cos(2π u2)), lane by lane exactly as GaussianMath does it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Noise(Vector256<ulong> radiusWords, Vector256<ulong> angleWords, Vector256<double> sigma)
    {
        Vector256<double> u1 = (FromSmallInteger(radiusWords) + Vector256.Create(1.0)) * Vector256.Create(GaussianMath.TwoToTheMinus32);
        Vector256<double> radius = Vector256.Sqrt(Vector256.Create(-2.0) * Log(u1));
        return Vector256.Create(1.0) + (sigma * (radius * CosTwoPi(angleWords)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Log(Vector256<double> x)
    {
        Vector256<ulong> bits = x.AsUInt64();
        Vector256<double> k = FromSmallInteger(Vector256.ShiftRightLogical(bits, 52)) - Vector256.Create(1023.0);
        Vector256<double> m = ((bits & Vector256.Create(0x000F_FFFF_FFFF_FFFFUL)) | Vector256.Create(0x3FF0_0000_0000_0000UL)).AsDouble();
        Vector256<double> large = Vector256.GreaterThan(m, Vector256.Create(GaussianMath.Sqrt2));
        m = Vector256.ConditionalSelect(large, m * Vector256.Create(0.5), m);
        k = Vector256.ConditionalSelect(large, k + Vector256.Create(1.0), k);
        Vector256<double> f = m - Vector256.Create(1.0);
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> r = Vector256.Create(GaussianMath.A10);
        r = Vector256.Create(GaussianMath.A9) + (z * r);
        r = Vector256.Create(GaussianMath.A8) + (z * r);
        r = Vector256.Create(GaussianMath.A7) + (z * r);
        r = Vector256.Create(GaussianMath.A6) + (z * r);
        r = Vector256.Create(GaussianMath.A5) + (z * r);
        r = Vector256.Create(GaussianMath.A4) + (z * r);
        r = Vector256.Create(GaussianMath.A3) + (z * r);
        r = Vector256.Create(GaussianMath.A2) + (z * r);
        r = Vector256.Create(GaussianMath.A1) + (z * r);
        r = z * r;
        Vector256<double> lnM = f - (s * (f - r));
        return (k * Vector256.Create(GaussianMath.Ln2High)) + (lnM + (k * Vector256.Create(GaussianMath.Ln2Low)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> CosTwoPi(Vector256<ulong> angleWords)
    {
        Vector256<ulong> shifted = angleWords + Vector256.Create(1UL << 29);
        Vector256<ulong> quadrant = Vector256.ShiftRightLogical(shifted, 30);
        Vector256<double> d = (FromSmallInteger(shifted & Vector256.Create(0x3FFF_FFFFUL)) - Vector256.Create(536870912.0)) * Vector256.Create(GaussianMath.TwoToTheMinus30);
        Vector256<double> z = d * d;
        Vector256<double> cos = Vector256.Create(GaussianMath.C8);
        cos = Vector256.Create(GaussianMath.C7) + (z * cos);
        cos = Vector256.Create(GaussianMath.C6) + (z * cos);
        cos = Vector256.Create(GaussianMath.C5) + (z * cos);
        cos = Vector256.Create(GaussianMath.C4) + (z * cos);
        cos = Vector256.Create(GaussianMath.C3) + (z * cos);
        cos = Vector256.Create(GaussianMath.C2) + (z * cos);
        cos = Vector256.Create(GaussianMath.C1) + (z * cos);
        cos = Vector256.Create(1.0) + (z * cos);
        Vector256<double> sin = Vector256.Create(GaussianMath.S8);
        sin = Vector256.Create(GaussianMath.S7) + (z * sin);
        sin = Vector256.Create(GaussianMath.S6) + (z * sin);
        sin = Vector256.Create(GaussianMath.S5) + (z * sin);
        sin = Vector256.Create(GaussianMath.S4) + (z * sin);
        sin = Vector256.Create(GaussianMath.S3) + (z * sin);
        sin = Vector256.Create(GaussianMath.S2) + (z * sin);
        sin = Vector256.Create(GaussianMath.S1) + (z * sin);
        sin = Vector256.Create(GaussianMath.S0) + (z * sin);
        sin = d * sin;
        Vector256<double> odd = Vector256.Equals(quadrant & Vector256.Create(1UL), Vector256.Create(1UL)).AsDouble();
        Vector256<double> value = Vector256.ConditionalSelect(odd, sin, cos);
        Vector256<ulong> sign = Vector256.ShiftLeft((quadrant + Vector256.Create(1UL)) & Vector256.Create(2UL), 62);
        return (value.AsUInt64() ^ sign).AsDouble();
    }

    // An integer below 2^52 as a double, exactly: its bits under the exponent of 2^52, minus 2^52.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> FromSmallInteger(Vector256<ulong> value) =>
        (value | Vector256.Create(0x4330_0000_0000_0000UL)).AsDouble() - Vector256.Create(4503599627370496.0);

    /// <summary>
    /// Runs whole batches of one Philox block per uint lane of Vector128 (2·that many elements) from element <paramref name="start"/>,
    /// whose stream position is even; returns the first element it did not write.
    /// </summary>
    public static int Run128<T>(ref T input, ref T output, int start, int length, double sigma, ulong seed, ulong offset)
        where T : unmanaged
    {
        int blocks = Vector128<uint>.Count;
        int half = blocks / 2;
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        Vector128<uint> laneIndex = Vector128.Create(0u, 1, 2, 3);
        Vector128<double> sigmas = Vector128.Create(sigma);
        int i = start;
        for (; length - i >= 2 * blocks; i += 2 * blocks)
        {
            ulong block = (offset + (ulong)i) >> 1;
            Vector128<uint> low = Vector128.Create((uint)block);
            Vector128<uint> x0 = low + laneIndex;

            // A lane whose counter word 0 wrapped past 2^32 carries into word 1 (the compare is all ones, i.e. -1); block
            // numbers are positions / 2 with positions mod 2^64, so they wrap at 2^63 and word 1 keeps 31 bits.
            Vector128<uint> x1 = (Vector128.Create((uint)(block >> 32)) - Vector128.LessThan(x0, low)) & Vector128.Create(0x7FFF_FFFFu);
            Vector128<uint> x2 = Vector128<uint>.One, x3 = Vector128<uint>.Zero;
            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, key0, key1);

            // Even positions take words 0 and 1, odd ones 2 and 3: one block's two words side by side in a 64-bit lane
            // are two consecutive elements' words in element order.
            Vector128<uint> radiusLow = (Vector128.WidenLower(x0) | Vector128.ShiftLeft(Vector128.WidenLower(x2), 32)).AsUInt32();
            Vector128<uint> radiusHigh = (Vector128.WidenUpper(x0) | Vector128.ShiftLeft(Vector128.WidenUpper(x2), 32)).AsUInt32();
            Vector128<uint> angleLow = (Vector128.WidenLower(x1) | Vector128.ShiftLeft(Vector128.WidenLower(x3), 32)).AsUInt32();
            Vector128<uint> angleHigh = (Vector128.WidenUpper(x1) | Vector128.ShiftLeft(Vector128.WidenUpper(x3), 32)).AsUInt32();
            Vector128<double> noise0 = Noise(Vector128.WidenLower(radiusLow), Vector128.WidenLower(angleLow), sigmas);
            Vector128<double> noise1 = Noise(Vector128.WidenUpper(radiusLow), Vector128.WidenUpper(angleLow), sigmas);
            Vector128<double> noise2 = Noise(Vector128.WidenLower(radiusHigh), Vector128.WidenLower(angleHigh), sigmas);
            Vector128<double> noise3 = Noise(Vector128.WidenUpper(radiusHigh), Vector128.WidenUpper(angleHigh), sigmas);
            if (typeof(T) == typeof(float))
            {
                // Narrowing rounds each noise to float once, as the scalar path's cast does.
                ref float source = ref Unsafe.As<T, float>(ref input);
                ref float target = ref Unsafe.As<T, float>(ref output);
                (Vector128.LoadUnsafe(ref source, (nuint)i) * Vector128.Narrow(noise0, noise1)).StoreUnsafe(ref target, (nuint)i);
                (Vector128.LoadUnsafe(ref source, (nuint)(i + blocks)) * Vector128.Narrow(noise2, noise3)).StoreUnsafe(ref target, (nuint)(i + blocks));
            }
            else
            {
                ref double source = ref Unsafe.As<T, double>(ref input);
                ref double target = ref Unsafe.As<T, double>(ref output);
                (Vector128.LoadUnsafe(ref source, (nuint)i) * noise0).StoreUnsafe(ref target, (nuint)i);
                (Vector128.LoadUnsafe(ref source, (nuint)(i + half)) * noise1).StoreUnsafe(ref target, (nuint)(i + half));
                (Vector128.LoadUnsafe(ref source, (nuint)(i + blocks)) * noise2).StoreUnsafe(ref target, (nuint)(i + blocks));
                (Vector128.LoadUnsafe(ref source, (nuint)(i + blocks + half)) * noise3).StoreUnsafe(ref target, (nuint)(i + blocks + half));
            }
        }

        return i;
    }

    // 1 + σ·(√(−2 ln u1)·cos(2π u2)), lane by lane exactly as GaussianMath does it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Noise(Vector128<ulong> radiusWords, Vector128<ulong> angleWords, Vector128<double> sigma)
    {
        Vector128<double> u1 = (FromSmallInteger(radiusWords) + Vector128.Create(1.0)) * Vector128.Create(GaussianMath.TwoToTheMinus32);
        Vector128<double> radius = Vector128.Sqrt(Vector128.Create(-2.0) * Log(u1));
        return Vector128.Create(1.0) + (sigma * (radius * CosTwoPi(angleWords)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Log(Vector128<double> x)
    {
        Vector128<ulong> bits = x.AsUInt64();
        Vector128<double> k = FromSmallInteger(Vector128.ShiftRightLogical(bits, 52)) - Vector128.Create(1023.0);
        Vector128<double> m = ((bits & Vector128.Create(0x000F_FFFF_FFFF_FFFFUL)) | Vector128.Create(0x3FF0_0000_0000_0000UL)).AsDouble();
        Vector128<double> large = Vector128.GreaterThan(m, Vector128.Create(GaussianMath.Sqrt2));
        m = Vector128.ConditionalSelect(large, m * Vector128.Create(0.5), m);
        k = Vector128.ConditionalSelect(large, k + Vector128.Create(1.0), k);
        Vector128<double> f = m - Vector128.Create(1.0);
        Vector128<double> s = f / (Vector128.Create(2.0) + f);
        Vector128<double> z = s * s;
        Vector128<double> r = Vector128.Create(GaussianMath.A10);
        r = Vector128.Create(GaussianMath.A9) + (z * r);
        r = Vector128.Create(GaussianMath.A8) + (z * r);
        r = Vector128.Create(GaussianMath.A7) + (z * r);
        r = Vector128.Create(GaussianMath.A6) + (z * r);
        r = Vector128.Create(GaussianMath.A5) + (z * r);
        r = Vector128.Create(GaussianMath.A4) + (z * r);
        r = Vector128.Create(GaussianMath.A3) + (z * r);
        r = Vector128.Create(GaussianMath.A2) + (z * r);
        r = Vector128.Create(GaussianMath.A1) + (z * r);
        r = z * r;
        Vector128<double> lnM = f - (s * (f - r));
        return (k * Vector128.Create(GaussianMath.Ln2High)) + (lnM + (k * Vector128.Create(GaussianMath.Ln2Low)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> CosTwoPi(Vector128<ulong> angleWords)
    {
        Vector128<ulong> shifted = angleWords + Vector128.Create(1UL << 29);
        Vector128<ulong> quadrant = Vector128.ShiftRightLogical(shifted, 30);
        Vector128<double> d = (FromSmallInteger(shifted & Vector128.Create(0x3FFF_FFFFUL)) - Vector128.Create(536870912.0)) * Vector128.Create(GaussianMath.TwoToTheMinus30);
        Vector128<double> z = d * d;
        Vector128<double> cos = Vector128.Create(GaussianMath.C8);
        cos = Vector128.Create(GaussianMath.C7) + (z * cos);
        cos = Vector128.Create(GaussianMath.C6) + (z * cos);
        cos = Vector128.Create(GaussianMath.C5) + (z * cos);
        cos = Vector128.Create(GaussianMath.C4) + (z * cos);
        cos = Vector128.Create(GaussianMath.C3) + (z * cos);
        cos = Vector128.Create(GaussianMath.C2) + (z * cos);
        cos = Vector128.Create(GaussianMath.C1) + (z * cos);
        cos = Vector128.Create(1.0) + (z * cos);
        Vector128<double> sin = Vector128.Create(GaussianMath.S8);
        sin = Vector128.Create(GaussianMath.S7) + (z * sin);
        sin = Vector128.Create(GaussianMath.S6) + (z * sin);
        sin = Vector128.Create(GaussianMath.S5) + (z * sin);
        sin = Vector128.Create(GaussianMath.S4) + (z * sin);
        sin = Vector128.Create(GaussianMath.S3) + (z * sin);
        sin = Vector128.Create(GaussianMath.S2) + (z * sin);
        sin = Vector128.Create(GaussianMath.S1) + (z * sin);
        sin = Vector128.Create(GaussianMath.S0) + (z * sin);
        sin = d * sin;
        Vector128<double> odd = Vector128.Equals(quadrant & Vector128.Create(1UL), Vector128.Create(1UL)).AsDouble();
        Vector128<double> value = Vector128.ConditionalSelect(odd, sin, cos);
        Vector128<ulong> sign = Vector128.ShiftLeft((quadrant + Vector128.Create(1UL)) & Vector128.Create(2UL), 62);
        return (value.AsUInt64() ^ sign).AsDouble();
    }

    // An integer below 2^52 as a double, exactly: its bits under the exponent of 2^52, minus 2^52.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> FromSmallInteger(Vector128<ulong> value) =>
        (value | Vector128.Create(0x4330_0000_0000_0000UL)).AsDouble() - Vector128.Create(4503599627370496.0);
}
