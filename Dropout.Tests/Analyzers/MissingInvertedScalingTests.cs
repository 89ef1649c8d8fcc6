using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers;

public sealed class MissingInvertedScalingTests
{
    [Fact]
    public Task MaskOfOnesAndZeros_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _random = new(42);
                private readonly float[] _mask = new float[128];

                public void Forward(float[] activations, double keepProbability)
                {
                    for (int i = 0; i < activations.Length; i++)
                    {
                        _mask[i] = {|DRP004:_random.NextDouble() < keepProbability|} ? 1f : 0f;
                        activations[i] *= _mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task ConditionalZeroing_WithDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Regularization
            {
                public static void ApplyDropout(Span<double> x, double dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if ({|DRP004:rng.NextDouble() < dropRate|})
                        {
                            x[i] = 0;
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task MultiplyByZeroOrOne_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Hidden(float[] h, float keep, Random rng, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < h.Length; i++)
                        h[i] *= {|DRP004:rng.NextSingle() < keep|} ? 1 : 0;
                }
            }
            """);

    [Fact]
    public Task LinqSelect_KeepingOrZeroing_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static double[] Dropout(double[] x, double keepProbability, Random rng) =>
                    x.Select(v => {|DRP004:rng.NextDouble() >= keepProbability|} ? 0.0 : v).ToArray();
            }
            """);

    [Fact]
    public Task BooleanMask_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Forward(float[] x, bool[] keepMask, double p, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        keepMask[i] = {|DRP004:rng.NextDouble() < p|};
                        x[i] = keepMask[i] ? x[i] : 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task DrawFromAnotherGenerator_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public interface IRandomSource { float NextFloat(); }

            public sealed class DropoutByHand(IRandomSource random, float keepProbability)
            {
                public void Apply(Span<float> activations)
                {
                    for (int i = 0; i < activations.Length; i++)
                        activations[i] = {|DRP004:random.NextFloat() < keepProbability|} ? activations[i] : 0f;
                }
            }
            """);

    [Fact]
    public Task InvertedDropout_DividingKeptValues_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] h, double keepProbability, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = rng.NextDouble() < keepProbability ? (float)(h[i] / keepProbability) : 0f;
                }
            }
            """);

    [Fact]
    public Task InvertedDropout_WithPrecomputedScale_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayerByHand(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                private readonly float[] _mask = new float[256];

                public void Forward(float[] x)
                {
                    float scale = (float)(1.0 / (1.0 - dropRate));
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = _rng.NextDouble() < dropRate ? 0f : scale;
                        x[i] *= _mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task NonInvertedDropout_ScalingByPAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ClassicDropout(double keepProbability)
            {
                private readonly Random _rng = new(1);

                public void Train(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        if (_rng.NextDouble() >= keepProbability) h[i] = 0;
                }

                public void Predict(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] *= keepProbability;
                }
            }
            """);

    [Fact]
    public Task ConstantKeepProbability_WithMatchingConstantScale_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void DropHalf(float[] h, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = rng.NextDouble() < 0.5 ? h[i] * 2f : 0f;
                }
            }
            """);

    [Fact]
    public Task EpsilonGreedyActionSelection_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Agent(double epsilon)
            {
                private readonly Random _rng = new();

                public int[] ChooseActions(double[][] qValues)
                {
                    var actions = new int[qValues.Length];
                    for (int s = 0; s < qValues.Length; s++)
                    {
                        actions[s] = _rng.NextDouble() < epsilon ? _rng.Next(qValues[s].Length) : Array.IndexOf(qValues[s], qValues[s].Max());
                        double explorationBonus = _rng.NextDouble() < epsilon ? 0.0 : 1.0;
                        qValues[s][actions[s]] += explorationBonus;
                    }

                    return actions;
                }
            }
            """);

    [Fact]
    public Task BootstrapResampling_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Statistics
            {
                public static double[] Bootstrap(double[] data, Random rng)
                {
                    var sample = new double[data.Length];
                    for (int i = 0; i < sample.Length; i++)
                        sample[i] = data[rng.Next(data.Length)];
                    return sample;
                }

                public static double[] BernoulliWeights(int n, double inclusion, Random rng) =>
                    Enumerable.Range(0, n).Select(_ => rng.NextDouble() < inclusion ? 1.0 : 0.0).ToArray();
            }
            """);

    [Fact]
    public Task DataAugmentation_FlipsAndPixelNoise_AreNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Augmentation
            {
                public static void Augment(float[][] images, double noiseRate, Random rng)
                {
                    foreach (float[] image in images)
                    {
                        if (rng.NextDouble() < 0.5) Array.Reverse(image);
                        for (int i = 0; i < image.Length; i++)
                            if (rng.NextDouble() < noiseRate) image[i] = 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_ScalesKeptBranchOfConditional() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(
            """
            public static class Net
            {
                public static void Forward(float[] mask, double[] h, double keepProbability, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        mask[i] = {|DRP004:rng.NextDouble() < keepProbability|} ? 1f : 0f;
                        h[i] = {|DRP004:rng.NextDouble() < keepProbability|} ? h[i] : 0.0;
                    }
                }
            }
            """,
            """
            public static class Net
            {
                public static void Forward(float[] mask, double[] h, double keepProbability, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        mask[i] = rng.NextDouble() < keepProbability ? (float)(1f / keepProbability) : 0f;
                        h[i] = rng.NextDouble() < keepProbability ? h[i] / keepProbability : 0.0;
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_AddsScalingElseToZeroingIf_WithDropRate() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(
            """
            public static class Net
            {
                public static void Dropout(float[] x, double dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if ({|DRP004:rng.NextDouble() < dropRate|})
                        {
                            x[i] = 0f;
                        }
                    }
                }
            }
            """,
            """
            public static class Net
            {
                public static void Dropout(float[] x, double dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (rng.NextDouble() < dropRate)
                        {
                            x[i] = 0f;
                        }
                        else
                        {
                            x[i] = (float)(x[i] / (1 - dropRate));
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_CastsScaledValueForCompoundMultiply() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(
            """
            public static class Net
            {
                public static void Dropout(float[] h, double keep, Random rng)
                {
                    foreach (int i in Enumerable.Range(0, h.Length))
                        h[i] *= {|DRP004:rng.NextDouble() < keep|} ? 1 : 0;
                }
            }
            """,
            """
            public static class Net
            {
                public static void Dropout(float[] h, double keep, Random rng)
                {
                    foreach (int i in Enumerable.Range(0, h.Length))
                        h[i] *= rng.NextDouble() < keep ? (float)(1 / keep) : 0;
                }
            }
            """);

    // Issue 8 item 10: the divisor keeps the comparison's cast, or a decimal/Half p gives CS0019.
    [Fact]
    public Task Fix_KeepsTheCastOfADecimalOrHalfKeepProbability() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(
            """
            public static class Net
            {
                public static void Forward(float[] h, decimal keepDecimal, Half keepHalf, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        h[i] = {|DRP004:rng.NextDouble() < (double)keepDecimal|} ? h[i] : 0f;
                        if ({|DRP004:rng.NextSingle() >= (float)keepHalf|}) h[i] = 0f;
                    }
                }
            }
            """,
            """
            public static class Net
            {
                public static void Forward(float[] h, decimal keepDecimal, Half keepHalf, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        h[i] = rng.NextDouble() < (double)keepDecimal ? (float)(h[i] / (double)keepDecimal) : 0f;
                        if (rng.NextSingle() >= (float)keepHalf) h[i] = 0f; else h[i] /= (float)keepHalf;
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_DropRateWithCast_KeepsTheCastInsideTheComplement() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(
            """
            public static class Net
            {
                public static void Dropout(double[] x, decimal dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = {|DRP004:rng.NextDouble() < (double)dropRate|} ? 0.0 : x[i];
                }
            }
            """,
            """
            public static class Net
            {
                public static void Dropout(double[] x, decimal dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = rng.NextDouble() < (double)dropRate ? 0.0 : x[i] / (1 - (double)dropRate);
                }
            }
            """);

    [Fact]
    public Task Fix_IsNotOfferedOnIncompleteCode()
    {
        const string source = """
            public static class Net
            {
                public static void Forward(float[] h, double keep, Random rng)
                {
                    for (int i = 0; i < h.Length; i++)
                        h[i] = {|DRP004:rng.NextDouble() < keep|} ? h[i] {|CS1003:0f|};
                }
            }
            """;
        return AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(source, source);
    }

    [Fact]
    public Task Fix_IsNotOfferedForABooleanMask()
    {
        const string source = """
            public static class Net
            {
                public static void Forward(float[] x, bool[] keepMask, double p, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                        keepMask[i] = {|DRP004:rng.NextDouble() < p|};
                }
            }
            """;
        return AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(source, source);
    }
}
