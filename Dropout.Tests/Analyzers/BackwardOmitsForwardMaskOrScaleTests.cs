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

    [Fact]
    public Task BackwardInAGradientClass_MaskWithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutOp
            {
                public readonly float Keep;
                public bool[] Kept = Array.Empty<bool>();
                private readonly Random _rng = new(1);
                public DropoutOp(float keep) { Keep = keep; }
                public float[] Forward(float[] x)
                {
                    Kept = new bool[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Kept[i] = _rng.NextSingle() < Keep;
                        y[i] = Kept[i] ? x[i] / Keep : 0f;
                    }
                    return y;
                }
            }

            public sealed class DropoutOpGradient
            {
                private readonly DropoutOp _op;
                public DropoutOpGradient(DropoutOp op) { _op = op; }
                public float[] {|DRP013:Backward|}(float[] dy)
                {
                    var dx = new float[dy.Length];
                    for (int i = 0; i < dy.Length; i++) dx[i] = _op.Kept[i] ? dy[i] : 0f;
                    return dx;
                }
            }
            """);

    [Fact]
    public Task BackwardInAStaticHelperClass_MaskWithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _rate;
                private readonly Random _random = new(2);
                public double[] Mask { get; private set; } = Array.Empty<double>();
                public DropoutLayer(double rate) { _rate = rate; }
                public double[] Forward(double[] x)
                {
                    Mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Mask[i] = _random.NextDouble() < _rate ? 0.0 : 1.0;
                        y[i] = x[i] * Mask[i] / (1 - _rate);
                    }
                    return y;
                }
            }

            public static class Gradients
            {
                public static double[] {|DRP013:DropoutBackward|}(DropoutLayer layer, double[] g) => g.Select((v, i) => v * layer.Mask[i]).ToArray();
            }
            """);

    [Fact]
    public Task BackwardInANestedGradientType_MaskWithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutNode
            {
                internal float[] Mask = Array.Empty<float>();
                private readonly float _keep = 0.9f;
                private readonly Random _random = new(3);
                public float[] Forward(float[] x)
                {
                    Mask = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Mask[i] = _random.NextSingle() < _keep ? 1f : 0f;
                        x[i] = x[i] * Mask[i] / _keep;
                    }
                    return x;
                }

                public sealed class Grad
                {
                    public float[] {|DRP013:Backward|}(DropoutNode node, float[] g)
                    {
                        for (int i = 0; i < g.Length; i++) g[i] *= node.Mask[i];
                        return g;
                    }
                }
            }
            """);

    [Fact]
    public Task BackwardInAGradientClass_DividingByTheForwardsKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutOp
            {
                public readonly float Keep;
                public bool[] Kept = Array.Empty<bool>();
                private readonly Random _rng = new(1);
                public DropoutOp(float keep) { Keep = keep; }
                public float[] Forward(float[] x)
                {
                    Kept = new bool[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Kept[i] = _rng.NextSingle() < Keep;
                        y[i] = Kept[i] ? x[i] / Keep : 0f;
                    }
                    return y;
                }
            }

            public sealed class DropoutOpGradient
            {
                private readonly DropoutOp _op;
                public DropoutOpGradient(DropoutOp op) { _op = op; }
                public float[] Backward(float[] dy)
                {
                    var dx = new float[dy.Length];
                    for (int i = 0; i < dy.Length; i++) dx[i] = _op.Kept[i] ? dy[i] / _op.Keep : 0f;
                    return dx;
                }
            }
            """);

    [Fact]
    public Task BackwardInAGradientClass_MaskCarriesTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _keep = 0.8;
                private readonly Random _random = new(2);
                public double[] Mask = new double[8];
                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        Mask[i] = _random.NextDouble() < _keep ? 1.0 / _keep : 0.0;
                        x[i] *= Mask[i];
                    }
                }
            }

            public static class Gradients
            {
                public static void Backward(DropoutLayer layer, double[] g)
                {
                    for (int i = 0; i < g.Length; i++) g[i] *= layer.Mask[i];
                }
            }
            """);

    [Fact]
    public Task OtherClassReadingTheMask_OutsideABackward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutOp
            {
                public readonly float Keep;
                public bool[] Kept = Array.Empty<bool>();
                private readonly Random _rng = new(1);
                public DropoutOp(float keep) { Keep = keep; }
                public float[] Forward(float[] x)
                {
                    Kept = new bool[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Kept[i] = _rng.NextSingle() < Keep;
                        y[i] = Kept[i] ? x[i] / Keep : 0f;
                    }
                    return y;
                }
            }

            public static class Diagnostics
            {
                public static int CountKept(DropoutOp op) => op.Kept.Count(kept => kept);
                public static float[] Visualize(DropoutOp op, float[] g) => g.Select((v, i) => op.Kept[i] ? v : 0f).ToArray();
            }
            """);

    [Fact]
    public Task BackwardInAGradientClass_OfClassicDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class ClassicDropout
            {
                public bool[] Kept = Array.Empty<bool>();
                public float Keep = 0.5f;
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x.Select(v => v * Keep).ToArray();
                    Kept = new bool[x.Length];
                    for (int i = 0; i < x.Length; i++) { Kept[i] = _rng.NextSingle() < Keep; if (!Kept[i]) x[i] = 0f; }
                    return x;
                }
            }

            public sealed class ClassicDropoutGradient
            {
                public float[] Backward(ClassicDropout op, float[] dy) => dy.Select((g, i) => op.Kept[i] ? g : 0f).ToArray();
            }
            """);

    [Fact]
    public Task BackwardThatDrawsItsOwnMask_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _p = 0.8;
                private readonly Random _random = new(6);
                public double[] Forward(double[] x)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = _random.NextDouble() < _p ? x[i] / _p : 0.0;
                    return y;
                }
                public double[] Backward(double[] g)
                {
                    var dx = new double[g.Length];
                    for (int i = 0; i < g.Length; i++) dx[i] = {|DRP013:_random.NextDouble() < _p|} ? g[i] / _p : 0.0;
                    return dx;
                }
            }
            """);

    [Fact]
    public Task GradientMethodThatDrawsAMaskOfItsOwn_WithNoForwardSite_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public static class GradientTricks
            {
                public static void DropoutOnGradient(double[] g, double keep, Random rng)
                {
                    for (int i = 0; i < g.Length; i++) g[i] = rng.NextDouble() < keep ? g[i] / keep : 0.0;
                }
            }
            """);
}
