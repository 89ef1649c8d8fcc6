using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers;

/// <summary>A small model with a dropout layer, shared by the inference-mode tests.</summary>
internal static class InferenceModels
{
    public const string Mlp = """

        public sealed class Mlp
        {
            private readonly DropoutLayer _dropout;

            public Mlp(DropoutContext context)
            {
                Context = context;
                _dropout = new DropoutLayer(0.5, context);
            }

            public DropoutContext Context { get; }

            public void Forward(float[] x) => _dropout.Forward(x);

            public float[] Predict(float[] x)
            {
                using (Context.Inference())
                {
                    Forward(x);
                }

                return x;
            }
        }

        public sealed class LinearRegression
        {
            public float Forward(float x) => 2 * x;
        }
        """;
}

public sealed class DropoutOnInInferenceTests
{
    [Fact]
    public Task TrainingScope_InInferenceMethod_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                [Inference]
                public static void Serve(DropoutLayer layer, DropoutContext context, float[] x)
                {
                    using ({|DRP006:context.Training()|})
                    {
                        layer.Forward(x);
                    }
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ModeSetToTraining_InPredict_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                public static float[] PredictBatch(Mlp model, float[] x)
                {
                    {|DRP006:model.Context.Mode = DropoutMode.Training|};
                    model.Forward(x);
                    return x;
                }

                public static void EvaluateAll(Mlp model, float[] x)
                {
                    using ({|DRP006:model.Context.Enter(DropoutMode.Training)|})
                    {
                        model.Forward(x);
                    }
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task UnguardedKernelForward_InEvaluate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Metrics
            {
                public static float Evaluate(float[] x, ulong seed)
                {
                    {|DRP006:DropoutKernels.Forward(x, x, 0.8, seed, 0)|};
                    return x.Sum();
                }
            }
            """);

    [Fact]
    public Task CallIntoLocalMethodThatForcesDropout_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public sealed class Network(DropoutContext context, Mlp body)
            {
                public float[] Infer(float[] x)
                {
                    {|DRP006:RunStochastic(x)|};
                    return x;
                }

                private void RunStochastic(float[] x)
                {
                    context.Mode = DropoutMode.Training;
                    body.Forward(x);
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ConfiguredInferenceNames_ReplaceTheDefaults() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>(
            """
            public static class Serving
            {
                public static void ScoreBatch(Mlp model, float[] x)
                {
                    {|DRP006:model.Context.Mode = DropoutMode.Training|};
                    model.Forward(x);
                }

                public static void PredictBatch(Mlp model, float[] x)
                {
                    model.Context.Mode = DropoutMode.Training;
                    model.Forward(x);
                }
            }
            """ + InferenceModels.Mlp,
            editorConfig: "dropout_toolkit.inference_method_names = Score, Serve");

    [Fact]
    public Task InferenceAttributeOnClass_MarksEveryMethod() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            [Inference]
            public sealed class Server(Mlp model)
            {
                public void Handle(float[] x)
                {
                    using ({|DRP006:model.Context.Training()|})
                    {
                        model.Forward(x);
                    }
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task MonteCarloOptIn_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Uncertainty
            {
                [MonteCarloDropout]
                public static void PredictWithUncertainty(Mlp model, float[] x)
                {
                    using (model.Context.Training())
                    {
                        model.Forward(x);
                    }
                }

                public static void PredictSamples(Mlp model, float[] x)
                {
                    using (model.Context.MonteCarlo())
                    {
                        model.Forward(x);
                    }
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task RestoringTrainingModeAfterInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Validation
            {
                public static float Validate(Mlp model, float[] x)
                {
                    model.Context.Mode = DropoutMode.Inference;
                    model.Forward(x);
                    model.Context.Mode = DropoutMode.Training;
                    return x.Sum();
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task TrainingCodeAndUnitTests_AreNotInferenceCode() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public sealed class FactAttribute : Attribute { }

            public static class Trainer
            {
                public static void TrainEpoch(Mlp model, float[] x)
                {
                    using (model.Context.Training()) { model.Forward(x); }
                }

                [Fact]
                public static void Test_TrainingModeDropsUnits()
                {
                    var model = new Mlp(new DropoutContext(1));
                    model.Context.Mode = DropoutMode.Training;
                    model.Forward(new float[8]);
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task KernelForwardGuardedByMode_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public static class Serving
            {
                public static void Predict(DropoutContext context, float[] x, ulong seed)
                {
                    if (context.IsDropoutActive)
                    {
                        DropoutKernels.Forward(x, x, 0.8, seed, 0);
                    }
                }
            }
            """);
}

public sealed class InferenceWithoutInferenceModeTests
{
    [Fact]
    public Task PredictOnModelWithDropoutLayer_WithoutScope_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] PredictOne(Mlp model, float[] x)
                {
                    {|DRP007:model.Forward(x)|};
                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task InferenceAttribute_OnLayerCall_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                [Inference]
                public static void Serve(DropoutLayer layer, float[] x) => {|DRP007:layer.Forward(x)|};
            }
            """);

    [Fact]
    public Task ImplicitThisCall_InModelsOwnEvaluate_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            [Dropout(0.5)]
            public sealed partial class Hidden { }

            public sealed class Classifier
            {
                private readonly Hidden _hidden = new();

                public void Forward(float[] x) { }

                public float EvaluateAccuracy(float[][] batch)
                {
                    float correct = 0;
                    foreach (float[] x in batch)
                    {
                        {|DRP007:Forward(x)|};
                        correct += x[0];
                    }

                    return correct / batch.Length;
                }
            }
            """);

    [Fact]
    public Task InferenceScopeOrModeSwitch_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static void PredictScoped(Mlp model, float[] x)
                {
                    using (model.Context.Inference())
                    {
                        model.Forward(x);
                    }
                }

                public static void PredictWithMode(Mlp model, float[] x)
                {
                    model.Context.Mode = DropoutMode.Inference;
                    model.Forward(x);
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ModeChosenPerCallByArgument_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public sealed class Net
            {
                private readonly DropoutLayer _dropout = new(0.5);

                public void Forward(float[] x, bool training)
                {
                    if (training) _dropout.Forward(x);
                }

                public float[] Predict(float[] x)
                {
                    Forward(x, training: false);
                    return x;
                }
            }
            """);

    [Fact]
    public Task ModelWithoutDropout_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float Predict(LinearRegression model, float x) => model.Forward(x);
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task CallToModelsOwnPredict_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Metrics
            {
                public static float Evaluate(Mlp model, float[][] batch) => batch.Sum(x => model.Predict(x)[0]);
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task TrainingMethodsAndMonteCarlo_AreNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Trainer
            {
                public static void TrainStep(Mlp model, float[] x) => model.Forward(x);

                [MonteCarloDropout]
                public static void PredictSample(Mlp model, float[] x) => model.Forward(x);
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task Fix_OpensUsingDeclarationScopeBeforeTheFirstRun() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public static class Serving
            {
                public static float PredictOne(Mlp model, float[] x)
                {
                    var input = (float[])x.Clone();
                    // run the model
                    {|DRP007:model.Forward(input)|};
                    float score = input.Sum();
                    return score;
                }
            }
            """ + InferenceModels.Mlp,
            """
            public static class Serving
            {
                public static float PredictOne(Mlp model, float[] x)
                {
                    var input = (float[])x.Clone();
                    // run the model
                    using var inferenceScope = model.Context.Inference();
                    model.Forward(input);
                    float score = input.Sum();
                    return score;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task Fix_UsesLayerContextAndTypesContextField() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public sealed class Service(DropoutLayer layer)
            {
                [Inference]
                public void Serve(float[] x)
                {
                    {|DRP007:layer.Forward(x)|};
                }
            }
            """,
            """
            public sealed class Service(DropoutLayer layer)
            {
                [Inference]
                public void Serve(float[] x)
                {
                    using var inferenceScope = layer.Context.Inference();
                    layer.Forward(x);
                }
            }
            """);

    // Issue 8 item 9: the fix must not move a variable out of the scope of the code that uses it.
    [Fact]
    public Task Fix_PatternVariableOfAnIf_OpensTheScopeInsideTheIf() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public static class Serving
            {
                [Inference]
                public static void Serve(object layer, float[] x)
                {
                    if (layer is DropoutLayer d) {|DRP007:d.Forward(x)|};
                    Console.WriteLine(x[0]);
                }
            }
            """,
            """
            public static class Serving
            {
                [Inference]
                public static void Serve(object layer, float[] x)
                {
                    if (layer is DropoutLayer d)
                    {
                        using var inferenceScope = d.Context.Inference();
                        d.Forward(x);
                    }
                    Console.WriteLine(x[0]);
                }
            }
            """);

    [Fact]
    public Task Fix_VariableOfAUsingStatement_OpensTheScopeInsideIt() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public sealed class Owned(DropoutLayer layer) : IDisposable
            {
                public DropoutLayer Layer { get; } = layer;
                public void Dispose() { }
            }

            public static class Serving
            {
                [Inference]
                public static void Serve(Owned owned, float[] x)
                {
                    using (var m = owned)
                    {
                        {|DRP007:m.Layer.Forward(x)|};
                        m.Layer.Forward(x);
                    }
                }
            }
            """,
            """
            public sealed class Owned(DropoutLayer layer) : IDisposable
            {
                public DropoutLayer Layer { get; } = layer;
                public void Dispose() { }
            }

            public static class Serving
            {
                [Inference]
                public static void Serve(Owned owned, float[] x)
                {
                    using (var m = owned)
                    {
                        using var inferenceScope = m.Layer.Context.Inference();
                        m.Layer.Forward(x);
                        m.Layer.Forward(x);
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_ForeachVariable_OpensTheScopeInsideTheLoop() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public static class Serving
            {
                [Inference]
                public static void Serve(DropoutLayer[] layers, float[] x)
                {
                    foreach (var layer in layers)
                        {|DRP007:layer.Forward(x)|};
                }
            }
            """,
            """
            public static class Serving
            {
                [Inference]
                public static void Serve(DropoutLayer[] layers, float[] x)
                {
                    foreach (var layer in layers)
                    {
                        using var inferenceScope = layer.Context.Inference();
                        layer.Forward(x);
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_DeclarationsAndLocalFunctionsUsedLater_StayInScope() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public static class Serving
            {
                public static float PredictTwice(Mlp model, float[] x)
                {
                    float total = Score();
                    {|DRP007:model.Forward(x)|};
                    float first = x[0];
                    total += Score() + first;
                    return total;

                    float Score() => x.Sum();
                }
            }
            """ + InferenceModels.Mlp,
            """
            public static class Serving
            {
                public static float PredictTwice(Mlp model, float[] x)
                {
                    float total = Score();
                    using var inferenceScope = model.Context.Inference();
                    model.Forward(x);
                    float first = x[0];
                    total += Score() + first;
                    return total;

                    float Score() => x.Sum();
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task Fix_VerbatimIdentifier_KeepsItsAt() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public sealed class Pair(DropoutLayer first, DropoutLayer second)
            {
                public void Forward(float[] x) { first.Forward(x); second.Forward(x); }
            }

            public static class Serving
            {
                public static void Predict(Pair @class, DropoutContext @checked, float[] x)
                {
                    {|DRP007:@class.Forward(x)|};
                }
            }
            """,
            """
            public sealed class Pair(DropoutLayer first, DropoutLayer second)
            {
                public void Forward(float[] x) { first.Forward(x); second.Forward(x); }
            }

            public static class Serving
            {
                public static void Predict(Pair @class, DropoutContext @checked, float[] x)
                {
                    using var inferenceScope = @checked.Inference();
                    @class.Forward(x);
                }
            }
            """);

    [Fact]
    public Task Fix_ScopeNameAlreadyTaken_PicksAnotherName() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public static class Serving
            {
                public static float PredictOne(Mlp @model, float[] x)
                {
                    {|DRP007:@model.Forward(x)|};
                    int inferenceScope = 1;
                    return x[0] + inferenceScope;
                }
            }
            """ + InferenceModels.Mlp,
            """
            public static class Serving
            {
                public static float PredictOne(Mlp @model, float[] x)
                {
                    using var inferenceScope2 = @model.Context.Inference();
                    @model.Forward(x);
                    int inferenceScope = 1;
                    return x[0] + inferenceScope;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task Fix_BeforeCSharp8_WrapsTheRestOfTheBlock()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpCodeFixTest<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = AnalyzerTest.Usings + """
                public static class Serving
                {
                    [Inference]
                    public static float Serve(DropoutLayer layer, float[] x)
                    {
                        {|DRP007:layer.Forward(x)|};
                        float first = x[0];
                        return first;
                    }
                }
                """,
            FixedCode = AnalyzerTest.Usings + """
                public static class Serving
                {
                    [Inference]
                    public static float Serve(DropoutLayer layer, float[] x)
                    {
                        using (layer.Context.Inference())
                        {
                            layer.Forward(x);
                            float first = x[0];
                            return first;
                        }
                    }
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectParseOptions(
            projectId, new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3)));
        test.TestState.ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_BeforeCSharp8_IsNotOfferedWhenALocalFunctionWouldLeaveItsCallers()
    {
        const string source = AnalyzerTest.Usings + """
            public static class Serving
            {
                [Inference]
                public static float Serve(DropoutLayer layer, float[] x)
                {
                    float before = First();
                    {|DRP007:layer.Forward(x)|};
                    return before + First();

                    float First() { return x[0]; }
                }
            }
            """;
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpCodeFixTest<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = source,
            FixedCode = source,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectParseOptions(
            projectId, new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3)));
        test.TestState.ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_LoopVariableShadowingAField_IsPlacedWhereTheNameMeansTheVariable() =>
        AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(
            """
            public sealed class Server(DropoutLayer fallback)
            {
                private readonly DropoutLayer layer = fallback;

                [Inference]
                public void Serve(object candidate, float[] x)
                {
                    _ = candidate;
                    foreach (DropoutLayer layer in (DropoutLayer[])candidate)
                    {
                        {|DRP007:layer.Forward(x)|};
                    }
                }
            }
            """,
            """
            public sealed class Server(DropoutLayer fallback)
            {
                private readonly DropoutLayer layer = fallback;

                [Inference]
                public void Serve(object candidate, float[] x)
                {
                    _ = candidate;
                    foreach (DropoutLayer layer in (DropoutLayer[])candidate)
                    {
                        using var inferenceScope = layer.Context.Inference();
                        layer.Forward(x);
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_IsNotOfferedWhenTheContextIsNotCertain()
    {
        const string source = """
            public sealed class Ensemble(DropoutLayer first, DropoutLayer second)
            {
                public void Forward(float[] x) { first.Forward(x); second.Forward(x); }
            }

            public static class Serving
            {
                public static void PredictBoth(Ensemble model, DropoutContext a, DropoutContext b, float[] x)
                {
                    {|DRP007:model.Forward(x)|};
                }
            }
            """;
        return AnalyzerTest.VerifyFixAsync<InferenceWithoutInferenceModeAnalyzer, InferenceWithoutInferenceModeCodeFixProvider>(source, source);
    }
}
