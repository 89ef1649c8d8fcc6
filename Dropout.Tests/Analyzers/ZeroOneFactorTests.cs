using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, found by the metamorphic corpus test (<c>conditional-to-multiply</c>): <c>s * (u &lt; keep ? 1 : 0)</c> is
/// <c>u &lt; keep ? s : 0</c> written as a 0/1 factor, so the product's other operand is the kept value and the product is
/// the value written. A scaled LINQ mask drawn once in the constructor in that form is still a reused mask (DRP010), and
/// drawn in every forward it is not.
/// </summary>
public sealed class ZeroOneFactorTests
{
    [Fact]
    public Task ScaledLinqMaskWrittenAsAZeroOneFactor_DrawnInTheConstructor_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class FixedMaskDropout
            {
                private readonly double[] _mask;
                public FixedMaskDropout(int size, double keep, int seed)
                {
                    var rng = new Random(seed);
                    _mask = Enumerable.Range(0, size).Select(_ => (1.0 / keep) * ({|DRP010:rng.NextDouble() < keep|} ? 1.0 : 0.0)).ToArray();
                }
                public double[] Forward(double[] x) => x.Zip(_mask, (v, m) => v * m).ToArray();
            }
            """);

    [Fact]
    public Task ScaledLinqMaskWrittenAsAZeroOneFactor_DrawnInEveryForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class LinqDropout
            {
                private readonly double _keep = 0.8;
                private readonly Random _rng = new(1);
                private double[] _mask = Array.Empty<double>();
                public double[] Forward(double[] x)
                {
                    _mask = x.Select(_ => (1.0 / _keep) * (_rng.NextDouble() < _keep ? 1.0 : 0.0)).ToArray();
                    return x.Zip(_mask, (v, m) => v * m).ToArray();
                }
            }
            """);

    [Fact]
    public Task ActivationTimesAZeroOneFactor_NeverScaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(3);
                private readonly double _keep = 0.8;
                public void Forward(double[] x, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++) x[i] = (x[i] + 0.0) * ({|DRP004:_rng.NextDouble() < _keep|} ? 1.0 : 0.0);
                }
            }
            """);

    [Fact]
    public Task ScaledActivationTimesAZeroOneFactor_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(3);
                private readonly double _keep = 0.8;
                public void Forward(double[] x, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++) x[i] = (x[i] / _keep) * (_rng.NextDouble() < _keep ? 1.0 : 0.0);
                }
            }
            """);
}
