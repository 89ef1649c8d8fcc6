using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>Leaky ReLU, <c>x</c> where <c>x &gt; 0</c>, else <c>slope · x</c>; derivative 1 or <c>slope</c>.</summary>
/// <remarks>The slope is a field, so one operator serves every slope; a generated operator may return a constant instead. Backward recomputes the derivative from the pre-activation (the mask bit alone cannot tell the sides apart once an element is kept). The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct LeakyReLUActivation<T> : IActivation<T>
    where T : unmanaged
{
    private readonly T _slope;

    /// <summary>Creates the operator with slope <paramref name="slope"/> for negative inputs (PyTorch's default is 0.01).</summary>
    /// <param name="slope">The factor applied to inputs that are not positive.</param>
    public LeakyReLUActivation(T slope) => _slope = slope;

    /// <summary>Gets the factor applied to inputs that are not positive.</summary>
    public T Slope => _slope;

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
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * Vector128.Create(_slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), Vector128<T>.One, Vector128.Create(_slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(_slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One, Vector256.Create(_slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * Vector512.Create(_slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One, Vector512.Create(_slope));
    }
}
