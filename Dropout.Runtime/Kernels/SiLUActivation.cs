using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>SiLU (swish), <c>x · σ(x) = x / (1 + e^(−x))</c>; derivative <c>σ(x)·(1 + x·(1 − σ(x)))</c>.</summary>
/// <remarks>Backward recomputes the derivative from the pre-activation. The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct SiLUActivation<T> : IActivation<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public ActivationGradient Gradient => ActivationGradient.FromPreActivation;

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
        return x / (Vector128<T>.One + ActivationMath.Exp(Vector128<T>.Zero - x));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        Vector128<T> sigma = ActivationMath.Sigmoid(x, out Vector128<T> expNegative);
        return sigma * (Vector128<T>.One + (x * (expNegative * sigma)));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        return x / (Vector256<T>.One + ActivationMath.Exp(Vector256<T>.Zero - x));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        Vector256<T> sigma = ActivationMath.Sigmoid(x, out Vector256<T> expNegative);
        return sigma * (Vector256<T>.One + (x * (expNegative * sigma)));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        return x / (Vector512<T>.One + ActivationMath.Exp(Vector512<T>.Zero - x));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        Vector512<T> sigma = ActivationMath.Sigmoid(x, out Vector512<T> expNegative);
        return sigma * (Vector512<T>.One + (x * (expNegative * sigma)));
    }
}
