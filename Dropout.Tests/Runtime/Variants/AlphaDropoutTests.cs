namespace Dropout.Tests.Runtime.Variants;

/// <summary>Alpha dropout (issue 13): the affine map of Klambauer et al. over the docs/masks.md decisions.</summary>
public class AlphaDropoutTests
{
    [Fact]
    public void Coefficients_AreThePapersFormulas()
    {
        // Klambauer et al. 2017, with q = 1 - p the drop rate: a = ((1 - q)(1 + q·α'²))^-1/2, b = -a·α'·q.
        const double AlphaPrime = -1.7580993408473766;
        foreach (double p in new[] { 0.5, 0.8, 0.95 })
        {
            double q = 1 - p;
            double a = Math.Pow((1 - q) * (1 + (q * AlphaPrime * AlphaPrime)), -0.5);
            AlphaDropoutCoefficients coefficients = AlphaDropoutCoefficients.Create(p);
            Assert.Equal(a, coefficients.Scale, 1e-15);
            Assert.Equal(-a * AlphaPrime * q, coefficients.Shift, 1e-15);
            Assert.Equal((a * AlphaPrime) - (a * AlphaPrime * q), coefficients.DroppedValue, 1e-15);
        }

        Assert.Equal(AlphaPrime, AlphaDropoutCoefficients.SeluSaturation, 1e-15);
    }

    [Fact]
    internal void Forward_KeptAreAffineAndDroppedTakeTheSaturationValue_AtEveryWidth()
    {
        var random = new System.Random(5);
        foreach (double p in new[] { 0.5, 0.8, 0.9, 1.0 })
        {
            int length = random.Next(0, 3000);
            ulong seed = (ulong)random.NextInt64(), offset = (ulong)random.NextInt64(0, 1L << 40);
            float[] input = MaskDefinitionReference.RandomInput(length, random.Next());
            AlphaDropoutCoefficients c = AlphaDropoutCoefficients.Create(p);
            float a = (float)c.Scale, b = (float)c.Shift, dropped = (float)c.DroppedValue;
            var expected = new float[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = MaskDefinitionReference.IsKept(p, seed, offset + (ulong)i) ? (input[i] * a) + b : dropped;
            }

            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var _ = VectorWidths.Force(width);
                var output = new float[length];
                var mask = new byte[MaskLayout.MaskByteCount(length)];
                DropoutKernels.ForwardAlpha(input, output, mask, p, seed, offset);

                Assert.Equal(expected, output);
                Assert.Equal(MaskDefinitionReference.Mask(length, p, seed, offset), mask);
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void Forward_PreservesMeanAndVarianceOfAStandardNormalInput(double p)
    {
        const int Length = 1_000_000;
        var random = new System.Random(42);
        var input = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            input[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        var output = new double[Length];
        DropoutKernels.ForwardAlpha(input, output, new byte[MaskLayout.MaskByteCount(Length)], p, 3, 0);

        double mean = output.Average();
        double variance = output.Sum(v => (v - mean) * (v - mean)) / (Length - 1);
        // Standard errors at 10^6 samples are about 0.001 (mean) and 0.0015 (variance); 0.01 is several of them.
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.99, 1.01);
    }

    [Fact]
    public void Backward_ScalesKeptGradientsByAAndZeroesDropped()
    {
        double[] input = MaskDefinitionReference.RandomInputDouble(1000, 1);
        double[] gradient = MaskDefinitionReference.RandomInputDouble(1000, 2);
        var mask = new byte[MaskLayout.MaskByteCount(1000)];
        DropoutKernels.ForwardAlpha(input, new double[1000], mask, 0.8, 7, 2048);

        var gradInput = new double[1000];
        DropoutKernels.BackwardAlpha(gradient, gradInput, mask, 0.8);

        double a = AlphaDropoutCoefficients.Create(0.8).Scale;
        for (int i = 0; i < 1000; i++)
        {
            bool kept = MaskDefinitionReference.IsKept(0.8, 7, 2048 + (ulong)i);
            Assert.Equal(kept ? gradient[i] * a : 0.0, gradInput[i]);
        }
    }

    [Fact]
    public void BadInput_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.ForwardAlpha(new float[8], new float[8], new byte[1], 0.0, 1, 0));
        Assert.Throws<ArgumentException>(() => DropoutKernels.ForwardAlpha(new float[9], new float[9], new byte[1], 0.5, 1, 0));
        Assert.Throws<ArgumentException>(() => DropoutKernels.BackwardAlpha(new float[8], new float[7], new byte[1], 0.5));
    }
}
