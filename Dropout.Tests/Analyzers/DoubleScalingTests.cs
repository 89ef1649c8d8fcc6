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
}
