using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A library distribution object made with one probability (<c>new BinomialSampler(keep, rng)</c>, a Bernoulli or a
/// Binomial of one trial) and sampled into a container (<c>int[] ones = sampler.Generate(n)</c>): each entry is 1 with that
/// probability, so the container is a dropout mask kept with it, judged like any other mask (DRP004 without its 1/p).
/// A Binomial with a trial count other than 1 counts successes and is no mask.
/// </summary>
public sealed class DistributionObjectDrawTests
{
    private static string Layer(string creation, string apply) => $$"""
        namespace Stats
        {
            public sealed class BinomialSampler
            {
                public BinomialSampler(double successProbability, Random random) { }
                public BinomialSampler(double successProbability, int trials, Random random) { }
                public int[] Generate(int count) => throw new NotSupportedException("library");
            }
        }

        namespace Net
        {
            using Stats;

            public sealed class DropLayer
            {
                private readonly BinomialSampler _coins;
                private readonly double _keep;

                public DropLayer(double keep)
                {
                    _keep = keep;
                    _coins = {{creation}};
                }

                public double[] Forward(double[] x, bool training)
                {
                    if (!training)
                        return x;
                    int[] ones = [|_coins.Generate(x.Length)|];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                        y[i] = {{apply}};
                    return y;
                }
            }
        }
        """;

    [Fact]
    public Task MaskSampledFromALibraryBinomialOfOneProbability_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("new BinomialSampler(keep, new Random(5))", "x[i] * ones[i]").Replace("[|", "{|DRP004:").Replace("|]", "|}"));

    [Fact]
    public Task MaskSampledFromALibraryBinomialOfOneTrial_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("new BinomialSampler(keep, 1, new Random(5))", "x[i] * ones[i]").Replace("[|", "{|DRP004:").Replace("|]", "|}"));

    [Fact]
    public Task MaskSampledFromALibraryBinomial_DividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("new BinomialSampler(keep, new Random(5))", "x[i] * ones[i] / _keep").Replace("[|", "").Replace("|]", ""));

    [Fact]
    public Task BinomialOfSeveralTrials_CountsSuccessesAndIsNoMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("new BinomialSampler(keep, 10, new Random(5))", "x[i] * ones[i]").Replace("[|", "").Replace("|]", ""));
}
