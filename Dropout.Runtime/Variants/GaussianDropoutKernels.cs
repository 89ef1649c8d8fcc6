using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// these blocks apart from the masks' — words 0 and 1 for even positions, 2 and 3 for odd ones. The logarithm and
    /// cosine are this library's own binary64 polynomials built from +, −, ×, ÷ and √ only, so the sample is the same
    /// bits on every machine and equals what the vectorized kernels draw.
    /// </summary>
    /// <param name="seed">The 64-bit key of the random stream.</param>
    /// <param name="position">The stream position.</param>
    /// <returns>A sample of N(0, 1).</returns>
    public static double StandardNormalAt(ulong seed, ulong position)
    {
        ulong block = position >> 1;
        PhiloxBlock words = Philox4x32.Compute((uint)block, (uint)(block >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
        (uint radiusWord, uint angleWord) = (position & 1) == 0 ? (words.X0, words.X1) : (words.X2, words.X3);
        return GaussianMath.BoxMuller(radiusWord, angleWord);
    }

    // Philox, a logarithm and a cosine per element make this compute-bound, not memory-bound: the vector paths run
    // Philox on one block per lane and the Box–Muller polynomials on 2, 4 or 8 doubles per instruction. Every path
    // performs the same binary64 operations in the same order (GaussianMath), so the widths agree bit for bit with
    // each other and with StandardNormalAt. No allocation.
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
        int length = input.Length;
        int i = 0;

        // An odd first position uses the second half of its block; after it every block starts at an even element.
        if (length > 0 && (offset & 1) != 0)
        {
            output[0] = ScaleByNoise(input[0], sigma, StandardNormalAt(seed, offset));
            i = 1;
        }

        ref T inputRef = ref MemoryMarshal.GetReference(input);
        ref T outputRef = ref MemoryMarshal.GetReference(output);
        i = VectorWidths.Current switch
        {
            VectorWidth.Vector512 => GaussianVectors.Run512(ref inputRef, ref outputRef, i, length, sigma, seed, offset),
            VectorWidth.Vector256 => GaussianVectors.Run256(ref inputRef, ref outputRef, i, length, sigma, seed, offset),
            VectorWidth.Vector128 => GaussianVectors.Run128(ref inputRef, ref outputRef, i, length, sigma, seed, offset),
            _ => i,
        };

        // The scalar path (and the tail of the vector ones): one Philox block per element pair.
        for (; i < length;)
        {
            ulong position = offset + (ulong)i;
            ulong block = position >> 1;
            PhiloxBlock words = Philox4x32.Compute((uint)block, (uint)(block >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
            if ((position & 1) == 0)
            {
                output[i] = ScaleByNoise(input[i], sigma, GaussianMath.BoxMuller(words.X0, words.X1));
                i++;
                if (i == length)
                {
                    break;
                }
            }

            output[i] = ScaleByNoise(input[i], sigma, GaussianMath.BoxMuller(words.X2, words.X3));
            i++;
        }
    }

    // x · (1 + σ·z), the factor rounded once to the element type: the one place the scalar paths apply the noise.
    private static T ScaleByNoise<T>(T value, double sigma, double standardNormal)
        where T : unmanaged =>
        MaskedScale.Multiply(value, Convert<T>(1.0 + (sigma * standardNormal)));
}

/// <summary>
/// Box–Muller in binary64 with this library's own logarithm and cosine (<c>docs/masks.md</c> §6), written with the
/// IEEE-754 basic operations only (+, −, ×, ÷, √, each correctly rounded, never fused) plus exact bit manipulation, so
/// a scalar lane and every vector lane produce the same bits on any conforming hardware. The vector twins in
/// <see cref="GaussianVectors"/> perform exactly these operations in exactly this order.
/// </summary>
internal static class GaussianMath
{
    internal const double TwoToTheMinus32 = 1.0 / 4294967296.0;
    internal const double TwoToTheMinus30 = 1.0 / 1073741824.0;

    // ln 2 split: the high part has 20 significant bits, so k·Ln2High is exact for the |k| ≤ 32 that occur.
    internal const double Ln2High = 0.6931467056274414;
    internal const double Ln2Low = 4.7493250390316726E-07;
    internal const double Sqrt2 = 1.4142135623730951;

    // 2·atanh(s) = 2s + s·(A1·s² + A2·s⁴ + ...), An = 2/(2n + 1): the series of ln((1 + s)/(1 - s)). With |s| ≤ 0.1716
    // the first omitted term is below 2^-62 of the result.
    internal const double A1 = 2.0 / 3.0, A2 = 2.0 / 5.0, A3 = 2.0 / 7.0, A4 = 2.0 / 9.0, A5 = 2.0 / 11.0;
    internal const double A6 = 2.0 / 13.0, A7 = 2.0 / 15.0, A8 = 2.0 / 17.0, A9 = 2.0 / 19.0, A10 = 2.0 / 21.0;

    // Taylor coefficients of cos(π/2·d) and sin(π/2·d)/d in d², (∓1)ⁿ(π/2)^(2n)/(2n)! and (∓1)ⁿ(π/2)^(2n+1)/(2n+1)!,
    // each the double nearest the exact value (computed at 200 bits). |d| ≤ 1/2: the first omitted terms are below
    // 2^-58 of the result.
    internal const double C1 = -1.2337005501361697, C2 = 0.25366950790104803, C3 = -0.02086348076335296;
    internal const double C4 = 0.0009192602748394266, C5 = -2.5202042373060607E-05, C6 = 4.710874778818172E-07;
    internal const double C7 = -6.386603083791852E-09, C8 = 6.565963114979473E-11;
    internal const double S0 = 1.5707963267948966, S1 = -0.6459640975062463, S2 = 0.07969262624616705;
    internal const double S3 = -0.004681754135318688, S4 = 0.00016044118478735983, S5 = -3.598843235212085E-06;
    internal const double S6 = 5.692172921967927E-08, S7 = -6.688035109811468E-10, S8 = 6.0669357311061955E-12;

    /// <summary><c>sqrt(-2 ln u1) · cos(2π u2)</c> with <c>u1 = (radiusWord + 1)/2^32</c>, <c>u2 = angleWord/2^32</c>.</summary>
    public static double BoxMuller(uint radiusWord, uint angleWord)
    {
        double u1 = (radiusWord + 1.0) * TwoToTheMinus32;
        return Math.Sqrt(-2.0 * Log(u1)) * CosTwoPi(angleWord);
    }

    /// <summary>
    /// ln x for a positive normal x: x = 2^k·m with m in [√2/2, √2), f = m − 1, s = f/(2 + f),
    /// ln m = f − s·(f − R) with R = s²·(A1 + s²·(A2 + ... + s²·A10)), ln x = k·Ln2High + (ln m + k·Ln2Low).
    /// </summary>
    public static double Log(double x)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        double k = (double)(long)(bits >> 52) - 1023.0;
        double m = BitConverter.UInt64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFUL) | 0x3FF0_0000_0000_0000UL);
        if (m > Sqrt2)
        {
            m *= 0.5;
            k += 1.0;
        }

        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double r = A10;
        r = A9 + (z * r);
        r = A8 + (z * r);
        r = A7 + (z * r);
        r = A6 + (z * r);
        r = A5 + (z * r);
        r = A4 + (z * r);
        r = A3 + (z * r);
        r = A2 + (z * r);
        r = A1 + (z * r);
        r = z * r;
        double lnM = f - (s * (f - r));
        return (k * Ln2High) + (lnM + (k * Ln2Low));
    }

    /// <summary>
    /// cos(2π·w/2^32): j = ⌊(w + 2^29)/2^30⌋ mod 4 is the nearest quadrant and d = ((w + 2^29) mod 2^30 − 2^29)/2^30
    /// in [−1/2, 1/2) the exact remainder, so cos(2π·w/2^32) = cos(jπ/2 + dπ/2) = cos, −sin, −cos, sin of dπ/2 for
    /// j = 0, 1, 2, 3, each a polynomial in d.
    /// </summary>
    public static double CosTwoPi(uint angleWord)
    {
        ulong shifted = angleWord + (ulong)(1u << 29);
        ulong quadrant = shifted >> 30;
        double d = ((double)(shifted & 0x3FFF_FFFFUL) - 536870912.0) * TwoToTheMinus30;
        double z = d * d;
        double cos = C8;
        cos = C7 + (z * cos);
        cos = C6 + (z * cos);
        cos = C5 + (z * cos);
        cos = C4 + (z * cos);
        cos = C3 + (z * cos);
        cos = C2 + (z * cos);
        cos = C1 + (z * cos);
        cos = 1.0 + (z * cos);
        double sin = S8;
        sin = S7 + (z * sin);
        sin = S6 + (z * sin);
        sin = S5 + (z * sin);
        sin = S4 + (z * sin);
        sin = S3 + (z * sin);
        sin = S2 + (z * sin);
        sin = S1 + (z * sin);
        sin = S0 + (z * sin);
        sin = d * sin;
        double value = (quadrant & 1) != 0 ? sin : cos;
        return ((quadrant + 1) & 2) != 0 ? -value : value;
    }
}
