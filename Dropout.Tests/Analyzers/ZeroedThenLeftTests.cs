using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A neuron that drops itself by zeroing its output (and derivative) and leaving the method, and otherwise writes its
/// activation after the exit: the later write is the kept value. Unscaled it shrinks the expected activation (DRP004);
/// divided by the keep probability it is inverted dropout (silent); a sensor that reads 0 on a simulated failure is no
/// network code and is not dropout (silent).
/// </summary>
public sealed class ZeroedThenLeftTests
{
    private static string Neuron(string activation, string exit = "return;", string derivative = "1 - Output * Output") => $$"""
        public sealed class HiddenNeuron
        {
            private readonly Random _random = new(3);
            public double DropoutRate { get; set; } = 0.5;
            public double[] Weights { get; } = new double[8];
            public double Output { get; private set; }
            public double Derivative { get; private set; }

            public void FeedForward(double[] inputs, bool training)
            {
                if (_random.NextDouble() < DropoutRate)
                {
                    Output = 0;
                    Derivative = 0;
                    {{exit}}
                }

                double sum = 0;
                for (int i = 0; i < inputs.Length; i++) sum += Weights[i] * inputs[i];
                Output = {{activation}};
                Derivative = {{derivative}};
            }
        }
        """;

    [Fact]
    public Task ZeroedAndLeft_KeptActivationUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Neuron("Math.Tanh(sum)").Replace("_random.NextDouble() < DropoutRate", "{|DRP004:_random.NextDouble() < DropoutRate|}"));

    [Fact]
    public Task ZeroedAndLeft_KeptActivationDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Neuron("Math.Tanh(sum) / (1 - DropoutRate)"));

    // The sigmoid unit's derivative `Output * (1 - Output)` multiplies the kept value by a factor that reads the sigmoid; it
    // was once taken for a scale the model could not classify (the sigmoid behind `Output` was too deep to evaluate), which
    // hid the missing 1/p.
    [Fact]
    public Task ZeroedAndLeft_SigmoidUnitWithItsDerivative_KeptActivationUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Neuron("1.0 / (1.0 + Math.Exp(-sum))", derivative: "Output * (1 - Output)")
                .Replace("_random.NextDouble() < DropoutRate", "{|DRP004:_random.NextDouble() < DropoutRate|}"));

    [Fact]
    public Task ZeroedAndLeft_SigmoidUnitWithItsDerivative_KeptActivationDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Neuron("1.0 / (1.0 + Math.Exp(-sum)) / (1 - DropoutRate)", derivative: "Output * (1 - Output)"));

    [Fact]
    public Task ZeroedButNotLeft_IsOverwrittenNotDropped_AndSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Neuron("Math.Tanh(sum)", exit: ""));

    [Fact]
    public Task SensorReadingZeroOnSimulatedFailure_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class FlakySensor
            {
                private readonly Random _random = new(7);
                public double FailureRate { get; set; } = 0.05;
                public double Reading { get; private set; }

                public void Sample(double truth)
                {
                    if (_random.NextDouble() < FailureRate)
                    {
                        Reading = 0;
                        return;
                    }

                    Reading = truth + 0.01 * (_random.NextDouble() - 0.5);
                }
            }
            """);
}
