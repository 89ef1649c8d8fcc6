using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class DrawKeepsWithDropRateTests
{
    [Fact]
    public Task DropRateComparedSoThatItKeeps_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double dropRate, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = {|DRP016:rng.NextDouble() < dropRate|} ? h[i] / (1 - dropRate) : 0;
                }
            }
            """);

    [Fact]
    public Task RateZeroingWhenTheDrawIsAbove_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public sealed class DropoutLayer(float rate)
            {
                private readonly Random _random = new(1);
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        var r = _random.NextSingle();
                        if ({|DRP016:r > rate|}) x[i] = 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task KeepProbabilityComparedSoThatItDrops_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] mask, float keepProbability, Random rng)
                {
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = {|DRP016:rng.NextSingle() < keepProbability|} ? 0f : 1f / keepProbability;
                }
            }
            """);

    [Fact]
    public Task DropRateComparedSoThatItDrops_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double dropRate, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = rng.NextDouble() < dropRate ? 0 : h[i] / (1 - dropRate);
                }
            }
            """);

    [Fact]
    public Task NeutralName_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double p, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = rng.NextDouble() < p ? h[i] / p : 0;
                }
            }
            """);

    [Fact]
    public Task BooleanMaskNamedForDropping_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] x, bool[] dropped, double dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        dropped[i] = rng.NextDouble() < dropRate;
                        x[i] = dropped[i] ? 0f : (float)(x[i] / (1 - dropRate));
                    }
                }
            }
            """);
}
