using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A backward whose weight update also applies a regularization switch (<c>toggle = regularize ? 1.0 : 0.0</c>,
/// multiplied into a weight-decay term) still omits the forward's 1/(1 - rate) when nothing else scales: the switch's
/// value is one of its branches, 0 or 1, which is no dropout scale, so it no longer hides the missing scale (DRP013).
/// </summary>
public sealed class BackwardWithRegularizationSwitchTests
{
    private static string Layer(string backwardScale) => $$"""
        public sealed class Cell { public double Output; public double Slope; public double[] Weights = new double[4]; public double[] Inputs = new double[3]; }

        public sealed class DroppingLayer
        {
            private const double DropRate = 0.1;
            private const double Momentum = 0.05, Step = 0.06, Decay = 0.001;
            private readonly Cell[] _cells = new Cell[8];
            private readonly double[,] _previousDeltas = new double[8, 4];
            private bool[] _kept = null!;

            public double[] Forward(bool training)
            {
                if (training)
                {
                    var random = new Random(3);
                    _kept = new bool[_cells.Length];
                    for (int i = 0; i < _cells.Length; i++) _kept[i] = random.NextDouble() > DropRate;
                }

                var outputs = new double[_cells.Length];
                for (int i = 0; i < _cells.Length; i++)
                {
                    double output = _cells[i].Output;
                    if (training) output = _kept[i] ? _cells[i].Output / (1.0 - DropRate) : 0.0;
                    outputs[i] = output;
                }
                return outputs;
            }

            public double[] Backward(double[] upstream, bool regularize)
            {
                var downstream = new double[3];
                double toggle = regularize ? 1.0 : 0.0;
                for (int i = 0; i < 3; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < _cells.Length; j++)
                    {
                        if (_kept == null || _kept[j]) sum += _cells[j].Weights[i + 1] * _cells[j].Slope * upstream[j]{{backwardScale}};
                    }
                    downstream[i] = sum;
                }

                for (int i = 0; i < _cells.Length; i++)
                {
                    if (_kept != null && !_kept[i]) continue;
                    for (int j = 1; j < 4; j++)
                    {
                        double gradient = _cells[i].Inputs[j - 1] * _cells[i].Slope * upstream[i]{{backwardScale}};
                        double penalty = toggle * Decay * _cells[i].Weights[j];
                        double delta = Momentum * _previousDeltas[i, j] + Step * (gradient + penalty);
                        _previousDeltas[i, j] = delta;
                        _cells[i].Weights[j] += delta;
                    }
                }
                return downstream;
            }
        }
        """;

    [Fact]
    public Task MaskedBackwardWithoutTheScale_NextToARegularizationSwitch_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("").Replace("public double[] Backward(", "public double[] {|DRP013:Backward|}("));

    [Fact]
    public Task MaskedBackwardWithTheScale_NextToARegularizationSwitch_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(" / (1.0 - DropRate)"));
}
