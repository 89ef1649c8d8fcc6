using System.Numerics;
using System.Runtime.InteropServices;

namespace Dropout;

/// <summary>
/// DropConnect for a dense layer (Wan et al., 2013): dropout of the weights instead of the activations. A forward call
/// draws one weight mask (shared by the rows of its batch, as the paper's fast implementation does), uses the masked
/// weights <c>W' = W ⊙ M / p</c> for <c>y = x·W'ᵀ + bias</c>, and the backward call propagates through exactly that
/// <c>W'</c>: <c>dx = dy·W'</c>, <c>dW = (dyᵀ·x) ⊙ M / p</c>, <c>dbias = Σ_rows dy</c>.
/// </summary>
/// <remarks>
/// Layouts are row-major: <c>input</c> is <c>(batch, inputs)</c>, <c>weights</c> and <c>maskedWeights</c> are
/// <c>(outputs, inputs)</c>, <c>output</c> is <c>(batch, outputs)</c>. The weight mask is the element-wise mask of
/// <c>docs/masks.md</c> over the <c>outputs · inputs</c> weights at stream positions <c>offset + o · inputs + i</c>.
/// The caller keeps <c>maskedWeights</c> (or recomputes it from <c>mask</c>) between forward and backward.
/// </remarks>
public static class DropConnectKernels
{
    /// <summary>DropConnect forward: draws the weight mask, writes <c>W'</c> and computes <c>y = x·W'ᵀ + bias</c>.</summary>
    /// <param name="input">The layer input, <c>(batch, inputs)</c>.</param>
    /// <param name="weights">The weights, <c>(outputs, inputs)</c>.</param>
    /// <param name="bias">The bias, length <c>outputs</c>, or empty for none.</param>
    /// <param name="output">Receives <c>(batch, outputs)</c>.</param>
    /// <param name="maskedWeights">Receives <c>W' = W ⊙ M / p</c>, <c>(outputs, inputs)</c>; the backward call needs it.</param>
    /// <param name="mask">Receives the weight mask, 1 bit per weight.</param>
    /// <param name="inputs">The number of inputs (columns of <paramref name="weights"/>).</param>
    /// <param name="keepProbability">The probability p of keeping a weight, in [2^-24, 1].</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of the first weight.</param>
    public static void Forward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output,
        Span<float> maskedWeights, Span<byte> mask, int inputs, double keepProbability, ulong seed, ulong offset)
    {
        int outputs = ValidateDense(input, weights, bias, output, inputs, nameof(output), out int batch);
        ValidateSameLength(weights.Length, maskedWeights.Length, nameof(maskedWeights));
        if (maskedWeights.Overlaps(output) || maskedWeights.Overlaps(input))
        {
            ThrowHelper.ThrowArgument(nameof(maskedWeights), "The masked weights must not overlap the input or the output.");
        }

        DropoutKernels.Forward(weights, maskedWeights, mask, keepProbability, seed, offset);
        Dense(input, maskedWeights, bias, output, inputs, outputs, batch);
    }

    // y = x·Wᵀ + bias over validated spans: the forward's product, also the inference path of generated sites.
    internal static void Dense(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int inputs, int outputs, int batch)
    {
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> x = input.Slice(row * inputs, inputs);
            Span<float> y = output.Slice(row * outputs, outputs);
            for (int o = 0; o < outputs; o++)
            {
                y[o] = Dot(x, weights.Slice(o * inputs, inputs)) + (bias.IsEmpty ? 0f : bias[o]);
            }
        }
    }

    /// <summary>DropConnect backward through the forward's masked weights.</summary>
    /// <param name="gradOutput">The gradient with respect to the output, <c>(batch, outputs)</c>.</param>
    /// <param name="input">The forward's input, <c>(batch, inputs)</c>.</param>
    /// <param name="maskedWeights">The forward's <c>W'</c>, <c>(outputs, inputs)</c>.</param>
    /// <param name="mask">The forward's weight mask.</param>
    /// <param name="gradInput">Receives <c>dx = dy·W'</c>, <c>(batch, inputs)</c>.</param>
    /// <param name="gradWeights">Receives <c>dW = (dyᵀ·x) ⊙ M / p</c>, <c>(outputs, inputs)</c>.</param>
    /// <param name="gradBias">Receives <c>Σ_rows dy</c>, length <c>outputs</c>, or empty when there is no bias.</param>
    /// <param name="inputs">The number of inputs.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    public static void Backward(
        ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> maskedWeights, ReadOnlySpan<byte> mask,
        Span<float> gradInput, Span<float> gradWeights, Span<float> gradBias, int inputs, double keepProbability)
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(keepProbability);
        if (mask.Length < MaskLayout.MaskByteCount(maskedWeights.Length))
        {
            ThrowHelper.ThrowMaskTooSmall(nameof(mask), maskedWeights.Length, mask.Length);
        }

        BackwardCore(gradOutput, input, maskedWeights, mask, gradInput, gradWeights, gradBias, inputs, spec);
    }

    // The backward with a compiled spec; an identity spec (p = 1, or an inference call of a generated site, which drew no
    // mask) reads no mask and leaves dW = dyᵀ·x unscaled.
    internal static void BackwardCore(
        ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> maskedWeights, ReadOnlySpan<byte> mask,
        Span<float> gradInput, Span<float> gradWeights, Span<float> gradBias, int inputs, DropoutMaskSpec spec)
    {
        if (inputs <= 0 || maskedWeights.Length % inputs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The input count must be positive and divide the weight count.");
        }

        int outputs = maskedWeights.Length / inputs;
        if (outputs == 0 || gradOutput.Length % outputs != 0)
        {
            ThrowHelper.ThrowArgument(nameof(gradOutput), "The output gradient must hold whole rows of the layer's outputs.");
        }

        int batch = gradOutput.Length / outputs;
        ValidateSameLength(batch * inputs, input.Length, nameof(input));
        ValidateSameLength(batch * inputs, gradInput.Length, nameof(gradInput));
        ValidateSameLength(maskedWeights.Length, gradWeights.Length, nameof(gradWeights));
        if (!gradBias.IsEmpty)
        {
            ValidateSameLength(outputs, gradBias.Length, nameof(gradBias));
        }

        // dx = dy · W'
        gradInput.Clear();
        for (int row = 0; row < batch; row++)
        {
            Span<float> dx = gradInput.Slice(row * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                AddScaled(dx, maskedWeights.Slice(o * inputs, inputs), gradOutput[(row * outputs) + o]);
            }
        }

        // dW = (dyᵀ · x) ⊙ M / p: accumulate dyᵀ · x, then the same masked scale the forward applied to W.
        gradWeights.Clear();
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> x = input.Slice(row * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                AddScaled(gradWeights.Slice(o * inputs, inputs), x, gradOutput[(row * outputs) + o]);
            }
        }

        if (!spec.IsIdentity)
        {
            DropoutKernels.ApplyMask<float>(gradWeights, gradWeights, mask, spec, nameof(gradWeights));
        }

        if (!gradBias.IsEmpty)
        {
            gradBias.Clear();
            for (int row = 0; row < batch; row++)
            {
                AddScaled(gradBias, gradOutput.Slice(row * outputs, outputs), 1f);
            }
        }
    }

    internal static int ValidateDense(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int inputs, string outputName, out int batch)
    {
        if (inputs <= 0 || weights.Length % inputs != 0 || input.Length % inputs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The input count must be positive and divide both the weight count and the input length.");
        }

        int outputs = weights.Length / inputs;
        batch = input.Length / inputs;
        ValidateSameLength(batch * outputs, output.Length, outputName);
        if (!bias.IsEmpty)
        {
            ValidateSameLength(outputs, bias.Length, nameof(bias));
        }

        if (output.Overlaps(input) || output.Overlaps(weights))
        {
            ThrowHelper.ThrowArgument(outputName, "The output must not overlap the input or the weights.");
        }

        return outputs;
    }

    private static void ValidateSameLength(int expected, int actual, string parameterName)
    {
        if (expected != actual)
        {
            ThrowHelper.ThrowLengthMismatch(parameterName, expected, actual);
        }
    }

    private static float Dot(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        ReadOnlySpan<Vector<float>> leftVectors = MemoryMarshal.Cast<float, Vector<float>>(left);
        ReadOnlySpan<Vector<float>> rightVectors = MemoryMarshal.Cast<float, Vector<float>>(right);
        Vector<float> sum = Vector<float>.Zero;
        for (int v = 0; v < leftVectors.Length; v++)
        {
            sum += leftVectors[v] * rightVectors[v];
        }

        float total = Vector.Sum(sum);
        for (int i = leftVectors.Length * Vector<float>.Count; i < left.Length; i++)
        {
            total += left[i] * right[i];
        }

        return total;
    }

    private static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float factor)
    {
        Span<Vector<float>> targetVectors = MemoryMarshal.Cast<float, Vector<float>>(target);
        ReadOnlySpan<Vector<float>> sourceVectors = MemoryMarshal.Cast<float, Vector<float>>(source);
        var factorVector = new Vector<float>(factor);
        for (int v = 0; v < targetVectors.Length; v++)
        {
            targetVectors[v] += sourceVectors[v] * factorVector;
        }

        for (int i = targetVectors.Length * Vector<float>.Count; i < target.Length; i++)
        {
            target[i] += source[i] * factor;
        }
    }
}
