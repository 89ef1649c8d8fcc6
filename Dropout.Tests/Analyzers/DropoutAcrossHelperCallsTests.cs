using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, found by the metamorphic corpus test (<c>extract-method</c>) and the shape real code shows: the parts of one
/// dropout split between a method and the private helper it calls. The training flag may gate the draw inside the helper
/// or the call in the caller, and the <c>1/p</c> (or a renormalization by the total kept) may follow the call in the caller
/// or in another helper the caller runs after it. DRP018 and DRP004 reason over the helper's one caller.
/// </summary>
public sealed class DropoutAcrossHelperCallsTests
{
    // The mask drawn under the flag in the forward, the scale applied per element in a helper the forward calls on every path.
    private static string ScaleInCallee(string call) => $$"""
        public sealed class ScaledByHelper
        {
            private readonly double _dropRate;
            private readonly double _scale;
            private readonly Random _random = new Random(9);
            private double[] _mask = new double[0];

            public ScaledByHelper(double dropRate)
            {
                _dropRate = dropRate;
                _scale = 1.0 / (1.0 - dropRate);
            }

            public double[] Forward(double[] input, bool isTraining)
            {
                if (_mask.Length != input.Length) _mask = Enumerable.Repeat(1.0, input.Length).ToArray();
                if (isTraining)
                {
                    for (int i = 0; i < input.Length; i++) _mask[i] = _random.NextDouble() < _dropRate ? 0.0 : 1.0;
                }

                var output = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    {{call}}
                }

                return output;
            }

            private void Emit(double[] input, double[] output, int i)
            {
                output[i] = input[i] * _mask[i] * _scale;
            }
        }
        """;

    [Fact]
    public Task ScaleInAHelperCalledOnEveryPath_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            ScaleInCallee("Emit(input, output, i);").Replace("input[i] * _mask[i] * _scale", "{|DRP018:input[i] * _mask[i] * _scale|}"));

    [Fact]
    public Task ScaleInAHelperCalledOnlyInTraining_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            ScaleInCallee("if (isTraining) Emit(input, output, i); else output[i] = input[i];"));

    // The zeroing gated by a property inside `DropUnits`; the caller multiplies by `_inverseKeep` on the path given by `scaling`.
    private static string FlagInHelper(string scaling) => $$"""
        public sealed class UnitDropout
        {
            private readonly float _keepProb;
            private readonly float _inverseKeep;
            private readonly Random _rng = new Random(3);

            public UnitDropout(float keepProb)
            {
                _keepProb = keepProb;
                _inverseKeep = 1f / keepProb;
            }

            public bool Training { get; set; }

            public float[] Run(float[] units)
            {
                var result = (float[])units.Clone();
                DropUnits(result);
                {{scaling}}
                return result;
            }

            private void DropUnits(float[] result)
            {
                if (!Training) return;
                for (int j = 0; j < result.Length; j++)
                {
                    if (_rng.NextSingle() > _keepProb) result[j] = 0f;
                }
            }
        }
        """;

    [Fact]
    public Task FlagInTheHelper_ScaleAfterTheCallOnEveryPath_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            FlagInHelper("for (int j = 0; j < result.Length; j++) result[j] = {|DRP018:result[j] * _inverseKeep|};"));

    [Fact]
    public Task FlagInTheHelper_ScaleAfterTheCallOnlyInTraining_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            FlagInHelper("if (Training) for (int j = 0; j < result.Length; j++) result[j] = result[j] * _inverseKeep;"));

    // The caller calls the zeroing helper only when training; `prefill` runs where the text puts it.
    private static string CallGatedByTheCaller(string beforeGate, string insideGate) => $$"""
        public sealed class GatedMask
        {
            private readonly double _keep;
            private readonly Random _random = new Random(8);
            private double[] _factors = new double[0];

            public GatedMask(double keep) { _keep = keep; }

            public void Apply(double[] values, bool train)
            {
                if (_factors.Length != values.Length) _factors = new double[values.Length];
                {{beforeGate}}
                if (train)
                {
                    {{insideGate}}
                    ZeroSome();
                }

                for (int k = 0; k < values.Length; k++) values[k] *= _factors[k];
            }

            private void ZeroSome()
            {
                for (int k = 0; k < _factors.Length; k++)
                {
                    if (_random.NextDouble() >= _keep) _factors[k] = 0.0;
                }
            }
        }
        """;

    [Fact]
    public Task CallGatedByTheCaller_MaskPrefilledWithInverseKeepOnEveryCall_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            CallGatedByTheCaller("{|DRP018:Array.Fill(_factors, 1.0 / _keep)|};", ""));

    [Fact]
    public Task CallGatedByTheCaller_MaskPrefilledWithInverseKeepOnlyInTraining_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>(
            CallGatedByTheCaller("Array.Fill(_factors, 1.0);", "Array.Fill(_factors, 1.0 / _keep);"));

    // The helper writes 0 or 1/p itself and the caller leaves before calling it at inference: the 1/p never runs there.
    [Fact]
    public Task CallAfterTheCallersEarlyReturn_HelperWritesInverseKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class EarlyReturnDropout
            {
                private readonly double _keep;
                private readonly Random _random = new Random(12);
                private double[] _factors = new double[0];

                public EarlyReturnDropout(double keep) { _keep = keep; }

                public double[] Apply(double[] values, bool train)
                {
                    if (!train) return values;
                    _factors = new double[values.Length];
                    var result = new double[values.Length];
                    for (int k = 0; k < values.Length; k++)
                    {
                        Draw(k);
                        result[k] = values[k] * _factors[k];
                    }

                    return result;
                }

                private void Draw(int k)
                {
                    _factors[k] = _random.NextDouble() < _keep ? 1.0 / _keep : 0.0;
                }
            }
            """);

    // Scores zeroed per element in a helper, then renormalized to sum one by another helper the caller runs after the
    // loop (correct: the data compensates the drop), or by one only a separate public method runs (the drop is not compensated).
    private static string Renormalized(string afterLoop, string elsewhere) => $$"""
        public sealed class ScoreDropout
        {
            private readonly double[] _scores;
            private readonly Random _random = new Random(5);

            public ScoreDropout(double[] scores) { _scores = scores; }

            public void Drop(double rate, bool training)
            {
                if (!training) return;
                for (int s = 0; s < _scores.Length; s++) ZeroOne(rate, s);
                {{afterLoop}}
            }

            public void Rescale() { {{elsewhere}} }

            private void ZeroOne(double rate, int s)
            {
                if (_random.NextDouble() < rate) _scores[s] = 0.0;
            }

            private void SumToOne()
            {
                double sum = 0.0;
                for (int s = 0; s < _scores.Length; s++) sum += _scores[s];
                if (sum <= 0.0) return;
                for (int s = 0; s < _scores.Length; s++) _scores[s] = _scores[s] / sum;
            }
        }
        """;

    [Fact]
    public Task DropInAHelper_RenormalizedByASiblingHelperAfterTheLoop_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Renormalized("SumToOne();", ""));

    [Fact]
    public Task DropInAHelper_RenormalizedOnlyByAnotherPublicMethod_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Renormalized("", "SumToOne();").Replace("_random.NextDouble() < rate", "{|DRP004:_random.NextDouble() < rate|}"));

    // The layer with its training flag, and a network whose `Score` (an evaluation) lives in another file of the partial
    // network class and sets every layer's flag to `value` before running the forward.
    private static (string Name, string Source)[] NetworkSplitOverFiles(string assignment) =>
    [
        ("Layer.cs", """
            namespace Split
            {
                public sealed class NoiseLayer
                {
                    private readonly float _keep;
                    private readonly Random _rng = new Random(6);

                    public NoiseLayer(float keep) { _keep = keep; }

                    public bool IsTraining { get; set; }

                    public float[] Forward(float[] x)
                    {
                        var y = new float[x.Length];
                        for (int i = 0; i < x.Length; i++)
                        {
                            y[i] = IsTraining ? (_rng.NextSingle() < _keep ? x[i] / _keep : 0f) : x[i];
                        }

                        return y;
                    }
                }

                public sealed partial class Net
                {
                    private readonly NoiseLayer[] _layers = { new NoiseLayer(0.9f), new NoiseLayer(0.6f) };

                    public float[] Forward(float[] x)
                    {
                        foreach (NoiseLayer layer in _layers) x = layer.Forward(x);
                        return x;
                    }
                }
            }
            """),
        ("Net.Evaluation.cs", $$"""
            namespace Split
            {
                public sealed partial class Net
                {
                    public float Evaluate(float[][] inputs)
                    {
                        float total = 0f;
                        foreach (float[] input in inputs)
                        {
                            foreach (NoiseLayer layer in _layers) {{assignment}};
                            total += Forward(input)[0];
                        }

                        return total;
                    }
                }
            }
            """),
    ];

    [Fact]
    public Task EvaluationInAnotherFileOfTheNetworkSwitchesTrainingOn_IsReported() =>
        VerifyFilesAsync<HandWrittenDropoutInInferenceAnalyzer>(NetworkSplitOverFiles("{|DRP015:layer.IsTraining = true|}"));

    [Fact]
    public Task EvaluationInAnotherFileOfTheNetworkSwitchesTrainingOff_IsSilent() =>
        VerifyFilesAsync<HandWrittenDropoutInInferenceAnalyzer>(NetworkSplitOverFiles("layer.IsTraining = false"));

    private static Task VerifyFilesAsync<TAnalyzer>((string Name, string Source)[] files)
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
