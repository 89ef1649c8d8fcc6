namespace Dropout.Generators.Model;

/// <summary>
/// A keep probability compiled into the integer test of <c>docs/masks.md</c> §1, computed at generation time so that
/// the emitted kernel carries the field width and threshold as constants. This is the same computation as
/// <c>Dropout.DropoutMaskSpec.Create</c> (the generator cannot reference the net8.0 runtime); the tests compare the
/// two over many probabilities.
/// </summary>
internal sealed record MaskSpecification(double KeepProbability, int BitsPerElement, uint KeepThreshold)
{
    /// <summary>Keep probabilities below this use 32-bit fields (the runtime's <c>SixteenBitFloor</c>).</summary>
    public const double SixteenBitFloor = 1.0 / 256.0;

    /// <summary>Random words per tile: 16 Philox blocks of 4 words.</summary>
    public const int WordsPerTile = 64;

    /// <summary>Gets whether p = 1: nothing is drawn, every element is kept.</summary>
    public bool IsIdentity => BitsPerElement == 0;

    /// <summary>Gets how many elements one 32-bit word decides.</summary>
    public int FieldsPerWord => IsIdentity ? 0 : 32 / BitsPerElement;

    /// <summary>Gets how many elements one tile decides.</summary>
    public int ElementsPerTile => FieldsPerWord * WordsPerTile;

    /// <summary>Gets 1/p in double precision.</summary>
    public double Scale => 1.0 / KeepProbability;

    /// <summary>Gets 1/p rounded once to single precision.</summary>
    public float ScaleSingle => (float)(1.0 / KeepProbability);

    /// <summary>Gets the mask that isolates one field, <c>2^bits - 1</c> (all ones for 32-bit fields).</summary>
    public uint FieldMask => BitsPerElement >= 32 ? uint.MaxValue : (1u << BitsPerElement) - 1;

    /// <summary>
    /// The smallest supported keep probability, 2^-24 (the runtime's <c>DropoutMaskSpec.MinimumKeepProbability</c>):
    /// from it on the 32-bit threshold is at least 256, so the realized keep rate is within 0.2 % of p, and 1/p is at
    /// most 2^24, finite and exact in float.
    /// </summary>
    public const double MinimumKeepProbability = 1.0 / 16777216.0;

    /// <summary>
    /// Whether <paramref name="keepProbability"/> is a supported keep probability: in [2^-24, 1]. NaN fails both
    /// comparisons. The runtime and the analyzers (DRP001) accept exactly the same set.
    /// </summary>
    public static bool IsValid(double keepProbability) => keepProbability >= MinimumKeepProbability && keepProbability <= 1.0;

    /// <summary>Compiles a valid keep probability (see <see cref="IsValid"/>).</summary>
    public static MaskSpecification Create(double keepProbability)
    {
        if (keepProbability == 1.0)
        {
            return new MaskSpecification(1.0, 0, 0);
        }

        for (int bits = 1; bits <= 16; bits *= 2)
        {
            double scaled = keepProbability * (1 << bits);
            if (scaled == Math.Floor(scaled))
            {
                return new MaskSpecification(keepProbability, bits, (uint)scaled);
            }
        }

        if (keepProbability >= SixteenBitFloor)
        {
            // A p within 2^-17 of 1 would round to 65536 ("keep all"); it takes the 32-bit path, as in the runtime.
            double threshold = Math.Round(keepProbability * 65536.0, MidpointRounding.ToEven);
            if (threshold < 65536.0)
            {
                return new MaskSpecification(keepProbability, 16, (uint)threshold);
            }
        }

        double wide = Math.Round(keepProbability * 4294967296.0, MidpointRounding.ToEven);
        return new MaskSpecification(keepProbability, 32, (uint)Math.Min(uint.MaxValue, Math.Max(1.0, wide)));
    }
}
