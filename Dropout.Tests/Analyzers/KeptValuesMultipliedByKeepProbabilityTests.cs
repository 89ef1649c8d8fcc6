using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class KeptValuesMultipliedByKeepProbabilityTests
{
    [Fact]
    public Task KeptBranchMultipliedByKeep_IsReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public sealed class DropoutByHand(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextDouble() < keep ? {|DRP017:x[i] * keep|} : 0;
                }
            }
            """);

    [Fact]
    public Task SurvivorsMultipliedByOneMinusRateAfterTheDraw_IsReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public sealed class DropoutByHand(float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(float[] x, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (_rng.NextSingle() < rate) x[i] = 0f;
                        {|DRP017:x[i] *= 1f - rate|};
                    }
                }
            }
            """);

    [Fact]
    public Task PrecomputedKeepFieldInTheKeptValue_IsReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public sealed class DropoutByHand
            {
                private readonly double _rate;
                private readonly double _keep;
                private readonly Random _rng = new(1);
                public DropoutByHand(double rate) { _rate = rate; _keep = 1 - rate; }
                public double[] Forward(double[] x) => x.Select(v => _rng.NextDouble() < _rate ? 0 : {|DRP017:v * _keep|}).ToArray();
            }
            """);

    [Fact]
    public Task ClassicScaleAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public sealed class ClassicByHand(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(double[] x, bool training)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (training) x[i] = _rng.NextDouble() < keep ? x[i] : 0;
                        else x[i] *= keep;
                    }
                }
            }
            """);

    [Fact]
    public Task InvertedScaleOnTheTrainingPath_IsNotReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public sealed class DropoutByHand(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public int Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextDouble() < keep ? x[i] / keep : 0;
                    return (int)(x.Length * keep);
                }
            }
            """);

    [Fact]
    public Task HalfKeptValuesTimesConstantTwo_IsNotReported() =>
        AnalyzerTest.VerifyAsync<KeptValuesMultipliedByKeepProbabilityAnalyzer>("""
            public static class Net
            {
                public static void DropHalf(float[] h, Random rng)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = rng.NextDouble() < 0.5 ? h[i] * 0.5f * 4f : 0f;
                }
            }
            """);
}
