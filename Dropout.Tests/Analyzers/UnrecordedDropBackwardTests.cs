using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP013 for a forward whose dropout skips terms of a weighted sum and records nothing (a bare <c>continue</c>), followed
/// in a training step by a backward in another class: the backward cannot apply a mask that exists nowhere. The twins
/// record the draws, replay them from a seed in the backward, or run another forward before the backward.
/// </summary>
public sealed class UnrecordedDropBackwardTests
{
    private const string Mlp = """
        public sealed class Mlp
        {
            public readonly double[] Hidden = new double[8];
            public readonly double[][] W = Enumerable.Range(0, 8).Select(_ => new double[4]).ToArray();
            public readonly double[] V = new double[8];
            private readonly Random _rng = new Random(4);

            public double ForwardWithDropout(double[] x, double dropout)
            {
                for (int j = 0; j < Hidden.Length; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (_rng.NextDouble() < dropout) continue;
                        sum += W[j][i] * x[i];
                    }

                    Hidden[j] = Math.Tanh(sum / (1 - dropout));
                }

                return Output();
            }

            public double Forward(double[] x)
            {
                for (int j = 0; j < Hidden.Length; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++) sum += W[j][i] * x[i];
                    Hidden[j] = Math.Tanh(sum);
                }

                return Output();
            }

            private double Output()
            {
                double score = 0;
                for (int j = 0; j < Hidden.Length; j++) score += V[j] * Hidden[j];
                return score;
            }
        }
        """;

    private const string Trainer = """
        public static class Trainer
        {
            public static void Step(Mlp model, double[] x, double y, double dropout, double lr)
            {
                double score = model.ForwardWithDropout(x, dropout);
                BETWEEN
                double delta = score - y;
                BACKWARD;
            }

            public static void BackPropagation(Mlp model, double[] x, double delta, double lr)
            {
                for (int j = 0; j < model.Hidden.Length; j++)
                {
                    double hidden = delta * model.V[j] * (1 - model.Hidden[j] * model.Hidden[j]);
                    model.V[j] -= lr * delta * model.Hidden[j];
                    for (int i = 0; i < x.Length; i++) model.W[j][i] -= lr * hidden * x[i];
                }
            }

            // Replays the forward's draws: the same seed skips the same terms.
            public static void ReplayedBackPropagation(Mlp model, double[] x, double delta, double lr, int seed, double dropout)
            {
                var replay = new Random(seed);
                for (int j = 0; j < model.Hidden.Length; j++)
                {
                    double hidden = delta * model.V[j] * (1 - model.Hidden[j] * model.Hidden[j]);
                    model.V[j] -= lr * delta * model.Hidden[j];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (replay.NextDouble() < dropout) continue;
                        model.W[j][i] -= lr * hidden * x[i] / (1 - dropout);
                    }
                }
            }
        }
        """;

    private static Task VerifyAsync(string between, string backward)
    {
        var test = new CSharpAnalyzerTest<BackwardOmitsForwardScaleAcrossFilesAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Mlp.cs", AnalyzerTest.Usings + Mlp));
        test.TestState.Sources.Add(("/Trainer.cs", AnalyzerTest.Usings + Trainer.Replace("BETWEEN", between).Replace("BACKWARD", backward)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task BackwardInAnotherClass_AfterAForwardThatRecordsNoDraw_IsReported() =>
        VerifyAsync("", "{|DRP013:BackPropagation(model, x, delta, lr)|}");

    [Fact]
    public Task BackwardThatReplaysTheDrawsFromASeed_IsSilent() =>
        VerifyAsync("", "ReplayedBackPropagation(model, x, delta, lr, 7, dropout)");

    [Fact]
    public Task AnotherForwardBetween_TheBackwardBelongsToThatOne_IsSilent() =>
        VerifyAsync("score = model.Forward(x);", "BackPropagation(model, x, delta, lr)");
    // The dropout sits in a per-layer helper that the forward runs: the helper hands no draw back, so the forward has none.
    // Its weighted sum is a vector method (`Hidden.MultiplyAdd(x[i], W[i])`, values[j] += a * v.values[j]), the loss's
    // gradient is a call of its own before the backward, and the forward without dropout runs the helper with a rate of 0.
    private const string LayeredMlp = """
        public sealed class Vec
        {
            public readonly double[] Values;
            public Vec(int n) { Values = new double[n]; }
            public void MultiplyAdd(double a, Vec v) { for (int j = 0; j < Values.Length; j++) Values[j] += a * v.Values[j]; }
            public void Scale(double s) { for (int j = 0; j < Values.Length; j++) Values[j] *= s; }
        }

        public sealed class LayeredMlp
        {
            public readonly Vec Hidden = new Vec(8);
            public readonly Vec[] W = Enumerable.Range(0, 4).Select(_ => new Vec(8)).ToArray();
            public readonly double[] V = new double[8];
            public readonly bool[] Skipped = new bool[4];
            private static readonly Random Rng = new Random(4);

            public double ForwardWithDropout(double[] x, double dropout)
            {
                ProjectHidden(x, dropout);
                return Output();
            }

            public double Forward(double[] x)
            {
                ProjectHidden(x, 0);
                return Output();
            }

            private void ProjectHidden(double[] x, double dropout)
            {
                Array.Clear(Hidden.Values);
                for (int i = 0; i < x.Length; i++)
                {
                    SKIP
                    Hidden.MultiplyAdd(x[i], W[i]);
                }

                if (dropout > 0) Hidden.Scale(1 / (1 - dropout));
            }

            private double Output()
            {
                double score = 0;
                for (int j = 0; j < V.Length; j++) score += V[j] * Math.Tanh(Hidden.Values[j]);
                return score;
            }
        }

        public static class LayeredTrainer
        {
            public static void Step(LayeredMlp model, double[] x, double y, double dropout, double lr)
            {
                FORWARD
                double delta = LossGradient(score, y);
                BACKWARD;
            }

            public static double LossGradient(double score, double y) => score - y;

            public static void BackPropagation(LayeredMlp model, double[] x, double delta, double lr)
            {
                for (int j = 0; j < model.V.Length; j++)
                {
                    double h = Math.Tanh(model.Hidden.Values[j]);
                    double hidden = delta * model.V[j] * (1 - h * h);
                    model.V[j] -= lr * delta * h;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (model.Skipped[i]) continue;
                        model.W[i].Values[j] -= lr * hidden * x[i];
                    }
                }
            }
        }
        """;

    private const string UnrecordedSkip = "if (dropout > 0 && Rng.NextDouble() < dropout) continue;";

    private static Task VerifyLayeredAsync(string skip, string forward, string backward)
    {
        var test = new CSharpAnalyzerTest<BackwardOmitsForwardScaleAcrossFilesAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/LayeredMlp.cs", AnalyzerTest.Usings + LayeredMlp.Replace("SKIP", skip).Replace("FORWARD", forward).Replace("BACKWARD", backward)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task ForwardThatRunsAnUnrecordedHelper_ChosenByAConditional_ThenBackward_IsReported() =>
        VerifyLayeredAsync(UnrecordedSkip, "double score = dropout > 0 ? model.ForwardWithDropout(x, dropout) : model.Forward(x);", "{|DRP013:BackPropagation(model, x, delta, lr)|}");

    [Fact]
    public Task ForwardThatRunsAnUnrecordedHelper_ThenBackward_IsReported() =>
        VerifyLayeredAsync(UnrecordedSkip, "double score = model.ForwardWithDropout(x, dropout);", "{|DRP013:BackPropagation(model, x, delta, lr)|}");

    [Fact]
    public Task ForwardWithoutDropout_ItsHelperHandedARateOfZero_ThenBackward_IsSilent() =>
        VerifyLayeredAsync(UnrecordedSkip, "double score = model.Forward(x);", "BackPropagation(model, x, delta, lr)");

    [Fact]
    public Task ForwardWithoutDropoutRunAfterTheDroppedOne_TheBackwardBelongsToIt_IsSilent() =>
        VerifyLayeredAsync(UnrecordedSkip, "double score = model.ForwardWithDropout(x, dropout); score = model.Forward(x);", "BackPropagation(model, x, delta, lr)");

    [Fact]
    public Task HelperThatRecordsTheSkippedTerms_ReadByTheBackward_IsSilent() =>
        VerifyLayeredAsync("Skipped[i] = dropout > 0 && Rng.NextDouble() < dropout; if (Skipped[i]) continue;", "double score = model.ForwardWithDropout(x, dropout);", "BackPropagation(model, x, delta, lr)");
}
