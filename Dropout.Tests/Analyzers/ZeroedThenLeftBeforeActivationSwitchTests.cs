using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A unit that draws its drop flag into a member under a training flag (<c>_dropped = u &lt; rate; if (_dropped) {
/// _output = 0; _slope = 0; return; }</c>) and then writes its activation in a <c>switch</c> (or an <c>if</c>/<c>else</c>
/// chain) over activation kinds, as course-project neurons do. The member flag is read right after it is drawn, so the
/// decision is that read; the exit leaves the training <c>if</c>, so the kept value is the write after it, inside the
/// switch. Unscaled: DRP004. Divided by the keep probability in every kind, or a flag that is written again before it
/// is read, or a look-alike that is not network code: silent.
/// </summary>
public sealed class ZeroedThenLeftBeforeActivationSwitchTests
{
    private const string Switch = """
        switch (Kind)
        {
            case Activation.Logistic:
                _output = LOGISTIC;
                _slope = _output * (1 - _output);
                break;
            case Activation.Relu:
                _output = RELU;
                _slope = net > 0 ? 1 : 0;
                break;
            default:
                _output = TANH;
                _slope = 1 - _output * _output;
                break;
        }
        """;

    private const string IfElseChain = """
        if (Kind == Activation.Logistic)
        {
            _output = LOGISTIC;
            _slope = _output * (1 - _output);
        }
        else if (Kind == Activation.Relu)
        {
            _output = RELU;
            _slope = net > 0 ? 1 : 0;
        }
        else
        {
            _output = TANH;
            _slope = 1 - _output * _output;
        }
        """;

    private static string Unit(string logistic = "1.0 / (1.0 + Math.Exp(-net))", string tanh = "Math.Tanh(net)", string relu = "net > 0 ? net : 0", string afterDraw = "", string activation = Switch) => $$"""
        public enum Activation { Logistic, Tanh, Relu }

        public sealed class HiddenUnit
        {
            private static readonly Random Rng = new Random(11);
            private readonly double[] _weights = new double[4];
            private double _output;
            private double _slope;
            private bool _dropped;

            public Activation Kind { get; set; } = Activation.Tanh;
            public double DropoutRate { get; set; } = 0.3;
            public double Output => _output;
            public double Slope => _slope;
            public bool Dropped => _dropped;

            public void Fire(double[] inputs, bool training)
            {
                if (training && DropoutRate > 0)
                {
                    _dropped = Rng.NextDouble() < DropoutRate;
                    {{afterDraw}}
                    if (_dropped)
                    {
                        _output = 0;
                        _slope = 0;
                        return;
                    }
                }
                else
                {
                    _dropped = false;
                }

                double net = _weights[0];
                for (int k = 0; k < inputs.Length; k++) net += inputs[k] * _weights[k + 1];

                {{activation.Replace("LOGISTIC", logistic).Replace("TANH", tanh).Replace("RELU", relu)}}
            }
        }
        """;

    [Fact]
    public Task MemberFlagZeroedAndLeft_KeptValueWrittenInActivationSwitch_Unscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit().Replace("if (_dropped)", "if ({|DRP004:_dropped|})"));

    [Fact]
    public Task MemberFlagZeroedAndLeft_KeptValueInActivationIfElseChain_Unscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit(activation: IfElseChain).Replace("if (_dropped)", "if ({|DRP004:_dropped|})"));

    [Fact]
    public Task MemberFlagZeroedAndLeft_KeptValueDividedByTheKeepProbabilityInTheSwitch_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit(
            logistic: "1.0 / (1.0 + Math.Exp(-net)) / (1 - DropoutRate)",
            tanh: "Math.Tanh(net) / (1 - DropoutRate)",
            relu: "(net > 0 ? net : 0) / (1 - DropoutRate)"));

    [Fact]
    public Task MemberFlagWrittenAgainBeforeItIsRead_IsNotTheDrawnDecision_AndSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Unit(afterDraw: "_dropped = false;"));

    [Fact]
    public Task SensorFlagZeroedAndLeft_BeforeAReadingSwitch_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public enum Channel { Thermal, Optical }

            public sealed class FlakySensor
            {
                private readonly Random _random = new(7);
                private bool _failed;
                public double FailureRate { get; set; } = 0.05;
                public Channel Channel { get; set; }
                public double Reading { get; private set; }

                public void Sample(double truth, bool simulateFaults)
                {
                    if (simulateFaults)
                    {
                        _failed = _random.NextDouble() < FailureRate;
                        if (_failed)
                        {
                            Reading = 0;
                            return;
                        }
                    }

                    switch (Channel)
                    {
                        case Channel.Thermal:
                            Reading = truth + 0.5;
                            break;
                        default:
                            Reading = truth;
                            break;
                    }
                }
            }
            """);
}
