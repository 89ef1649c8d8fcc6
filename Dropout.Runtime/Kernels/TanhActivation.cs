using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>tanh; derivative <c>1 − tanh²(x)</c>.</summary>
/// <remarks>Backward recomputes the derivative from the pre-activation (it could also be computed from the output, but the output has the dropout scale and the residual folded in). The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct TanhActivation<T> : IActivation<T>
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
        return ActivationMath.Tanh(x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        Vector128<T> t = ActivationMath.Tanh(x);
        return Vector128<T>.One - (t * t);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        return ActivationMath.Tanh(x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        Vector256<T> t = ActivationMath.Tanh(x);
        return Vector256<T>.One - (t * t);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        return ActivationMath.Tanh(x);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        Vector512<T> t = ActivationMath.Tanh(x);
        return Vector512<T>.One - (t * t);
    }
}
