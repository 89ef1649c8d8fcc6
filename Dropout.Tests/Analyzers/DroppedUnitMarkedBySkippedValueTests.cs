using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Dropout that marks a dropped unit with a value the next layer skips instead of zeroing it: a ReLU network writes
/// <c>-1</c> into a dropped hidden unit and its next layer only sums units that pass <c>v &gt; 0</c>, so the marker stands for
/// "dropped" exactly as a zero would. What makes the marker a drop is a reader of the same units that excludes it, not its
/// value: a negative number that every reader uses as a number is no drop, and neither is one a reader's test lets through.
/// </summary>
public sealed class DroppedUnitMarkedBySkippedValueTests
{
    private static string Net(string drop, string readNext, string inference = "") => $$"""
        using System;

        public sealed class FlatNet
        {
            private readonly int[] _sizes = { 4, 8, 3 };
            private readonly float[] _units = new float[15];
            private readonly float[] _weights = new float[56];
            private readonly Random _random = new Random(7);
            private readonly float _dropRate = 0.3f;

            public int Forward(bool training)
            {
                int best = -1;
                float top = float.MinValue;
                for (int layer = 0, j = _sizes[0], t = 0, w = 0; layer < _sizes.Length - 1; layer++, t += _sizes[layer - 1], w += _sizes[layer] * _sizes[layer - 1])
                    for (int k = 0; k < _sizes[layer + 1]; k++, j++)
                    {
                        float sum = 0;
                        for (int n = t, m = w + k; n < t + _sizes[layer]; n++, m += _sizes[layer + 1])
                        {
                            {{readNext}}
                        }

                        if (layer == _sizes.Length - 2)
                        {
                            _units[j] = sum;
                            if (sum > top) { top = sum; best = k; }
                        }
                        else
                        {
                            _units[j] = sum > 0 ? sum : 0;
                            if (training && _dropRate > 0)
                            {
                                {{drop}}
                            }
                            {{inference}}
                        }
                    }

                return best;
            }
        }
        """;

    private const string GuardedCopy = """
        float v = _units[n];
        if (v > 0)
            sum += v * _weights[m];
        """;

    [Fact]
    public Task MarkerSkippedByTheNextLayersReluTest_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if ({|DRP004:_random.NextDouble() < _dropRate|}) _units[j] = -1;", GuardedCopy));

    [Fact]
    public Task MarkerSkippedByAnExitBeforeTheSum_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if ({|DRP004:_random.NextDouble() < _dropRate|}) _units[j] = -1f;", """
                float v = _units[n];
                if (v <= 0) continue;
                sum += v * _weights[m];
                """));

    [Fact]
    public Task MarkerSkippedByATestOnTheElementItself_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if ({|DRP004:_random.NextDouble() < _dropRate|}) _units[j] = -1;", "sum += _units[n] > 0 ? _units[n] * _weights[m] : 0;"));

    [Fact]
    public Task MarkerSkipped_KeptUnitsScaledByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if (_random.NextDouble() < _dropRate) _units[j] = -1; else _units[j] /= 1 - _dropRate;", GuardedCopy));

    [Fact]
    public Task MarkerSkipped_ClassicScaleAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if (_random.NextDouble() < _dropRate) _units[j] = -1;", GuardedCopy, "if (!training) _units[j] *= 1 - _dropRate;"));

    [Fact]
    public Task NegativeValueThatTheNextLayerUsesAsANumber_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if (_random.NextDouble() < _dropRate) _units[j] = -1;", "sum += _units[n] * _weights[m];"));

    [Fact]
    public Task NegativeValueThatTheReadersTestLetsThrough_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(
            Net("if (_random.NextDouble() < _dropRate) _units[j] = -1;", """
                float v = _units[n];
                if (v > -2)
                    sum += v * _weights[m];
                """));
}
