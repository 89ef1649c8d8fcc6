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
        var probabilities = new List<double> { DropoutMaskSpec.MinimumKeepProbability, 1e-7, 1e-6, 1e-3, 1.0 / 256, 1.0 / 3, 0.8, 0.9, 0.999, 0.99999, 1 - 1e-9 };
        for (int i = 0; i < 100_000; i++)
        {
            probabilities.Add(1.0 - random.NextDouble()); // (0, 1]
        }

        probabilities.RemoveAll(p => p < DropoutMaskSpec.MinimumKeepProbability);

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

    // Issue 8: for every supported p the realized keep rate stays within 0.2 % of p (relative) and 1/p stays finite in
    // float, down to the smallest supported p, including random p spread log-uniformly over [2^-24, 2^-8].
    [Fact]
    public void EverySupportedP_HasARelativelyPreciseRateAndAFiniteScale()
    {
        var random = new System.Random(12);
        var probabilities = new List<double> { DropoutMaskSpec.MinimumKeepProbability, Math.BitIncrement(DropoutMaskSpec.MinimumKeepProbability), 1e-7, 3e-6 };
        for (int i = 0; i < 20_000; i++)
        {
            probabilities.Add(Math.Pow(2, -24 + (16 * random.NextDouble())));
        }

        foreach (double p in probabilities)
        {
            DropoutMaskSpec spec = DropoutMaskSpec.Create(p);
            Assert.True(spec.KeepThreshold >= 256, $"p = {p:R}: threshold {spec.KeepThreshold}");
            Assert.True(Math.Abs((spec.RealizedKeepProbability / p) - 1) <= 0.5 / 256, $"p = {p:R}: realized {spec.RealizedKeepProbability:R}");
            Assert.True(float.IsFinite(spec.ScaleSingle) && spec.ScaleSingle <= 16777216f, $"p = {p:R}: scale {spec.ScaleSingle}");
        }
    }

    [Fact]
    public void MinimumKeepProbability_IsTwoToTheMinus24_AndIsAccepted()
    {
        Assert.Equal(5.9604644775390625E-08, DropoutMaskSpec.MinimumKeepProbability); // 2^-24
        Assert.True(DropoutMaskSpec.IsSupported(DropoutMaskSpec.MinimumKeepProbability));
        Assert.Equal(16777216f, DropoutMaskSpec.Create(DropoutMaskSpec.MinimumKeepProbability).ScaleSingle);
    }

    // Issue 8: these were accepted and produced infinite scales (1e-39 → 1/p overflows float) or a keep rate far above p.
    [Theory]
    [InlineData(double.Epsilon)]
    [InlineData(1e-39)]
    [InlineData(1e-10)]
    [InlineData(5.9604644775390625E-08 * 0.999999)]
    public void Create_RejectsProbabilitiesBelowTheSupportedMinimum_SayingWhatTheRangeIs(double p)
    {
        Assert.False(DropoutMaskSpec.IsSupported(p));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMaskSpec.Create(p));

        Assert.Contains("2^-24", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Forward(new float[4], new float[4], p, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(p, new DropoutContext(1)));
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
