using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Two more exits the model reads as dropout. A unit method that returns zero when dropped (<c>if (training &amp;&amp; u &lt;
/// rate) return 0.0;</c>) and otherwise returns its activation later: the later returned value is the kept value. A loop
/// that skips an element (<c>if (u &lt; rate) continue;</c>) before writing it (<c>output[i] = input[i];</c>) into a buffer
/// that holds zero there (freshly made, or that element zeroed earlier in the body): the write is the kept value.
/// Unscaled: DRP004. Scaled, a zero returned from inside a loop (it ends every element), or a buffer that keeps other
/// values where the element is skipped: silent.
/// </summary>
public sealed class ExitThatLeavesZeroTests
{
    private static string Unit(string kept = "Math.Tanh(sum)", string exit = "if (training && _random.NextDouble() < DropoutRate)\n            return 0.0;") => $$"""
        public sealed class HiddenNeuron
        {
            private readonly Random _random = new Random(3);
            public double DropoutRate { get; set; } = 0.5;
            public double[] Weights { get; } = new double[8];

            public double Activate(double[] inputs, bool training)
            {
                {{exit}}

                double sum = 0;
                for (int i = 0; i < inputs.Length; i++) sum += Weights[i] * inputs[i];
                return {{kept}};
            }
        }
        """;

    private static string Layer(string kept = "input[i]", string buffer = "new double[input.Length]", string beforeExit = "") => $$"""
        public sealed class DropoutLayer
        {
            private readonly Random _random = new Random(3);
            private readonly double[] _previous = new double[64];
            public double DropoutRate { get; set; } = 0.5;

            public double[] Forward(double[] input, bool training)
            {
                double[] output = {{buffer}};
                for (int i = 0; i < input.Length; i++)
                {
                    {{beforeExit}}
                    if (training && _random.NextDouble() < DropoutRate)
                        continue;
                    output[i] = {{kept}};
                }

                return output;
            }
        }
        """;

    [Fact]
    public Task UnitReturnsZeroWhenDropped_KeptReturnUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit().Replace("_random.NextDouble() < DropoutRate", "{|DRP004:_random.NextDouble() < DropoutRate|}"));

    [Fact]
    public Task UnitReturnsZeroWhenDropped_KeptReturnDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit(kept: "training ? Math.Tanh(sum) / (1 - DropoutRate) : Math.Tanh(sum)"));

    [Fact]
    public Task ZeroReturnedFromInsideALoop_EndsEveryElement_AndIsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit(exit: "for (int t = 0; t < 3; t++) if (training && _random.NextDouble() < DropoutRate) return 0.0;"));

    [Fact]
    public Task SkippedElementOfAFreshOutput_KeptWriteUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer().Replace("_random.NextDouble() < DropoutRate", "{|DRP004:_random.NextDouble() < DropoutRate|}"));

    [Fact]
    public Task SkippedElementZeroedEarlierInTheBody_KeptWriteUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(buffer: "_previous", beforeExit: "output[i] = 0;")
            .Replace("_random.NextDouble() < DropoutRate", "{|DRP004:_random.NextDouble() < DropoutRate|}"));

    [Fact]
    public Task SkippedElementOfAFreshOutput_KeptWriteDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(kept: "training ? input[i] / (1 - DropoutRate) : input[i]"));

    [Fact]
    public Task SkippedElementOfABufferHoldingOtherValues_IsNotReadAsDropout_AndSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(buffer: "_previous"));
}
