using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A random 0/1 decision whose probability is read per element (the element's own activation probability) is a
/// stochastic unit, such as the Gibbs sampling of a restricted Boltzmann machine, not dropout: no scale is expected.
/// One rate for every element stays a dropout site.
/// </summary>
public sealed class PerElementProbabilityTests
{
    private const string Units = """
        public sealed class Units
        {
            private readonly Random _random = new(3);
            public int Binomial(int trials, double chance)
            {
                int hits = 0;
                for (int t = 0; t < trials; t++) if (_random.NextDouble() < chance) hits++;
                return hits;
            }
        }
        """;

    [Fact]
    public Task BernoulliSampleOfEachUnitsOwnProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Units + """
            public sealed class HiddenSampler
            {
                private readonly Units _units = new();
                public void TrainUpward(double[] visible, double[][] weights, double[] probabilities, double[] states)
                {
                    for (int h = 0; h < probabilities.Length; h++)
                    {
                        double sum = 0;
                        for (int v = 0; v < visible.Length; v++) sum += weights[h][v] * visible[v];
                        probabilities[h] = 1.0 / (1.0 + Math.Exp(-sum));
                        states[h] = _units.Binomial(1, probabilities[h]);
                    }
                }
            }
            """);

    [Fact]
    public Task UniformComparedWithEachUnitsOwnProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class VisibleSampler
            {
                private readonly Random _random = new(5);
                public void TrainDownward(double[] meanVisible, double[] sampledVisible)
                {
                    for (int i = 0; i < meanVisible.Length; i++)
                    {
                        sampledVisible[i] = _random.NextDouble() < meanVisible[i] ? 1.0 : 0.0;
                    }
                }
            }
            """);

    [Fact]
    public Task OneRateForEveryUnit_SameShape_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Units + """
            public sealed class HiddenDropout
            {
                private readonly Units _units = new();
                public void TrainForward(double[] hidden, double[] masks, double keep)
                {
                    for (int h = 0; h < hidden.Length; h++)
                    {
                        masks[h] = {|DRP004:_units.Binomial(1, keep)|};
                        hidden[h] *= masks[h];
                    }
                }
            }
            """);

    [Fact]
    public Task PerLayerRateChosenByAnOuterLoop_IsStillDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class StackedDropout
            {
                private readonly Random _random = new(9);
                public void TrainForward(double[][] layers, double[] dropRates)
                {
                    for (int l = 0; l < layers.Length; l++)
                    {
                        for (int i = 0; i < layers[l].Length; i++)
                        {
                            if ({|DRP004:_random.NextDouble() < dropRates[l]|}) layers[l][i] = 0;
                        }
                    }
                }
            }
            """);
}
