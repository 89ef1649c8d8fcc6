using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The backward chain of one element: <c>gradInput = drop(gradOutput) · act'(x + bias[column])</c>, dropped elements
/// exactly +0, and <c>gradBias[column] += gradInput</c>. For ReLU the derivative is the gate "x + bias &gt; 0", taken
/// from the recorded mask bit or, when the mask is regenerated, recomputed from the pre-activation. The bias is
/// present only when the derivative is recomputed.
/// </summary>
internal readonly unsafe struct BackwardStep<T, TActivation, TDropout, TBias, TGradBias> : IColumnSumStep<T>
    where T : unmanaged
    where TActivation : struct, IActivation<T>
    where TDropout : struct, IDropoutEpilogue<T>
    where TBias : struct, IPresence
    where TGradBias : struct, IPresence
{
    private readonly T* _gradOutput;
    private readonly T* _input;
    private readonly T* _bias;
    private readonly T* _gradInput;
    private readonly T* _gradBias;
    private readonly TActivation _activation;
    private readonly TDropout _dropout;
    private readonly bool _recomputeGate;

    public BackwardStep(T* gradOutput, T* input, T* bias, T* gradInput, T* gradBias, TActivation activation, TDropout dropout, bool recomputeGate)
    {
        _gradOutput = gradOutput;
        _input = input;
        _bias = bias;
        _gradInput = gradInput;
        _gradBias = gradBias;
        _activation = activation;
        _dropout = dropout;
        _recomputeGate = recomputeGate;
    }

    public bool UsesColumns => TBias.IsPresent || TGradBias.IsPresent;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(nint index, int column, Vector128<T> keep)
    {
        Vector128<T> gradient = Vector128.Load(_gradOutput + index);
        if (_dropout.Draws)
        {
            gradient *= Vector128.Create(_dropout.Scale);
        }

        if (_activation.Gradient == ActivationGradient.FromPreActivation)
        {
            Vector128<T> preActivation = Vector128.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector128.Load(_bias + column);
            }

            gradient *= _activation.Derivative(preActivation);
        }
        else if (_activation.Gradient == ActivationGradient.PositiveGate && _recomputeGate)
        {
            Vector128<T> preActivation = Vector128.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector128.Load(_bias + column);
            }

            keep &= Vector128.GreaterThan(preActivation, Vector128<T>.Zero);
        }

        if (_dropout.Draws || _activation.Gradient == ActivationGradient.PositiveGate)
        {
            gradient &= keep;
        }

        gradient.Store(_gradInput + index);
        if (TGradBias.IsPresent)
        {
            (Vector128.Load(_gradBias + column) + gradient).Store(_gradBias + column);
        }

        return keep;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(nint index, int column, Vector256<T> keep)
    {
        Vector256<T> gradient = Vector256.Load(_gradOutput + index);
        if (_dropout.Draws)
        {
            gradient *= Vector256.Create(_dropout.Scale);
        }

        if (_activation.Gradient == ActivationGradient.FromPreActivation)
        {
            Vector256<T> preActivation = Vector256.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector256.Load(_bias + column);
            }

            gradient *= _activation.Derivative(preActivation);
        }
        else if (_activation.Gradient == ActivationGradient.PositiveGate && _recomputeGate)
        {
            Vector256<T> preActivation = Vector256.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector256.Load(_bias + column);
            }

            keep &= Vector256.GreaterThan(preActivation, Vector256<T>.Zero);
        }

        if (_dropout.Draws || _activation.Gradient == ActivationGradient.PositiveGate)
        {
            gradient &= keep;
        }

        gradient.Store(_gradInput + index);
        if (TGradBias.IsPresent)
        {
            (Vector256.Load(_gradBias + column) + gradient).Store(_gradBias + column);
        }

        return keep;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(nint index, int column, Vector512<T> keep)
    {
        Vector512<T> gradient = Gradient(index, column, ref keep);
        if (TGradBias.IsPresent)
        {
            (Vector512.Load(_gradBias + column) + gradient).Store(_gradBias + column);
        }

        return keep;
    }

    /// <summary>
    /// Computes and stores the input gradient of 16 or 8 elements without touching the bias gradient, and returns it for
    /// the caller to add to its per-column sums (<see cref="FusedEpilogueDriver.RunColumnSums{T, TStep}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Gradient(nint index, int column, Vector512<T> keep) => Gradient(index, column, ref keep);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<T> Gradient(nint index, int column, ref Vector512<T> keep)
    {
        Vector512<T> gradient = Vector512.Load(_gradOutput + index);
        if (_dropout.Draws)
        {
            gradient *= Vector512.Create(_dropout.Scale);
        }

        if (_activation.Gradient == ActivationGradient.FromPreActivation)
        {
            Vector512<T> preActivation = Vector512.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector512.Load(_bias + column);
            }

            gradient *= _activation.Derivative(preActivation);
        }
        else if (_activation.Gradient == ActivationGradient.PositiveGate && _recomputeGate)
        {
            Vector512<T> preActivation = Vector512.Load(_input + index);
            if (TBias.IsPresent)
            {
                preActivation += Vector512.Load(_bias + column);
            }

            keep &= Vector512.GreaterThan(preActivation, Vector512<T>.Zero);
        }

        if (_dropout.Draws || _activation.Gradient == ActivationGradient.PositiveGate)
        {
            gradient &= keep;
        }

        gradient.Store(_gradInput + index);
        return gradient;
    }

    // Lane 0 of the 128-bit arithmetic, so a lone element gets exactly the bits it would get in a vector; the bias
    // gradient is added one element at a time, in element (row) order, like the vector path.
    public bool ApplyOne(nint index, int column, bool keep)
    {
        Vector128<T> lane = keep ? Vector128<T>.AllBitsSet : Vector128<T>.Zero;
        Vector128<T> gradient = Vector128.CreateScalar(_gradOutput[index]);
        if (_dropout.Draws)
        {
            gradient *= Vector128.Create(_dropout.Scale);
        }

        if (_activation.Gradient == ActivationGradient.FromPreActivation || (_activation.Gradient == ActivationGradient.PositiveGate && _recomputeGate))
        {
            Vector128<T> preActivation = Vector128.CreateScalar(_input[index]);
            if (TBias.IsPresent)
            {
                preActivation += Vector128.CreateScalar(_bias[column]);
            }

            if (_activation.Gradient == ActivationGradient.FromPreActivation)
            {
                gradient *= _activation.Derivative(preActivation);
            }
            else
            {
                lane &= Vector128.GreaterThan(preActivation, Vector128<T>.Zero);
            }
        }

        if (_dropout.Draws || _activation.Gradient == ActivationGradient.PositiveGate)
        {
            gradient &= lane;
        }

        _gradInput[index] = gradient.ToScalar();
        if (TGradBias.IsPresent)
        {
            _gradBias[column] = (Vector128.CreateScalar(_gradBias[column]) + gradient).ToScalar();
        }

        return (lane.ExtractMostSignificantBits() & 1) != 0;
    }
}
