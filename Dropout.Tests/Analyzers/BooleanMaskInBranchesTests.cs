using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A boolean mask whose decision is written as `if`/`else` branches that each record the flag and write the output
/// (`if (u &lt; dropProb) { dropped[i] = true; y[i] = 0; } else { dropped[i] = false; y[i] = x[i]; }`), and the variant where
/// the branches only record the flag and a later loop zeroes by it. The kept value is the other branch's write (or the
/// later loop's), so a missing or a correct 1/(1 - dropProb) is read there, and a backward reading the flag is paired.
/// </summary>
public sealed class BooleanMaskInBranchesTests
{
    private static string Layer(string keptValue, string backward = "", bool flagFirst = true) => $$"""
        public sealed class DropLayer
        {
            private readonly Random _random = new(7);
            private readonly double _dropProbability = 0.4;
            private bool[] _isDropped = new bool[64];
            public bool IsTraining { get; set; } = true;

            public double[] Forward(double[] input)
            {
                var output = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    if (!IsTraining)
                    {
                        output[i] = input[i];
                        continue;
                    }

                    if (_random.NextDouble() < _dropProbability)
                    {
                        {{(flagFirst ? "_isDropped[i] = true; output[i] = 0.0;" : "output[i] = 0.0; _isDropped[i] = true;")}}
                    }
                    else
                    {
                        {{(flagFirst ? "_isDropped[i] = false; output[i] = " + keptValue + ";" : "output[i] = " + keptValue + "; _isDropped[i] = false;")}}
                    }
                }
                return output;
            }
            {{backward}}
        }
        """;

    private static string FlagThenLoop(string keptValue, string backward = "") => $$"""
        public sealed class DropLayer
        {
            private readonly Random _random = new(7);
            private readonly double _dropProbability = 0.4;
            private readonly bool[] _isDropped = new bool[64];

            public double[] Forward(double[] input, bool isTraining)
            {
                if (!isTraining) return input;
                for (int i = 0; i < input.Length; i++)
                {
                    if (_random.NextDouble() < _dropProbability)
                        _isDropped[i] = true;
                    else
                        _isDropped[i] = false;
                }

                var output = new double[input.Length];
                for (int i = 0; i < input.Length; i++)
                {
                    if (_isDropped[i]) output[i] = 0.0;
                    else output[i] = {{keptValue}};
                }
                return output;
            }
            {{backward}}
        }
        """;

    [Fact]
    public Task FlagAndZeroInBranches_KeptUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("input[i]").Replace("_random.NextDouble() < _dropProbability", "{|DRP004:_random.NextDouble() < _dropProbability|}", StringComparison.Ordinal));

    [Fact]
    public Task FlagAndZeroInBranches_KeptScaledByOneMinusDrop_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)"));

    [Fact]
    public Task FlagAndZeroInBranches_KeptScaledByOneMinusDrop_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)"));

    [Fact]
    public Task FlagAndZeroInBranches_KeptScaledByTheDropRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(Layer("{|DRP012:input[i] / _dropProbability|}"));

    [Fact]
    public Task FlagAndZeroInBranches_BackwardReadingTheFlagWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)", """
            public double[] {|DRP013:Backward|}(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i];
                return result;
            }
            """));

    [Fact]
    public Task FlagAndZeroInBranches_BackwardReadingTheFlagWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)", """
            public double[] Backward(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i] / (1.0 - _dropProbability);
                return result;
            }
            """));

    [Fact]
    public Task FlagInBranches_ZeroedByALaterLoop_KeptUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            FlagThenLoop("input[i]").Replace("_random.NextDouble() < _dropProbability", "{|DRP004:_random.NextDouble() < _dropProbability|}", StringComparison.Ordinal));

    [Fact]
    public Task FlagInBranches_ZeroedByALaterLoop_KeptScaled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(FlagThenLoop("input[i] / (1.0 - _dropProbability)"));

    [Fact]
    public Task ZeroBeforeFlagInBranches_BackwardReadingTheFlagWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)", """
            public double[] {|DRP013:Backward|}(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i];
                return result;
            }
            """, flagFirst: false));

    [Fact]
    public Task ZeroBeforeFlagInBranches_BackwardReadingTheFlagWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)", """
            public double[] Backward(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i] / (1.0 - _dropProbability);
                return result;
            }
            """, flagFirst: false));

    [Fact]
    public Task ZeroBeforeFlagInBranches_KeptUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Layer("input[i]", flagFirst: false).Replace("_random.NextDouble() < _dropProbability", "{|DRP004:_random.NextDouble() < _dropProbability|}", StringComparison.Ordinal));

    [Fact]
    public Task FlagAndZeroInBranches_KeptScaled_IsNotAKeepWithDropRate() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)"));

    [Fact]
    public Task FlagAndZeroInBranches_KeptScaled_IsNotADoubleScale() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>(Layer("input[i] / (1.0 - _dropProbability)"));

    [Fact]
    public Task FlagInBranches_ZeroedByALaterLoop_BackwardWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(FlagThenLoop("input[i] / (1.0 - _dropProbability)", """
            public double[] {|DRP013:Backward|}(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i];
                return result;
            }
            """));

    [Fact]
    public Task FlagInBranches_ZeroedByALaterLoop_BackwardWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(FlagThenLoop("input[i] / (1.0 - _dropProbability)", """
            public double[] Backward(double[] gradient)
            {
                var result = new double[gradient.Length];
                for (int i = 0; i < gradient.Length; i++) result[i] = _isDropped[i] ? 0.0 : gradient[i] / (1.0 - _dropProbability);
                return result;
            }
            """));
}
