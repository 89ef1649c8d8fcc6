using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Dropout whose element store is an append: <c>if (u &lt; rate) outputs.Add(0); else outputs.Add(activation);</c>. The
/// keep/drop choice is which value the two branches append to the same list, the decision
/// <c>outputs.Add(u &lt; rate ? 0 : activation)</c> makes; a held-out port of a TypeScript habit predictor stored its
/// dropout this way (<c>layerOutput.push(0)</c> / <c>push(activation)</c>) and was no site at all. Unscaled it is DRP004;
/// scaled by 1/(1 - rate) behind a training flag it is silent, and so is a sampler that appends zero or a value without
/// speaking of dropout, and an <c>if</c> that appends only in one branch (a filter, not a choice).
/// </summary>
public sealed class AppendedDropoutChoiceTests
{
    [Fact]
    public Task ZeroOrActivationAppended_NeverRescaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Network
            {
                private readonly Random _random = new(3);
                private readonly double _dropoutRate = 0.2;
                public List<double> Layer(List<double> input, double[][] weights)
                {
                    var layerOutput = new List<double>();
                    for (int j = 0; j < weights.Length; j++)
                    {
                        double sum = 0;
                        for (int k = 0; k < input.Count; k++) sum += weights[j][k] * input[k];
                        double activation = Math.Max(0, sum);
                        if ({|DRP004:_random.NextDouble() < _dropoutRate|})
                        {
                            layerOutput.Add(0);
                        }
                        else
                        {
                            layerOutput.Add(activation);
                        }
                    }
                    return layerOutput;
                }
            }
            """);

    [Fact]
    public Task ZeroOrScaledActivationAppended_BehindATrainingFlag_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Network
            {
                private readonly Random _random = new(3);
                private readonly double _dropoutRate = 0.2;
                public List<double> Layer(List<double> input, double[][] weights, bool training)
                {
                    var layerOutput = new List<double>();
                    for (int j = 0; j < weights.Length; j++)
                    {
                        double sum = 0;
                        for (int k = 0; k < input.Count; k++) sum += weights[j][k] * input[k];
                        double activation = Math.Max(0, sum);
                        if (!training)
                            layerOutput.Add(activation);
                        else if (_random.NextDouble() < _dropoutRate)
                            layerOutput.Add(0);
                        else
                            layerOutput.Add(activation / (1 - _dropoutRate));
                    }
                    return layerOutput;
                }
            }
            """);

    [Fact]
    public Task AlwaysOnAppendedDropout_IsReportedWithoutInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class Network
            {
                private readonly Random _random = new(3);
                private readonly double _dropoutRate = 0.2;
                public List<double> Forward(List<double> input)
                {
                    var layerOutput = new List<double>();
                    for (int j = 0; j < input.Count; j++)
                    {
                        if ({|DRP014:_random.NextDouble() < _dropoutRate|})
                            layerOutput.Add(0);
                        else
                            layerOutput.Add(input[j] / (1 - _dropoutRate));
                    }
                    return layerOutput;
                }
            }
            """);

    [Fact]
    public Task ZeroOrValueAppendedBySampler_WithoutDropoutWords_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Sampler
            {
                private readonly Random _random = new(3);
                public List<double> Thin(List<double> values, double chance)
                {
                    var picked = new List<double>();
                    for (int i = 0; i < values.Count; i++)
                    {
                        if (_random.NextDouble() < chance) picked.Add(0);
                        else picked.Add(values[i]);
                    }
                    return picked;
                }
            }
            """);

    [Fact]
    public Task ValueAppendedInOneBranchOnly_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Network
            {
                private readonly Random _random = new(3);
                private readonly double _dropoutRate = 0.2;
                public List<double> Kept(List<double> input)
                {
                    var layerOutput = new List<double>();
                    for (int j = 0; j < input.Count; j++)
                    {
                        if (_random.NextDouble() >= _dropoutRate)
                            layerOutput.Add(input[j]);
                    }
                    return layerOutput;
                }
            }
            """);
}
