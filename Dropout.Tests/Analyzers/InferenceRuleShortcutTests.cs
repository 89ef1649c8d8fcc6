using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Rules 6 and 7 skip work for the sake of analyzer cost: rule 6 binds a same-file callee only when its syntax names a mode
/// switch, a kernel or another such method, and rule 7 builds no control-flow graph when every run sits in a plain
/// <c>using (ctx.Inference())</c> block; both judge a method by its symbol before touching its operation blocks. These
/// cases are the ones where a shortcut taken too eagerly would hide a diagnostic: each still gets it.
/// </summary>
public sealed class InferenceRuleShortcutTests
{
    [Fact]
    public Task CalleeCallingAKernelImportedByUsingStatic_IsStillFollowed() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            using static Dropout.DropoutKernels;

            public static class Metrics
            {
                public static float Evaluate(float[] x, ulong seed)
                {
                    {|DRP006:Perturb(x, seed)|};
                    return x.Sum();
                }

                private static void Perturb(float[] x, ulong seed) => Forward(x, x, 0.8, seed, 0);
            }
            """);

    [Fact]
    public Task CalleeCallingAKernelImportedByAGlobalUsingOfAnotherFile_IsStillFollowed()
    {
        // The callee's file never spells DropoutKernels: only the global using of the other file lets it call Forward.
        var test = new CSharpAnalyzerTest<DropoutOnInInferenceAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Imports.cs", "global using static Dropout.DropoutKernels;\n"));
        test.TestState.Sources.Add(("/Metrics.cs", AnalyzerTest.Usings + """
            public static class Metrics
            {
                public static float Evaluate(float[] x, ulong seed)
                {
                    {|DRP006:Perturb(x, seed)|};
                    return x.Sum();
                }

                private static void Perturb(float[] x, ulong seed) => Forward(x, x, 0.8, seed, 0);
            }
            """));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task SwitchThreeCallsDeep_IsFollowedAndFourCallsDeep_IsNot() =>
        AnalyzerTest.VerifyAsync<DropoutOnInInferenceAnalyzer>("""
            public sealed class Network(DropoutContext context, Mlp body)
            {
                public float[] Infer(float[] x)
                {
                    {|DRP006:First(x)|};
                    return x;
                }

                public float[] Evaluate(float[] x)
                {
                    Zeroth(x);
                    return x;
                }

                private void Zeroth(float[] x) => First(x);

                private void First(float[] x) => Second(x);

                private void Second(float[] x) => Third(x);

                private void Third(float[] x)
                {
                    context.Mode = DropoutMode.Training;
                    body.Forward(x);
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task NestedScopeEndingBeforeTheRun_IsReportedInsideAnInferenceBlock() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x)
                {
                    using (model.Context.Inference())
                    {
                        using (model.Context.Inference())
                        {
                            model.Forward(x);
                        }

                        {|DRP007:model.Forward(x)|};
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task ScopeDisposedByHandBeforeTheRun_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x)
                {
                    using (var scope = model.Context.Inference())
                    {
                        scope.Dispose();
                        {|DRP007:model.Forward(x)|};
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task RunInALocalFunctionDeclaredInsideTheScope_IsReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[] x)
                {
                    using (model.Context.Inference())
                    {
                        Run();

                        void Run()
                        {
                            {|DRP007:model.Forward(x)|};
                        }
                    }

                    return x;
                }
            }
            """ + InferenceModels.Mlp);

    [Fact]
    public Task RunsInPlainInferenceBlocks_WithLoopsAndDeclaredScopes_AreNotReported() =>
        AnalyzerTest.VerifyAsync<InferenceWithoutInferenceModeAnalyzer>("""
            public static class Serving
            {
                public static float[] Predict(Mlp model, float[][] batches)
                {
                    using (var scope = model.Context.Inference())
                    {
                        foreach (float[] batch in batches)
                        {
                            model.Forward(batch);
                        }
                    }

                    using (model.Context.Enter(DropoutMode.Inference))
                    {
                        for (int i = 0; i < batches.Length; i++)
                        {
                            if (batches[i].Length > 0)
                            {
                                model.Forward(batches[i]);
                            }
                        }
                    }

                    return batches[0];
                }
            }
            """ + InferenceModels.Mlp);

    // [Inference] applied from another file than the method's (which never spells "Inference"; the model is in a file of
    // its own): a way to tell inference code that looks at the method's own file only would miss all three.
    [Fact]
    public Task InferenceAttributeByAGlobalAliasOfAnotherFile_StillMarksTheMethod() =>
        VerifyFilesAsync<InferenceWithoutInferenceModeAnalyzer>(
            ("/Imports.cs", "global using Served = Dropout.InferenceAttribute;\n"),
            ("/Model.cs", InferenceModels.Mlp),
            ("/Serving.cs", """
                public static class Serving
                {
                    [Served]
                    public static float[] Run(Mlp model, float[] x)
                    {
                        {|DRP007:model.Forward(x)|};
                        return x;
                    }
                }
                """));

    [Fact]
    public Task InferenceAttributeOnAnotherPartOfAPartialClass_StillMarksItsMethods() =>
        VerifyFilesAsync<InferenceWithoutInferenceModeAnalyzer>(
            ("/ServerAttributes.cs", "[Inference]\npublic sealed partial class Server;\n"),
            ("/Model.cs", InferenceModels.Mlp),
            ("/Server.cs", """
                public sealed partial class Server(Mlp model)
                {
                    public float[] Run(float[] x)
                    {
                        {|DRP007:model.Forward(x)|};
                        return x;
                    }
                }
                """));

    [Fact]
    public Task InferenceAttributeOnThePartialDefinitionInAnotherFile_StillMarksTheImplementation() =>
        VerifyFilesAsync<InferenceWithoutInferenceModeAnalyzer>(
            ("/ServerDeclarations.cs", "public sealed partial class Server\n{\n    [Inference]\n    public partial float[] Run(float[] x);\n}\n"),
            ("/Model.cs", InferenceModels.Mlp),
            ("/Server.cs", """
                public sealed partial class Server(Mlp model)
                {
                    public partial float[] Run(float[] x)
                    {
                        {|DRP007:model.Forward(x)|};
                        return x;
                    }
                }
                """));

    // Several files, each with the usings every test source gets (but a file of global usings).
    private static Task VerifyFilesAsync<TAnalyzer>(params (string Path, string Source)[] files)
        where TAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string path, string source) in files)
        {
            // Global usings must come before any other using directive.
            test.TestState.Sources.Add((path, source.StartsWith("global using", StringComparison.Ordinal) ? source : AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }
}
