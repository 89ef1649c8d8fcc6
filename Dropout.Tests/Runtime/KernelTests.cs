namespace Dropout.Tests.Runtime;

[Collection(KernelParallelismCollection.Name)]
public class KernelTests
{
    private static readonly double[] Probabilities = [0.5, 0.8, 0.75, 0.1, 1e-3, 1.0];

    [Fact]
    internal void Forward_EveryWidthMatchesTheDefinition_ForLengths0To200AtRandomOffsets()
    {
        var random = new System.Random(7);
        foreach (VectorWidth width in MaskLayoutTests.AllWidths)
        {
            using var _ = VectorWidths.Force(width);
            foreach (double p in Probabilities)
            {
                for (int length = 0; length <= 200; length++)
                {
                    ulong seed = (ulong)random.NextInt64();
                    ulong offset = (ulong)random.NextInt64(0, 1L << 40);
                    float[] input = MaskDefinitionReference.RandomInput(length, length);
                    var output = new float[length];
                    var mask = new byte[MaskLayout.MaskByteCount(length)];

                    DropoutKernels.Forward(input, output, mask, p, seed, offset);

                    Assert.Equal(MaskDefinitionReference.Forward(input, p, seed, offset), output);
                    Assert.Equal(MaskDefinitionReference.Mask(length, p, seed, offset), mask);
                }
            }
        }
    }

    [Fact]
    internal void ForwardDouble_EveryWidthMatchesTheDefinition()
    {
        var random = new System.Random(8);
        foreach (VectorWidth width in MaskLayoutTests.AllWidths)
        {
            using var _ = VectorWidths.Force(width);
            foreach (double p in Probabilities)
            {
                for (int length = 0; length <= 200; length += 7)
                {
                    ulong seed = (ulong)random.NextInt64();
                    ulong offset = (ulong)random.NextInt64(0, 1L << 40);
                    double[] input = MaskDefinitionReference.RandomInputDouble(length, length);
                    var output = new double[length];
                    var mask = new byte[MaskLayout.MaskByteCount(length)];

                    DropoutKernels.Forward(input, output, mask, p, seed, offset);

                    Assert.Equal(MaskDefinitionReference.Forward(input, p, seed, offset), output);
                    Assert.Equal(MaskDefinitionReference.Mask(length, p, seed, offset), mask);
                }
            }
        }
    }

    // Calls that start on a tile boundary take the fused whole-tile path on AVX-512 machines; random offsets almost
    // never do, so this checks that path against the definition separately, for both element types.
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.75)]
    [InlineData(1e-3)]
    internal void Forward_AtTileAlignedOffsets_EveryWidthMatchesTheDefinition(double p)
    {
        var random = new System.Random(12);
        foreach (VectorWidth width in MaskLayoutTests.AllWidths)
        {
            using var _ = VectorWidths.Force(width);
            // 5 and 2048 + 77: an unaligned head leaves mask bits pending when the fused path starts at the next tile.
            foreach (ulong offset in new ulong[] { 0, 2048, 2048 * 977, 128 * 3, 64 * 5, 5, 2048 + 77 })
            {
                foreach (int length in new[] { 64, 128, 200, 2048, 2048 + 130, 3 * 2048 + 64 * 7 + 5 })
                {
                    ulong seed = (ulong)random.NextInt64();
                    float[] input = MaskDefinitionReference.RandomInput(length, length);
                    var output = new float[length];
                    var mask = new byte[MaskLayout.MaskByteCount(length)];
                    DropoutKernels.Forward(input, output, mask, p, seed, offset);
                    Assert.Equal(MaskDefinitionReference.Forward(input, p, seed, offset), output);
                    Assert.Equal(MaskDefinitionReference.Mask(length, p, seed, offset), mask);

                    double[] wide = MaskDefinitionReference.RandomInputDouble(length, length);
                    var wideOutput = new double[length];
                    DropoutKernels.Forward(wide, wideOutput, mask, p, seed, offset);
                    Assert.Equal(MaskDefinitionReference.Forward(wide, p, seed, offset), wideOutput);
                    Assert.Equal(MaskDefinitionReference.Mask(length, p, seed, offset), mask);
                }
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void Forward_SplitIntoChunks_EqualsOneCall(double p)
    {
        const int Length = 10_000;
        const ulong Seed = 99, Offset = 12_345;
        float[] input = MaskDefinitionReference.RandomInput(Length, 1);
        var whole = new float[Length];
        DropoutKernels.Forward(input, whole, p, Seed, Offset);

        var random = new System.Random(9);
        var chunked = new float[Length];
        for (int start = 0; start < Length;)
        {
            int count = Math.Min(Length - start, random.Next(1, 700));
            DropoutKernels.Forward(input.AsSpan(start, count), chunked.AsSpan(start, count), p, Seed, Offset + (ulong)start);
            start += count;
        }

        Assert.Equal(whole, chunked);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void Forward_OnSeveralThreads_IsBitIdenticalToOneThread(double p)
    {
        int length = DropoutKernels.ParallelThreshold * 3 + 4321;
        float[] input = MaskDefinitionReference.RandomInput(length, 2);
        var parallelOutput = new float[length];
        var parallelMask = new byte[MaskLayout.MaskByteCount(length)];
        var serialOutput = new float[length];
        var serialMask = new byte[MaskLayout.MaskByteCount(length)];

        DropoutKernels.Forward(input, parallelOutput, parallelMask, p, 5, 777);
        int previous = DropoutKernels.MaxDegreeOfParallelism;
        try
        {
            DropoutKernels.MaxDegreeOfParallelism = 1;
            DropoutKernels.Forward(input, serialOutput, serialMask, p, 5, 777);
        }
        finally
        {
            DropoutKernels.MaxDegreeOfParallelism = previous;
        }

        Assert.Equal(serialOutput, parallelOutput);
        Assert.Equal(serialMask, parallelMask);
    }

    [Fact]
    public void Forward_InPlace_EqualsOutOfPlace()
    {
        float[] input = MaskDefinitionReference.RandomInput(1000, 3);
        var expected = new float[1000];
        DropoutKernels.Forward(input, expected, 0.8, 1, 3);

        float[] values = (float[])input.Clone();
        DropoutKernels.Forward(values, values, 0.8, 1, 3);

        Assert.Equal(expected, values);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(-1f)]
    public void Forward_DroppedElementsArePositiveZero_EvenForNaNAndInfinity(float value)
    {
        var input = new float[512];
        input.AsSpan().Fill(value);
        var output = new float[512];
        var mask = new byte[64];

        DropoutKernels.Forward(input, output, mask, 0.5, 11, 0);

        int dropped = 0;
        for (int i = 0; i < output.Length; i++)
        {
            if ((mask[i / 8] >> (i % 8) & 1) == 0)
            {
                dropped++;
                Assert.Equal(0, BitConverter.SingleToInt32Bits(output[i]));
            }
            else
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(value * 2f), BitConverter.SingleToInt32Bits(output[i]));
            }
        }

        Assert.InRange(dropped, 1, 511);
    }

    [Fact]
    public void Forward_WithPOne_IsTheIdentityAndKeepsEverything()
    {
        float[] input = MaskDefinitionReference.RandomInput(77, 4);
        var output = new float[77];
        var mask = new byte[10];

        DropoutKernels.Forward(input, output, mask, 1.0, 1, 0);

        Assert.Equal(input, output);
        Assert.Equal(new byte[] { 255, 255, 255, 255, 255, 255, 255, 255, 255, 0b1_1111 }, mask);
    }

    [Fact]
    public void Mask_UnusedHighBitsOfTheLastByteAreZero()
    {
        var mask = new byte[3];
        mask.AsSpan().Fill(0xFF);
        var input = new float[19];
        input.AsSpan().Fill(1f);

        DropoutKernels.Forward(input, new float[19], mask, 0.999, 2, 0);

        Assert.Equal(0, mask[2] & 0b1111_1000);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void BackwardFromMask_AppliesExactlyTheForwardMask(double p)
    {
        const int Length = 3001;
        float[] input = MaskDefinitionReference.RandomInput(Length, 5);
        var output = new float[Length];
        var mask = new byte[MaskLayout.MaskByteCount(Length)];
        DropoutKernels.Forward(input, output, mask, p, 21, 4096);
        float[] gradient = MaskDefinitionReference.RandomInput(Length, 6);
        var gradInput = new float[Length];

        DropoutKernels.Backward(gradient, gradInput, mask, p);

        float scale = (float)(1 / p);
        for (int i = 0; i < Length; i++)
        {
            bool kept = output[i] != 0;
            Assert.Equal(kept ? gradient[i] * scale : 0f, gradInput[i]);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(1.0)]
    public void BackwardByRegeneration_EqualsBackwardFromMask(double p)
    {
        const int Length = 5000;
        var mask = new byte[MaskLayout.MaskByteCount(Length)];
        DropoutKernels.Forward(new float[Length], new float[Length], mask, p, 8, 333);
        float[] gradient = MaskDefinitionReference.RandomInput(Length, 7);
        var fromMask = new float[Length];
        var regenerated = new float[Length];

        DropoutKernels.Backward(gradient, fromMask, mask, p);
        DropoutKernels.Backward(gradient, regenerated, p, 8, 333);

        Assert.Equal(fromMask, regenerated);
    }

    [Fact]
    internal void BackwardFromMask_EveryWidthMatchesScalar_ForAllLengths()
    {
        foreach (VectorWidth width in MaskLayoutTests.AllWidths)
        {
            using var _ = VectorWidths.Force(width);
            for (int length = 0; length <= 300; length++)
            {
                double[] gradient = MaskDefinitionReference.RandomInputDouble(length, length);
                byte[] mask = MaskDefinitionReference.Mask(length, 0.8, 3, (ulong)length * 13);
                var result = new double[length];

                DropoutKernels.Backward(gradient, result, mask, 0.8);

                Assert.Equal(MaskDefinitionReference.Forward(gradient, 0.8, 3, (ulong)length * 13), result);
            }
        }
    }

    [Fact]
    public void FillMask_EqualsTheMaskForwardRecords()
    {
        var forwardMask = new byte[MaskLayout.MaskByteCount(999)];
        DropoutKernels.Forward(new float[999], new float[999], forwardMask, 0.9, 4, 17);
        var filled = new byte[forwardMask.Length];

        DropoutKernels.FillMask(filled, 999, 0.9, 4, 17);

        Assert.Equal(forwardMask, filled);
    }

    [Fact]
    public void Kernels_NeverWriteOutsideTheirSpans_ForAnyLengthAndOddOffset()
    {
        const int Guard = 64;
        const float Sentinel = 12345f;
        for (int length = 0; length <= 4 * 64 + 37; length++)
        {
            foreach (double p in new[] { 0.5, 0.8 })
            {
                var buffer = new float[length + 2 * Guard];
                buffer.AsSpan().Fill(Sentinel);
                var maskBuffer = new byte[MaskLayout.MaskByteCount(length) + 2 * Guard];
                maskBuffer.AsSpan().Fill(0xAB);
                float[] input = MaskDefinitionReference.RandomInput(length, length);
                Span<float> output = buffer.AsSpan(Guard, length);
                Span<byte> mask = maskBuffer.AsSpan(Guard, MaskLayout.MaskByteCount(length));

                DropoutKernels.Forward(input, output, mask, p, 1, (ulong)(2 * length + 1));
                DropoutKernels.Backward(output, output, mask, p);
                DropoutKernels.Backward(output, output, p, 1, 3);

                Assert.All(buffer.AsSpan(0, Guard).ToArray(), v => Assert.Equal(Sentinel, v));
                Assert.All(buffer.AsSpan(Guard + length).ToArray(), v => Assert.Equal(Sentinel, v));
                Assert.All(maskBuffer.AsSpan(0, Guard).ToArray(), b => Assert.Equal(0xAB, b));
                Assert.All(maskBuffer.AsSpan(Guard + mask.Length).ToArray(), b => Assert.Equal(0xAB, b));
            }
        }
    }

    [Fact]
    public void Forward_RejectsAnOutputOfAnotherLength()
    {
        var error = Assert.Throws<ArgumentException>(() => DropoutKernels.Forward(new float[10], new float[9], 0.5, 1, 0));

        Assert.Equal("output", error.ParamName);
    }

    [Fact]
    public void Forward_RejectsATooSmallMask()
    {
        var error = Assert.Throws<ArgumentException>(() => DropoutKernels.Forward(new float[17], new float[17], new byte[2], 0.5, 1, 0));

        Assert.Equal("mask", error.ParamName);
        Assert.Contains("3 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_RejectsATooSmallMask() =>
        Assert.Throws<ArgumentException>(() => DropoutKernels.Backward(new double[9], new double[9], new byte[1], 0.5));

    [Fact]
    public void Forward_RejectsPartiallyOverlappingSpans()
    {
        var buffer = new float[100];

        Assert.Throws<ArgumentException>(() => DropoutKernels.Forward(buffer.AsSpan(0, 50), buffer.AsSpan(10, 50), 0.5, 1, 0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Kernels_RejectKeepProbabilitiesOutsideZeroOne(double p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Forward(new float[4], new float[4], p, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Backward(new float[4], new float[4], new byte[1], p));
    }

    [Fact]
    public void Kernels_AllocateNothing()
    {
        float[] input = MaskDefinitionReference.RandomInput(100_000, 8);
        var output = new float[input.Length];
        var mask = new byte[MaskLayout.MaskByteCount(input.Length)];
        DropoutKernels.Forward(input, output, mask, 0.8, 1, 0);
        DropoutKernels.Backward(output, output, mask, 0.8);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            DropoutKernels.Forward(input, output, mask, 0.8, 1, (ulong)i);
            DropoutKernels.Forward(input, output, 0.5, 1, (ulong)i);
            DropoutKernels.Backward(output, output, mask, 0.8);
            DropoutKernels.Backward(output, output, 0.8, 1, (ulong)i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
