using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The vectorized elementary functions the smooth activations are built from, written once per vector width with the
/// same operations in the same order, so every width (and the scalar path, which runs the 128-bit code on lane 0)
/// computes bit-identical results. Only IEEE-754 basic operations are used (add, multiply, divide, compares, selects
/// and exponent-bit arithmetic): no hardware approximations and no fused multiply-add, whose use would depend on the CPU.
/// </summary>
/// <remarks>
/// <para><c>e^y</c> is split as <c>2^n · (1 + q)</c> with <c>n = round(y / ln 2)</c>, <c>r = y − n·ln 2</c> (Cody–Waite,
/// two-part ln 2) and <c>q = e^r − 1</c> from its Taylor series (|r| ≤ ln2/2: terms to r^7 for float, r^13 for double,
/// truncation below 2^-25 and 2^-55 relative). Keeping q separate gives <c>e^y − 1 = 2^n·q + (2^n − 1)</c> without
/// cancellation near 0, which is what tanh needs for small arguments.</para>
/// <para>y is clamped to [−87, 88] (float) or [−708, 708] (double) so that 2^n stays a normal number built directly in
/// the exponent bits; e^y saturates there (about 1.6·10^38 and 3·10^307) instead of overflowing. The activations divide by
/// <c>1 + e^y</c>, so the clamp only changes results that are below 10^-37 (float) in magnitude anyway, and ±∞ inputs
/// (see <c>docs/fused.md</c>).</para>
/// </remarks>
internal static class ActivationMath
{
    /// <summary>A constant in the element type (float or double); the JIT folds it per instantiation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Constant<T>(double value)
        where T : unmanaged =>
        typeof(T) == typeof(float) ? (T)(object)(float)value : (T)(object)value;

    // Clamp bounds of the exponent argument (see the remarks).
    private static T ExpLow<T>() where T : unmanaged => Constant<T>(typeof(T) == typeof(float) ? -87.0 : -708.0);

    private static T ExpHigh<T>() where T : unmanaged => Constant<T>(typeof(T) == typeof(float) ? 88.0 : 708.0);

    // Adding 1.5·2^23 (float) or 1.5·2^52 (double) rounds to an integer n (to nearest, ties to even) and leaves n in the
    // low bits of the sum; shifting those bits left by the mantissa width keeps exactly n·2^mantissa, which added to the
    // bits of 1.0 is 2^n.
    private static T RoundingMagic<T>() where T : unmanaged => Constant<T>(typeof(T) == typeof(float) ? 12582912.0 : 6755399441055744.0);

    // ln 2 in two parts: the high part has few enough bits that n · high is exact for every n the clamp allows.
    private static T Ln2High<T>() where T : unmanaged => Constant<T>(typeof(T) == typeof(float) ? 0.693359375 : 6.93147180369123816490e-01);

    private static T Ln2Low<T>() where T : unmanaged => Constant<T>(typeof(T) == typeof(float) ? -2.12194440e-4 : 1.90821492927058770002e-10);

    private const double Log2E = 1.4426950408889634;

    // ---- Vector128<T> ----

    /// <summary><c>e^y = scale · (1 + result)</c>, with <paramref name="scale"/> = 2^n exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ExpParts<T>(Vector128<T> y, out Vector128<T> scale)
        where T : unmanaged
    {
        Vector128<T> low = Vector128.Create(ExpLow<T>());
        Vector128<T> high = Vector128.Create(ExpHigh<T>());
        y = Vector128.ConditionalSelect(Vector128.LessThan(y, low), low, y);
        y = Vector128.ConditionalSelect(Vector128.GreaterThan(y, high), high, y);
        Vector128<T> magic = Vector128.Create(RoundingMagic<T>());
        Vector128<T> shifted = (y * Vector128.Create(Constant<T>(Log2E))) + magic;
        Vector128<T> n = shifted - magic;
        Vector128<T> r = (y - (n * Vector128.Create(Ln2High<T>()))) - (n * Vector128.Create(Ln2Low<T>()));

        // q = r + r²/2! + ... by Horner from the highest term.
        Vector128<T> p;
        if (typeof(T) == typeof(double))
        {
            p = Vector128.Create(Constant<T>(1.0 / 6227020800.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 479001600.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 39916800.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 3628800.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 362880.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 40320.0));
            p = (p * r) + Vector128.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector128.ShiftLeft(shifted.AsInt64(), 52) + Vector128.Create(0x3FF0000000000000L)).As<long, T>();
        }
        else
        {
            p = Vector128.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector128.ShiftLeft(shifted.AsInt32(), 23) + Vector128.Create(0x3F800000)).As<int, T>();
        }

        p = (p * r) + Vector128.Create(Constant<T>(1.0 / 720.0));
        p = (p * r) + Vector128.Create(Constant<T>(1.0 / 120.0));
        p = (p * r) + Vector128.Create(Constant<T>(1.0 / 24.0));
        p = (p * r) + Vector128.Create(Constant<T>(1.0 / 6.0));
        p = (p * r) + Vector128.Create(Constant<T>(0.5));
        p = (p * r) + Vector128<T>.One;
        return p * r;
    }

    /// <summary><c>e^y</c>, saturating at the clamp bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Exp<T>(Vector128<T> y)
        where T : unmanaged
    {
        Vector128<T> q = ExpParts(y, out Vector128<T> scale);
        return scale + (scale * q);
    }

    /// <summary>tanh, as <c>sign(u) · m / (m + 2)</c> with <c>m = e^(2|u|) − 1</c>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Tanh<T>(Vector128<T> u)
        where T : unmanaged
    {
        Vector128<T> magnitude = Vector128.Abs(u);
        Vector128<T> q = ExpParts(magnitude + magnitude, out Vector128<T> scale);
        Vector128<T> m = (scale * q) + (scale - Vector128<T>.One);
        Vector128<T> t = m / (m + Vector128.Create(Constant<T>(2.0)));
        Vector128<T> signed = t | (u & Vector128.Create(Constant<T>(-0.0)));

        // The clamp inside ExpParts turns NaN into a number; put NaN back (x == x is false only for NaN).
        return Vector128.ConditionalSelect(Vector128.Equals(u, u), signed, u);
    }

    /// <summary><c>1 / (1 + e^(−x))</c>, also returning <c>e^(−x)</c> (the derivatives need it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Sigmoid<T>(Vector128<T> x, out Vector128<T> expNegative)
        where T : unmanaged
    {
        expNegative = Exp(Vector128<T>.Zero - x);
        return Vector128<T>.One / (Vector128<T>.One + expNegative);
    }

    // ---- Vector256<T> ----

    /// <summary><c>e^y = scale · (1 + result)</c>, with <paramref name="scale"/> = 2^n exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ExpParts<T>(Vector256<T> y, out Vector256<T> scale)
        where T : unmanaged
    {
        Vector256<T> low = Vector256.Create(ExpLow<T>());
        Vector256<T> high = Vector256.Create(ExpHigh<T>());
        y = Vector256.ConditionalSelect(Vector256.LessThan(y, low), low, y);
        y = Vector256.ConditionalSelect(Vector256.GreaterThan(y, high), high, y);
        Vector256<T> magic = Vector256.Create(RoundingMagic<T>());
        Vector256<T> shifted = (y * Vector256.Create(Constant<T>(Log2E))) + magic;
        Vector256<T> n = shifted - magic;
        Vector256<T> r = (y - (n * Vector256.Create(Ln2High<T>()))) - (n * Vector256.Create(Ln2Low<T>()));

        // q = r + r²/2! + ... by Horner from the highest term.
        Vector256<T> p;
        if (typeof(T) == typeof(double))
        {
            p = Vector256.Create(Constant<T>(1.0 / 6227020800.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 479001600.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 39916800.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 3628800.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 362880.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 40320.0));
            p = (p * r) + Vector256.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector256.ShiftLeft(shifted.AsInt64(), 52) + Vector256.Create(0x3FF0000000000000L)).As<long, T>();
        }
        else
        {
            p = Vector256.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector256.ShiftLeft(shifted.AsInt32(), 23) + Vector256.Create(0x3F800000)).As<int, T>();
        }

        p = (p * r) + Vector256.Create(Constant<T>(1.0 / 720.0));
        p = (p * r) + Vector256.Create(Constant<T>(1.0 / 120.0));
        p = (p * r) + Vector256.Create(Constant<T>(1.0 / 24.0));
        p = (p * r) + Vector256.Create(Constant<T>(1.0 / 6.0));
        p = (p * r) + Vector256.Create(Constant<T>(0.5));
        p = (p * r) + Vector256<T>.One;
        return p * r;
    }

    /// <summary><c>e^y</c>, saturating at the clamp bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> y)
        where T : unmanaged
    {
        Vector256<T> q = ExpParts(y, out Vector256<T> scale);
        return scale + (scale * q);
    }

    /// <summary>tanh, as <c>sign(u) · m / (m + 2)</c> with <c>m = e^(2|u|) − 1</c>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> u)
        where T : unmanaged
    {
        Vector256<T> magnitude = Vector256.Abs(u);
        Vector256<T> q = ExpParts(magnitude + magnitude, out Vector256<T> scale);
        Vector256<T> m = (scale * q) + (scale - Vector256<T>.One);
        Vector256<T> t = m / (m + Vector256.Create(Constant<T>(2.0)));
        Vector256<T> signed = t | (u & Vector256.Create(Constant<T>(-0.0)));

        // The clamp inside ExpParts turns NaN into a number; put NaN back (x == x is false only for NaN).
        return Vector256.ConditionalSelect(Vector256.Equals(u, u), signed, u);
    }

    /// <summary><c>1 / (1 + e^(−x))</c>, also returning <c>e^(−x)</c> (the derivatives need it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x, out Vector256<T> expNegative)
        where T : unmanaged
    {
        expNegative = Exp(Vector256<T>.Zero - x);
        return Vector256<T>.One / (Vector256<T>.One + expNegative);
    }

    // ---- Vector512<T> ----

    /// <summary><c>e^y = scale · (1 + result)</c>, with <paramref name="scale"/> = 2^n exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ExpParts<T>(Vector512<T> y, out Vector512<T> scale)
        where T : unmanaged
    {
        Vector512<T> low = Vector512.Create(ExpLow<T>());
        Vector512<T> high = Vector512.Create(ExpHigh<T>());
        y = Vector512.ConditionalSelect(Vector512.LessThan(y, low), low, y);
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(y, high), high, y);
        Vector512<T> magic = Vector512.Create(RoundingMagic<T>());
        Vector512<T> shifted = (y * Vector512.Create(Constant<T>(Log2E))) + magic;
        Vector512<T> n = shifted - magic;
        Vector512<T> r = (y - (n * Vector512.Create(Ln2High<T>()))) - (n * Vector512.Create(Ln2Low<T>()));

        // q = r + r²/2! + ... by Horner from the highest term.
        Vector512<T> p;
        if (typeof(T) == typeof(double))
        {
            p = Vector512.Create(Constant<T>(1.0 / 6227020800.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 479001600.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 39916800.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 3628800.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 362880.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 40320.0));
            p = (p * r) + Vector512.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector512.ShiftLeft(shifted.AsInt64(), 52) + Vector512.Create(0x3FF0000000000000L)).As<long, T>();
        }
        else
        {
            p = Vector512.Create(Constant<T>(1.0 / 5040.0));
            scale = (Vector512.ShiftLeft(shifted.AsInt32(), 23) + Vector512.Create(0x3F800000)).As<int, T>();
        }

        p = (p * r) + Vector512.Create(Constant<T>(1.0 / 720.0));
        p = (p * r) + Vector512.Create(Constant<T>(1.0 / 120.0));
        p = (p * r) + Vector512.Create(Constant<T>(1.0 / 24.0));
        p = (p * r) + Vector512.Create(Constant<T>(1.0 / 6.0));
        p = (p * r) + Vector512.Create(Constant<T>(0.5));
        p = (p * r) + Vector512<T>.One;
        return p * r;
    }

    /// <summary><c>e^y</c>, saturating at the clamp bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> y)
        where T : unmanaged
    {
        Vector512<T> q = ExpParts(y, out Vector512<T> scale);
        return scale + (scale * q);
    }

    /// <summary>tanh, as <c>sign(u) · m / (m + 2)</c> with <c>m = e^(2|u|) − 1</c>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> u)
        where T : unmanaged
    {
        Vector512<T> magnitude = Vector512.Abs(u);
        Vector512<T> q = ExpParts(magnitude + magnitude, out Vector512<T> scale);
        Vector512<T> m = (scale * q) + (scale - Vector512<T>.One);
        Vector512<T> t = m / (m + Vector512.Create(Constant<T>(2.0)));
        Vector512<T> signed = t | (u & Vector512.Create(Constant<T>(-0.0)));

        // The clamp inside ExpParts turns NaN into a number; put NaN back (x == x is false only for NaN).
        return Vector512.ConditionalSelect(Vector512.Equals(u, u), signed, u);
    }

    /// <summary><c>1 / (1 + e^(−x))</c>, also returning <c>e^(−x)</c> (the derivatives need it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sigmoid<T>(Vector512<T> x, out Vector512<T> expNegative)
        where T : unmanaged
    {
        expNegative = Exp(Vector512<T>.Zero - x);
        return Vector512<T>.One / (Vector512<T>.One + expNegative);
    }
}
