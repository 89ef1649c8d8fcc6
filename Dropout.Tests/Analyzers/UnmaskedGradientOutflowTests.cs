using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A layer that drops its own outputs in the forward and, in its backward, applies the mask (and 1/p) to its weight update
/// but returns the gradient for the previous layer summed from the incoming gradient of every unit, the dropped ones
/// included (DRP013). Twins that stay silent: the returned sum multiplied by the mask and scale, the incoming gradient
/// masked in place before both uses, a masked local copy summed instead, the sum skipping dropped units, and a DropConnect
/// whose returned gradient goes through the masked weights the forward computed from the mask.
/// </summary>
public sealed class UnmaskedGradientOutflowTests
{
    private const string UnmaskedSum = "sum += _weights[k, j] * _slopes[k] * grads[k];";

    private static string Layer(string sumTerm = UnmaskedSum, string prologue = "", string sumLoopGuard = "") => $$"""
        public sealed class HiddenLayer
        {
            private readonly Random _random = new Random(3);
            private readonly double[,] _weights;
            private readonly double[] _inputs;
            private readonly double[] _slopes;
            private readonly double[] _mask;
            private readonly double _rate;

            public HiddenLayer(int units, int inputs, double rate)
            {
                _weights = new double[units, inputs];
                _inputs = new double[inputs];
                _slopes = new double[units];
                _mask = new double[units];
                _rate = rate;
            }

            public double[] Forward(double[] x, bool training)
            {
                Array.Copy(x, _inputs, x.Length);
                var output = new double[_mask.Length];
                for (int k = 0; k < output.Length; k++)
                {
                    double sum = 0;
                    for (int j = 0; j < x.Length; j++)
                        sum += _weights[k, j] * x[j];
                    output[k] = Math.Tanh(sum);
                    _slopes[k] = 1 - output[k] * output[k];
                    if (training)
                    {
                        if (_random.NextDouble() >= _rate)
                            _mask[k] = 1.0;
                        else
                            _mask[k] = 0.0;
                        output[k] *= _mask[k];
                        output[k] *= 1.0 / (1.0 - _rate);
                    }
                    else
                    {
                        _mask[k] = 1.0;
                    }
                }
                return output;
            }

            public double[] BackwardPass(double[] grads, double step)
            {
                double scale = 1.0 / (1.0 - _rate);
                var masked = new double[grads.Length];
                {{prologue}}
                var back = new double[_inputs.Length];
                for (int j = 0; j < back.Length; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < grads.Length; k++)
                    {
                        {{sumLoopGuard}}
                        {{sumTerm}}
                    }
                    back[j] = sum;
                }

                for (int k = 0; k < grads.Length; k++)
                {
                    if (_mask[k] == 0.0) continue;
                    double g = grads[k] * scale * _slopes[k];
                    for (int j = 0; j < _inputs.Length; j++)
                        _weights[k, j] -= step * g * _inputs[j];
                }
                return back;
            }
        }
        """;

    [Fact]
    public Task ReturnedGradientSummedOverEveryUnit_WhileTheUpdateSkipsDroppedOnes_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer().Replace("public double[] BackwardPass(", "public double[] {|DRP013:BackwardPass|}("));

    [Fact]
    public Task ReturnedGradientWithTheMaskAndScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer("sum += _weights[k, j] * _slopes[k] * grads[k] * _mask[k] * scale;"));

    [Fact]
    public Task IncomingGradientMaskedInPlaceFirst_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer(prologue: "for (int k = 0; k < grads.Length; k++) grads[k] *= _mask[k] * scale;"));

    [Fact]
    public Task MaskedLocalCopySummed_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer("sum += _weights[k, j] * _slopes[k] * masked[k];", prologue: "for (int k = 0; k < grads.Length; k++) masked[k] = grads[k] * _mask[k] * scale;"));

    [Fact]
    public Task SumSkipsDroppedUnits_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Layer("sum += _weights[k, j] * _slopes[k] * grads[k] * scale;", sumLoopGuard: "if (_mask[k] == 0.0) continue;"));

    [Fact]
    public Task DropConnectReturnedGradientThroughTheMaskedWeights_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropConnectLayer
            {
                private readonly Random _random = new Random(8);
                private readonly double[] _weights;
                private readonly double[] _masked;
                private readonly double[] _mask;
                private readonly double[] _input;
                private readonly double _keep;

                public DropConnectLayer(int inputs, double keep)
                {
                    _weights = new double[inputs];
                    _masked = new double[inputs];
                    _mask = new double[inputs];
                    _input = new double[inputs];
                    _keep = keep;
                }

                public double Forward(double[] x)
                {
                    double y = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        _input[i] = x[i];
                        _mask[i] = _random.NextDouble() < _keep ? 1.0 : 0.0;
                        _masked[i] = _weights[i] * _mask[i] / _keep;
                        y += _masked[i] * x[i];
                    }
                    return y;
                }

                public double[] Backward(double[] grads, double step)
                {
                    var back = new double[_input.Length];
                    for (int i = 0; i < back.Length; i++)
                        back[i] = _masked[i] * grads[0];
                    for (int i = 0; i < back.Length; i++)
                    {
                        if (_mask[i] == 0.0) continue;
                        _weights[i] -= step * grads[0] * _input[i] / _keep;
                    }
                    return back;
                }
            }
            """);
}
