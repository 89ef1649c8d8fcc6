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
}
