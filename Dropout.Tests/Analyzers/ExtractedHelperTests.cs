using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, found by the metamorphic corpus test: dropout whose loop body was moved into a private helper method
/// (<c>for (...) ApplyStep(input, output, i);</c>) is the same dropout. A helper whose every call is in a loop decides per
/// element; a helper called only under its caller's training flag is gated; the helper speaks with its caller's words
/// (a genetic-algorithm selection stays one); a mask helper that only passes another helper's 0/1 mask on is itself a
/// mask helper, not judged in its own body (whether the outer call is then judged is a known gap: the unscaled twin of
/// <see cref="MaskPassedOnByAHelper_WithClassicScalingAtInference_IsSilent"/> is not reported yet, see docs/analyzers.md).
/// </summary>
public sealed class ExtractedHelperTests
{
    private static string Layer(string kept, string call = "ApplyStep(input, output, i);") => $$"""
        public sealed class DropoutLayer
        {
            private readonly Random _random = new(21);
            private readonly double _dropRate;
            public DropoutLayer(double dropRate) { _dropRate = dropRate; }

            public double[] Forward(double[] input, bool training)
            {
                var output = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    if (!training) { output[i] = input[i]; continue; }
                    {{call}}
                }
                return output;
            }

            private void ApplyStep(double[] input, double[] output, int i)
            {
                output[i] = _random.NextDouble() < _dropRate ? 0.0 : {{kept}};
            }
        }
        """;

    [Fact]
    public Task HelperCalledPerElement_KeptValueUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("input[i]").Replace("_random.NextDouble() < _dropRate", "{|DRP004:_random.NextDouble() < _dropRate|}"));

    [Fact]
    public Task HelperCalledPerElement_KeptValueDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input[i] / (1 - _dropRate)"));

    [Fact]
    public Task HelperCalledOnceOutsideAnyLoop_IsOneDecisionNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("input[i]", call: "output[i] = input[i];").Replace("        return output;", "        if (input.Length > 0) ApplyStep(input, output, 0);\n        return output;"));

    [Fact]
    public Task HelperCalledUnderTheCallersTrainingFlag_HasAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("input[i] / (1 - _dropRate)"));

    [Fact]
    public Task HelperCalledByAForwardWithoutAnyFlag_HasNoInferencePath_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            Layer("input[i] / (1 - _dropRate)")
                .Replace("double[] input, bool training)", "double[] input)")
                .Replace("if (!training) { output[i] = input[i]; continue; }", "")
                .Replace("_random.NextDouble() < _dropRate", "{|DRP014:_random.NextDouble() < _dropRate|}"));

    private static string Selection(string owner, string parameter) => $$"""
        public class {{owner}}
        {
            private readonly Random _random = new Random(4);

            public double[] Weights(double[] {{parameter}}, double keepFraction)
            {
                var w = (double[]){{parameter}}.Clone();
                ApplyStep(keepFraction, w);
                return w;
            }

            private void ApplyStep(double keepFraction, double[] w)
            {
                for (int i = 0; i < w.Length; i++)
                    if (_random.NextDouble() > keepFraction) w[i] = 0;
            }
        }
        """;

    [Fact]
    public Task HelperOfASelectionOverFitness_SpeaksWithItsCallersWords_AndIsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Selection("SelectionOperator", "fitness"));

    [Fact]
    public Task SameHelperCalledByALayerOverActivations_IsDropout_AndReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Selection("HiddenLayer", "activations").Replace("_random.NextDouble() > keepFraction", "{|DRP004:_random.NextDouble() > keepFraction|}"));

    private static string MaskPassedOn(string inference) => $$"""
        public static class MaskOps
        {
            public static float[] ZeroOnes(int n, float keepProb, Random random)
            {
                var result = new float[n];
                Fill(keepProb, random, result);
                return result;
            }

            private static void Fill(float keepProb, Random random, float[] result)
            {
                for (int i = 0; i < result.Length; i++) result[i] = random.NextSingle() < keepProb ? 1f : 0f;
            }
        }

        public class DropoutOperation
        {
            private readonly float _keepProb;
            private readonly Random _random = new Random(1);
            public DropoutOperation(float keepProb) { _keepProb = keepProb; }

            public float[] CalcOutput(float[] input, bool inference)
            {
                if (inference) return {{inference}};
                var mask = MaskOps.ZeroOnes(input.Length, _keepProb, _random);
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++) output[i] = input[i] * mask[i];
                return output;
            }
        }
        """;

    [Fact]
    public Task MaskPassedOnByAHelper_WithClassicScalingAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(MaskPassedOn("input.Select(x => x * _keepProb).ToArray()"));
}
