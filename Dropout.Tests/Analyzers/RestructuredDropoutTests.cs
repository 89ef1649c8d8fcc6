using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, generalization (the metamorphic test's rename and split-partial rewrites): the same dropout written with other
/// names, with its helper in another file, or with a loop in a helper, gets the same verdict. A boolean mask's meaning
/// comes from how the code uses the flag it stores, never from the mask's name; a static dropout helper run by a prediction
/// in another file, and a gradient class in a file of its own, are found there; a buffer filled with draws by a helper is
/// a buffer of draws. Each correct twin stays silent.
/// </summary>
public sealed class RestructuredDropoutTests
{
    // `bool drop = u < rate;` is stored in a mask and decides the unit (`drop ? 0 : x / s`): the entry is true for a
    // dropped unit because the local zeroes where it is true, whatever the mask is called.
    private const string StoredFlagLayer = """
        public sealed class PolicyLayer
        {
            private readonly List<bool> MASK = new List<bool>();
            private readonly Random _random = new Random(99);
            private readonly double _chance = 0.3;
            public bool Training { get; set; }

            public double[] Forward(double[] state)
            {
                var inputs = (double[])state.Clone();
                if (!Training) return inputs;
                MASK.Clear();
                for (int i = 0; i < inputs.Length; i++)
                {
                    bool drop = _random.NextDouble() < _chance;
                    MASK.Add(drop);
                    inputs[i] = drop ? 0 : SCALED;
                }

                return inputs;
            }
        }
        """;

    [Theory]
    [InlineData("_mask")]
    [InlineData("_dropMask")]
    [InlineData("_keepMask")]
    [InlineData("_bits")]
    public Task StoredDropFlag_KeptValuesDividedByTheDropRate_IsReportedWhateverTheMaskIsCalled(string mask) =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(StoredFlagLayer.Replace("MASK", mask, StringComparison.Ordinal).Replace("SCALED", "{|DRP012:inputs[i] / _chance|}", StringComparison.Ordinal));

    [Theory]
    [InlineData("_mask")]
    [InlineData("_dropMask")]
    [InlineData("_keepMask")]
    [InlineData("_bits")]
    public Task StoredDropFlag_KeptValuesDividedByTheKeepProbability_IsSilentWhateverTheMaskIsCalled(string mask) =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(StoredFlagLayer.Replace("MASK", mask, StringComparison.Ordinal).Replace("SCALED", "inputs[i] / (1 - _chance)", StringComparison.Ordinal));

    [Theory]
    [InlineData("_mask")]
    [InlineData("_dropMask")]
    public Task StoredKeepFlag_KeptValuesDividedByTheKeepProbability_IsSilentWhateverTheMaskIsCalled(string mask) =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(StoredFlagLayer
            .Replace("MASK", mask, StringComparison.Ordinal)
            .Replace("bool drop = _random.NextDouble() < _chance;", "bool keep = _random.NextDouble() >= _chance;", StringComparison.Ordinal)
            .Replace(".Add(drop)", ".Add(keep)", StringComparison.Ordinal)
            .Replace("drop ? 0 : SCALED", "keep ? inputs[i] / (1 - _chance) : 0", StringComparison.Ordinal));

    // A mask helper of another type in the same file: its mask is its caller's (reported once).
    private const string RandomOpsFile = """
        public static class RandomOps
        {
            public static void FillBernoulli(float[] buffer, Random random, float probability)
            {
                for (int i = 0; i < buffer.Length; i++) buffer[i] = random.NextSingle() < probability ? 1f : 0f;
            }
        }
        """;

    private const string MaskedLayerFile = """
        public sealed class MaskedDropoutLayer
        {
            private readonly Random _random = new Random(3);
            private float[]? _mask;
            public float Rate { get; set; } = 0.25f;
            public bool Training { get; set; }

            public float[] Forward(float[] x)
            {
                if (!Training) return x;
                float keep = 1 - Rate;
                _mask = new float[x.Length];
                CALL
                return x.Select((v, i) => v * _mask[i]SCALE).ToArray();
            }
        }
        """;

    private static string MaskedLayer(string scale, bool marked) =>
        MaskedLayerFile
            .Replace("CALL", marked ? "{|DRP004:RandomOps.FillBernoulli(_mask, _random, keep)|};" : "RandomOps.FillBernoulli(_mask, _random, keep);", StringComparison.Ordinal)
            .Replace("SCALE", scale, StringComparison.Ordinal);

    [Fact]
    public Task MaskHelperInTheSameFile_MaskAppliedWithoutTheScale_IsReportedOnceAsBefore() =>
        VerifyFilesAsync<MissingInvertedScalingAnalyzer>(("Layer.cs", RandomOpsFile + "\n" + MaskedLayer("", marked: true)));

    // A static dropout helper (an extension method) in a file of its own, run by a prediction in another file.
    private const string ExtensionFile = """
        public static class FeatureDropoutExtensions
        {
            public static double[] WithDropout(this double[] features, double dropRate, Random rng)
            {
                var result = new double[features.Length];
                for (int i = 0; i < features.Length; i++)
                    result[i] = rng.NextDouble() < dropRate ? 0.0 : features[i] / (1.0 - dropRate);
                return result;
            }
        }
        """;

    private const string LinearModelFile = """
        public sealed class LinearModel
        {
            private readonly double[] _weights = new double[4];
            private readonly Random _rng = new Random(3);
            public double InputDropout { get; set; } = 0.2;

            private double Score(double[] x) => x.Zip(_weights, (a, w) => a * w).Sum();

            public void Train(double[] x, double target, double lr)
            {
                var dropped = x.WithDropout(InputDropout, _rng);
                double error = Score(dropped) - target;
                for (int i = 0; i < _weights.Length; i++) _weights[i] -= lr * error * dropped[i];
            }

            public double Predict(double[] x) => PREDICT;
        }
        """;

    [Fact]
    public Task StaticDropoutHelperInAFileOfItsOwn_RunByPrediction_IsReported() =>
        VerifyFilesAsync<HandWrittenDropoutInInferenceAcrossCallsAnalyzer>(
            ("FeatureDropoutExtensions.cs", ExtensionFile),
            ("LinearModel.cs", LinearModelFile.Replace("PREDICT", "Score({|DRP015:x.WithDropout(InputDropout, _rng)|})", StringComparison.Ordinal)));

    [Fact]
    public Task StaticDropoutHelperInAFileOfItsOwn_RunOnlyByTraining_IsSilent() =>
        VerifyFilesAsync<HandWrittenDropoutInInferenceAcrossCallsAnalyzer>(
            ("FeatureDropoutExtensions.cs", ExtensionFile),
            ("LinearModel.cs", LinearModelFile.Replace("PREDICT", "Score(x)", StringComparison.Ordinal)));

    // A gradient class in a file of its own that reads the forward's public mask.
    private const string DropoutNodeFile = """
        public sealed class DropoutNode
        {
            public readonly float Keep;
            public bool[] Kept = Array.Empty<bool>();
            private readonly Random _rng;

            public DropoutNode(float keep, int seed) { Keep = keep; _rng = new Random(seed); }

            public float[] Forward(float[] x, bool training)
            {
                if (!training) return x;
                Kept = new bool[x.Length];
                var y = new float[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    Kept[i] = _rng.NextSingle() < Keep;
                    y[i] = Kept[i] ? x[i] / Keep : 0f;
                }
                return y;
            }
        }
        """;

    private const string GradientFile = """
        public sealed class DropoutNodeGradient
        {
            private readonly DropoutNode _node;
            public DropoutNodeGradient(DropoutNode node) { _node = node; }

            public float[] BACKWARD(float[] upstream)
            {
                var dx = new float[upstream.Length];
                for (int i = 0; i < upstream.Length; i++)
                    dx[i] = _node.Kept[i] ? GRADIENT : 0f;
                return dx;
            }
        }
        """;

    [Fact]
    public Task GradientClassInAFileOfItsOwn_MaskWithoutTheScale_IsReported() =>
        VerifyFilesAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            ("DropoutNode.cs", DropoutNodeFile),
            ("DropoutNodeGradient.cs", GradientFile.Replace("BACKWARD", "{|DRP013:Backward|}", StringComparison.Ordinal).Replace("GRADIENT", "upstream[i]", StringComparison.Ordinal)));

    [Fact]
    public Task GradientClassInAFileOfItsOwn_MaskWithTheScale_IsSilent() =>
        VerifyFilesAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            ("DropoutNode.cs", DropoutNodeFile),
            ("DropoutNodeGradient.cs", GradientFile.Replace("BACKWARD", "Backward", StringComparison.Ordinal).Replace("GRADIENT", "upstream[i] / _node.Keep", StringComparison.Ordinal)));

    // Extract-method: the loop that fills a buffer of uniforms moved into a private helper; the caller thresholds the buffer.
    private const string ExtractedFillLayer = """
        public sealed class BatchDropout
        {
            private readonly float _dropRate;
            private readonly Random _rng = new Random(11);
            public BatchDropout(float dropRate) { _dropRate = dropRate; }

            public void Forward(float[][] batch, bool training)
            {
                if (!training) return;
                int width = batch[0].Length;
                var uniforms = new float[width];
                FillUniforms(width, uniforms);
                foreach (float[] row in batch)
                    for (int j = 0; j < width; j++)
                        row[j] = DECISION;
            }

            private void FillUniforms(int width, float[] uniforms)
            {
                for (int j = 0; j < width; j++) uniforms[j] = FILL;
            }
        }
        """;

    [Fact]
    public Task UniformsFilledByAnExtractedHelper_ThresholdedWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(ExtractedFillLayer
            .Replace("DECISION", "{|DRP004:uniforms[j] < _dropRate|} ? 0f : row[j]", StringComparison.Ordinal)
            .Replace("FILL", "(float)_rng.NextDouble()", StringComparison.Ordinal));

    [Fact]
    public Task UniformsFilledByAnExtractedHelper_ThresholdedWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(ExtractedFillLayer
            .Replace("DECISION", "uniforms[j] < _dropRate ? 0f : row[j] / (1f - _dropRate)", StringComparison.Ordinal)
            .Replace("FILL", "(float)_rng.NextDouble()", StringComparison.Ordinal));

    [Fact]
    public Task BufferFilledByAHelperWithSomethingElseThanDraws_IsNoDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(ExtractedFillLayer
            .Replace("DECISION", "uniforms[j] < _dropRate ? 0f : row[j]", StringComparison.Ordinal)
            .Replace("FILL", "j / (float)width", StringComparison.Ordinal));

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
