namespace Dropout.Tests.Runtime.Variants;

/// <summary>Gaussian dropout (issue 13): multiplicative N(1, (1 - p)/p) noise, counter-based and reproducible.</summary>
public class GaussianDropoutTests
{
    [Fact]
    public void Noise_IsTheDefinitionsBoxMullerSample()
    {
        // docs/masks.md §6 written out again: block counter (g / 2, 0, 1, 0), words (0, 1) for even g and (2, 3) for odd.
        var input = Enumerable.Repeat(1.0, 301).ToArray();
        var output = new double[301];
        ulong Seed = 0x1234_5678_9ABC_DEF0, Offset = 999;
        DropoutKernels.ForwardGaussian(input, output, 0.8, Seed, Offset);

        double sigma = Math.Sqrt((1 - 0.8) / 0.8);   // (1 - p) / p in binary64, as docs/masks.md §6 says
        for (int i = 0; i < 301; i++)
        {
            ulong g = Offset + (ulong)i;
            PhiloxBlock x = Philox4x32.Compute((uint)(g / 2), (uint)((g / 2) >> 32), 1, 0, (uint)Seed, (uint)(Seed >> 32));
            uint first = g % 2 == 0 ? x.X0 : x.X2, second = g % 2 == 0 ? x.X1 : x.X3;
            double u1 = (first + 1.0) / 4294967296.0, u2 = second / 4294967296.0;
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            Assert.Equal(1 + (sigma * z), output[i]);
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
