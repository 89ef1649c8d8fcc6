namespace Dropout.Tests.Runtime.Variants;

/// <summary>
/// Channel, shared-over-time and per-sample dropout (issue 13): every element takes the decision that docs/masks.md
/// gives its group's mask position, at every vector width, and backward applies exactly the recorded decisions.
/// </summary>
public class NoiseShapedDropoutTests
{
    public static TheoryData<string> ShapeKinds => new() { "channels", "time", "sample" };

    [Theory]
    [MemberData(nameof(ShapeKinds))]
    internal void Forward_EveryElementTakesItsGroupsDecision_AtEveryWidth(string kind)
    {
        var random = new System.Random(kind.Length * 31);
        for (int n = 0; n < 40; n++)
        {
            DropoutNoiseShape shape = RandomShape(kind, random);
            double p = new[] { 0.5, 0.8, 0.9, 0.3, 1.0 }[random.Next(5)];
            ulong seed = (ulong)random.NextInt64();
            ulong offset = (ulong)random.NextInt64(0, 1L << 50);
            float[] input = MaskDefinitionReference.RandomInput((int)shape.ElementCount, random.Next());
            float[] expected = ExpectedForward(input, shape, p, seed, offset);
            byte[] expectedMask = MaskDefinitionReference.Mask(shape.DecisionCount, p, seed, offset);

            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var _ = VectorWidths.Force(width);
                var output = new float[input.Length];
                var mask = new byte[MaskLayout.MaskByteCount(shape.DecisionCount)];
                DropoutKernels.Forward(input, output, mask, shape, p, seed, offset);

                Assert.Equal(expected, output);
                Assert.Equal(expectedMask, mask);

                float[] inPlace = (float[])input.Clone();
                DropoutKernels.Forward(inPlace, inPlace, mask, shape, p, seed, offset);
                Assert.Equal(expected, inPlace);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ShapeKinds))]
    public void Backward_AppliesExactlyTheForwardDecisions(string kind)
    {
        var random = new System.Random(kind.Length * 17);
        DropoutNoiseShape shape = RandomShape(kind, random);
        double[] input = MaskDefinitionReference.RandomInputDouble((int)shape.ElementCount, 1);
        double[] gradient = MaskDefinitionReference.RandomInputDouble((int)shape.ElementCount, 2);
        var mask = new byte[MaskLayout.MaskByteCount(shape.DecisionCount)];
        var output = new double[input.Length];
        DropoutKernels.Forward(input, output, mask, shape, 0.8, 5, 4096);

        var gradInput = new double[input.Length];
        DropoutKernels.Backward(gradient, gradInput, mask, shape, 0.8);

        double[] expected = ExpectedForward(gradient, shape, 0.8, 5, 4096);
        Assert.Equal(expected, gradInput);
        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(output[i] == 0 && input[i] != 0, gradInput[i] == 0 && gradient[i] != 0);
        }
    }

    [Fact]
    public void SharedOverTime_ReusesOneMaskAtEveryTimeStep()
    {
        DropoutNoiseShape shape = DropoutNoiseShape.SharedOverTime(batch: 3, timeSteps: 20, features: 70);
        float[] ones = Enumerable.Repeat(1f, (int)shape.ElementCount).ToArray();
        var output = new float[ones.Length];
        DropoutKernels.Forward(ones, output, new byte[MaskLayout.MaskByteCount(shape.DecisionCount)], shape, 0.5, 11, 0);

        for (int b = 0; b < 3; b++)
        {
            float[] first = output.AsSpan(b * 20 * 70, 70).ToArray();
            Assert.Contains(0f, first);
            Assert.Contains(2f, first);
            for (int t = 1; t < 20; t++)
            {
                Assert.Equal(first, output.AsSpan(((b * 20) + t) * 70, 70).ToArray());
            }
        }
    }

    [Fact]
    public void Channels_KeepRateAndMeanMatchP()
    {
        // 200,000 channel decisions: the kept fraction is within 5 standard deviations of p, and the mean output of an
        // all-ones input within 5 standard deviations of 1 (inverted dropout keeps the expectation).
        const double P = 0.8;
        DropoutNoiseShape shape = DropoutNoiseShape.Channels(batch: 2_000, channels: 100, spatialSize: 4);
        float[] ones = Enumerable.Repeat(1f, (int)shape.ElementCount).ToArray();
        var output = new float[ones.Length];
        var mask = new byte[MaskLayout.MaskByteCount(shape.DecisionCount)];
        DropoutKernels.Forward(ones, output, mask, shape, P, 21, 0);

        double kept = output.Count(v => v != 0) / 4.0;
        double sigma = Math.Sqrt(shape.DecisionCount * P * (1 - P));
        Assert.InRange(kept, (shape.DecisionCount * P) - (5 * sigma), (shape.DecisionCount * P) + (5 * sigma));
        double mean = output.Average(v => (double)v);
        Assert.InRange(mean, 1 - (5 * sigma / P / shape.DecisionCount), 1 + (5 * sigma / P / shape.DecisionCount));
    }

    [Fact]
    public void BadShapesAndSizes_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutNoiseShape.Channels(2, 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutNoiseShape.SharedOverTime(-1, 3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutNoiseShape.PerSample(1 << 20, 1 << 20));

        DropoutNoiseShape shape = DropoutNoiseShape.Channels(2, 3, 4);
        var error = Assert.Throws<ArgumentException>(() => DropoutKernels.Forward(new float[23], new float[23], new byte[1], shape, 0.5, 1, 0));
        Assert.Equal("shape", error.ParamName);
        Assert.Throws<ArgumentException>(() => DropoutKernels.Forward(new float[24], new float[24], Array.Empty<byte>(), shape, 0.5, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Forward(new float[24], new float[24], new byte[1], shape, 0.0, 1, 0));
        var gradError = Assert.Throws<ArgumentException>(() => DropoutKernels.Backward(new float[24], new float[25], new byte[1], shape, 0.5));
        Assert.Equal("gradInput", gradError.ParamName);
    }

    [Fact]
    public void Forward_AllocatesNothing()
    {
        DropoutNoiseShape shape = DropoutNoiseShape.SharedOverTime(4, 16, 64);
        var values = new float[shape.ElementCount];
        var mask = new byte[MaskLayout.MaskByteCount(shape.DecisionCount)];
        DropoutKernels.Forward(values, values, mask, shape, 0.8, 1, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            DropoutKernels.Forward(values, values, mask, shape, 0.8, 1, (ulong)i * 4096);
            DropoutKernels.Backward(values, values, mask, shape, 0.8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static DropoutNoiseShape RandomShape(string kind, System.Random random) => kind switch
    {
        "channels" => DropoutNoiseShape.Channels(random.Next(0, 5), random.Next(1, 40), random.Next(1, 300)),
        "time" => DropoutNoiseShape.SharedOverTime(random.Next(0, 5), random.Next(1, 30), random.Next(1, 200)),
        _ => DropoutNoiseShape.PerSample(random.Next(0, 9), random.Next(1, 2000)),
    };

    // Written from the definition, not from the kernel: element (o, s, i) takes position offset + o · Inner + i.
    private static float[] ExpectedForward(float[] input, DropoutNoiseShape shape, double p, ulong seed, ulong offset)
    {
        var output = new float[input.Length];
        float scale = (float)(1.0 / p);
        for (int index = 0; index < input.Length; index++)
        {
            int inner = index % shape.Inner;
            int outer = index / (shape.Inner * shape.Shared);
            bool kept = MaskDefinitionReference.IsKept(p, seed, offset + (ulong)((outer * shape.Inner) + inner));
            output[index] = kept ? input[index] * scale : 0f;
        }

        return output;
    }

    private static double[] ExpectedForward(double[] input, DropoutNoiseShape shape, double p, ulong seed, ulong offset)
    {
        var output = new double[input.Length];
        double scale = 1.0 / p;
        for (int index = 0; index < input.Length; index++)
        {
            int inner = index % shape.Inner;
            int outer = index / (shape.Inner * shape.Shared);
            bool kept = MaskDefinitionReference.IsKept(p, seed, offset + (ulong)((outer * shape.Inner) + inner));
            output[index] = kept ? input[index] * scale : 0.0;
        }

        return output;
    }
}
