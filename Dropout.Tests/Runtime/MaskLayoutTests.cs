namespace Dropout.Tests.Runtime;

public class MaskLayoutTests
{
    public static TheoryData<double> Probabilities => new() { 0.5, 0.75, 0.25, 0.875, 0.8, 0.9, 0.1, 0.999, 1e-3, 1e-7, 1.0 / 3, 1 - 1e-6, 1 - 1e-12 };

    [Theory]
    [MemberData(nameof(Probabilities))]
    public void Compile_AgreesWithTheWrittenDefinition(double p)
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
        (int bits, ulong threshold) = MaskDefinitionReference.Compile(p);

        Assert.Equal(bits, spec.BitsPerElement);
        Assert.Equal(threshold, spec.KeepThreshold);
    }

    [Theory]
    [MemberData(nameof(Probabilities))]
    public void IsKept_AgreesWithTheWrittenDefinition(double p)
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
        var random = new System.Random(5);
        for (int i = 0; i < 3000; i++)
        {
            ulong seed = (ulong)random.NextInt64() * 3;
            ulong g = i < 1000 ? (ulong)i : (ulong)random.NextInt64() << 1;
            Assert.Equal(MaskDefinitionReference.IsKept(p, seed, g), MaskLayout.IsKept(spec, seed, g));
        }
    }

    [Theory]
    [MemberData(nameof(Probabilities))]
    internal void TileBits_EveryWidthMatchesTheDefinition(double p)
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
        Span<ulong> bits = stackalloc ulong[TileMaskGenerator.MaxWordsPerTile];
        var random = new System.Random(6);
        foreach (VectorWidth width in AllWidths)
        {
            for (int trial = 0; trial < 20; trial++)
            {
                ulong seed = (ulong)random.NextInt64();
                ulong tile = trial < 4 ? (ulong)trial : (ulong)random.NextInt64(0, long.MaxValue / 4096);
                TileMaskGenerator.ComputeTileBits(spec, seed, tile, bits, width);
                for (int r = 0; r < spec.ElementsPerTile; r++)
                {
                    bool expected = MaskDefinitionReference.IsKept(p, seed, tile * (ulong)spec.ElementsPerTile + (ulong)r);
                    Assert.True(expected == ((bits[r / 64] >> (r % 64) & 1) != 0), $"{width}, p = {p}, tile {tile}, element {r}");
                }
            }
        }
    }

    [Fact]
    public void ComputeTile_VectorWordsMatchScalarBlocks()
    {
        Span<uint> words = stackalloc uint[MaskLayout.WordsPerTile];
        ulong seed = 0x0123456789ABCDEF;
        ulong tile = 0x1_0000_0003; // counter crosses into word 1
        MaskLayout.ComputeTile(seed, tile, words);
        for (int lane = 0; lane < 16; lane++)
        {
            ulong counter = tile * 16 + (ulong)lane;
            PhiloxBlock block = Philox4x32.Compute((uint)counter, (uint)(counter >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));
            for (int word = 0; word < 4; word++)
            {
                Assert.Equal(block[word], words[word * 16 + lane]);
            }
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(9, 2)]
    [InlineData(4096, 512)]
    public void MaskByteCount_IsOneBitPerElementRoundedUp(int elements, int bytes) => Assert.Equal(bytes, MaskLayout.MaskByteCount(elements));

    internal static readonly VectorWidth[] AllWidths = AvailableWidths();

    private static VectorWidth[] AvailableWidths()
    {
        var widths = new List<VectorWidth> { VectorWidth.Scalar };
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
        {
            widths.Add(VectorWidth.Vector128);
        }

        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            widths.Add(VectorWidth.Vector256);
        }

        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            widths.Add(VectorWidth.Vector512);
        }

        return widths.ToArray();
    }
}
