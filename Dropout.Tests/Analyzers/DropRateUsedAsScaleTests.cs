using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class DropRateUsedAsScaleTests
{
    [Fact]
    public Task KeptValuesDividedByTheDropRate_AreReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DropoutLayer(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        if (_rng.NextDouble() < dropRate) h[i] = 0; else {|DRP012:h[i] /= dropRate|};
                }
            }
            """);

    [Fact]
    public Task PrecomputedScaleOfOneOverTheRate_IsReportedWhereItIsApplied() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DropoutByHand
            {
                private readonly float _rate;
                private readonly float _scale;
                private readonly Random _random = new(3);
                public DropoutByHand(float rate) { _rate = rate; _scale = 1f / rate; }
                public float[] Forward(float[] input)
                {
                    var output = new float[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        var r = _random.NextSingle();
                        output[i] = r < _rate ? 0f : {|DRP012:input[i] * _scale|};
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task ClassicInferenceScaledByTheDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class ClassicDropout(double dropProbability, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Train(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = _rng.NextDouble() < dropProbability ? 0 : h[i];
                }
                public void Predict(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) {|DRP012:h[i] *= dropProbability|};
                }
            }
            """);

    [Fact]
    public Task ScaleOfOneOverOneMinusTheRate_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DropoutByHand
            {
                private readonly float _rate;
                private readonly float _scale;
                private readonly Random _random = new(3);
                public DropoutByHand(float rate) { _rate = rate; _scale = 1f / (1f - rate); }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = _random.NextSingle() < _rate ? 0f : x[i] * _scale;
                }
            }
            """);

    [Fact]
    public Task KeepProbabilityComparedSoThatItKeeps_DividedByItself_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DropoutByHand(double keepProb, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        if (_rng.NextDouble() > keepProb) h[i] = 0; else h[i] /= keepProb;
                }
                public void Predict(double[] h) { }
            }
            """);

    [Fact]
    public Task UnrelatedDivisionInWeightInitialization_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DenseWithDropout(int fanIn, float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                private readonly float[] _weights = new float[fanIn];
                public void Init()
                {
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = (float)_rng.NextDouble() * 2.0f / fanIn;
                }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextSingle() < rate ? 0f : x[i] / (1 - rate);
                }
                public float Report() => rate * 100f;
            }
            """);
}
