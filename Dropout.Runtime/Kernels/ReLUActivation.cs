using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>ReLU, <c>max(x, 0)</c>: <c>x</c> where <c>x &gt; 0</c>, <c>+0</c> where <c>x ≤ 0</c> (also −0), NaN stays NaN; derivative 1 where <c>x &gt; 0</c>, else 0.</summary>
/// <remarks>The forward records the bit "kept and x &gt; 0", so backward needs that bit and nothing else (no pre-activation). The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ReLUActivation<T> : IActivation<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public ActivationGradient Gradient => ActivationGradient.PositiveGate;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Invoke(T x) => Invoke(Vector128.CreateScalar(x)).ToScalar();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Derivative(T x) => Derivative(Vector128.CreateScalar(x)).ToScalar();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Invoke(Vector128<T> x)
    {
        // x & ~(x <= 0), written as a select of zero (the same bits) so that AVX-512 can use the compare's mask
        // register directly; NaN compares false, so it passes through.
        return Vector128.ConditionalSelect(Vector128.LessThanOrEqual(x, Vector128<T>.Zero), Vector128<T>.Zero, x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        return Vector128<T>.One & Vector128.GreaterThan(x, Vector128<T>.Zero);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        // x & ~(x <= 0), written as a select of zero (the same bits) so that AVX-512 can use the compare's mask
        // register directly; NaN compares false, so it passes through.
        return Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<T>.Zero), Vector256<T>.Zero, x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        return Vector256<T>.One & Vector256.GreaterThan(x, Vector256<T>.Zero);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        // x & ~(x <= 0), written as a select of zero (the same bits) so that AVX-512 can use the compare's mask
        // register directly; NaN compares false, so it passes through.
        return Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512<T>.Zero), Vector512<T>.Zero, x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        return Vector512<T>.One & Vector512.GreaterThan(x, Vector512<T>.Zero);
    }
}
