using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A network that keeps one drop rate per layer in an array compares each unit's draw with <c>rates[layer]</c>. The
/// element is the site's probability: a kept value divided by <c>1 - rates[layer]</c> is the inverted scale (silent), and
/// a kept value left as it is misses it (DRP004) — the index picks the layer and is not a second probability.
/// </summary>
public sealed class RateArrayTests
{
    private static string Network(string kept) => $$"""
        using System.Collections.Generic;

        public sealed class LayeredDropout
        {
            private readonly Random _random = new(11);
            private readonly List<float> _listRates = new() { 0.2f, 0.5f };

            public void Forward(double[][] activations, double[] dropRates)
            {
                for (int layer = 0; layer < activations.Length; layer++)
                {
                    for (int unit = 0; unit < activations[layer].Length; unit++)
                    {
                        if (_random.NextDouble() < dropRates[layer]) activations[layer][unit] = 0; else {{kept}};
                    }
                }
            }
        }
        """;

    [Fact]
    public Task KeptValueDividedByOneMinusTheLayersRate_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Network("activations[layer][unit] /= (1 - dropRates[layer])"));

    [Fact]
    public Task KeptValueDividedByOneMinusTheLayersRate_WrittenAsAnAssignment_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Network("activations[layer][unit] = activations[layer][unit] / (1.0 - dropRates[layer])"));

    [Fact]
    public Task KeptValueLeftUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Network("{ }").Replace("if (_random.NextDouble() < dropRates[layer])", "if ({|DRP004:_random.NextDouble() < dropRates[layer]|})"));

    [Fact]
    public Task ListOfRates_KeptValueDividedByOneMinusTheElement_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Network("activations[layer][unit] /= (1 - _listRates[layer])")
            .Replace("< dropRates[layer]", "< _listRates[layer]"));
}
