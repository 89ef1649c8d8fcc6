namespace Dropout.Tests.Runtime;

/// <summary>Issue 8, item 4: a mode scope affects only the code inside it, and a disposed scope does nothing.</summary>
public class ModeScopeTests
{
    [Fact]
    public void DisposingAScopeTwice_DoesNotRestoreAgain()
    {
        var context = new DropoutContext(seed: 1);
        DropoutModeScope inference = context.Inference();
        using (context.MonteCarlo())
        {
            inference.Dispose();
            inference.Dispose();
            Assert.Equal(DropoutMode.MonteCarlo, context.Mode);
        }

        Assert.Equal(DropoutMode.Training, context.Mode);
    }

    [Fact]
    public void DisposingNestedScopesOutOfOrder_EndsEachAndLeavesTheBaseMode()
    {
        var context = new DropoutContext(seed: 1);
        DropoutModeScope outer = context.Inference();
        DropoutModeScope inner = context.MonteCarlo();

        outer.Dispose();
        Assert.Equal(DropoutMode.MonteCarlo, context.Mode);   // the inner scope is still open
        inner.Dispose();
        Assert.Equal(DropoutMode.Training, context.Mode);
    }

    [Fact]
    public void DefaultScope_DisposesWithoutEffect()
    {
        var context = new DropoutContext(seed: 1);
        using (context.Inference())
        {
            default(DropoutModeScope).Dispose();
            Assert.Equal(DropoutMode.Inference, context.Mode);
        }
    }

    [Fact]
    public void AScopeOfOneContext_DoesNotChangeAnother()
    {
        var first = new DropoutContext(seed: 1);
        var second = new DropoutContext(seed: 2);
        using (first.Inference())
        {
            Assert.Equal(DropoutMode.Training, second.Mode);
        }
    }

    [Fact]
    public void SettingModeInsideAScope_LastsUntilTheScopeEnds()
    {
        var context = new DropoutContext(seed: 1);
        using (context.Inference())
        {
            context.Mode = DropoutMode.MonteCarlo;
            Assert.Equal(DropoutMode.MonteCarlo, context.Mode);
        }

        Assert.Equal(DropoutMode.Training, context.Mode);
        context.Mode = DropoutMode.Inference;
        Assert.Equal(DropoutMode.Inference, context.Mode);
    }

    [Fact]
    public void TheSharedContextsBaseMode_CannotBeSet_ButItsScopesWork()
    {
        Assert.Throws<InvalidOperationException>(() => DropoutContext.Shared.Mode = DropoutMode.Inference);
        using (DropoutContext.Shared.Inference())
        {
            Assert.False(DropoutContext.Shared.IsDropoutActive);
        }
    }

    [Fact]
    public void AnUndefinedMode_IsRejected()
    {
        var context = new DropoutContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => context.Enter((DropoutMode)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.Mode = (DropoutMode)(-1));
    }

    [Fact]
    public async Task AScope_FlowsIntoAwaitedCodeAndTasksStartedInside()
    {
        var context = new DropoutContext(seed: 1);
        using (context.Inference())
        {
            await Task.Yield();
            Assert.Equal(DropoutMode.Inference, context.Mode);
            Assert.Equal(DropoutMode.Inference, await Task.Run(() => context.Mode));
        }

        Assert.Equal(DropoutMode.Training, context.Mode);
    }

    // The stress case of the issue: models on DropoutContext.Shared, one thread training while others evaluate in
    // inference scopes. Every training call must see training, every evaluation call inference.
    [Fact]
    public void ManyThreads_TrainingAndEvaluatingOnTheSharedContext_NeverSeeEachOthersMode()
    {
        const int Threads = 16;
        const int CallsPerThread = 5_000;
        var trainingLayer = new DropoutLayer(0.5);
        var evaluationLayer = new DropoutLayer(0.5);
        int wrongTraining = 0, wrongEvaluation = 0;
        using var start = new Barrier(Threads);

        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            bool evaluates = t % 2 == 1;
            threads[t] = new Thread(() =>
            {
                var values = new float[64];
                start.SignalAndWait();
                for (int i = 0; i < CallsPerThread; i++)
                {
                    if (evaluates)
                    {
                        using (DropoutContext.Shared.Inference())
                        {
                            if (DropoutContext.Shared.IsDropoutActive)
                            {
                                Interlocked.Increment(ref wrongEvaluation);
                            }

                            Array.Fill(values, 1f);
                            lock (evaluationLayer)
                            {
                                evaluationLayer.Forward(values);
                            }

                            if (Array.Exists(values, v => v != 1f))
                            {
                                Interlocked.Increment(ref wrongEvaluation);
                            }
                        }
                    }
                    else
                    {
                        if (!DropoutContext.Shared.IsDropoutActive)
                        {
                            Interlocked.Increment(ref wrongTraining);
                        }

                        Array.Fill(values, 1f);
                        lock (trainingLayer)
                        {
                            trainingLayer.Forward(values);
                        }

                        if (Array.TrueForAll(values, v => v == 1f))
                        {
                            Interlocked.Increment(ref wrongTraining);   // 64 elements all kept at p = 0.5 and scaled by 1: inference ran
                        }
                    }
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, wrongTraining);
        Assert.Equal(0, wrongEvaluation);
    }

    [Fact]
    public void ManyThreads_EachWithNestedScopesOnOneContext_AlwaysSeeTheirOwnInnermostScope()
    {
        var context = new DropoutContext(seed: 9);
        int wrong = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            DropoutMode outerMode = (DropoutMode)(i % 3);
            DropoutMode innerMode = (DropoutMode)((i + 1) % 3);
            for (int k = 0; k < 2_000; k++)
            {
                using (context.Enter(outerMode))
                {
                    using (context.Enter(innerMode))
                    {
                        if (context.Mode != innerMode)
                        {
                            Interlocked.Increment(ref wrong);
                        }
                    }

                    if (context.Mode != outerMode)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }

                if (context.Mode != DropoutMode.Training)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }
}
