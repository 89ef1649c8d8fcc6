using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A 0/1 draw held in a local and multiplied into the activation afterwards is a dropout site: its missing scale is
/// reported (DRP004), and the same code with the scale is silent.
/// </summary>
public sealed class LocalZeroOneDrawTests
{
    // A helper a user's project might ship: a binomial draw of n trials with success probability p.
    private const string Helpers = """
        public static class RandomExtensions
        {
            public static int Binomial(this Random random, int trials, double probability)
            {
                int successes = 0;
                for (int t = 0; t < trials; t++) if (random.NextDouble() < probability) successes++;
                return successes;
            }
        }
        """;

    [Fact]
    public Task BinomialDrawInALocal_MultipliedIn_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Helpers + """
            public sealed class DropoutLayer(double keep)
            {
                private readonly Random _random = new(11);
                private readonly Dictionary<int, double> _masks = new();
                public double[] Forward(bool training, double[] x)
                {
                    if (!training) return x;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double m = {|DRP004:_random.Binomial(1, keep)|};
                        x[i] *= m;
                        _masks[i] = m;
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task BinomialDrawInALocal_MultipliedIn_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Helpers + """
            public sealed class DropoutLayer(double keep)
            {
                private readonly Random _random = new(11);
                public double[] Forward(bool training, double[] x)
                {
                    if (!training) return x;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double m = _random.Binomial(1, keep);
                        x[i] *= m / keep;
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task ComparisonInALocal_MultipliedIn_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double keep)
            {
                private readonly Random _random = new(11);
                public double[] Forward(bool training, double[] x)
                {
                    if (!training) return x;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double m = {|DRP004:_random.NextDouble() < keep|} ? 1 : 0;
                        x[i] *= m;
                    }
                    return x;
                }
            }
            """);

    [Fact]
    public Task ComparisonInALocal_MultipliedIn_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double keep)
            {
                private readonly Random _random = new(11);
                public double[] Forward(bool training, double[] x)
                {
                    if (!training) return x;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double m = _random.NextDouble() < keep ? 1 : 0;
                        x[i] *= m / keep;
                    }
                    return x;
                }
            }
            """);
}
