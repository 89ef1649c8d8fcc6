namespace Dropout.Tests.Runtime;

/// <summary>
/// Large fused calls split across threads in tile-aligned chunks that start mid-row; the results must be bit-identical
/// to one thread.
/// </summary>
[Collection(KernelParallelismCollection.Name)]
public class FusedParallelTests
{
    // 3,333 rows of 1,000: chunks of 833,536 elements start at columns 536, 72, 608, not at row starts.
    private const int Columns = 1000, Rows = 3333, Length = Columns * Rows;
    private const ulong Seed = 41;

    [Theory]
    [InlineData(0.5, 0UL)]
    [InlineData(0.8, 2048UL * 7 + 3)]
    public void Forward_OnSeveralThreads_IsBitIdenticalToOneThread(double p, ulong offset)
    {
        Assert.True(Length >= DropoutKernels.ParallelThreshold * 3);
        var random = new System.Random(42);
        float[] x = FusedEpilogueReference.RandomValues<float>(random, Length, specials: true);
        float[] bias = FusedEpilogueReference.RandomValues<float>(random, Columns, specials: false);
        float[] residual = FusedEpilogueReference.RandomValues<float>(random, Length, specials: false);
        var gelu = default(GeluTanhActivation<float>);

        var serial = new float[Length];
        var serialMask = new byte[MaskLayout.MaskByteCount(Length)];
        WithDegree(1, () => FusedEpilogue.Forward(x, bias, residual, serial, serialMask, Columns, gelu, p, Seed, offset));

        var parallel = new float[Length];
        var parallelMask = new byte[serialMask.Length];
        WithDegree(4, () => FusedEpilogue.Forward(x, bias, residual, parallel, parallelMask, Columns, gelu, p, Seed, offset));

        FusedEpilogueReference.AssertBitsEqual(serial, parallel, $"forward, p = {p}");
        Assert.Equal(serialMask, parallelMask);
    }

    [Fact]
    public void Backward_OnSeveralThreads_IsBitIdenticalToOneThread()
    {
        var random = new System.Random(43);
        double[] x = FusedEpilogueReference.RandomValues<double>(random, Length, specials: false);
        double[] bias = FusedEpilogueReference.RandomValues<double>(random, Columns, specials: false);
        double[] dy = FusedEpilogueReference.RandomValues<double>(random, Length, specials: false);
        var mask = new byte[MaskLayout.MaskByteCount(Length)];
        var relu = default(ReLUActivation<double>);
        WithDegree(4, () => FusedEpilogue.Forward(x, bias, [], new double[Length], mask, Columns, relu, 0.8, Seed, 5));

        // From the mask and regenerated (ReLU then recomputes its gate from x + bias), without a bias gradient: split.
        var serial = new double[Length];
        var serialRegenerated = new double[Length];
        WithDegree(1, () =>
        {
            FusedEpilogue.Backward(dy, mask, [], [], serial, [], Columns, relu, 0.8);
            FusedEpilogue.Backward(dy, x, bias, serialRegenerated, [], Columns, relu, 0.8, Seed, 5);
        });

        var parallel = new double[Length];
        var parallelRegenerated = new double[Length];
        var gradBias = new double[Columns];
        var withBiasGradient = new double[Length];
        WithDegree(4, () =>
        {
            FusedEpilogue.Backward(dy, mask, [], [], parallel, [], Columns, relu, 0.8);
            FusedEpilogue.Backward(dy, x, bias, parallelRegenerated, [], Columns, relu, 0.8, Seed, 5);
            FusedEpilogue.Backward(dy, mask, [], [], withBiasGradient, gradBias, Columns, relu, 0.8);
        });

        FusedEpilogueReference.AssertBitsEqual(serial, parallel, "backward from the mask");
        FusedEpilogueReference.AssertBitsEqual(serial, parallelRegenerated, "backward regenerated");
        FusedEpilogueReference.AssertBitsEqual(serial, serialRegenerated, "backward regenerated, one thread");
        FusedEpilogueReference.AssertBitsEqual(serial, withBiasGradient, "backward with the bias gradient");

        // The bias gradient: column sums in row order.
        var expectedBias = new double[Columns];
        for (int i = 0; i < Length; i++)
        {
            expectedBias[i % Columns] += serial[i];
        }

        FusedEpilogueReference.AssertBitsEqual(expectedBias, gradBias, "bias gradient");
    }

    private static void WithDegree(int degree, Action action)
    {
        int previous = DropoutKernels.MaxDegreeOfParallelism;
        try
        {
            DropoutKernels.MaxDegreeOfParallelism = degree;
            action();
        }
        finally
        {
            DropoutKernels.MaxDegreeOfParallelism = previous;
        }
    }
}
