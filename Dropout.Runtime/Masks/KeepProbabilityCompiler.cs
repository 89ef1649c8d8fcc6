namespace Dropout;

/// <summary>
/// The one definition of how a keep probability becomes the integer test of <c>docs/masks.md</c> §1: the field width
/// and the threshold. <see cref="DropoutMaskSpec"/> uses it at run time, and Dropout.Generators links this same file
/// (it targets netstandard2.0 and cannot reference the runtime) to fold the numbers into generated code, so the two
/// cannot drift apart. Keep it free of anything netstandard2.0 lacks.
/// </summary>
internal static class KeepProbabilityCompiler
{
    /// <summary>Keep probabilities below this use 32-bit fields; at and above it, 16 bits are precise enough.</summary>
    public const double SixteenBitFloor = 1.0 / 256.0;

    /// <summary>The smallest supported keep probability, 2^-24 (see <c>DropoutMaskSpec.MinimumKeepProbability</c>).</summary>
    public const double MinimumKeepProbability = 1.0 / 16777216.0;

    /// <summary>Whether <paramref name="keepProbability"/> is in [2^-24, 1]; NaN fails both comparisons.</summary>
    /// <param name="keepProbability">The candidate keep probability.</param>
    /// <returns><see langword="true"/> when it is supported.</returns>
    public static bool IsSupported(double keepProbability) =>
        keepProbability >= MinimumKeepProbability && keepProbability <= 1.0;

    /// <summary>Compiles a supported keep probability into its field width and threshold (0 and 0 for p = 1: nothing is drawn).</summary>
    /// <param name="keepProbability">A keep probability for which <see cref="IsSupported"/> holds.</param>
    /// <param name="bitsPerElement">The random bits spent per element: 1, 2, 4, 8, 16 or 32; 0 for p = 1.</param>
    /// <param name="keepThreshold">The number of field values that keep an element.</param>
    public static void Compile(double keepProbability, out int bitsPerElement, out uint keepThreshold)
    {
        if (keepProbability == 1.0)
        {
            bitsPerElement = 0;
            keepThreshold = 0;
            return;
        }

        // The smallest width in which p·2^bits is an integer: dyadic probabilities are exact and spend fewest bits.
        for (int bits = 1; bits <= 16; bits *= 2)
        {
            double scaled = keepProbability * (1 << bits);
            if (scaled == Math.Floor(scaled))
            {
                bitsPerElement = bits;
                keepThreshold = (uint)scaled;
                return;
            }
        }

        if (keepProbability >= SixteenBitFloor)
        {
            // Round to nearest. p >= 1/256 keeps the threshold at 256 or more; a p within 2^-17 of 1 would round to
            // 65536 (keep everything), so it takes the 32-bit path below instead.
            double threshold = Math.Round(keepProbability * 65536.0, MidpointRounding.ToEven);
            if (threshold < 65536.0)
            {
                bitsPerElement = 16;
                keepThreshold = (uint)threshold;
                return;
            }
        }

        // p >= MinimumKeepProbability keeps the threshold at 256 or more; at least one value drops, so a p just below 1
        // still draws.
        double wide = Math.Round(keepProbability * 4294967296.0, MidpointRounding.ToEven);
        bitsPerElement = 32;
        keepThreshold = (uint)Math.Min(wide, uint.MaxValue);
    }
}
