using System.ComponentModel;

namespace Dropout;

/// <summary>
/// The dropout part of a fused epilogue: whether elements are drawn at all, the compiled keep test and the scale 1/p.
/// The runtime's implementation (<see cref="DropoutEpilogue{T}"/>) holds a keep probability chosen at run time;
/// <see cref="NoDropout{T}"/> is inference; a generated operator may return constants, which the JIT folds into the
/// kernel it compiles for that operator.
/// </summary>
/// <remarks>Support API for generated code and custom operators; most callers use the <see cref="FusedEpilogue"/> overloads that take a keep probability.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDropoutEpilogue<T>
    where T : unmanaged
{
    /// <summary>Gets whether the kernel draws a mask and scales; <see langword="false"/> keeps every element unscaled and draws nothing.</summary>
    bool Draws { get; }

    /// <summary>Gets the compiled keep test of <c>docs/masks.md</c> (read only when <see cref="Draws"/> is <see langword="true"/>).</summary>
    DropoutMaskSpec Spec { get; }

    /// <summary>Gets 1/p in the element type (for float, 1/p computed in double and rounded once).</summary>
    T Scale { get; }
}

/// <summary>Dropout with a keep probability chosen at run time: the same keep bits and scale as <see cref="DropoutKernels"/>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct DropoutEpilogue<T> : IDropoutEpilogue<T>
    where T : unmanaged
{
    private readonly DropoutMaskSpec _spec;
    private readonly T _scale;

    /// <summary>Compiles <paramref name="keepProbability"/>.</summary>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is not supported.</exception>
    public DropoutEpilogue(double keepProbability)
        : this(DropoutMaskSpec.Create(keepProbability))
    {
    }

    /// <summary>Uses an already compiled keep test.</summary>
    /// <param name="spec">The compiled keep probability.</param>
    public DropoutEpilogue(DropoutMaskSpec spec)
    {
        _spec = spec;
        _scale = ActivationMath.Constant<T>(typeof(T) == typeof(float) ? spec.ScaleSingle : spec.Scale);
    }

    /// <inheritdoc />
    /// <remarks>Always <see langword="true"/>, so the kernels compile without the no-dropout branches; a spec of p = 1 is run as <see cref="NoDropout{T}"/>.</remarks>
    public bool Draws => true;

    /// <inheritdoc />
    public DropoutMaskSpec Spec => _spec;

    /// <inheritdoc />
    public T Scale => _scale;
}

/// <summary>No dropout (inference, or p = 1): every element is kept, unscaled, and nothing is drawn.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct NoDropout<T> : IDropoutEpilogue<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public bool Draws => false;

    /// <inheritdoc />
    /// <remarks>Never read (nothing is drawn): the default spec, whose <see cref="DropoutMaskSpec.IsIdentity"/> is <see langword="true"/>.</remarks>
    public DropoutMaskSpec Spec => default;

    /// <inheritdoc />
    public T Scale => ActivationMath.Constant<T>(1.0);
}
