using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP014 for dropout in a private helper that several public forwards of a type share (a residual branch, a per-element
/// drop): the helper has no layer name and more than one caller, yet every call is a plain call from a public forward
/// that takes no flag, so whatever the type returns is dropped at inference too. Twins: a flag that reaches the helper,
/// a caller that picks the helper under a condition, and a training-only caller.
/// </summary>
public sealed class SharedDropoutHelperInferencePathTests
{
    [Fact]
    public Task ResidualBranchHelperSharedByTwoForwards_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class SkipBlock
            {
                private static readonly Random Rng = new Random(7);
                private readonly double rate;
                private readonly double[] w;

                public SkipBlock(double rate, int n) { this.rate = rate; w = new double[n]; }

                public double[] Encode(double[] x) => AddBranch(x, x.Select((v, i) => v * w[i]).ToArray());

                public double[] Decode(double[] x, double[] memory) => AddBranch(x, x.Select((v, i) => v * memory[i]).ToArray());

                private double[] AddBranch(double[] input, double[] branch)
                {
                    var kept = branch.Select(v => {|DRP014:Rng.NextDouble() < rate|} ? 0 : v / (1 - rate)).ToArray();
                    return input.Select((v, j) => v + kept[j]).ToArray();
                }
            }
            """);

    [Fact]
    public Task PerElementDropoutHelperOfTwoNormForwards_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class Shortcut
            {
                private static readonly Random Rng = new Random(11);
                private readonly double dropout;

                public Shortcut(double dropout) { this.dropout = dropout; }

                public double[] PostNorm(double[] x, double[] sub) => x.Select((v, i) => v + DropoutUnit(sub[i])).ToArray();

                public double[] PreNorm(double[] x, Func<double[], double[]> sub)
                {
                    var s = sub(x);
                    return x.Select((v, i) => v + DropoutUnit(s[i])).ToArray();
                }

                private double DropoutUnit(double v)
                {
                    if ({|DRP014:Rng.NextDouble() < dropout|}) return 0;
                    return v / (1 - dropout);
                }
            }
            """);

    [Fact]
    public Task SharedHelperGivenTheForwardsTrainingFlag_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class SkipBlock
            {
                private static readonly Random Rng = new Random(7);
                private readonly double rate;
                private readonly double[] w;

                public SkipBlock(double rate, int n) { this.rate = rate; w = new double[n]; }

                public double[] Encode(double[] x, bool training) => AddBranch(x, x.Select((v, i) => v * w[i]).ToArray(), training);

                public double[] Decode(double[] x, double[] memory, bool training) => AddBranch(x, x.Select((v, i) => v * memory[i]).ToArray(), training);

                private double[] AddBranch(double[] input, double[] branch, bool training)
                {
                    var kept = training ? branch.Select(v => Rng.NextDouble() < rate ? 0 : v / (1 - rate)).ToArray() : branch;
                    return input.Select((v, j) => v + kept[j]).ToArray();
                }
            }
            """);

    [Fact]
    public Task SharedHelperCalledUnderAFlagAndFromTraining_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class Shortcut
            {
                private static readonly Random Rng = new Random(11);
                private readonly double dropout;

                public Shortcut(double dropout) { this.dropout = dropout; }

                public double[] PostNorm(double[] x, double[] sub, bool training) => x.Select((v, i) => v + (training ? DropoutUnit(sub[i]) : sub[i])).ToArray();

                public double[] TrainStep(double[] x, double[] sub) => x.Select((v, i) => v + DropoutUnit(sub[i])).ToArray();

                private double DropoutUnit(double v)
                {
                    if (Rng.NextDouble() < dropout) return 0;
                    return v / (1 - dropout);
                }
            }
            """);
    // ---- a type named in another file: only code there can call it ----

    private const string AlwaysDropping = """
        public sealed class NoisyLayer(double rate)
        {
            private readonly Random _rng = new(5);
            public double[] Forward(double[] x) => x.Select(v => DROP ? 0 : v / (1 - rate)).ToArray();
        }
        """;

    [Fact]
    public Task LayerNamedOnlyInACommentOfAnotherFile_IsReported() =>
        VerifyFilesAsync<DropoutWithoutInferencePathAnalyzer>(
            ("Layer.cs", AlwaysDropping.Replace("DROP", "{|DRP014:_rng.NextDouble() < rate|}")),
            ("Notes.cs", """
                // NoisyLayer is built by the model factory; "NoisyLayer is used as a regularizer".
                public static class Notes { public const string Text = "see NoisyLayer"; }
                """));

    [Fact]
    public Task LayerTypeTestedInCodeOfAnotherFile_IsNotReported() =>
        VerifyFilesAsync<DropoutWithoutInferencePathAnalyzer>(
            ("Layer.cs", AlwaysDropping.Replace("DROP", "_rng.NextDouble() < rate")),
            ("Network.cs", """
                public static class Network
                {
                    public static double[] Predict(object layer, double[] x) => layer is NoisyLayer ? x : x;
                }
                """));

    private static Task VerifyFilesAsync<TAnalyzer>(params (string Name, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }
}
