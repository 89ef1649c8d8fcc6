using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>Dropout whose zeroing is an exit: a per-sample drop-path that returns its input, a <c>continue</c> that skips a weighted input.</summary>
public sealed class EarlyExitDropoutTests
{
    [Fact]
    public Task StochasticDepthReturningTheInputWithoutRescaling_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ResidualBlock(double survival, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool Training { get; set; }
                private double[] Branch(double[] x) => x.Select(v => Math.Max(0, v)).ToArray();
                public double[] Forward(double[] input)
                {
                    if (Training && {|DRP004:_rng.NextDouble() >= survival|}) return input;
                    double[] f = Branch(input);
                    return input.Zip(f, (a, b) => a + b).ToArray();
                }
            }
            """);

    [Fact]
    public Task ContinueThatSkipsTheWeightedInputWithoutRescaling_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                public double[][] Weights { get; set; } = Array.Empty<double[]>();
                public bool Training { get; set; }
                public double[] Forward(double[] input)
                {
                    var output = new double[Weights.Length];
                    for (int j = 0; j < Weights.Length; j++)
                    {
                        double sum = 0;
                        for (int i = 0; i < input.Length; i++)
                        {
                            if (Training && {|DRP004:_rng.NextDouble() < dropRate|}) continue;
                            sum += Weights[j][i] * input[i];
                        }
                        output[j] = Math.Tanh(sum);
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task DropPathWhoseResidualIsDividedAlsoAtInference_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class ResidualBlock(double survival, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool Training { get; set; }
                private double Branch(double x) => Math.Max(0, x);
                public double Forward(double input)
                {
                    if (Training && _rng.NextDouble() >= survival) return input;
                    return input + {|DRP018:Branch(input) / survival|};
                }
            }
            """);

    [Fact]
    public Task DropPathDividingTheResidualInTraining_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ResidualBlock(double survival, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool Training { get; set; }
                private double[] Branch(double[] x) => x.Select(v => Math.Max(0, v)).ToArray();
                public double[] Forward(double[] input)
                {
                    if (!Training) return input.Zip(Branch(input), (a, b) => a + b).ToArray();
                    if (_rng.NextDouble() >= survival) return input;
                    double[] f = Branch(input);
                    return input.Zip(f, (a, b) => a + b / survival).ToArray();
                }
            }
            """);

    [Fact]
    public Task DropPathScaledBySurvivalAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class StochasticDepthBlock(float survivalProb, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; }
                private float Residual(float x) => MathF.Tanh(x);
                public float Forward(float x)
                {
                    if (!IsTraining) return x + survivalProb * Residual(x);
                    if (_rng.NextSingle() > survivalProb) return x;
                    return x + Residual(x);
                }
            }
            """);

    [Fact]
    public Task ContinueWithTheSurvivorsRescaled_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                public double[][] Weights { get; set; } = Array.Empty<double[]>();
                public bool Training { get; set; }
                public double[] Forward(double[] input)
                {
                    var output = new double[Weights.Length];
                    for (int j = 0; j < Weights.Length; j++)
                    {
                        double sum = 0;
                        for (int i = 0; i < input.Length; i++)
                        {
                            if (Training && _rng.NextDouble() < dropRate) continue;
                            sum += Weights[j][i] * input[i] / (Training ? 1 - dropRate : 1);
                        }
                        output[j] = Math.Tanh(sum);
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task EpsilonGreedyEarlyReturnAndSkippedFeature_AreNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Agent(double epsilon, int seed)
            {
                private readonly Random _rng = new(seed);
                public double[] QValues { get; set; } = new double[4];
                public int Act(int state)
                {
                    if (_rng.NextDouble() < epsilon) return state;
                    return state + Array.IndexOf(QValues, QValues.Max());
                }
                public double Score(double[] features, double[] weights)
                {
                    double sum = 0;
                    for (int i = 0; i < features.Length; i++)
                    {
                        if (_rng.NextDouble() < epsilon) continue;
                        sum += weights[i] * features[i];
                    }
                    return sum;
                }
            }
            """);

    [Fact]
    public Task BreakOutOfTheLoopOnADraw_IsNotADropoutSite() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                public double Forward(double[] input, double[] weights)
                {
                    double sum = 0;
                    for (int i = 0; i < input.Length; i++)
                    {
                        if (_rng.NextDouble() < dropRate) break;
                        sum += weights[i] * input[i];
                    }
                    return sum;
                }
            }
            """);
}
