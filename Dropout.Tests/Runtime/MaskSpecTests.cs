namespace Dropout.Tests.Runtime;

public class MaskSpecTests
{
    [Theory]
    [InlineData(0.5, 1, 1u)]
    [InlineData(0.75, 2, 3u)]
    [InlineData(0.25, 2, 1u)]
    [InlineData(0.875, 4, 14u)]
    [InlineData(0.8, 16, 52429u)] // 0.8 * 65536 = 52428.8
    [InlineData(0.9, 16, 58982u)] // 58982.4
    [InlineData(0.1, 16, 6554u)]  // 6553.6
    [InlineData(0.999, 16, 65470u)] // 65470.464
    public void Create_ChoosesFewestExactBitsOrSixteen(double p, int bits, uint threshold)
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(p);

        Assert.Equal(bits, spec.BitsPerElement);
        Assert.Equal(threshold, spec.KeepThreshold);
    }

    [Fact]
    public void Create_OneIsTheIdentityThatDrawsNothing()
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(1.0);

        Assert.True(spec.IsIdentity);
        Assert.Equal(0, spec.BitsPerElement);
    }

    [Fact]
    public void RealizedKeepProbability_IsWithinOneHundredThousandthOfP_ForEveryP()
    {
        var random = new System.Random(4);
        var probabilities = new List<double> { 1e-12, 1e-9, 1e-6, 1e-3, 1.0 / 256, 1.0 / 3, 0.8, 0.9, 0.999, 0.99999, 1 - 1e-9 };
        for (int i = 0; i < 100_000; i++)
        {
            probabilities.Add(1.0 - random.NextDouble()); // (0, 1]
        }

        foreach (double p in probabilities)
        {
            DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
            Assert.True(Math.Abs(spec.RealizedKeepProbability - p) <= 1e-5, $"p = {p:R}: realized {spec.RealizedKeepProbability:R}");
            Assert.True(spec.IsIdentity || spec.KeepThreshold >= 1, $"p = {p:R} must keep something");
        }
    }

    [Fact]
    public void RealizedKeepProbability_OfSmallP_IsRelativelyPrecise()
    {
        foreach (double p in new[] { 1e-3, 1e-4, 0.0039 })
        {
            DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
            Assert.True(Math.Abs(spec.RealizedKeepProbability / p - 1) < 1e-4, $"p = {p}: realized {spec.RealizedKeepProbability}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.0000001)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Create_RejectsProbabilitiesOutsideZeroOne_SayingPIsTheKeepProbability(double p)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMaskSpec.Create(p));

        Assert.Contains("keep probability", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("drop rate", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Scale_IsOneOverP()
    {
        DropoutMaskSpec spec = DropoutMaskSpec.Create(0.8);

        Assert.Equal(1.25, spec.Scale);
        Assert.Equal(1.25f, spec.ScaleSingle);
    }
}
