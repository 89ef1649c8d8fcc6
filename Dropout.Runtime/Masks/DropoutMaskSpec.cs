using System.ComponentModel;
using System.Globalization;

namespace Dropout;

/// <summary>
/// A keep probability compiled into the integer test that decides each element (see <c>docs/masks.md</c>):
/// an element is kept when its <see cref="BitsPerElement"/>-bit random field is below <see cref="KeepThreshold"/>.
/// </summary>
/// <remarks>
/// The field width is the smallest of 1, 2, 4, 8 and 16 bits in which <c>p·2^bits</c> is an integer, so dyadic
/// probabilities (0.5, 0.75, 0.25, ...) are exact and spend fewest random bits. Other probabilities use 16 bits
/// with a threshold rounded to nearest (realized probability within 2^-17 ≈ 7.6e-6 of p), and probabilities
/// below 1/256 (where 16 bits would be coarse relative to p) or within 2^-17 of 1 (where 16 bits would round to
/// "keep all") use all 32 bits of a word.
/// The arithmetic is <c>KeepProbabilityCompiler</c>, one file that the source generator links too, so generated code folds the same numbers.
/// </remarks>
public readonly record struct DropoutMaskSpec
{
    /// <summary>Keep probabilities below this use 32-bit fields; at and above it, 16 bits are precise enough.</summary>
    public const double SixteenBitFloor = KeepProbabilityCompiler.SixteenBitFloor;

    /// <summary>
    /// The smallest supported keep probability, 2^-24 ≈ 5.96·10^-8. From it up, the 32-bit integer threshold is at least
    /// 256, so the realized keep probability is within 0.2 % of p (relative), and 1/p ≤ 2^24 is finite and exact in
    /// <see cref="float"/>. Below it the threshold would round to a handful of values (or to 0), so the realized rate would
    /// be far from p and kept values would be scaled towards infinity; such p are refused.
    /// </summary>
    public const double MinimumKeepProbability = KeepProbabilityCompiler.MinimumKeepProbability;

    private DropoutMaskSpec(double keepProbability, int bitsPerElement, uint keepThreshold)
    {
        KeepProbability = keepProbability;
        BitsPerElement = bitsPerElement;
        KeepThreshold = keepThreshold;
    }

    /// <summary>Gets the keep probability p (not the drop rate), in [2^-24, 1].</summary>
    public double KeepProbability { get; }

    /// <summary>Gets the random bits spent per element: 1, 2, 4, 8, 16 or 32; 0 when p = 1 (nothing is drawn).</summary>
    public int BitsPerElement { get; }

    /// <summary>Gets the number of field values (out of 2^<see cref="BitsPerElement"/>) that keep an element.</summary>
    public uint KeepThreshold { get; }

    /// <summary>Gets whether this dropout keeps every element (p = 1): an identity that draws no random bits.</summary>
    public bool IsIdentity => BitsPerElement == 0;

    /// <summary>Gets the factor kept elements are multiplied by, 1/p, in double precision.</summary>
    public double Scale => 1.0 / KeepProbability;

    /// <summary>Gets the factor kept elements are multiplied by, 1/p, rounded once to single precision.</summary>
    public float ScaleSingle => (float)(1.0 / KeepProbability);

    /// <summary>Gets the probability with which the integer test actually keeps an element.</summary>
    public double RealizedKeepProbability => IsIdentity ? 1.0 : KeepThreshold / Math.Pow(2, BitsPerElement);

    /// <summary>Gets how many elements one 32-bit random word decides.</summary>
    public int ElementsPerWord => IsIdentity ? 0 : 32 / BitsPerElement;

    /// <summary>Gets the number of elements one tile of 16 Philox blocks (64 words) decides.</summary>
    public int ElementsPerTile => ElementsPerWord * MaskLayout.WordsPerTile;

    /// <summary>Compiles a keep probability into its mask test.</summary>
    /// <param name="keepProbability">The probability p of keeping an element, in [2^-24, 1] (see <see cref="DropoutMaskSpec.MinimumKeepProbability"/>).</param>
    /// <returns>The compiled specification.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="keepProbability"/> is NaN or outside [<see cref="MinimumKeepProbability"/>, 1].
    /// </exception>
    public static DropoutMaskSpec Create(double keepProbability)
    {
        if (!IsSupported(keepProbability))
        {
            ThrowHelper.ThrowKeepProbabilityOutOfRange(keepProbability);
        }

        KeepProbabilityCompiler.Compile(keepProbability, out int bits, out uint threshold);
        return new DropoutMaskSpec(keepProbability, bits, threshold);
    }

    /// <summary>
    /// For generated code: the spec a source generator compiled at build time (from the same definition, linked into
    /// the generator). Checked against <see cref="Create"/>, so generated code built against another version of the
    /// definition fails loudly instead of drawing different masks.
    /// </summary>
    /// <param name="keepProbability">The keep probability.</param>
    /// <param name="bitsPerElement">The field width the generator folded into the code.</param>
    /// <param name="keepThreshold">The threshold the generator folded into the code.</param>
    /// <returns>The compiled specification.</returns>
    /// <exception cref="InvalidOperationException">The folded numbers are not those of <see cref="Create"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static DropoutMaskSpec FromGenerated(double keepProbability, int bitsPerElement, uint keepThreshold)
    {
        DropoutMaskSpec spec = Create(keepProbability);
        if (spec.BitsPerElement != bitsPerElement || spec.KeepThreshold != keepThreshold)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Generated code folded p = {keepProbability} into a {bitsPerElement}-bit field below {keepThreshold}, but this runtime compiles it to {spec}: rebuild with the generator of this runtime's version."));
        }

        return spec;
    }

    /// <summary>
    /// Gets whether <paramref name="keepProbability"/> is a supported keep probability: in
    /// [<see cref="MinimumKeepProbability"/>, 1] and not NaN.
    /// </summary>
    /// <param name="keepProbability">The candidate keep probability.</param>
    /// <returns><see langword="true"/> when <see cref="Create"/> accepts it.</returns>
    public static bool IsSupported(double keepProbability) => KeepProbabilityCompiler.IsSupported(keepProbability);

    /// <inheritdoc />
    public override string ToString() => IsIdentity
        ? "p = 1 (identity)"
        : string.Create(CultureInfo.InvariantCulture, $"p = {KeepProbability}: keep when a {BitsPerElement}-bit field < {KeepThreshold}");
}
