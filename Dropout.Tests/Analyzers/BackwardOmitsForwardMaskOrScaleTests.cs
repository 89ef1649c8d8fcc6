using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class BackwardOmitsForwardMaskOrScaleTests
{
    [Fact]
    public Task BackwardReadingTheMaskWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(float keep)
            {
                private readonly Random _rng = new(1);
                private float[] _mask = Array.Empty<float>();
                public void Forward(float[] x, bool training)
                {
                    if (!training) return;
                    _mask = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) { _mask[i] = _rng.NextSingle() < keep ? 1f : 0f; x[i] = x[i] * _mask[i] / keep; }
                }
                public void {|DRP013:Backward|}(float[] grad)
                {
                    for (int i = 0; i < grad.Length; i++) grad[i] *= _mask[i];
                }
            }
            """);

    [Fact]
    public Task BackwardTestingTheInputAgainstZero_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(1);
                private double[] _input = Array.Empty<double>();
                public void Forward(double[] x, bool training)
                {
                    _input = (double[])x.Clone();
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++) if (_rng.NextDouble() < rate) x[i] = 0; else x[i] /= 1 - rate;
                }
                public double[] Backward(double[] grad)
                {
                    for (int i = 0; i < grad.Length; i++) grad[i] = {|DRP013:_input[i] != 0|} ? grad[i] : 0;
                    return grad;
                }
            }
            """);

    [Fact]
    public Task BackwardPassingTheGradientThrough_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(1);
                private readonly bool[] _dropped = new bool[64];
                public void Forward(double[] x, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++) { if (_rng.NextDouble() < rate) { x[i] = 0; _dropped[i] = true; } else { x[i] /= 1 - rate; _dropped[i] = false; } }
                }
                public double[] {|DRP013:Backward|}(double[] outputGradient) => outputGradient;
            }
            """);

    [Fact]
    public Task BackwardWithMaskAndScale_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(float keep)
            {
                private readonly Random _rng = new(1);
                private float[] _mask = Array.Empty<float>();
                public void Forward(float[] x)
                {
                    _mask = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) { _mask[i] = _rng.NextSingle() < keep ? 1f : 0f; x[i] = x[i] * _mask[i] / keep; }
                }
                public void Backward(float[] grad)
                {
                    for (int i = 0; i < grad.Length; i++) grad[i] = grad[i] * _mask[i] / keep;
                }
            }
            """);

    [Fact]
    public Task MaskStoringTheScale_ReadInBackward_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(float keep)
            {
                private readonly Random _rng = new(1);
                private float[] _mask = Array.Empty<float>();
                public void Forward(float[] x)
                {
                    _mask = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) { _mask[i] = _rng.NextSingle() < keep ? 1f / keep : 0f; x[i] *= _mask[i]; }
                }
                public void Backward(float[] grad)
                {
                    for (int i = 0; i < grad.Length; i++) grad[i] *= _mask[i];
                }
            }
            """);

    [Fact]
    public Task BackwardOfAnotherType_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer(float keep)
            {
                private readonly Random _rng = new(1);
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextSingle() < keep ? x[i] / keep : 0f;
                }
            }
            public sealed class Relu
            {
                private float[] _input = Array.Empty<float>();
                public void Backward(float[] grad)
                {
                    for (int i = 0; i < grad.Length; i++) grad[i] = _input[i] > 0 ? grad[i] : 0f;
                }
            }
            """);
}
