using Dropout.Analyzers;
using Dropout.Generators.Model;

namespace Dropout.Tests.Integration;

/// <summary>Issue 8, item 2: the runtime, the generator (DRPG003) and the analyzer (DRP001) accept exactly the same p.</summary>
public class KeepProbabilityRangeAgreementTests
{
    [Fact]
    public void RuntimeGeneratorAndAnalyzer_AcceptTheSameKeepProbabilities()
    {
        Assert.Equal(DropoutMaskSpec.MinimumKeepProbability, MaskSpecification.MinimumKeepProbability);
        Assert.Equal(DropoutMaskSpec.MinimumKeepProbability, KeepProbabilityOutOfRangeAnalyzer.MinimumKeepProbability);

        double minimum = DropoutMaskSpec.MinimumKeepProbability;
        var candidates = new List<double>
        {
            double.NaN, double.NegativeInfinity, double.PositiveInfinity, double.Epsilon, -double.Epsilon, 0.0, -0.0, 1e-39, 1e-10,
            minimum, Math.BitDecrement(minimum), Math.BitIncrement(minimum), 1.0, Math.BitIncrement(1.0), Math.BitDecrement(1.0), 0.5, 2.0,
        };
        var random = new System.Random(2_24);
        for (int i = 0; i < 10_000; i++)
        {
            candidates.Add(Math.Pow(2, -40 + (41 * random.NextDouble())));
        }

        foreach (double p in candidates)
        {
            bool runtime = DropoutMaskSpec.IsSupported(p);
            Assert.True(runtime == MaskSpecification.IsValid(p), $"generator disagrees at p = {p:R}");
            Assert.True(runtime == KeepProbabilityOutOfRangeAnalyzer.IsSupported(p), $"analyzer disagrees at p = {p:R}");
            if (!runtime)
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMaskSpec.Create(p));
            }
        }
    }
}
