using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A forward that draws a 0/1 mask and then scales the stored entries in a statement of their own
/// (<c>mask[i] /= keep;</c> or <c>mask[i] = mask[i] / keep;</c>) carries the 1/p in the mask: a backward that multiplies by
/// that mask already applies the forward's scale. A mask scaled nowhere but in the activations still owes it.
/// </summary>
public sealed class MaskScaledInPlaceTests
{
    [Fact]
    public Task MaskDividedInPlaceAfterTheDraw_BackwardReadingIt_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class Dropout2D(float dropRate)
            {
                private readonly float _keep = 1 - dropRate;
                private readonly Random _rng = new(3);
                private double[,] _m = new double[0, 0];
                public bool Training { get; set; } = true;
                public double[,] Run(double[,] a)
                {
                    if (!Training) return (double[,])a.Clone();
                    _m = new double[a.GetLength(0), a.GetLength(1)];
                    var r = new double[a.GetLength(0), a.GetLength(1)];
                    for (int u = 0; u < a.GetLength(0); u++)
                        for (int v = 0; v < a.GetLength(1); v++)
                        {
                            _m[u, v] = _rng.NextDouble() < _keep ? 1.0 : 0.0;
                            _m[u, v] /= _keep;
                            r[u, v] = a[u, v] * _m[u, v];
                        }
                    return r;
                }
                public double[,] Backward(double[,] g)
                {
                    var d = new double[g.GetLength(0), g.GetLength(1)];
                    for (int u = 0; u < g.GetLength(0); u++)
                        for (int v = 0; v < g.GetLength(1); v++)
                            d[u, v] = g[u, v] * _m[u, v];
                    return d;
                }
            }
            """);

    [Fact]
    public Task MaskReassignedScaledAfterTheDraw_BackwardReadingIt_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class Dropout1D(float keep)
            {
                private readonly Random _rng = new(3);
                private float[] _m = Array.Empty<float>();
                public float[] Forward(float[] a, bool training)
                {
                    if (!training) return a;
                    _m = new float[a.Length];
                    var r = new float[a.Length];
                    for (int k = 0; k < a.Length; k++)
                    {
                        _m[k] = _rng.NextSingle() < keep ? 1f : 0f;
                        _m[k] = _m[k] / keep;
                        r[k] = _m[k] * a[k];
                    }
                    return r;
                }
                public float[] Backward(float[] g)
                {
                    var d = new float[g.Length];
                    for (int k = 0; k < g.Length; k++) d[k] = _m[k] * g[k];
                    return d;
                }
            }
            """);

    // The twin: the same 0/1 mask, the 1/keep applied to the activations only, so the backward reading the mask owes it.
    [Fact]
    public Task ActivationsDividedButMaskLeftZeroOne_BackwardReadingOnlyTheMask_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class Dropout2D(float dropRate)
            {
                private readonly float _keep = 1 - dropRate;
                private readonly Random _rng = new(3);
                private double[,] _m = new double[0, 0];
                public bool Training { get; set; } = true;
                public double[,] Run(double[,] a)
                {
                    if (!Training) return (double[,])a.Clone();
                    _m = new double[a.GetLength(0), a.GetLength(1)];
                    var r = new double[a.GetLength(0), a.GetLength(1)];
                    for (int u = 0; u < a.GetLength(0); u++)
                        for (int v = 0; v < a.GetLength(1); v++)
                        {
                            _m[u, v] = _rng.NextDouble() < _keep ? 1.0 : 0.0;
                            r[u, v] = a[u, v] * _m[u, v];
                            r[u, v] /= _keep;
                        }
                    return r;
                }
                public double[,] {|DRP013:Backward|}(double[,] g)
                {
                    var d = new double[g.GetLength(0), g.GetLength(1)];
                    for (int u = 0; u < g.GetLength(0); u++)
                        for (int v = 0; v < g.GetLength(1); v++)
                            d[u, v] = g[u, v] * _m[u, v];
                    return d;
                }
            }
            """);
}
