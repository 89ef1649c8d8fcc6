using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// The forward chain of one element: <c>output = drop(act(x + bias[column])) + residual</c>, where drop keeps and scales
/// by 1/p or gives +0. Optional parts are marked absent by their type parameter. The recorded bit is the keep bit, or for ReLU "kept and x + bias &gt; 0".
/// </summary>
internal readonly unsafe struct ForwardStep<T, TActivation, TDropout, TBias, TResidual> : IEpilogueStep<T>
    where T : unmanaged
    where TActivation : struct, IActivation<T>
    where TDropout : struct, IDropoutEpilogue<T>
    where TBias : struct, IPresence
    where TResidual : struct, IPresence
{
    private readonly T* _input;
    private readonly T* _bias;
    private readonly T* _residual;
    private readonly T* _output;
    private readonly TActivation _activation;
    private readonly TDropout _dropout;

    public ForwardStep(T* input, T* bias, T* residual, T* output, TActivation activation, TDropout dropout)
    {
        _input = input;
        _bias = bias;
        _residual = residual;
        _output = output;
        _activation = activation;
        _dropout = dropout;
    }

    public bool UsesColumns => TBias.IsPresent;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(nint index, int column, Vector128<T> keep)
    {
        Vector128<T> preActivation = Vector128.Load(_input + index);
        if (TBias.IsPresent)
        {
            preActivation += Vector128.Load(_bias + column);
        }

        Vector128<T> value = _activation.Invoke(preActivation);
        if (_dropout.Draws)
        {
            // The same arithmetic as DropoutKernels: scale, then AND with the lane mask, so dropped lanes are +0 even
            // for NaN or infinite values. Written as a select of zero, which is that AND bit for bit and lets the JIT
            // use a compare's mask register directly where it sees the compare.
            value = Vector128.ConditionalSelect(keep, value * Vector128.Create(_dropout.Scale), Vector128<T>.Zero);
        }

        if (TResidual.IsPresent)
        {
            value += Vector128.Load(_residual + index);
        }

        value.Store(_output + index);
        return _activation.Gradient == ActivationGradient.PositiveGate ? Vector128.GreaterThan(preActivation, Vector128<T>.Zero) : Vector128<T>.AllBitsSet;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(nint index, int column, Vector256<T> keep)
    {
        Vector256<T> preActivation = Vector256.Load(_input + index);
        if (TBias.IsPresent)
        {
            preActivation += Vector256.Load(_bias + column);
        }

        Vector256<T> value = _activation.Invoke(preActivation);
        if (_dropout.Draws)
        {
            // The same arithmetic as DropoutKernels: scale, then AND with the lane mask, so dropped lanes are +0 even
            // for NaN or infinite values. Written as a select of zero, which is that AND bit for bit and lets the JIT
            // use a compare's mask register directly where it sees the compare.
            value = Vector256.ConditionalSelect(keep, value * Vector256.Create(_dropout.Scale), Vector256<T>.Zero);
        }

        if (TResidual.IsPresent)
        {
            value += Vector256.Load(_residual + index);
        }

        value.Store(_output + index);
        return _activation.Gradient == ActivationGradient.PositiveGate ? Vector256.GreaterThan(preActivation, Vector256<T>.Zero) : Vector256<T>.AllBitsSet;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(nint index, int column, Vector512<T> keep)
    {
        Vector512<T> preActivation = Vector512.Load(_input + index);
        if (TBias.IsPresent)
        {
            preActivation += Vector512.Load(_bias + column);
        }

        Vector512<T> value = _activation.Invoke(preActivation);
        if (_dropout.Draws)
        {
            // The same arithmetic as DropoutKernels: scale, then AND with the lane mask, so dropped lanes are +0 even
            // for NaN or infinite values. Written as a select of zero, which is that AND bit for bit and lets the JIT
            // use a compare's mask register directly where it sees the compare.
            value = Vector512.ConditionalSelect(keep, value * Vector512.Create(_dropout.Scale), Vector512<T>.Zero);
        }

        if (TResidual.IsPresent)
        {
            value += Vector512.Load(_residual + index);
        }

        value.Store(_output + index);
        return _activation.Gradient == ActivationGradient.PositiveGate ? Vector512.GreaterThan(preActivation, Vector512<T>.Zero) : Vector512<T>.AllBitsSet;
    }

    // Lane 0 of the 128-bit arithmetic, so a lone element gets exactly the bits it would get in a vector.
    public bool ApplyOne(nint index, int column, bool keep)
    {
        Vector128<T> preActivation = Vector128.CreateScalar(_input[index]);
        if (TBias.IsPresent)
        {
            preActivation += Vector128.CreateScalar(_bias[column]);
        }

        Vector128<T> lane = keep ? Vector128<T>.AllBitsSet : Vector128<T>.Zero;
        Vector128<T> value = _activation.Invoke(preActivation);
        if (_dropout.Draws)
        {
            value = (value * Vector128.Create(_dropout.Scale)) & lane;
        }

        if (TResidual.IsPresent)
        {
            value += Vector128.CreateScalar(_residual[index]);
        }

        _output[index] = value.ToScalar();
        Vector128<T> recorded = _activation.Gradient == ActivationGradient.PositiveGate ? lane & Vector128.GreaterThan(preActivation, Vector128<T>.Zero) : lane;
        return (recorded.ExtractMostSignificantBits() & 1) != 0;
    }
}
