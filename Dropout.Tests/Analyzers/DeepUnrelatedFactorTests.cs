using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A factor too deep for the model to evaluate as a monomial of the probability (a Box–Muller Gaussian sample,
/// <c>Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Sin(2π u2)</c>, in a noise helper of the same class) is unrelated to the
/// dropout when no data flow leads from it to the probability; it no longer counts as an unknown scale that hides a
/// missing one. A deep factor that does reach the probability (through a chain of locals) still counts as unknown.
/// </summary>
public sealed class DeepUnrelatedFactorTests
{
    [Fact]
    public Task MissingScale_BesideAGaussianNoiseHelper_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Regularizers
            {
                public static double[] DropUnits(double[] activations, double dropRate)
                {
                    var rng = new Random(3);
                    for (int i = 0; i < activations.Length; i++)
                    {
                        if ({|DRP004:rng.NextDouble() < dropRate|}) activations[i] = 0;
                    }
                    return activations;
                }

                public static double Gaussian()
                {
                    var rng = new Random(4);
                    double a = 1.0 - rng.NextDouble();
                    double b = 1.0 - rng.NextDouble();
                    return Math.Sqrt(-2.0 * Math.Log(a)) * Math.Cos(2.0 * Math.PI * b);
                }
            }
            """);

    [Fact]
    public Task MissingScale_WithADeeplyNestedWeightInitialization_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(8);
                private readonly double[] _weights = new double[16];
                private readonly double _dropRate = 0.3;

                public void Init(int fanIn)
                {
                    double spread = Math.Sqrt(Math.Abs(Math.Log(1.0 + Math.Exp(-2.0 / Math.Max(1, fanIn)))));
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = (_rng.NextDouble() * 2 - 1) * spread;
                }

                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        if ({|DRP004:_rng.NextDouble() < _dropRate|}) h[i] = 0;
                    }
                }
            }
            """);

    [Fact]
    public Task InvertedScale_BesideAGaussianNoiseHelper_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Regularizers
            {
                public static double[] DropUnits(double[] activations, double dropRate)
                {
                    var rng = new Random(3);
                    for (int i = 0; i < activations.Length; i++)
                    {
                        activations[i] = rng.NextDouble() < dropRate ? 0 : activations[i] / (1 - dropRate);
                    }
                    return activations;
                }

                public static double Gaussian()
                {
                    var rng = new Random(4);
                    double a = 1.0 - rng.NextDouble();
                    double b = 1.0 - rng.NextDouble();
                    return Math.Sqrt(-2.0 * Math.Log(a)) * Math.Cos(2.0 * Math.PI * b);
                }
            }
            """);

    [Fact]
    public Task ScaleReachedThroughAChainOfLocals_TooDeepToEvaluate_IsStillAScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ChainedScaleLayer
            {
                private readonly Random _rng = new(5);
                private readonly double _rate = 0.25;

                public void Forward(double[] h)
                {
                    double a = _rate;
                    double b = a;
                    double c = b;
                    double d = c;
                    double e = d;
                    double keep = 1.0 - e;
                    for (int i = 0; i < h.Length; i++)
                    {
                        h[i] = _rng.NextDouble() < _rate ? 0 : h[i] / keep;
                    }
                }
            }
            """);

    [Fact]
    public Task RenormalizedByTheSumOfTheValuesItThinned_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ImportanceWeights
            {
                private readonly Random _rng = new(9);
                private readonly double[] _weights;

                public ImportanceWeights(int count) => _weights = Enumerable.Repeat(1.0 / count, count).ToArray();

                public void Thin(double keepProbability)
                {
                    for (int i = 0; i < _weights.Length; i++)
                        if (_rng.NextDouble() > keepProbability) _weights[i] = 0;
                    double total = _weights.Sum();
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = total > 0 ? _weights[i] / total : 0;
                }
            }
            """);

    [Fact]
    public Task RenormalizedByALoopSumOfTheValuesItThinned_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ImportanceWeights
            {
                private readonly Random _rng = new(9);
                private readonly double[] _weights = new double[16];

                public void Thin(double keepProbability)
                {
                    for (int i = 0; i < _weights.Length; i++)
                        if (_rng.NextDouble() > keepProbability) _weights[i] = 0;
                    double total = 0;
                    for (int i = 0; i < _weights.Length; i++) total += _weights[i];
                    for (int i = 0; i < _weights.Length; i++) _weights[i] /= total;
                }
            }
            """);

    [Fact]
    public Task DividedByTheSumOfAnotherArray_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(9);
                private readonly double[] _activations;
                private readonly double[] _prior;

                public HiddenLayer(int count)
                {
                    _activations = new double[count];
                    _prior = Enumerable.Repeat(1.0 / count, count).ToArray();
                }

                public void Forward(double dropRate)
                {
                    for (int i = 0; i < _activations.Length; i++)
                        if ({|DRP004:_rng.NextDouble() < dropRate|}) _activations[i] = 0;
                    double total = _prior.Sum();
                    for (int i = 0; i < _activations.Length; i++) _activations[i] = _activations[i] / total;
                }
            }
            """);
    [Fact]
    public Task MissingScale_WithADeepInitializationThroughALocalNamedScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(8);
                private readonly double[] _weights = new double[16];
                private readonly double _dropRate = 0.3;

                public void Init(int fanIn)
                {
                    double initScale = 2.0 / Math.Max(1, fanIn);
                    double spread = Math.Sqrt(Math.Abs(Math.Log(1.0 + Math.Exp(-initScale))));
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = (_rng.NextDouble() * 2 - 1) * spread;
                }

                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        if ({|DRP004:_rng.NextDouble() < _dropRate|}) h[i] = 0;
                    }
                }
            }
            """);

    [Fact]
    public Task MissingScale_AfterAnInputNormalizationTooDeepToEvaluateThroughALocalNamedScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(8);
                private readonly double _dropRate = 0.3;

                public double Forward(double[] x, double volatility)
                {
                    double sum = 0;
                    double inputScale = 0.5 * x.Length;
                    double a = inputScale + 1.0, b = a * 2.0, c = b + 1.0, d = c * 2.0, e = d + 1.0, f = e * 2.0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double spread = Math.Max(Math.Sqrt(Math.Abs(Math.Log(1.0 + Math.Exp(f)))), 1e-8);
                        double h = Math.Tanh(Math.Max(Math.Min(x[i] / spread, 10), -10));
                        if ({|DRP004:_rng.NextDouble() < _dropRate|}) h = 0;
                        sum += h;
                    }
                    return sum;
                }
            }
            """);

    [Fact]
    public Task DeepFactorThroughAScaleNamedPublicSetting_StillCountsAsAPossibleScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(8);
                private readonly double _dropRate = 0.3;
                public double OutputScale { get; set; } = 1.0;

                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        h[i] = _rng.NextDouble() < _dropRate ? 0 : h[i] * Math.Sqrt(Math.Abs(Math.Log(1.0 + Math.Exp(Math.Max(OutputScale, 0.0)))));
                    }
                }
            }
            """);
}
