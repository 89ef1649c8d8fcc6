using System.Globalization;
using Dropout.Generators;
using Dropout.Generators.Model;

namespace Dropout.Tests.Generators;

/// <summary>The generator's p → (bits, threshold, scale) must be the runtime's, or the constants would decide other bits.</summary>
public sealed class MaskSpecificationTests
{
    private static IEnumerable<double> Probabilities()
    {
        double[] named = [0.5, 0.75, 0.25, 0.8, 0.9, 0.1, 0.999, 1e-3, 1e-7, 1.0 / 3, 2.0 / 3, 0.2, 0.3, 0.7, 0.95, 0.99, 0.9999, 1.0];
        foreach (double p in named)
        {
            yield return p;
        }

        for (int i = 1; i <= 1000; i++)
        {
            yield return i / 1000.0;
        }

        for (int k = 1; k <= 40; k++)
        {
            yield return Math.Pow(2, -k);
            yield return 1 - Math.Pow(2, -k);
        }

        // Edges of the 16-bit range and exact round-half-even ties of p · 65536 and p · 2^32.
        double floor = 1.0 / 256;
        yield return floor;
        yield return Math.BitDecrement(floor);
        yield return Math.BitIncrement(floor);
        for (int n = 256; n < 65536; n += 997)
        {
            yield return (n + 0.5) / 65536;
            yield return Math.BitIncrement((n + 0.5) / 65536);
        }

        for (long n = 1; n < 1L << 24; n = n * 3 + 1)
        {
            yield return (n + 0.5) / 4294967296.0;
        }

        // The smallest supported p, 2^-24, and its neighbours.
        yield return MaskSpecification.MinimumKeepProbability;
        yield return Math.BitIncrement(MaskSpecification.MinimumKeepProbability);
        yield return Math.BitDecrement(MaskSpecification.MinimumKeepProbability);
        yield return Math.Pow(2, -33);
        yield return double.Epsilon;
        yield return 1e-39;
        yield return Math.BitDecrement(1.0);

        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            double p = random.NextDouble();
            if (p > 0)
            {
                yield return p;
            }
        }
    }

    private static IEnumerable<double> SupportedProbabilities() => Probabilities().Where(MaskSpecification.IsValid);

    [Fact]
    public void GeneratorSpecification_EqualsRuntimeSpecification_ForEveryProbability()
    {
        int count = 0;
        foreach (double p in SupportedProbabilities())
        {
            if (!DropoutMaskSpec.IsSupported(p))
            {
                continue; // below 2^-24: both refuse it (DRPG003, ArgumentOutOfRangeException)
            }

            DropoutMaskSpec runtime = DropoutMaskSpec.Create(p);
            MaskSpecification generator = MaskSpecification.Create(p);
            string where = p.ToString("R", CultureInfo.InvariantCulture);
            Assert.True(runtime.BitsPerElement == generator.BitsPerElement, where + ": bits");
            Assert.True(runtime.KeepThreshold == generator.KeepThreshold, where + ": threshold");
            Assert.True(runtime.ElementsPerTile == generator.ElementsPerTile, where + ": elements per tile");
            Assert.True(BitConverter.DoubleToInt64Bits(runtime.Scale) == BitConverter.DoubleToInt64Bits(generator.Scale), where + ": scale");
            Assert.True(BitConverter.SingleToInt32Bits(runtime.ScaleSingle) == BitConverter.SingleToInt32Bits(generator.ScaleSingle), where + ": single scale");
            count++;
        }

        Assert.True(count > 3000, count + " probabilities");
    }

    [Fact]
    public void FromGenerated_AcceptsTheFoldedNumbers_AndRefusesOthers()
    {
        // Generated code hands the numbers it folded to the runtime it runs with: equal ones give the runtime's spec,
        // others (a generator of another version) fail loudly instead of drawing different masks.
        Assert.Equal(DropoutMaskSpec.Create(0.8), DropoutMaskSpec.FromGenerated(0.8, 16, 52429));
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => DropoutMaskSpec.FromGenerated(0.8, 16, 52428));
        Assert.Contains("rebuild", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => DropoutMaskSpec.FromGenerated(0.5, 2, 2));
    }

    [Theory]
    [InlineData(0.5, 1, 1u)]
    [InlineData(0.75, 2, 3u)]
    [InlineData(0.25, 2, 1u)]
    [InlineData(0.8, 16, 52429u)]
    [InlineData(0.9, 16, 58982u)]
    [InlineData(0.1, 16, 6554u)]
    [InlineData(0.999, 16, 65470u)]
    public void GeneratorSpecification_MatchesWorkedValuesOfMasksMd(double p, int bits, uint threshold)
    {
        MaskSpecification spec = MaskSpecification.Create(p);
        Assert.Equal(bits, spec.BitsPerElement);
        Assert.Equal(threshold, spec.KeepThreshold);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1.0000000000000002)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.Epsilon)]
    [InlineData(1e-39)]
    [InlineData(1e-9)]
    public void InvalidProbabilities_AreRejected(double p) => Assert.False(MaskSpecification.IsValid(p));

    [Fact]
    public void SupportedRange_IsExactlyTwoToTheMinus24_ThroughOne()
    {
        // The common decision: valid ⟺ p >= 1.0/16777216.0 && p <= 1.0, as the runtime and DRP001 decide it.
        Assert.Equal(1.0 / 16777216.0, MaskSpecification.MinimumKeepProbability);
        Assert.True(MaskSpecification.IsValid(1.0 / 16777216.0));
        Assert.True(MaskSpecification.IsValid(1.0));
        Assert.False(MaskSpecification.IsValid(Math.BitDecrement(1.0 / 16777216.0)));
        Assert.False(MaskSpecification.IsValid(Math.BitIncrement(1.0)));

        // At the floor: a 32-bit threshold of 256 and a finite, exact 1/p in both precisions.
        MaskSpecification floor = MaskSpecification.Create(MaskSpecification.MinimumKeepProbability);
        Assert.Equal(32, floor.BitsPerElement);
        Assert.Equal(256u, floor.KeepThreshold);
        Assert.Equal(16777216.0, floor.Scale);
        Assert.Equal(16777216f, floor.ScaleSingle);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void LiteralOfANonFiniteValue_IsRefused_NeverEmitted(double value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutGenerator.Emitter.DoubleLiteral(value));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutGenerator.Emitter.FloatLiteral((float)value));
    }

    [Fact]
    public void EmittedLiterals_ReadBackAsExactlyTheSameValues()
    {
        foreach (double p in SupportedProbabilities())
        {
            string literal = DropoutGenerator.Emitter.DoubleLiteral(p);
            Assert.Equal(p, double.Parse(literal, CultureInfo.InvariantCulture));
            Assert.True(literal.Contains('.') || literal.Contains('E'), literal + " would read as an integer literal");

            float scale = (float)(1.0 / p);
            string floatLiteral = DropoutGenerator.Emitter.FloatLiteral(scale);
            Assert.EndsWith("F", floatLiteral, StringComparison.Ordinal);
            Assert.Equal(scale, float.Parse(floatLiteral[..^1], CultureInfo.InvariantCulture));
        }
    }
}
