using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>The identity, <c>x</c> (no activation), derivative 1.</summary>
/// <remarks>Backward needs only the keep bit. The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct IdentityActivation<T> : IActivation<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public ActivationGradient Gradient => ActivationGradient.One;

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
        return x;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        return Vector128<T>.One;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        return x;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        return Vector256<T>.One;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        return x;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        return Vector512<T>.One;
    }
}
