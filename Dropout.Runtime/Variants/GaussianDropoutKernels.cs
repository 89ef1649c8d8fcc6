namespace Dropout;

public static partial class DropoutKernels
{
    /// <summary>
    /// Gaussian dropout forward (Srivastava et al., 2014; Keras <c>GaussianDropout</c>): every element is multiplied by
    /// its own noise <c>1 + σ·z</c>, <c>z ~ N(0, 1)</c>, <c>σ² = (1 - p)/p</c> — the same mean and variance as inverted
    /// dropout with keep probability p, without zeros. The noise is a pure function of (seed, stream position), defined
    /// in <c>docs/masks.md</c> §6, so backward regenerates it and nothing is stored.
    /// </summary>
    /// <param name="input">The activations.</param>
    /// <param name="output">Receives the result; may be <paramref name="input"/> itself.</param>
    /// <param name="keepProbability">The keep probability p whose variance the noise matches, in [2^-24, 1]; 1 is the identity.</param>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="offset">The stream position of <c>input[0]</c>.</param>
    public static void ForwardGaussian(ReadOnlySpan<float> input, Span<float> output, double keepProbability, ulong seed, ulong offset) =>
        MultiplyByGaussianNoise(input, output, keepProbability, seed, offset, nameof(output));

    /// <inheritdoc cref="ForwardGaussian(ReadOnlySpan{float}, Span{float}, double, ulong, ulong)"/>
    public static void ForwardGaussian(ReadOnlySpan<double> input, Span<double> output, double keepProbability, ulong seed, ulong offset) =>
        MultiplyByGaussianNoise(input, output, keepProbability, seed, offset, nameof(output));

    /// <summary>Gaussian dropout backward: <c>gradInput = gradOutput ⊙ noise</c>, with the noise the forward drew at (<paramref name="seed"/>, <paramref name="offset"/>).</summary>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="gradInput">Receives the gradient with respect to the input; may be <paramref name="gradOutput"/> itself.</param>
    /// <param name="keepProbability">The keep probability the forward used.</param>
    /// <param name="seed">The seed the forward used.</param>
    /// <param name="offset">The offset the forward used.</param>
    public static void BackwardGaussian(ReadOnlySpan<float> gradOutput, Span<float> gradInput, double keepProbability, ulong seed, ulong offset) =>
        MultiplyByGaussianNoise(gradOutput, gradInput, keepProbability, seed, offset, nameof(gradInput));

    /// <inheritdoc cref="BackwardGaussian(ReadOnlySpan{float}, Span{float}, double, ulong, ulong)"/>
    public static void BackwardGaussian(ReadOnlySpan<double> gradOutput, Span<double> gradInput, double keepProbability, ulong seed, ulong offset) =>
        MultiplyByGaussianNoise(gradOutput, gradInput, keepProbability, seed, offset, nameof(gradInput));

    /// <summary>
    /// The standard normal sample of stream position <paramref name="position"/> (<c>docs/masks.md</c> §6): Box–Muller
    /// over two 32-bit words of the Philox block with counter <c>(position / 2, 1)</c> — counter word 2 set to 1 keeps
    /// these blocks apart from the masks' — words 0 and 1 for even positions, 2 and 3 for odd ones.
    /// </summary>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="position">The stream position.</param>
    /// <returns>A sample of N(0, 1).</returns>
    public static double StandardNormalAt(ulong seed, ulong position)
    {
        ulong block = position >> 1;
        PhiloxBlock words = Philox4x32.Compute((uint)block, (uint)(block >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
        (uint radiusWord, uint angleWord) = (position & 1) == 0 ? (words.X0, words.X1) : (words.X2, words.X3);
        return BoxMuller(radiusWord, angleWord);
    }

    // u1 = (w + 1)/2^32 in (0, 1] keeps the logarithm finite; u2 = w/2^32 in [0, 1).
    private static double BoxMuller(uint radiusWord, uint angleWord)
    {
        const double TwoToTheMinus32 = 1.0 / 4294967296.0;
        double u1 = (radiusWord + 1.0) * TwoToTheMinus32;
        double u2 = angleWord * TwoToTheMinus32;
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // Box–Muller needs a logarithm and a cosine per element, so this is compute-bound, not memory-bound; it draws one
    // Philox block per two elements and never allocates.
    internal static void MultiplyByGaussianNoise<T>(ReadOnlySpan<T> input, Span<T> output, double keepProbability, ulong seed, ulong offset, string outputName)
        where T : unmanaged
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(keepProbability);
        ValidateOutput(input, output, outputName);
        if (spec.IsIdentity)
        {
            CopyIfDistinct(input, output);
            return;
        }

        double sigma = Math.Sqrt((1.0 - keepProbability) / keepProbability);
        for (int i = 0; i < input.Length;)
        {
            ulong position = offset + (ulong)i;
            ulong block = position >> 1;
            PhiloxBlock words = Philox4x32.Compute((uint)block, (uint)(block >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
            if ((position & 1) == 0)
            {
                output[i] = MaskedScale.Multiply(input[i], Convert<T>(1.0 + (sigma * BoxMuller(words.X0, words.X1))));
                i++;
                if (i == input.Length)
                {
                    break;
                }
            }

            output[i] = MaskedScale.Multiply(input[i], Convert<T>(1.0 + (sigma * BoxMuller(words.X2, words.X3))));
            i++;
        }
    }
}
