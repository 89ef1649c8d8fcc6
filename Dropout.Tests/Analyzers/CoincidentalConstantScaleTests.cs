using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A literal probability links to a literal factor by value alone: <c>x / 5.0</c> equals <c>x * 0.2</c>, the drop rate of
/// <c>u &lt; 0.2</c>, but a learning rate divided by 5 scales no activation. DRP012 names a drop-rate factor at inference
/// only when it is applied to an element; the same factor on an activation is still reported.
/// </summary>
public sealed class CoincidentalConstantScaleTests
{
    [Fact]
    public Task LiteralEqualToTheDropRate_OnALearningRate_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed record Settings(double LearningRate, bool Incremental);

            public sealed class AblationTrainer
            {
                private readonly Random _random = new(42);
                public double Train(double[] features, double[] weights, Settings settings)
                {
                    if (settings.Incremental)
                    {
                        var slower = settings with { LearningRate = settings.LearningRate / 5.0, Incremental = false };
                        return Train(features, weights, slower);
                    }

                    var masked = (double[])features.Clone();
                    for (int k = 0; k < masked.Length; k++)
                    {
                        if (_random.NextDouble() < 0.2) masked[k] = 0;
                    }

                    double score = 0;
                    for (int k = 0; k < masked.Length; k++) score += masked[k] / 0.8 * weights[k];
                    return score;
                }
            }
            """);

    [Fact]
    public Task LiteralEqualToTheDropRate_OnInferenceActivations_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class ClassicDropoutLayer
            {
                private readonly Random _random = new(42);
                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (training)
                        {
                            y[i] = _random.NextDouble() < 0.2 ? 0 : x[i];
                        }
                        else
                        {
                            y[i] = {|DRP012:x[i] * 0.2|};
                        }
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task LiteralEqualToTheKeepProbability_OnInferenceActivations_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class ClassicDropoutLayer
            {
                private readonly Random _random = new(42);
                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = training ? (_random.NextDouble() < 0.2 ? 0 : x[i]) : x[i] * 0.8;
                    }
                    return y;
                }
            }
            """);
}
