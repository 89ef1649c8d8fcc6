using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A backward that reads the forward's mask only to choose the kept units it updates, in place, in the gradient it was
/// given (<c>var delta = gradOut; if (mask[j] == 1) delta[j] *= f'(y[j]);</c>, or after <c>if (mask[j] == 0) continue;</c>):
/// the dropped units' entries are never
/// written, keep the incoming gradient and pass it on (DRP013). Twins that stay silent: a zero for the dropped units, a
/// fresh buffer of zeros written only for the kept units, a copy of the gradient, and the mask multiplied into every entry.
/// </summary>
public sealed class BackwardWritingOnlyKeptUnitsTests
{
    private static string Layer(string backward) => $$"""
        using System.Threading.Tasks;

        public sealed class HiddenDrop
        {
            private readonly Random _rng = new Random(3);
            private readonly double _dropProb;
            private readonly int[] _keep;
            private readonly double[] _outputs;
            private readonly double[,] _weights;

            public HiddenDrop(int inputs, int size, double dropProb)
            {
                _dropProb = dropProb;
                _keep = new int[size];
                _outputs = new double[size];
                _weights = new double[inputs, size];
            }

            public double[] Forward(double[] x)
            {
                for (int j = 0; j < _outputs.Length; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++) sum += _weights[i, j] * x[i];
                    _keep[j] = _rng.NextDouble() < _dropProb ? 0 : 1;
                    _outputs[j] = _keep[j] * Math.Tanh(sum);
                }
                return _outputs;
            }

            public double[] Predict(double[] x)
            {
                var y = new double[_outputs.Length];
                for (int j = 0; j < y.Length; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++) sum += _weights[i, j] * x[i];
                    y[j] = Math.Tanh(sum) * (1 - _dropProb);
                }
                return y;
            }

            public double[] Backward(double[] gradOut)
            {
                {{backward}}
                var gradIn = new double[_weights.GetLength(0)];
                for (int i = 0; i < gradIn.Length; i++)
                    for (int j = 0; j < delta.Length; j++)
                        gradIn[i] += _weights[i, j] * delta[j];
                return gradIn;
            }
        }
        """;

    [Fact]
    public Task AliasOfTheIncomingGradient_UpdatedOnlyForKeptUnits_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            double[] delta = gradOut;
            Parallel.For(0, delta.Length, j =>
            {
                if ({|DRP013:_keep[j] == 1|})
                    delta[j] *= 1 - _outputs[j] * _outputs[j];
            });
            """));

    [Fact]
    public Task IncomingGradientWrittenOnlyWhereTheMaskIsNonzero_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            for (int j = 0; j < gradOut.Length; j++)
            {
                if ({|DRP013:_keep[j] != 0|})
                {
                    gradOut[j] = gradOut[j] * (1 - _outputs[j] * _outputs[j]);
                }
            }
            double[] delta = gradOut;
            """));

    [Fact]
    public Task IncomingGradientUpdatedAfterSkippingDroppedUnits_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            double[] delta = gradOut;
            for (int j = 0; j < delta.Length; j++)
            {
                if ({|DRP013:_keep[j] == 0|}) continue;
                delta[j] *= 1 - _outputs[j] * _outputs[j];
            }
            """));

    [Fact]
    public Task FreshBufferWrittenAfterSkippingDroppedUnits_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            var delta = new double[gradOut.Length];
            for (int j = 0; j < delta.Length; j++)
            {
                if (_keep[j] == 0) continue;
                delta[j] = gradOut[j] * (1 - _outputs[j] * _outputs[j]);
            }
            """));

    [Fact]
    public Task DroppedUnitsZeroedInTheElseBranch_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            double[] delta = gradOut;
            for (int j = 0; j < delta.Length; j++)
            {
                if (_keep[j] == 1)
                    delta[j] *= 1 - _outputs[j] * _outputs[j];
                else
                    delta[j] = 0;
            }
            """));

    [Fact]
    public Task FreshBufferWrittenOnlyForKeptUnits_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            var delta = new double[gradOut.Length];
            for (int j = 0; j < delta.Length; j++)
            {
                if (_keep[j] == 1)
                    delta[j] = gradOut[j] * (1 - _outputs[j] * _outputs[j]);
            }
            """));

    [Fact]
    public Task MaskMultipliedIntoEveryEntry_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            double[] delta = gradOut;
            for (int j = 0; j < delta.Length; j++)
                delta[j] *= _keep[j] * (1 - _outputs[j] * _outputs[j]);
            """));

    [Fact]
    public Task GradientClearedWhereTheMaskIsZero_ThenUpdatedForKeptUnits_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            double[] delta = gradOut;
            for (int j = 0; j < delta.Length; j++)
            {
                if (_keep[j] == 0) delta[j] = 0;
            }
            for (int j = 0; j < delta.Length; j++)
            {
                if (_keep[j] == 1) delta[j] *= 1 - _outputs[j] * _outputs[j];
            }
            """));
}
