namespace Dropout.Generators.Model;

/// <summary>
/// A keep probability compiled into the integer test of <c>docs/masks.md</c> §1, computed at generation time so that
/// the emitted code carries the field width and threshold as constants. The arithmetic is the runtime's own
/// <c>Dropout.Runtime/Masks/KeepProbabilityCompiler.cs</c>, linked into the generator (which targets netstandard2.0 and
/// cannot reference the net8.0 runtime), so the two cannot drift; generated code also hands the numbers to
/// <c>DropoutMaskSpec.FromGenerated</c>, which checks them against the runtime it runs with.
/// </summary>
internal sealed record MaskSpecification(double KeepProbability, int BitsPerElement, uint KeepThreshold)
{
    /// <summary>Random words per tile: 16 Philox blocks of 4 words.</summary>
    public const int WordsPerTile = 64;

    /// <summary>The smallest supported keep probability, 2^-24 (the runtime's <c>DropoutMaskSpec.MinimumKeepProbability</c>).</summary>
    public const double MinimumKeepProbability = KeepProbabilityCompiler.MinimumKeepProbability;

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

    /// <summary>
    /// Whether <paramref name="keepProbability"/> is a supported keep probability: in [2^-24, 1]. NaN fails both
    /// comparisons. The runtime and the analyzers (DRP001) accept exactly the same set.
    /// </summary>
    public static bool IsValid(double keepProbability) => KeepProbabilityCompiler.IsSupported(keepProbability);

    /// <summary>Compiles a valid keep probability (see <see cref="IsValid"/>) by the runtime's own definition.</summary>
    public static MaskSpecification Create(double keepProbability)
    {
        KeepProbabilityCompiler.Compile(keepProbability, out int bits, out uint threshold);
        return new MaskSpecification(keepProbability, bits, threshold);
    }
}
