using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Neural-network code written over <c>decimal</c> arithmetic (a rate, an activation and a draw cast to decimal) is
/// dropout like the same code over <c>double</c>: its missing scale and its keep/drop confusion are reported, and the
/// correctly scaled twin is silent. Found on real public code (real-d's held-out set): a one-file framework whose
/// dropout layer compares a decimal draw with a decimal probability was not read at all.
/// </summary>
public sealed class DecimalDropoutTests
{
    // A unit of a framework whose whole arithmetic is decimal; its generator wraps System.Random.
    private const string Framework = """
        public sealed class Unit { public decimal Signal; }

        public static class Dice
        {
            private static readonly Random Source = new(5);
            public static decimal Uniform01() => (decimal)Source.NextDouble();
        }
        """;

    [Fact]
    public Task DecimalRate_UnitsZeroed_NothingRescales_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Framework + """
            public sealed class DropoutStage(decimal dropRate)
            {
                public Unit[] Units { get; } = new Unit[16];
                public void Forward(bool training)
                {
                    if (!training) return;
                    foreach (Unit unit in Units)
                    {
                        if ({|DRP004:Dice.Uniform01() < dropRate|}) unit.Signal = 0M;
                    }
                }
            }
            """);

    [Fact]
    public Task DecimalRate_KeptUnitsDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Framework + """
            public sealed class DropoutStage(decimal dropRate)
            {
                public Unit[] Units { get; } = new Unit[16];
                public void Forward(bool training)
                {
                    if (!training) return;
                    foreach (Unit unit in Units)
                    {
                        if (Dice.Uniform01() < dropRate) unit.Signal = 0M;
                        else unit.Signal = unit.Signal / (1M - dropRate);
                    }
                }
            }
            """);

    [Fact]
    public Task DecimalArray_ClassicInferenceByTheDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(Framework + """
            public sealed class DropoutStage(decimal dropRate)
            {
                public decimal[] Forward(decimal[] h, bool training)
                {
                    var y = new decimal[h.Length];
                    for (int i = 0; i < h.Length; i++)
                    {
                        if (training) y[i] = Dice.Uniform01() < dropRate ? 0M : h[i];
                        else y[i] = {|DRP012:h[i] * dropRate|};
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task DecimalArray_ClassicInferenceByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(Framework + """
            public sealed class DropoutStage(decimal dropRate)
            {
                public decimal[] Forward(decimal[] h, bool training)
                {
                    var y = new decimal[h.Length];
                    for (int i = 0; i < h.Length; i++)
                    {
                        if (training) y[i] = Dice.Uniform01() < dropRate ? 0M : h[i];
                        else y[i] = h[i] * (1M - dropRate);
                    }
                    return y;
                }
            }
            """);

    // The DRP004 fix writes a double or float divisor; on decimal code it would not compile, so it is not offered.
    private const string DecimalLayerWithoutScale = """
        public sealed class DropoutStage(decimal dropRate)
        {
            private static readonly Random Source = new(5);
            public decimal[] Forward(decimal[] h, bool training)
            {
                if (!training) return h;
                for (int i = 0; i < h.Length; i++)
                    h[i] = {|DRP004:(decimal)Source.NextDouble() < dropRate|} ? 0M : h[i];
                return h;
            }
        }
        """;

    [Fact]
    public Task DecimalRate_MissingScale_NoFixThatWouldNotCompile() =>
        AnalyzerTest.VerifyFixAsync<MissingInvertedScalingAnalyzer, MissingInvertedScalingCodeFixProvider>(DecimalLayerWithoutScale, DecimalLayerWithoutScale);

    // Money is decimal too: a random price markdown in a shop is no dropout, decimal or not.
    [Fact]
    public Task DecimalPriceMarkdownCoin_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Framework + """
            public sealed class FlashSale(decimal giveawayChance)
            {
                public void Apply(decimal[] prices)
                {
                    for (int i = 0; i < prices.Length; i++)
                    {
                        if (Dice.Uniform01() < giveawayChance) prices[i] = 0M;
                    }
                }
            }
            """);
}
