using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Shapes seen in the dropout layers of public neural-network libraries (the second held-out set of real code, see
/// docs/analyzers.md): an integer draw reduced modulo n, a zeroing capped by a counter nested under the draw, and a
/// backward that multiplies by the keep probability the forward divided by. Each has a correct twin that stays silent.
/// </summary>
public sealed class LibraryLayerShapesTests
{
    [Fact]
    public Task ModuloIntegerDraw_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(int dropPercent)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] units, bool training)
                {
                    if (!training) return units;
                    for (int i = 0; i < units.Length; i++)
                    {
                        if ({|DRP004:_rng.Next() % 100 < dropPercent|}) units[i] = 0f;
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ModuloIntegerDraw_WithInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(int dropPercent)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] units, bool training)
                {
                    if (!training) return units;
                    float keep = 1f - dropPercent / 100f;
                    for (int i = 0; i < units.Length; i++)
                    {
                        units[i] = _rng.Next() % 100 < dropPercent ? 0f : units[i] / keep;
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ModuloIntegerDraw_UsedAsAnIndex_IsNotADropoutSite() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ReplayBuffer(int capacity)
            {
                private readonly Random _rng = new(5);
                private readonly float[] _rewards = new float[capacity];
                public float SampleReward() => _rewards[_rng.Next() % capacity];
                public void ClearOne() => _rewards[_rng.Next() % capacity] = 0f;
            }
            """);

    [Fact]
    public Task ZeroingCappedByACounter_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(9);
                public double[] Forward(double[] units, bool training)
                {
                    if (!training) return units;
                    int budget = (int)(units.Length * rate);
                    for (int i = 0; i < units.Length; i++)
                    {
                        if ({|DRP004:_rng.NextDouble() < rate|})
                        {
                            if (budget-- > 0) units[i] = 0;
                        }
                    }
                    return units;
                }
            }
            """);

    [Fact]
    public Task ZeroingCappedByACounter_WithInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new(9);
                public double[] Forward(double[] units, bool training)
                {
                    if (!training) return units;
                    int budget = (int)(units.Length * rate);
                    for (int i = 0; i < units.Length; i++)
                    {
                        if (_rng.NextDouble() < rate)
                        {
                            if (budget-- > 0) units[i] = 0;
                        }
                        else
                        {
                            units[i] /= 1 - rate;
                        }
                    }
                    return units;
                }
            }
            """);

    private const string InvertedForward = """
        public sealed class DropoutLayer(double rate)
        {
            private readonly Random _rng = new(3);
            private double[] _mask = [];
            public double[] Forward(double[] x, bool training)
            {
                if (!training) return x;
                double keep = 1.0 - rate;
                _mask = new double[x.Length];
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    _mask[i] = _rng.NextDouble() > rate ? 1.0 : 0.0;
                    y[i] = x[i] * _mask[i] / keep;
                }
                return y;
            }

        """;

    [Fact]
    public Task Backward_MultipliesByTheKeepProbabilityTheForwardDividedBy_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InvertedForward + """
                public double[] {|DRP013:Backward|}(double[] grad)
                {
                    double keep = 1.0 - rate;
                    var g = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) g[i] = grad[i] * _mask[i] * keep;
                    return g;
                }
            }
            """);

    [Fact]
    public Task Backward_DividesByTheKeepProbabilityLikeTheForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InvertedForward + """
                public double[] Backward(double[] grad)
                {
                    double keep = 1.0 - rate;
                    var g = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) g[i] = grad[i] * _mask[i] / keep;
                    return g;
                }
            }
            """);
}
