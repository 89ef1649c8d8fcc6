using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// An element-wise activation for the fused epilogue kernels (<see cref="FusedEpilogue"/>): its value and its derivative,
/// for one element and for each vector width. Implementations are small <see langword="readonly"/> structs; the kernels
/// take them as generic type arguments, so the JIT compiles the one driver loop once per activation with every call
/// inlined (the TensorPrimitives operator pattern).
/// </summary>
/// <remarks>
/// <para>The members are instance members rather than static abstract ones so that an operator can carry data (the
/// slope of <see cref="LeakyReLUActivation{T}"/>) while one that returns constants costs nothing: a generated operator
/// with folded constants plugs into the same driver.</para>
/// <para>Every width must compute bit-identical results lane by lane (the kernels mix widths within one call: vectors
/// in the body, one lane at a time at tails and where a vector would straddle a row). The built-in operators guarantee
/// this by implementing the scalar overloads as the 128-bit code on one lane.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IActivation<T>
    where T : unmanaged
{
    /// <summary>Gets how the backward pass obtains the derivative (and so what the forward records and backward needs).</summary>
    ActivationGradient Gradient { get; }

    /// <summary>The activation of one element.</summary>
    /// <param name="x">The pre-activation.</param>
    /// <returns>The activation.</returns>
    T Invoke(T x);

    /// <summary>The activation of each lane.</summary>
    /// <param name="x">The pre-activations.</param>
    /// <returns>The activations.</returns>
    Vector128<T> Invoke(Vector128<T> x);

    /// <inheritdoc cref="Invoke(Vector128{T})"/>
    Vector256<T> Invoke(Vector256<T> x);

    /// <inheritdoc cref="Invoke(Vector128{T})"/>
    Vector512<T> Invoke(Vector512<T> x);

    /// <summary>The derivative of the activation with respect to its input, at one element.</summary>
    /// <param name="x">The pre-activation.</param>
    /// <returns>The derivative.</returns>
    T Derivative(T x);

    /// <summary>The derivative of each lane.</summary>
    /// <param name="x">The pre-activations.</param>
    /// <returns>The derivatives.</returns>
    Vector128<T> Derivative(Vector128<T> x);

    /// <inheritdoc cref="Derivative(Vector128{T})"/>
    Vector256<T> Derivative(Vector256<T> x);

    /// <inheritdoc cref="Derivative(Vector128{T})"/>
    Vector512<T> Derivative(Vector512<T> x);
}

/// <summary>How the fused backward pass obtains an activation's derivative.</summary>
public enum ActivationGradient
{
    /// <summary>The derivative is 1 everywhere (identity): backward needs only the keep bit.</summary>
    One = 0,

    /// <summary>
    /// The derivative is 1 where the pre-activation is positive and 0 elsewhere (ReLU). The forward records
    /// "kept and positive" as each element's mask bit, so backward needs that bit and nothing else.
    /// </summary>
    PositiveGate = 1,

    /// <summary>
    /// The derivative depends on the pre-activation (leaky ReLU, GELU, SiLU, tanh): backward takes the forward's
    /// pre-activation (and bias) and recomputes it, the way a fused kernel recomputes rather than stores.
    /// </summary>
    FromPreActivation = 2,
}
