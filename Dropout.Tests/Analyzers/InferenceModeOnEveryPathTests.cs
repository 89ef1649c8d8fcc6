using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>Issue 9 item 3: DRP007 asks "is the model run inside an inference scope on every path?" on the control-flow graph, not by source order.</summary>
public sealed class InferenceModeOnEveryPathTests
{
    [Fact]
    public Task ScopeEnteredOnlyAfterTheModelRan_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] PredictOne(Mlp model, float[] x)
                {
                    {|DRP007:model.Forward(x)|};
                    using (model.Context.Inference())
                    {
                        model.Forward(x);
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ScopeCoveringOnlyOneBranchOfAnIf_IsReportedOnTheOtherBranch() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, bool fast)
                {
                    if (fast)
                    {
                        {|DRP007:model.Forward(x)|};
                    }
                    else
                    {
                        using (model.Context.Inference())
                        {
                            model.Forward(x);
                        }
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task RunAfterTheScopeEnded_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Evaluate(Mlp model, float[] x, float[] y)
                {
                    using (model.Context.Inference())
                    {
                        model.Forward(x);
                    }

                    {|DRP007:model.Forward(y)|};
                    return y;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ModeSetOnOnlyOnePathBeforeTheJoin_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, bool reset)
                {
                    if (reset)
                    {
                        model.Context.Mode = DropoutMode.Inference;
                    }

                    {|DRP007:model.Forward(x)|};
                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ModeSetOnBothBranchesBeforeTheRun_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, bool sample)
                {
                    if (sample)
                    {
                        model.Context.Mode = DropoutMode.MonteCarlo;
                    }
                    else
                    {
                        model.Context.Mode = DropoutMode.Inference;
                    }

                    model.Forward(x);
                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task UsingDeclarationCoveringTheRestOfTheMethod_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, bool twice)
                {
                    using var scope = model.Context.Inference();
                    model.Forward(x);
                    if (twice)
                    {
                        model.Forward(x);
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task RunInALoopInsideTheScope_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static void Predict(Mlp model, float[][] batch)
                {
                    using (model.Context.Inference())
                    {
                        foreach (float[] x in batch)
                        {
                            model.Forward(x);
                        }
                    }
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task EarlyReturnBeforeTheScope_LeavesNoUncoveredRun_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x)
                {
                    if (x.Length == 0)
                    {
                        return x;
                    }

                    using (model.Context.Inference())
                    {
                        model.Forward(x);
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);
}

/// <summary>Issue 9 item 3: DRP008 counts the forwards on each path of the control-flow graph, not in source order.</summary>
public sealed class BackwardMaskOnEveryPathTests
{
    [Fact]
    public Task ForwardsOnExclusiveBranches_FollowedByBackwards_AreNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(DropoutLayer shared, float[] left, float[] right, float[] gradient, bool useLeft)
                {
                    if (useLeft)
                    {
                        shared.Forward(left);
                    }
                    else
                    {
                        shared.Forward(right);
                    }

                    shared.Backward(gradient);
                    shared.Backward(gradient);
                }
            }
            """);

    [Fact]
    public Task SecondForwardOnOneBranch_ReportsTheSecondBackward() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(DropoutLayer shared, float[] left, float[] right, float[] gradient, bool both)
                {
                    shared.Forward(left);
                    if (both)
                    {
                        shared.Forward(right);
                    }

                    shared.Backward(gradient);
                    {|DRP008:shared.Backward(gradient)|};
                }
            }
            """);

    [Fact]
    public Task EarlyReturnAfterTheFirstForward_LeavesOneForwardOnThePathThatContinues_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public static class Step
            {
                public static void Run(DropoutLayer shared, float[] left, float[] right, float[] gradient, bool onlyLeft)
                {
                    if (onlyLeft)
                    {
                        shared.Forward(left);
                        shared.Backward(gradient);
                        return;
                    }

                    shared.Forward(right);
                    shared.Backward(gradient);
                    shared.Backward(gradient);
                }
            }
            """);
}

/// <summary>Issue 9 item 3: DRP006 reports a switch to training only when some path of the control-flow graph runs the model while it is in force.</summary>
public sealed class DropoutOnInInferenceOnSomePathTests
{
    [Fact]
    public Task TrainingScopeThatEndsBeforeTheRun_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, float[] calibration)
                {
                    using (model.Context.Training())
                    {
                        Array.Clear(calibration);
                    }

                    using (model.Context.Inference())
                    {
                        model.Forward(x);
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task TrainingSwitchOnOneBranch_ReachingTheRun_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x, bool noisy)
                {
                    if (noisy)
                    {
                        {|DRP006:model.Context.Mode = DropoutMode.Training|};
                    }

                    model.Forward(x);
                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task TrainingSwitchFollowedByInferenceOnEveryPath_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x)
                {
                    model.Context.Mode = DropoutMode.Training;
                    model.Context.Mode = DropoutMode.Inference;
                    model.Forward(x);
                    return x;
                }
            }
            """ + InferenceModels.Mlp);
}
