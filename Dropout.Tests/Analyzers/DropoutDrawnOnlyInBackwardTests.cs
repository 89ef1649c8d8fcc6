using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP008 for hand-written code: a dropout layer whose only draw is in its backward (or derivative) method, applied to the
/// error terms handed to it, while no forward of the layer drew a mask: the gradient is masked by a draw that never
/// touched the activations. A backward that reuses the stored mask, one that draws the next forward's mask, a layer whose
/// forward also draws (DRP013's case) and an optimizer that drops gradient entries it consumes itself stay silent here.
/// </summary>
public sealed class DropoutDrawnOnlyInBackwardTests
{
    [Fact]
    public Task DerivativeDrawingAFreshMaskForTheErrors_WithNoForwardDraw_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class DropLayer
            {
                private readonly Random _random = new(11);
                public double Rate { get; }
                public DropLayer(double rate) { Rate = rate; }
                public double[] Derivative(double[] errors) =>
                    errors.Select(e => {|DRP008:_random.NextDouble() < Rate|} ? 0 : e / (1 - Rate)).ToArray();
            }
            """);

    [Fact]
    public Task DerivativeWithAnEarlyReturningLambda_OverTheErrorTerms_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public interface IRegularizer { double[] Derivative(double[] terms); }
            public sealed class DropoutStage : IRegularizer
            {
                private Random Random = new Random(7);
                public double DropChance { get; }
                public DropoutStage(double dropChance) { DropChance = dropChance; }
                public double[] Derivative(double[] terms)
                {
                    return terms.Select((t, index) =>
                    {
                        double u = Random.NextDouble();
                        if ({|DRP008:u < DropChance|})
                        {
                            return 0;
                        }
                        return t / (1 - DropChance);
                    }).ToArray();
                }
            }
            """);

    [Fact]
    public Task BackwardDrawingIntoANewArray_ThatItReturns_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class NoiseDropout
            {
                private readonly Random _rng = new(5);
                private readonly float _keep;
                public NoiseDropout(float keep) { _keep = keep; }
                public float[] Forward(float[] x) => x;
                public float[] Backward(float[] gradOutput)
                {
                    var gradInput = new float[gradOutput.Length];
                    for (int i = 0; i < gradOutput.Length; i++)
                        gradInput[i] = {|DRP008:_rng.NextSingle() < _keep|} ? gradOutput[i] / _keep : 0f;
                    return gradInput;
                }
            }
            """);

    [Fact]
    public Task BackpropZeroingTheDeltasInPlace_WithNoForwardDraw_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class HiddenDropout
            {
                private readonly Random _rng = new(2);
                public double DropRate = 0.3;
                public void Backprop(double[] deltas)
                {
                    for (int i = 0; i < deltas.Length; i++)
                    {
                        if ({|DRP008:_rng.NextDouble() < DropRate|}) deltas[i] = 0;
                        else deltas[i] /= 1 - DropRate;
                    }
                }
            }
            """);

    [Fact]
    public Task BackwardReusingTheMaskItsForwardStored_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class DropLayer
            {
                private readonly Random _random = new(11);
                private double[] _mask = Array.Empty<double>();
                public double Rate { get; } = 0.5;
                public double[] Forward(double[] x)
                {
                    _mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = _random.NextDouble() < Rate ? 0 : 1 / (1 - Rate);
                        y[i] = x[i] * _mask[i];
                    }
                    return y;
                }
                public double[] Derivative(double[] errors) => errors.Select((e, i) => e * _mask[i]).ToArray();
            }
            """);

    [Fact]
    public Task BackwardThatDrawsTheNextForwardsMask_IntoAMemberTheForwardReads_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class DropLayer
            {
                private readonly Random _random = new(11);
                private readonly bool[] _keep = new bool[16];
                public double Keep { get; } = 0.8;
                public double[] Forward(double[] x) => x.Select((v, i) => _keep[i] ? v / Keep : 0).ToArray();
                public double[] Backward(double[] grad)
                {
                    var g = grad.Select((v, i) => _keep[i] ? v / Keep : 0).ToArray();
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = _random.NextDouble() < Keep;
                    return g;
                }
            }
            """);

    [Fact]
    public Task OptimizerDroppingGradientEntriesItConsumes_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class SparseSgd
            {
                private readonly Random _rng = new(3);
                public double KeepFraction = 0.9;
                public void ApplyGradient(double[] weights, double[] gradient, double learningRate)
                {
                    for (int i = 0; i < weights.Length; i++)
                    {
                        double g = _rng.NextDouble() < KeepFraction ? gradient[i] / KeepFraction : 0;
                        weights[i] -= learningRate * g;
                    }
                }
            }
            """);

    [Fact]
    public Task LayerWhoseForwardAlsoDraws_IsLeftToDrp013() =>
        AnalyzerTest.VerifyAsync<BackwardMaskMismatchAnalyzer>("""
            public sealed class DropLayer
            {
                private readonly Random _random = new(11);
                public double Rate { get; } = 0.5;
                public double[] Forward(double[] x) => x.Select(v => _random.NextDouble() < Rate ? 0 : v / (1 - Rate)).ToArray();
                public double[] Backward(double[] g) => g.Select(v => _random.NextDouble() < Rate ? 0 : v / (1 - Rate)).ToArray();
            }
            """);
}
