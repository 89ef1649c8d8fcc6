namespace Dropout.Tests.Runtime.Variants;

/// <summary>Gaussian dropout (issue 13): multiplicative N(1, (1 - p)/p) noise, counter-based and reproducible.</summary>
public class GaussianDropoutTests
{
    [Fact]
    public void StandardNormalAt_IsBoxMullerOverTheDefinitionsPhiloxWords()
    {
        // docs/masks.md §6 written out again: block counter (g / 2, 0, 1, 0), words (0, 1) for even g and (2, 3) for odd,
        // with the platform's Math.Log and Math.Cos: the library's own ln and cos agree with them to a few ulps.
        ulong seed = 0x1234_5678_9ABC_DEF0;
        for (ulong g = 999; g < 999 + 20_001; g++)
        {
            PhiloxBlock x = Philox4x32.Compute((uint)(g / 2), (uint)((g / 2) >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
            uint first = g % 2 == 0 ? x.X0 : x.X2, second = g % 2 == 0 ? x.X1 : x.X3;
            double u1 = (first + 1.0) / 4294967296.0, u2 = second / 4294967296.0;
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            double platform = radius * Math.Cos(2 * Math.PI * u2);
            double actual = DropoutKernels.StandardNormalAt(seed, g);

            // Math.Cos(2π·u2) itself loses relative accuracy near its zeros (2π·u2 is rounded first), so the bound is
            // a few ulps of the radius there rather than of the product.
            Assert.True(Math.Abs(actual - platform) <= 8 * Math.ScaleB(1, Math.ILogB(radius) - 52) + (1e-15 * Math.Abs(platform)), $"g = {g}: {actual:R} vs {platform:R}");
        }
    }

    [Fact]
    public void StandardNormalAt_IsBitForBitTheDocumentsLnAndCos2Pi()
    {
        // The document's algorithm and coefficients, transcribed in the test (GaussianDefinitionReference), against the
        // runtime: a constant typed wrong or an operation reordered changes last bits and fails here.
        var random = new System.Random(9);
        for (int n = 0; n < 200_000; n++)
        {
            ulong seed = (ulong)random.NextInt64(), g = (ulong)random.NextInt64() * 2 + (ulong)random.Next(2);
            double expected = GaussianDefinitionReference.StandardNormal(seed, g), actual = DropoutKernels.StandardNormalAt(seed, g);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"seed {seed}, g {g}: {expected:R} vs {actual:R}");
        }

        foreach (uint word in new uint[] { 0, 1, uint.MaxValue, uint.MaxValue - 1, 1u << 29, 1u << 30, (1u << 30) - 1, 1u << 31, 3u << 30, (3u << 30) + (1u << 29), 0xB504F333 })
        {
            double u1 = (word + 1.0) / 4294967296.0;
            Assert.Equal(BitConverter.DoubleToInt64Bits(GaussianDefinitionReference.Ln(u1)), BitConverter.DoubleToInt64Bits(GaussianMath.Log(u1)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(GaussianDefinitionReference.Cos2Pi(word)), BitConverter.DoubleToInt64Bits(GaussianMath.CosTwoPi(word)));
        }
    }

    [Fact]
    internal void Kernel_AtEveryWidth_IsOnePlusSigmaTimesStandardNormalAt_RoundedOnce()
    {
        // Every vector width and the scalar path, float and double, odd and even offsets and lengths (an odd first
        // position uses the second half of its block), in place or not, offsets where the block counter's low word
        // carries and where positions wrap past 2^64: bit for bit the public scalar definition.
        var random = new System.Random(6);
        ulong[] offsets = [0, 1, 2, 999, (1UL << 33) - 9, (1UL << 33) - 40, ulong.MaxValue - 20, ulong.MaxValue - 71, (ulong)random.NextInt64()];
        int[] lengths = [0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 100, 257, 1001];
        foreach (double p in new[] { 0.8, 0.5, 0.1 })
        {
            double sigma = Math.Sqrt((1.0 - p) / p);
            foreach (ulong offset in offsets)
            {
                foreach (int length in lengths)
                {
                    ulong seed = (ulong)random.NextInt64();
                    double[] doubles = MaskDefinitionReference.RandomInput(length, random.Next()).Select(v => (double)v * 1.000001).ToArray();
                    float[] floats = MaskDefinitionReference.RandomInput(length, random.Next());
                    var expectedDoubles = new double[length];
                    var expectedFloats = new float[length];
                    for (int i = 0; i < length; i++)
                    {
                        double noise = 1.0 + (sigma * DropoutKernels.StandardNormalAt(seed, offset + (ulong)i));
                        expectedDoubles[i] = doubles[i] * noise;
                        expectedFloats[i] = floats[i] * (float)noise;
                    }

                    foreach (VectorWidth width in MaskLayoutTests.AllWidths)
                    {
                        using var _ = VectorWidths.Force(width);
                        string context = $"{width}, p = {p}, offset {offset}, length {length}";
                        var outDoubles = new double[length];
                        DropoutKernels.ForwardGaussian(doubles, outDoubles, p, seed, offset);
                        AssertBits(expectedDoubles, outDoubles, context + ", double");
                        var outFloats = new float[length];
                        DropoutKernels.ForwardGaussian(floats, outFloats, p, seed, offset);
                        AssertBits(expectedFloats, outFloats, context + ", float");

                        double[] inPlaceDoubles = (double[])doubles.Clone();
                        DropoutKernels.BackwardGaussian(inPlaceDoubles, inPlaceDoubles, p, seed, offset);
                        AssertBits(expectedDoubles, inPlaceDoubles, context + ", double in place");
                        float[] inPlaceFloats = (float[])floats.Clone();
                        DropoutKernels.ForwardGaussian(inPlaceFloats, inPlaceFloats, p, seed, offset);
                        AssertBits(expectedFloats, inPlaceFloats, context + ", float in place");
                    }
                }
            }
        }
    }

    private static void AssertBits(double[] expected, double[] actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"{context}, element {i}: {expected[i]:R} expected, {actual[i]:R} written");
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{context}, element {i}: {expected[i]:R} expected, {actual[i]:R} written");
        }
    }

    [Fact]
    public void Noise_HasMeanOneAndTheVarianceOfDropoutWithTheSameP()
    {
        const int Length = 1_000_000;
        const double P = 0.7;
        var ones = Enumerable.Repeat(1f, Length).ToArray();
        var output = new float[Length];
        DropoutKernels.ForwardGaussian(ones, output, P, 77, 0);

        double mean = output.Average(v => (double)v);
        double variance = output.Sum(v => (v - mean) * (v - mean)) / (Length - 1);
        double expectedVariance = (1 - P) / P;
        double withinOneSigma = output.Count(v => Math.Abs(v - 1) <= Math.Sqrt(expectedVariance)) / (double)Length;
        Assert.InRange(mean, 1 - 0.003, 1 + 0.003);                              // standard error 0.00065
        Assert.InRange(variance, expectedVariance * 0.99, expectedVariance * 1.01); // standard error ≈ 0.14 %
        Assert.InRange(withinOneSigma, 0.6827 - 0.003, 0.6827 + 0.003);           // normal, not merely the right variance
    }

    [Fact]
    public void SplitIntoCalls_EqualsOneCall_AndBackwardIsTheSameNoise()
    {
        float[] input = MaskDefinitionReference.RandomInput(5000, 3);
        var whole = new float[5000];
        DropoutKernels.ForwardGaussian(input, whole, 0.5, 8, 123);

        var split = new float[5000];
        var random = new System.Random(4);
        for (int start = 0; start < 5000;)
        {
            int count = Math.Min(5000 - start, random.Next(1, 333));
            DropoutKernels.ForwardGaussian(input.AsSpan(start, count), split.AsSpan(start, count), 0.5, 8, 123 + (ulong)start);
            start += count;
        }

        Assert.Equal(whole, split);
        var gradient = new float[5000];
        DropoutKernels.BackwardGaussian(input, gradient, 0.5, 8, 123);
        Assert.Equal(whole, gradient);
    }

    [Fact]
    public void KeepProbabilityOne_IsTheIdentity_AndBadInputThrows()
    {
        float[] input = MaskDefinitionReference.RandomInput(100, 5);
        var output = new float[100];
        DropoutKernels.ForwardGaussian(input, output, 1.0, 1, 0);
        Assert.Equal(input, output);

        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.ForwardGaussian(new float[4], new float[4], 1e-30, 1, 0));
        Assert.Throws<ArgumentException>(() => DropoutKernels.BackwardGaussian(new float[4], new float[5], 0.5, 1, 0));
    }
}
