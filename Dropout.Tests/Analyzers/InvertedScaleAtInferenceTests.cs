using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>DRP018: the training flag gates only the zeroing, and inverted dropout's 1/p runs at inference too.</summary>
public sealed class InvertedScaleAtInferenceTests
{
    [Fact]
    public Task MaskOfOnesAtInferenceDividedByKeepAfterTheBranch_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class HiddenDropout(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                private readonly double[] _mask = new double[64];
                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (training) _mask[i] = _rng.NextDouble() < keep ? 1 : 0;
                        else _mask[i] = 1;
                        y[i] = {|DRP018:x[i] * _mask[i] / keep|};
                    }

                    return y;
                }
            }
            """);

    [Fact]
    public Task ScaleFieldAppliedAfterTheTrainingBlock_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly float _rate;
                private readonly float _scale;
                private readonly Random _random = new(7);
                private float[] _mask = Array.Empty<float>();
                public bool IsTraining { get; set; } = true;
                public DropoutLayer(float rate) { _rate = rate; _scale = 1f / (1f - rate); }

                public float[] Forward(float[] input)
                {
                    if (_mask.Length != input.Length) { _mask = new float[input.Length]; Array.Fill(_mask, 1f); }
                    if (IsTraining)
                    {
                        for (int i = 0; i < input.Length; i++)
                        {
                            if (_random.NextSingle() < _rate) _mask[i] = 0f;
                            else _mask[i] = 1f;
                        }
                    }

                    var output = new float[input.Length];
                    for (int i = 0; i < input.Length; i++) output[i] = {|DRP018:input[i] * _mask[i] * _scale|};
                    return output;
                }
            }
            """);

    [Fact]
    public Task FlagCombinedWithTheDrawKeepsTheScaledValue_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class NeuronDropout(double dropRate)
            {
                private readonly Random _random = new(3);
                public bool Training { get; set; }
                public void Apply(double[] activations)
                {
                    for (int i = 0; i < activations.Length; i++)
                        activations[i] = !Training || _random.NextDouble() >= dropRate ? {|DRP018:activations[i] / (1 - dropRate)|} : 0.0;
                }
            }
            """);

    [Fact]
    public Task ModeEnumGatesTheZeroingOnly_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public enum RunMode { Train, Inference }

            public sealed class Regularizer(float keepProbability, int seed)
            {
                private readonly Random _rng = new(seed);
                public RunMode Mode { get; set; }
                public void Forward(Span<float> h)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        if (Mode == RunMode.Train && _rng.NextSingle() >= keepProbability) h[i] = 0f;
                        {|DRP018:h[i] /= keepProbability|};
                    }
                }
            }
            """);

    [Fact]
    public Task ClassicDropoutScalesByKeepAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class ClassicDropout(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                        y[i] = training ? (_rng.NextDouble() < keep ? x[i] : 0) : x[i] * keep;
                    return y;
                }
            }
            """);

    [Fact]
    public Task InvertedScaleInsideTheTrainingBranch_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class InvertedDropout(float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; }
                public float[] Forward(float[] x)
                {
                    var y = (float[])x.Clone();
                    if (IsTraining)
                    {
                        for (int i = 0; i < y.Length; i++)
                        {
                            if (_rng.NextSingle() < rate) y[i] = 0f;
                            else y[i] /= 1f - rate;
                        }
                    }

                    return y;
                }
            }
            """);

    [Fact]
    public Task EarlyReturnWhenNotTrainingBeforeTheScale_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class InvertedDropout(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                private double[] _mask = Array.Empty<double>();
                public double[] Forward(double[] x, bool isTraining)
                {
                    if (!isTraining) return x;
                    _mask = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) _mask[i] = _rng.NextDouble() < keep ? 1 : 0;
                    return x.Select((v, i) => v * _mask[i] / keep).ToArray();
                }
            }
            """);

    [Fact]
    public Task MaskSetToKeepAtInferenceCancelsTheDivision_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class DropoutWithSharedDivision(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                private readonly double[] _mask = new double[32];
                public void Forward(double[] x, bool training)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (training) _mask[i] = _rng.NextDouble() < keep ? 1 : 0;
                        else _mask[i] = keep;
                        x[i] = x[i] * _mask[i] / keep;
                    }
                }
            }
            """);

    [Fact]
    public Task ScaleChosenByTheFlag_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class InvertedDropout(float keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(float[] x, bool training)
                {
                    float scale = training ? 1f / keep : 1f;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (training && _rng.NextSingle() >= keep) x[i] = 0f;
                        x[i] *= scale;
                    }
                }
            }
            """);

    [Fact]
    public Task UngatedDropoutScaledEveryCall_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class AlwaysOnDropout(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextDouble() < keep ? x[i] / keep : 0;
                }
            }
            """);

    [Fact]
    public Task MaskPrefilledWithTheScaleOnEveryCall_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class ScaledMaskDropout
            {
                private readonly double _dropRate;
                private readonly double _scale;
                private readonly Random _rng;
                private double[] _mask = Array.Empty<double>();
                public ScaledMaskDropout(double dropRate, int seed) { _dropRate = dropRate; _scale = 1.0 / (1.0 - dropRate); _rng = new Random(seed); }

                public double[] Forward(double[] x, bool isTraining)
                {
                    _mask = new double[x.Length];
                    {|DRP018:Array.Fill(_mask, _scale)|};
                    if (isTraining)
                        for (int i = 0; i < x.Length; i++)
                            if (_rng.NextDouble() < _dropRate) _mask[i] = 0.0;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * _mask[i];
                    return y;
                }
            }
            """);

    [Fact]
    public Task MaskPrefilledWithTheScaleOnlyInTraining_IsNotReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class ScaledMaskDropout
            {
                private readonly double _dropRate;
                private readonly double _scale;
                private readonly Random _rng;
                private double[] _mask = Array.Empty<double>();
                public ScaledMaskDropout(double dropRate, int seed) { _dropRate = dropRate; _scale = 1.0 / (1.0 - dropRate); _rng = new Random(seed); }

                public double[] Forward(double[] x, bool isTraining)
                {
                    _mask = new double[x.Length];
                    if (isTraining)
                    {
                        Array.Fill(_mask, _scale);
                        for (int i = 0; i < x.Length; i++)
                            if (_rng.NextDouble() < _dropRate) _mask[i] = 0.0;
                    }
                    else
                    {
                        Array.Fill(_mask, 1.0);
                    }

                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * _mask[i];
                    return y;
                }
            }
            """);
}
