namespace Dropout.Tests.Runtime;

/// <summary>Argument checks, in-place calls, the NaN/∞ rule for dropped elements, and allocation-free steady state.</summary>
public class FusedEpilogueValidationTests
{
    private const ulong Seed = 17, Offset = 3;
    private static readonly ReLUActivation<float> ReLU = default;
    private static readonly GeluTanhActivation<float> Gelu = default;

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Forward_ColumnsNotPositive_Throws(int columns)
    {
        var x = new float[8];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => FusedEpilogue.Forward(x, [], [], new float[8], columns, ReLU, 0.5, Seed, Offset));
        Assert.Equal("columns", ex.ParamName);
    }

    [Fact]
    public void Forward_ColumnsNotDividingTheLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[10], [], [], new float[10], 3, ReLU, 0.5, Seed, Offset));
        Assert.Equal("columns", ex.ParamName);
        Assert.Contains("3 columns do not divide 10", ex.Message);
    }

    [Fact]
    public void Forward_BiasNotOnePerColumn_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[12], new float[3], [], new float[12], 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("bias", ex.ParamName);
    }

    [Fact]
    public void Forward_ResidualOfAnotherLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[12], [], new float[11], new float[12], 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("residual", ex.ParamName);
    }

    [Fact]
    public void Forward_OutputOfAnotherLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[12], [], [], new float[13], 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("output", ex.ParamName);
    }

    [Fact]
    public void Forward_OutputPartiallyOverlappingTheInputOrResidual_Throws()
    {
        var buffer = new float[20];
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(buffer.AsSpan(0, 16), [], [], buffer.AsSpan(4, 16), 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("output", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[16], [], buffer.AsSpan(0, 16), buffer.AsSpan(2, 16), 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("output", ex.ParamName);
    }

    [Fact]
    public void Forward_BiasOverlappingTheOutput_Throws()
    {
        var buffer = new float[16];
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[16], buffer.AsSpan(0, 4), [], buffer, 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("bias", ex.ParamName);
    }

    [Fact]
    public void Forward_MaskTooSmall_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Forward(new float[17], [], [], new float[17], new byte[2], 1, ReLU, 0.5, Seed, Offset));
        Assert.Equal("mask", ex.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(1e-9)]
    public void EveryEntryPoint_UnsupportedKeepProbability_Throws(double p)
    {
        var x = new float[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedEpilogue.Forward(x, [], [], new float[8], new byte[1], 4, ReLU, p, Seed, Offset));
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedEpilogue.Forward(x, [], [], new float[8], 4, ReLU, p, Seed, Offset));
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedEpilogue.Backward(x, new byte[1], [], [], new float[8], [], 4, ReLU, p));
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedEpilogue.Backward(x, x, [], new float[8], [], 4, ReLU, p, Seed, Offset));
    }

    [Fact]
    public void Backward_SmoothActivationWithoutPreActivation_ThrowsAndSaysWhy()
    {
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(new float[8], new byte[1], [], [], new float[8], [], 4, Gelu, 0.5));
        Assert.Equal("preActivation", ex.ParamName);
        Assert.Contains("recomputed from the forward's pre-activation", ex.Message);
    }

    [Fact]
    public void Backward_ReLURegeneratedWithoutPreActivation_Throws()
    {
        // From the mask ReLU needs nothing else; regenerating the keep bits loses the sign, so it needs x.
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(new float[8], [], [], new float[8], [], 4, ReLU, 0.5, Seed, Offset));
        Assert.Equal("preActivation", ex.ParamName);
    }

    [Fact]
    public void Backward_BadGradientSpans_Throw()
    {
        var x = new float[8];
        var ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(x, new byte[1], x, [], new float[8], new float[3], 4, Gelu, 0.5));
        Assert.Equal("gradBias", ex.ParamName);

        var buffer = new float[12];
        ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(x, new byte[1], x, [], buffer.AsSpan(0, 8), buffer.AsSpan(6, 4), 4, Gelu, 0.5));
        Assert.Equal("gradBias", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(x, new byte[1], x, [], new float[7], [], 4, Gelu, 0.5));
        Assert.Equal("gradPreActivation", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => FusedEpilogue.Backward(x, new byte[0], x, [], new float[8], [], 4, Gelu, 0.5));
        Assert.Equal("mask", ex.ParamName);
    }

    [Fact]
    public void ForwardCore_ElementTypeOtherThanFloatOrDouble_Throws() =>
        Assert.Throws<NotSupportedException>(() => FusedEpilogue.ForwardCore<Half, ReLUActivation<Half>, NoDropout<Half>>(new Half[4], [], [], new Half[4], default, false, 4, default, default, 0, 0));

    [Fact]
    public void Forward_InPlaceOnTheInputOrTheResidual_EqualsOutOfPlace()
    {
        var random = new System.Random(31);
        float[] x = FusedEpilogueReference.RandomValues<float>(random, 300, specials: false);
        float[] bias = FusedEpilogueReference.RandomValues<float>(random, 30, specials: false);
        float[] residual = FusedEpilogueReference.RandomValues<float>(random, 300, specials: false);
        var expected = new float[300];
        FusedEpilogue.Forward(x, bias, residual, expected, 30, Gelu, 0.8, Seed, Offset);

        float[] onInput = (float[])x.Clone();
        FusedEpilogue.Forward(onInput, bias, residual, onInput, 30, Gelu, 0.8, Seed, Offset);
        Assert.Equal(expected, onInput);

        float[] onResidual = (float[])residual.Clone();
        FusedEpilogue.Forward(x, bias, onResidual, onResidual, 30, Gelu, 0.8, Seed, Offset);
        Assert.Equal(expected, onResidual);
    }

    [Fact]
    public void Backward_InPlaceOnTheOutputGradient_EqualsOutOfPlace()
    {
        var random = new System.Random(32);
        float[] x = FusedEpilogueReference.RandomValues<float>(random, 300, specials: false);
        float[] dy = FusedEpilogueReference.RandomValues<float>(random, 300, specials: false);
        var mask = new byte[MaskLayout.MaskByteCount(300)];
        FusedEpilogue.Forward(x, [], [], new float[300], mask, 30, Gelu, 0.8, Seed, Offset);
        var expected = new float[300];
        FusedEpilogue.Backward(dy, mask, x, [], expected, [], 30, Gelu, 0.8);

        FusedEpilogue.Backward(dy, mask, x, [], dy, [], 30, Gelu, 0.8);
        Assert.Equal(expected, dy);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void DroppedElements_AreExactlyPositiveZero_EvenForNaNAndInfinity(double p)
    {
        const int Length = 1000;
        float[] x = Enumerable.Range(0, Length).Select(i => (i % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity }).ToArray();
        var keep = new byte[MaskLayout.MaskByteCount(Length)];
        DropoutKernels.FillMask(keep, Length, p, Seed, Offset);

        var output = new float[Length];
        var mask = new byte[keep.Length];
        FusedEpilogue.Forward(x, [], [], output, mask, 10, Gelu, p, Seed, Offset);
        Assert.Equal(keep, mask);

        // Backward: a NaN output gradient and infinite pre-activations (GELU' of ±∞ is NaN) still give +0 where dropped.
        float[] dy = Enumerable.Repeat(float.NaN, Length).ToArray();
        var grad = new float[Length];
        FusedEpilogue.Backward(dy, mask, x, [], grad, [], 10, Gelu, p);
        for (int i = 0; i < Length; i++)
        {
            bool kept = (keep[i / 8] >> (i % 8) & 1) != 0;
            if (kept)
            {
                Assert.False(float.IsFinite(output[i]), $"kept element {i}");
                Assert.True(float.IsNaN(grad[i]), $"kept gradient {i}");
            }
            else
            {
                Assert.Equal(0, BitConverter.SingleToInt32Bits(output[i]));
                Assert.Equal(0, BitConverter.SingleToInt32Bits(grad[i]));
            }
        }
    }

    [Fact]
    public void Calls_WriteOnlyTheirSlices_AndLeaveUnusedMaskBitsZero()
    {
        // Slices inside larger buffers filled with a sentinel: nothing before or after a slice may change, and the high
        // bits of the mask's last byte (docs/masks.md §3) must be zero. 3 × 67 = 201 elements: a partial last byte.
        const int Columns = 67, Length = 201, Guard = 40;
        var random = new System.Random(33);
        float[] x = FusedEpilogueReference.RandomValues<float>(random, Length, specials: false);
        float[] dy = FusedEpilogueReference.RandomValues<float>(random, Length, specials: false);
        float[] bias = FusedEpilogueReference.RandomValues<float>(random, Columns, specials: false);
        foreach (VectorWidth width in MaskLayoutTests.AllWidths)
        {
            using var forced = VectorWidths.Force(width);
            float[] output = Enumerable.Repeat(-7f, Length + (2 * Guard)).ToArray();
            byte[] mask = Enumerable.Repeat((byte)0xA5, MaskLayout.MaskByteCount(Length) + Guard).ToArray();
            FusedEpilogue.Forward(x, bias, [], output.AsSpan(Guard, Length), mask.AsSpan(0, MaskLayout.MaskByteCount(Length)), Columns, Gelu, 0.8, Seed, 2048 + 5);
            Assert.All(output.Take(Guard).Concat(output.Skip(Guard + Length)), value => Assert.Equal(-7f, value));
            Assert.All(mask.Skip(MaskLayout.MaskByteCount(Length)), value => Assert.Equal(0xA5, value));
            Assert.Equal(0, mask[(Length / 8)] >> (Length % 8));

            float[] grad = Enumerable.Repeat(-7f, Length + (2 * Guard)).ToArray();
            float[] gradBias = Enumerable.Repeat(-7f, Columns + (2 * Guard)).ToArray();
            FusedEpilogue.Backward(dy, mask.AsSpan(0, MaskLayout.MaskByteCount(Length)), x, bias, grad.AsSpan(Guard, Length), gradBias.AsSpan(Guard, Columns), Columns, Gelu, 0.8);
            Assert.All(grad.Take(Guard).Concat(grad.Skip(Guard + Length)), value => Assert.Equal(-7f, value));
            Assert.All(gradBias.Take(Guard).Concat(gradBias.Skip(Guard + Columns)), value => Assert.Equal(-7f, value));
        }
    }

    [Fact]
    public void SteadyStateCalls_AllocateNothing()
    {
        // 37 columns: vectors straddle rows; 4,000 elements: several tiles and batches, a tail.
        const int Columns = 37, Length = 37 * 108;
        var x = new float[Length];
        var bias = new float[Columns];
        var residual = new float[Length];
        var output = new float[Length];
        var mask = new byte[MaskLayout.MaskByteCount(Length)];
        var gradBias = new float[Columns];
        var wide = new double[Length];
        var wideOutput = new double[Length];
        var wideBias = new double[Columns];
        var wideGradBias = new double[Columns];

        void All()
        {
            FusedEpilogue.Forward(x, bias, residual, output, mask, Columns, Gelu, 0.8, Seed, 2048);
            FusedEpilogue.Forward(x, bias, residual, output, Columns, ReLU, 0.5, Seed, Offset);
            FusedEpilogue.Inference(x, bias, residual, output, Columns, new LeakyReLUActivation<float>(0.1f));
            FusedEpilogue.Backward(output, mask, x, bias, residual, gradBias, Columns, Gelu, 0.8);
            FusedEpilogue.Backward(output, x, bias, residual, gradBias, Columns, ReLU, 0.5, Seed, Offset);
            FusedEpilogue.Forward(wide, wideBias, [], wideOutput, mask, Columns, default(SiLUActivation<double>), 0.75, Seed, Offset);
            FusedEpilogue.Backward(wideOutput, mask, wide, wideBias, wide, wideGradBias, Columns, default(TanhActivation<double>), 0.75);
        }

        All();
        long before = GC.GetAllocatedBytesForCurrentThread();
        All();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
