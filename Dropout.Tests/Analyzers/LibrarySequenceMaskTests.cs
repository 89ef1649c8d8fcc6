using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A 0/1 mask taken from a library's Bernoulli sequence (MathNet's <c>Bernoulli.Samples(rng, p)</c>, cut with
/// <c>Take(n)</c> and materialized) is a mask kept with p: multiplied in without a scale it is DRP004; scaled, or mapped to
/// something else than its entries, it is not. The library is a stub here whose body draws nothing, as a referenced
/// assembly's would show.
/// </summary>
public sealed class LibrarySequenceMaskTests
{
    private const string Library = """
        public static class Bernoulli
        {
            public static IEnumerable<int> Samples(Random rnd, double p) => throw new NotSupportedException();
        }

        """;

    private static string Layer(string mask, string kept) => Library + $$"""
        public sealed class DropoutLayer(double keepProbability)
        {
            private readonly Random _rng = new(2);

            public double[] Forward(double[] x, bool training)
            {
                if (!training) return x;
                var mask = {{mask}};
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++) y[i] = {{kept}};
                return y;
            }
        }
        """;

    [Fact]
    public Task SamplesCutAndMaterialized_MultipliedWithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("{|DRP004:Bernoulli.Samples(_rng, keepProbability)|}.Take(x.Length).ToArray()", "x[i] * mask[i]"));

    [Fact]
    public Task SamplesMaterializedAsAList_MultipliedWithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("{|DRP004:Bernoulli.Samples(_rng, keepProbability)|}.Take(x.Length).ToList()", "x[i] * mask[i]"));

    [Fact]
    public Task SamplesWithTheInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("Bernoulli.Samples(_rng, keepProbability).Take(x.Length).ToArray()", "x[i] * mask[i] / keepProbability"));

    [Fact]
    public Task SamplesMappedToSomethingElse_IsNoMask() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("Bernoulli.Samples(_rng, keepProbability).Take(x.Length).Select(b => b * 2 - 1).ToArray()", "x[i] * mask[i]"));

    [Fact]
    public Task SamplesNotCut_CountedOnly_IsNoMask() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("Bernoulli.Samples(_rng, keepProbability).Take(x.Length).Count()", "x[i] * mask"));
}
