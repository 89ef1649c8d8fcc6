namespace Dropout.Tests.Runtime;

/// <summary>
/// Randomized differential tests of the multi-threaded kernels (issue 8, item 1): every length past the parallel
/// threshold, with every degree from 1 to 64, must give exactly what one thread gives and what docs/masks.md defines,
/// writing every element and mask bit of the call and nothing outside it.
/// </summary>
[Collection(KernelParallelismCollection.Name)]
public class ParallelKernelTests
{
    private const float Guard = -12345.5f;
    private const byte MaskGuard = 0xA5;
    private const int GuardLength = 37;

    // The issue's repro: two threads, n = 2^20 + 1 (n / 2 is a multiple of 2,048), so the old chunking lost the last element.
    [Fact]
    public void Forward_OnTwoThreads_WritesTheLastElement_Issue8()
    {
        int length = (1 << 20) + 1;
        float[] input = MaskDefinitionReference.RandomInput(length, 81);
        float[] output = new float[length];
        Array.Fill(output, Guard);
        var mask = new byte[MaskLayout.MaskByteCount(length)];

        using (DegreeOfParallelism(2))
        {
            DropoutKernels.Forward(input, output, mask, 0.5, 1, 0);
        }

        bool kept = MaskDefinitionReference.IsKept(0.5, 1, (ulong)(length - 1));
        Assert.Equal(kept ? input[length - 1] * 2f : 0f, output[length - 1]);
        Assert.Equal(kept ? 1 : 0, mask[^1] & 1);
    }

    [Fact]
    public void ChunkLength_CoversEveryElement_ForEveryLengthAndDegree()
    {
        var random = new System.Random(82);
        var lengths = new List<int> { DropoutKernels.ParallelThreshold, (1 << 20) + 1, (1 << 21) + 3, int.MaxValue, int.MaxValue - 2047 };
        for (int i = 0; i < 2_000; i++)
        {
            lengths.Add(random.Next(DropoutKernels.ParallelThreshold, int.MaxValue));
        }

        foreach (int length in lengths)
        {
            for (int degree = 2; degree <= 64; degree++)
            {
                int chunk = DropoutKernels.ParallelChunkLength(length, degree);
                Assert.True(chunk % 2048 == 0 && chunk > 0, $"n = {length}, degree {degree}: chunk {chunk}");
                Assert.True((long)chunk * degree >= length, $"n = {length}, degree {degree}: {degree} chunks of {chunk} miss elements");
            }
        }
    }

    [Fact]
    public void Forward_AnyDegree1To64_MatchesOneThreadAndTheDefinition_WithGuardsUntouched()
    {
        var random = new System.Random(83);
        int maxLength = (1 << 22) + 4096;
        float[] input = MaskDefinitionReference.RandomInput(maxLength, 84);
        float[] serialOutput = new float[maxLength];
        byte[] serialMask = new byte[MaskLayout.MaskByteCount(maxLength)];
        float[] output = new float[maxLength + (2 * GuardLength)];
        byte[] mask = new byte[MaskLayout.MaskByteCount(maxLength) + (2 * GuardLength)];

        for (int degree = 1; degree <= 64; degree++)
        {
            // A length whose per-thread share is a whole number of chunks with a remainder (the old bug), and a random one.
            int evenShare = degree * 2048 * (int)Math.Ceiling(DropoutKernels.ParallelThreshold / (degree * 2048.0));
            int[] lengths = [evenShare + Math.Max(1, degree - 1), random.Next(DropoutKernels.ParallelThreshold, maxLength)];
            foreach (int length in lengths)
            {
                double p = random.Next(3) switch { 0 => 0.5, 1 => 0.8, _ => 1e-3 };
                ulong seed = (ulong)random.NextInt64();
                ulong offset = (ulong)random.Next(4) * 2048 + (ulong)random.Next(2) * (ulong)random.Next(1, 5000);

                using (DegreeOfParallelism(1))
                {
                    DropoutKernels.Forward(input.AsSpan(0, length), serialOutput.AsSpan(0, length), serialMask, p, seed, offset);
                }

                Array.Fill(output, Guard);
                Array.Fill(mask, MaskGuard);
                using (DegreeOfParallelism(degree))
                {
                    DropoutKernels.Forward(input.AsSpan(0, length), output.AsSpan(GuardLength, length), mask.AsSpan(GuardLength, MaskLayout.MaskByteCount(length)), p, seed, offset);
                }

                string context = $"degree {degree}, n = {length}, p = {p}, seed {seed}, offset {offset}";
                Assert.True(serialOutput.AsSpan(0, length).SequenceEqual(output.AsSpan(GuardLength, length)), context);
                Assert.True(serialMask.AsSpan(0, MaskLayout.MaskByteCount(length)).SequenceEqual(mask.AsSpan(GuardLength, MaskLayout.MaskByteCount(length))), context);
                AssertGuards(output, mask, length, context);
                AssertMatchesDefinitionNearTheEnd(input, output.AsSpan(GuardLength, length), length, p, seed, offset, context);
            }
        }
    }

    [Fact]
    public void BackwardByRegeneration_AnyDegree_MatchesOneThread()
    {
        int length = (3 << 20) + 5;
        double[] gradient = MaskDefinitionReference.RandomInputDouble(length, 85);
        var serial = new double[length];
        var parallel = new double[length];
        using (DegreeOfParallelism(1))
        {
            DropoutKernels.Backward(gradient, serial, 0.8, 9, 4096);
        }

        foreach (int degree in new[] { 2, 3, 5, 7, 64 })
        {
            Array.Clear(parallel);
            using (DegreeOfParallelism(degree))
            {
                DropoutKernels.Backward(gradient, parallel, 0.8, 9, 4096);
            }

            Assert.Equal(serial, parallel);
        }
    }

    private static void AssertGuards(float[] output, byte[] mask, int length, string context)
    {
        for (int i = 0; i < GuardLength; i++)
        {
            Assert.True(output[i] == Guard && output[GuardLength + length + i] == Guard, $"{context}: output guard {i} overwritten");
        }

        int maskBytes = MaskLayout.MaskByteCount(length);
        for (int i = 0; i < GuardLength; i++)
        {
            Assert.True(mask[i] == MaskGuard && mask[GuardLength + maskBytes + i] == MaskGuard, $"{context}: mask guard {i} overwritten");
        }
    }

    // The whole span is checked against one thread above; the definition is checked (element by element, in the
    // independent transcription) on the last elements, where the chunking bug lived.
    private static void AssertMatchesDefinitionNearTheEnd(float[] input, ReadOnlySpan<float> output, int length, double p, ulong seed, ulong offset, string context)
    {
        int start = Math.Max(0, length - 300);
        float[] tail = input[start..length];
        float[] expected = MaskDefinitionReference.Forward(tail, p, seed, offset + (ulong)start);
        Assert.True(expected.AsSpan().SequenceEqual(output[start..length]), context);
    }

    private static RestoreDegree DegreeOfParallelism(int degree)
    {
        var restore = new RestoreDegree(DropoutKernels.MaxDegreeOfParallelism);
        DropoutKernels.MaxDegreeOfParallelism = degree;
        return restore;
    }

    private readonly struct RestoreDegree(int previous) : IDisposable
    {
        public void Dispose() => DropoutKernels.MaxDegreeOfParallelism = previous;
    }
}

/// <summary>Tests that set the process-wide <see cref="DropoutKernels.MaxDegreeOfParallelism"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelParallelismCollection
{
    public const string Name = "Kernel degree of parallelism";
}
