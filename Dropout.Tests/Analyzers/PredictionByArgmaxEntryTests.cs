using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP015 for a prediction known by what it does, not by its name: a demo that runs a model (which holds a dropout layer)
/// with its training parameter left at the default that draws, and takes the index of the largest output, a predicted
/// class, training nothing. The twins pass false, default to false, train on the output (a backward, an update of a
/// member), or never take a maximum's index.
/// </summary>
public sealed class PredictionByArgmaxEntryTests
{
    private const string Network = """
        public sealed class DropLayer
        {
            private static readonly Random Rng = new Random(3);
            public double Rate = 0.5;
            public double[] Mask = Array.Empty<double>();

            public double[] Forward(double[] x, bool training = true)
            {
                if (!training) return x;
                Mask = new double[x.Length];
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    Mask[i] = Rng.NextDouble() > Rate ? 1.0 : 0.0;
                    y[i] = x[i] * Mask[i] / (1 - Rate);
                }

                return y;
            }

            public double[] Backward(double[] grad)
            {
                var g = new double[grad.Length];
                for (int i = 0; i < grad.Length; i++) g[i] = grad[i] * Mask[i] / (1 - Rate);
                return g;
            }
        }

        public sealed class Classifier
        {
            public double[][] W = { new double[] { 1, 2 }, new double[] { 3, 4 } };
            public DropLayer Drop = new DropLayer();

            public List<double> Forward(double[] x, bool training = DEFAULT)
            {
                if (training) x = Drop.Forward(x, training);
                var scores = new List<double>();
                foreach (double[] row in W)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++) s += row[i] * x[i];
                    scores.Add(s);
                }

                return scores;
            }
        }

        public static class Demo
        {
            public static void Run_deep_learning()
            {
                var model = new Classifier();
                var sample = new[] { 0.5, 0.25 };
                BODY
            }
        }
        """;

    private static Task VerifyAsync(string body, string fallback = "true")
    {
        var test = new CSharpAnalyzerTest<HandWrittenDropoutInInferenceAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Network.cs", AnalyzerTest.Usings + Network.Replace("DEFAULT", fallback).Replace("BODY", body)));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task DemoTakesThePredictedClass_OfAForwardLeftAtItsTrainingDefault_IsReported() =>
        VerifyAsync("var output = {|DRP015:model.Forward(sample)|}; Console.WriteLine(output.IndexOf(output.Max()));");

    [Fact]
    public Task DemoPassesFalse_IsSilent() =>
        VerifyAsync("var output = model.Forward(sample, false); Console.WriteLine(output.IndexOf(output.Max()));");

    [Fact]
    public Task ForwardDefaultsToInference_IsSilent() =>
        VerifyAsync("var output = model.Forward(sample); Console.WriteLine(output.IndexOf(output.Max()));", "false");

    [Fact]
    public Task StepThatBackpropagatesThroughTheOutput_IsSilent() =>
        VerifyAsync("var output = model.Forward(sample); int label = output.IndexOf(output.Max()); model.Drop.Backward(new double[] { label, 0 });");

    [Fact]
    public Task StepThatUpdatesAWeightFromTheOutput_IsSilent() =>
        VerifyAsync("var output = model.Forward(sample); int label = output.IndexOf(output.Max()); model.W[0][0] -= 0.1 * label;");

    [Fact]
    public Task DemoThatOnlyPrintsTheScores_NoPredictedClass_IsSilent() =>
        VerifyAsync("var output = model.Forward(sample); Console.WriteLine(string.Join(\",\", output));");
}
