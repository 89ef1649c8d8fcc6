using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>GELU in its tanh form, <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>, computed as the equal <c>x / (1 + e^(−2u))</c> with <c>u = √(2/π)·(x + 0.044715·x³)</c>, which has no cancellation in either tail.</summary>
/// <remarks>Backward recomputes the derivative <c>σ·(1 + 2·x·(1 − σ)·√(2/π)·(1 + 3·0.044715·x²))</c>, <c>σ = 1/(1 + e^(−2u))</c>, from the pre-activation. The scalar overloads run the 128-bit code on one lane, so scalar and vector results are identical.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct GeluTanhActivation<T> : IActivation<T>
    where T : unmanaged
{
    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double Cubic = 0.044715;

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
        Vector128<T> twiceU = Inner(x);
        return x / (Vector128<T>.One + ActivationMath.Exp(Vector128<T>.Zero - twiceU));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Derivative(Vector128<T> x)
    {
        Vector128<T> twiceU = Inner(x);
        Vector128<T> sigma = ActivationMath.Sigmoid(twiceU, out Vector128<T> expNegative);
        Vector128<T> oneMinusSigma = expNegative * sigma;
        Vector128<T> slope = Vector128.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (Vector128<T>.One + (Vector128.Create(ActivationMath.Constant<T>(3 * Cubic)) * (x * x)));
        return sigma * (Vector128<T>.One + (x * oneMinusSigma * slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Invoke(Vector256<T> x)
    {
        Vector256<T> twiceU = Inner(x);
        return x / (Vector256<T>.One + ActivationMath.Exp(Vector256<T>.Zero - twiceU));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Derivative(Vector256<T> x)
    {
        Vector256<T> twiceU = Inner(x);
        Vector256<T> sigma = ActivationMath.Sigmoid(twiceU, out Vector256<T> expNegative);
        Vector256<T> oneMinusSigma = expNegative * sigma;
        Vector256<T> slope = Vector256.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (Vector256<T>.One + (Vector256.Create(ActivationMath.Constant<T>(3 * Cubic)) * (x * x)));
        return sigma * (Vector256<T>.One + (x * oneMinusSigma * slope));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Invoke(Vector512<T> x)
    {
        Vector512<T> twiceU = Inner(x);
        return x / (Vector512<T>.One + ActivationMath.Exp(Vector512<T>.Zero - twiceU));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Derivative(Vector512<T> x)
    {
        Vector512<T> twiceU = Inner(x);
        Vector512<T> sigma = ActivationMath.Sigmoid(twiceU, out Vector512<T> expNegative);
        Vector512<T> oneMinusSigma = expNegative * sigma;
        Vector512<T> slope = Vector512.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (Vector512<T>.One + (Vector512.Create(ActivationMath.Constant<T>(3 * Cubic)) * (x * x)));
        return sigma * (Vector512<T>.One + (x * oneMinusSigma * slope));
    }

    // 2u = 2·√(2/π)·(x + 0.044715·x³).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Inner(Vector128<T> x) =>
        Vector128.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (x + (Vector128.Create(ActivationMath.Constant<T>(Cubic)) * (x * x * x)));

    // 2u = 2·√(2/π)·(x + 0.044715·x³).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Inner(Vector256<T> x) =>
        Vector256.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (x + (Vector256.Create(ActivationMath.Constant<T>(Cubic)) * (x * x * x)));

    // 2u = 2·√(2/π)·(x + 0.044715·x³).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Inner(Vector512<T> x) =>
        Vector512.Create(ActivationMath.Constant<T>(2 * SqrtTwoOverPi)) * (x + (Vector512.Create(ActivationMath.Constant<T>(Cubic)) * (x * x * x)));
}
