using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class MaskReusedAcrossIterationsTests
{
    [Fact]
    public Task MaskDrawnBeforeEpochLoop_AppliedInside_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, double keepProbability, Random rng)
                {
                    var dropoutMask = new float[batches[0].Length];
                    for (int i = 0; i < dropoutMask.Length; i++)
                        dropoutMask[i] = rng.NextDouble() < keepProbability ? (float)(1 / keepProbability) : 0f;

                    for (int epoch = 0; epoch < 10; epoch++)
                    {
                        foreach (float[] h in batches)
                        {
                            for (int i = 0; i < h.Length; i++)
                                h[i] *= {|DRP010:dropoutMask[i]|};
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MaskFieldDrawnInConstructor_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly float[] _mask;
                private readonly double _keep;

                public HiddenLayer(int width, double keep, int seed)
                {
                    _keep = keep;
                    var rng = new Random(seed);
                    _mask = new float[width];
                    for (int i = 0; i < width; i++)
                        _mask[i] = {|DRP010:rng.NextDouble() < keep|} ? (float)(1 / keep) : 0f;
                }

                public void Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] *= _mask[i];
                }
            }
            """);

    [Fact]
    public Task KernelForwardInLoop_WithFixedSeedAndOffset_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, ulong seed)
                {
                    foreach (float[] x in batches)
                        {|DRP010:DropoutKernels.Forward(x, x, 0.8, seed, 0)|};
                }

                public static void Masks(byte[] mask, ulong seed, ulong offset, int steps)
                {
                    int step = 0;
                    while (step++ < steps)
                        {|DRP010:DropoutKernels.FillMask(mask, 64, 0.5, seed, offset)|};
                }
            }
            """);

    [Fact]
    public Task MaskRedrawnInsideEpochLoop_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, double keepProbability, Random rng)
                {
                    var dropoutMask = new float[batches[0].Length];
                    for (int epoch = 0; epoch < 10; epoch++)
                    {
                        foreach (float[] h in batches)
                        {
                            for (int i = 0; i < dropoutMask.Length; i++)
                                dropoutMask[i] = rng.NextDouble() < keepProbability ? (float)(1 / keepProbability) : 0f;
                            for (int i = 0; i < h.Length; i++)
                                h[i] *= dropoutMask[i];
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDrawnAndAppliedInOneElementLoop_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class HiddenLayer(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                private readonly float[] _mask = new float[32];

                public void Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        _mask[i] = _rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        h[i] *= _mask[i];
                    }

                    for (int i = 0; i < h.Length; i++) h[i] += _mask[i];
                }
            }
            """);

    [Fact]
    public Task KernelForwardInLoop_WithFreshOffsets_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, DropoutStream stream)
                {
                    foreach (float[] x in batches)
                        DropoutKernels.Forward(x, x, 0.8, stream.Key, stream.Reserve(x.Length));
                }

                public static void Chunks(float[] x, ulong seed, int chunk)
                {
                    ulong offset = 0;
                    for (int start = 0; start < x.Length; start += chunk)
                    {
                        DropoutKernels.Forward(x.AsSpan(start, chunk), x.AsSpan(start, chunk), 0.8, seed, offset);
                        offset += (ulong)chunk;
                    }
                }

                public static void Backwards(float[][] gradients, ulong seed)
                {
                    foreach (float[] g in gradients)
                        DropoutKernels.Backward(g, g, 0.8, seed, 0);
                }
            }
            """);

    [Fact]
    public Task LockedDropoutAcrossTimeSteps_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Recurrent
            {
                // Variational dropout (Gal and Ghahramani): one mask per sequence, shared by its time steps on purpose.
                public static void LockedDropout(float[][] sequence, double keepProbability, Random rng)
                {
                    var mask = new float[sequence[0].Length];
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = rng.NextDouble() < keepProbability ? (float)(1 / keepProbability) : 0f;

                    for (int t = 0; t < sequence.Length; t++)
                        for (int i = 0; i < mask.Length; i++)
                            sequence[t][i] *= mask[i];
                }
            }
            """);

    // Cases that the order of the source gets wrong and the control-flow graph gets right.

    [Fact]
    public Task MaskDrawnOnlyInTheFirstEpochsBranch_AppliedInEveryEpoch_IsReported() =>
        // The draw is inside the loop, but only the first iteration's path runs it.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[] h, float[] mask, double keep, Random rng, int epochs)
                {
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        if (epoch == 0)
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        }

                        for (int i = 0; i < h.Length; i++)
                            h[i] *= {|DRP010:mask[i]|};
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDrawnInOneBranch_AppliedInTheOther_IsReported() =>
        // The branch that draws also applies; the other branch applies the mask an earlier iteration drew.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class Layer
            {
                private readonly float[] _mask = new float[64];
                private readonly Random _rng = new(7);

                public void Fit(float[][] batches, double keep, int resampleEvery)
                {
                    int step = 0;
                    foreach (float[] batch in batches)
                    {
                        if (step++ % resampleEvery == 0)
                        {
                            for (int i = 0; i < _mask.Length; i++)
                                _mask[i] = _rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                            for (int i = 0; i < batch.Length; i++)
                                batch[i] *= _mask[i];
                        }
                        else
                        {
                            for (int i = 0; i < batch.Length; i++)
                                batch[i] *= {|DRP010:_mask[i]|};
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MaskRedrawnAfterTheUse_OnlyOnSomeIterations_IsReported() =>
        // Redrawn at the end of every tenth epoch: the nine epochs between apply the same mask.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[] h, float[] mask, double keep, Random rng, int epochs)
                {
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        for (int i = 0; i < h.Length; i++)
                            h[i] *= {|DRP010:mask[i]|};

                        if (epoch % 10 == 9)
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDrawnBelowTheLoopInSource_ReachedFirstThroughGoto_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, float[] mask, double keep, Random rng)
                {
                    goto draw;

                train:
                    for (int epoch = 0; epoch < 10; epoch++)
                        foreach (float[] h in batches)
                            for (int i = 0; i < h.Length; i++)
                                h[i] *= {|DRP010:mask[i]|};
                    return;

                draw:
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                    goto train;
                }
            }
            """);

    [Fact]
    public Task MaskRedrawnOnEveryPathOfTheBody_IsNotReported() =>
        // Both branches draw (two shapes of the same draw) before the use: each batch gets its own mask.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, float[] mask, double keep, Random rng, bool exact)
                {
                    foreach (float[] batch in batches)
                    {
                        if (exact)
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        }
                        else
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.Next(1000) < keep * 1000 ? (float)(1 / keep) : 0f;
                        }

                        for (int i = 0; i < batch.Length; i++)
                            batch[i] *= mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDrawnAtTheEndOfEachIterationForTheNext_IsNotReported() =>
        // The draw comes after the use in the source, but on every path it runs between two uses: each epoch applies the
        // mask the previous epoch drew for it (the first, the one drawn before the loop).
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[] h, double keep, Random rng, int epochs)
                {
                    var mask = new float[h.Length];
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;

                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        for (int i = 0; i < h.Length; i++)
                            h[i] *= mask[i];

                        for (int i = 0; i < mask.Length; i++)
                            mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDrawnAboveTheUseInAWhileLoop_WithAnEarlyContinue_IsNotReported() =>
        // The batch that skips the use also skips the draw; no path applies an older mask.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, float[] mask, double keep, Random rng)
                {
                    int batch = 0;
                    while (batch < batches.Length)
                    {
                        float[] h = batches[batch++];
                        if (h.Length == 0)
                            continue;

                        for (int i = 0; i < h.Length; i++)
                            mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        for (int i = 0; i < h.Length; i++)
                            h[i] *= mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task LockedDropoutMaskDrawnPerSequence_InsideTheEpochLoop_IsNotReported() =>
        // Variational dropout inside training: one mask per sequence, shared by its time steps, new for each sequence.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Recurrent
            {
                public static void Train(float[][][] sequences, double keep, Random rng, int epochs)
                {
                    var mask = new float[sequences[0][0].Length];
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        foreach (float[][] sequence in sequences)
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;

                            for (int t = 0; t < sequence.Length; t++)
                                for (int i = 0; i < mask.Length; i++)
                                    sequence[t][i] *= mask[i];
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MaskDeclaredAnewInEachBatch_DrawnOnlyOnSomePaths_IsNotReported() =>
        // Each batch declares a new array: a batch that skips the draw applies zeros, never another batch's mask.
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, double keep, Random rng, Func<int, bool> regularize)
                {
                    for (int batch = 0; batch < batches.Length; batch++)
                    {
                        float[] h = batches[batch];
                        float[] mask = new float[h.Length];
                        if (regularize(batch))
                        {
                            for (int i = 0; i < mask.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                        }

                        for (int i = 0; i < h.Length; i++)
                            h[i] *= mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task TrainingLoopInALocalFunction_ReusingTheMaskDrawnAround_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static void Train(float[][] batches, double keep, Random rng)
                {
                    var mask = new float[batches[0].Length];
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;

                    RunEpochs(10);

                    void RunEpochs(int epochs)
                    {
                        for (int epoch = 0; epoch < epochs; epoch++)
                            foreach (float[] h in batches)
                                for (int i = 0; i < h.Length; i++)
                                    h[i] *= {|DRP010:mask[i]|};
                    }
                }
            }
            """);

    [Fact]
    public Task TrainingLoopInALambda_DrawingInEachBatch_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static Action Epoch(float[][] batches, double keep, Random rng)
                {
                    var mask = new float[batches[0].Length];
                    return () =>
                    {
                        foreach (float[] h in batches)
                        {
                            for (int i = 0; i < h.Length; i++)
                                mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                            for (int i = 0; i < h.Length; i++)
                                h[i] *= mask[i];
                        }
                    };
                }
            }
            """);

    [Fact]
    public Task TrainingLoopInALambda_ReusingTheMaskDrawnBeforeIt_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public static class Trainer
            {
                public static Action Epoch(float[][] batches, double keep, Random rng)
                {
                    var mask = new float[batches[0].Length];
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                    return () =>
                    {
                        foreach (float[] h in batches)
                            for (int i = 0; i < h.Length; i++)
                                h[i] *= {|DRP010:mask[i]|};
                    };
                }
            }
            """);
}
