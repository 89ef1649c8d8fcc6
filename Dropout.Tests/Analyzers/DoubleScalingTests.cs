using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class DoubleScalingTests
{
    [Fact]
    public Task InvertedTrainingAndScaledInference_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class HandDropout(double keepProbability, int seed)
            {
                private readonly Random _rng = new(seed);

                public void Forward(double[] h, bool training)
                {
                    if (training)
                    {
                        for (int i = 0; i < h.Length; i++)
                            h[i] = _rng.NextDouble() < keepProbability ? h[i] / keepProbability : 0;
                    }
                    else
                    {
                        for (int i = 0; i < h.Length; i++)
                            {|DRP005:h[i] *= keepProbability|};
                    }
                }
            }
            """);

    [Fact]
    public Task DropRateWithInvertedScale_AndInferenceTimesOneMinusRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class HandDropout(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);

                public void Train(float[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        if (_rng.NextDouble() < dropRate) h[i] = 0; else h[i] = (float)(h[i] / (1 - dropRate));
                }

                public float[] Predict(float[] h) => h.Select(v => {|DRP005:v * (float)(1 - dropRate)|}).ToArray();
            }
            """);

    [Fact]
    public Task RuntimeLayerOutput_MultipliedByItsKeepProbability_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public static class Serving
            {
                public static void Predict(DropoutLayer layer, float[] h)
                {
                    layer.Forward(h);
                    for (int i = 0; i < h.Length; i++)
                        h[i] = (float)({|DRP005:h[i] * layer.KeepProbability|});
                }
            }
            """);

    [Fact]
    public Task NonInvertedDropout_ScalingAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class ClassicDropout(double keepProbability, int seed)
            {
                private readonly Random _rng = new(seed);

                public void Train(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = _rng.NextDouble() < keepProbability ? h[i] : 0;
                }

                public void Predict(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] *= keepProbability;
                }
            }
            """);

    [Fact]
    public Task InvertedDropout_WithIdentityInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class InvertedDropout(double keepProbability, int seed)
            {
                private readonly Random _rng = new(seed);

                public void Forward(double[] h, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < h.Length; i++)
                        h[i] = _rng.NextDouble() < keepProbability ? h[i] / keepProbability : 0;
                }

                public double ExpectedKeptCount(double[] h) => h.Length * keepProbability;
            }
            """);

    [Fact]
    public Task UnrelatedMultiplicationsByAProbability_AreNotReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public static class Finance
            {
                public static void Discount(double[] cashFlows, double keepProbability)
                {
                    for (int i = 0; i < cashFlows.Length; i++) cashFlows[i] *= keepProbability;
                }

                public static double Expected(DropoutLayer layer, int units) => units * layer.KeepProbability;
            }
            """);

    [Fact]
    public Task MaskHoldingInverseKeep_DividedAgainInForward_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class InvertedDropout
            {
                private readonly float _keep;
                private readonly Random _random = new(1);
                private float[] _mask = Array.Empty<float>();
                public InvertedDropout(float keep) { _keep = keep; }
                private void Resample(int n)
                {
                    _mask = new float[n];
                    float scale = 1f / _keep;
                    for (int i = 0; i < n; i++) _mask[i] = _random.NextSingle() < _keep ? scale : 0f;
                }
                public float[] Forward(float[] x)
                {
                    Resample(x.Length);
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP005:x[i] * _mask[i] / _keep|};
                    return y;
                }
            }
            """);

    [Fact]
    public Task MaskHoldingInverseKeep_DividedAgainInBackward_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class InvertedDropout
            {
                private readonly double _keep = 0.8;
                private readonly Random _random = new(1);
                private double[] _mask = new double[16];
                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = _random.NextDouble() < _keep ? 1.0 / _keep : 0.0;
                        x[i] *= _mask[i];
                    }
                }
                public void Backward(double[] dy)
                {
                    for (int i = 0; i < dy.Length; i++) dy[i] = {|DRP005:_mask[i] * dy[i] / _keep|};
                }
            }
            """);

    [Fact]
    public Task MaskHoldingInverseDropComplement_DividedAgain_IsReported() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public static class Net
            {
                public static double[] Dropout(double[] x, double rate, Random rng)
                {
                    var mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        mask[i] = rng.NextDouble() < rate ? 0.0 : 1.0 / (1.0 - rate);
                        y[i] = {|DRP005:x[i] * mask[i] / (1.0 - rate)|};
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task MaskOfOnes_DividedByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public static class Net
            {
                public static double[] Dropout(double[] x, double keep, Random rng)
                {
                    var mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        mask[i] = rng.NextDouble() < keep ? 1.0 : 0.0;
                        y[i] = x[i] * mask[i] / keep;
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task MaskHoldingInverseKeep_AppliedOnce_IsSilent() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public static class Net
            {
                public static double[] Dropout(double[] x, double keep, Random rng)
                {
                    var mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        mask[i] = rng.NextDouble() < keep ? 1.0 / keep : 0.0;
                        y[i] = x[i] * mask[i];
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task MaskHoldingInverseKeep_AndAnotherQuantityDividedByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class Layer
            {
                private readonly double _keep = 0.5;
                private readonly Random _random = new(2);
                private readonly double[] _mask = new double[8];
                public double ExpectedActiveUnits;
                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = _random.NextDouble() < _keep ? 1.0 / _keep : 0.0;
                        x[i] *= _mask[i];
                    }
                    ExpectedActiveUnits = x.Length * _mask.Length / _keep;
                }
            }
            """);
}
