using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A training step that calls the type's inverted-dropout forward and writes its backward inline (it finds the dropped units
/// by testing the forward's activations against zero) must divide the kept units' gradient by p, not multiply by it.
/// </summary>
public sealed class InlineBackwardScaleTests
{
    private const string Net = """
        public sealed class Net
        {
            private readonly Random _rng = new(1);
            private readonly double[] _w = new double[16];
            private readonly double _rate = 0.4;

            private double[] Hidden(double[] x, bool training)
            {
                var h = new double[x.Length];
                for (int j = 0; j < h.Length; j++)
                {
                    h[j] = Math.Max(0, _w[j] * x[j]);
                    if (training)
                    {
                        if (_rng.NextDouble() < _rate)
                            h[j] = 0;
                        else
                            h[j] = h[j] / (1 - _rate);
                    }
                }

                return h;
            }

            public void STEP(double[] x, double[] target, double lr)
            {
                double[] h = Hidden(x, true);
                for (int j = 0; j < h.Length; j++)
                {
                    ZEROTEST
                    double g = (h[j] - target[j]) * x[j];
                    g = g FACTOR;
                    _w[j] -= lr * g;
                }
            }
        }
        """;

    [Fact]
    public Task StepMultipliesTheGradientByKeep_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net
            .Replace("STEP", "{|DRP013:TrainOne|}", StringComparison.Ordinal)
            .Replace("ZEROTEST", "if (h[j] == 0) continue;", StringComparison.Ordinal)
            .Replace("FACTOR", "* (1 - _rate)", StringComparison.Ordinal));

    [Fact]
    public Task StepDividesTheGradientByKeep_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net
            .Replace("STEP", "TrainOne", StringComparison.Ordinal)
            .Replace("ZEROTEST", "if (h[j] == 0) continue;", StringComparison.Ordinal)
            .Replace("FACTOR", "/ (1 - _rate)", StringComparison.Ordinal));

    [Fact]
    public Task StepThatTestsNoActivation_IsNotJudged() =>
        // Without the zero test nothing says the method differentiates (a product by p after a forward call may be a
        // reported statistic); the model leaves it alone.
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net
            .Replace("STEP", "TrainOne", StringComparison.Ordinal)
            .Replace("ZEROTEST", "", StringComparison.Ordinal)
            .Replace("FACTOR", "* (1 - _rate)", StringComparison.Ordinal));
}
