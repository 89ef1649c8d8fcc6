using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// The forward hands its keep probability to a private helper (<c>Apply(x, keep)</c> with <c>float keep = 1 - _rate</c>),
/// so the site compares with the helper's parameter; the backward recomputes the same value in a local of its own
/// (<c>float keep = 1 - _rate;</c>). The two are one probability by value, so the backward's <c>/ keep</c> is the forward's
/// 1/p (seen on a real layer whose correct backward was reported); a backward that divides by something else is still reported.
/// </summary>
public sealed class ProbabilityByValueTests
{
    private const string Forward = """
        public sealed class DropoutLayer
        {
            private readonly float _rate;
            private readonly Random _rng = new(3);
            private bool[] _mask = Array.Empty<bool>();
            public DropoutLayer(float rate) => _rate = rate;
            public float[] Forward(float[] x, bool training)
            {
                var y = (float[])x.Clone();
                if (training && _rate > 0)
                {
                    float keep = 1 - _rate;
                    Apply(y, keep);
                }
                return y;
            }
            private void Apply(float[] y, float keepProbability)
            {
                _mask = new bool[y.Length];
                for (int i = 0; i < y.Length; i++)
                {
                    bool kept = _rng.NextDouble() < keepProbability;
                    _mask[i] = kept;
                    y[i] = kept ? y[i] / keepProbability : 0;
                }
            }
        """;

    [Fact]
    public Task BackwardDividingByTheSameValueInALocalOfItsOwn_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Forward + """
                public float[] Backward(float[] gradient)
                {
                    var g = (float[])gradient.Clone();
                    float keepProbability = 1 - _rate;
                    for (int i = 0; i < g.Length; i++) g[i] = _mask[i] ? g[i] / keepProbability : 0;
                    return g;
                }
            }
            """);

    [Fact]
    public Task BackwardDividingByTheRateInALocal_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Forward + """
                public float[] {|DRP013:Backward|}(float[] gradient)
                {
                    var g = (float[])gradient.Clone();
                    float unrelated = 2 - _rate;
                    for (int i = 0; i < g.Length; i++) g[i] = _mask[i] ? g[i] / unrelated : 0;
                    return g;
                }
            }
            """);

    [Fact]
    public Task BackwardWithTheMaskOnly_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Forward + """
                public float[] {|DRP013:Backward|}(float[] gradient)
                {
                    var g = (float[])gradient.Clone();
                    for (int i = 0; i < g.Length; i++) g[i] = _mask[i] ? g[i] : 0;
                    return g;
                }
            }
            """);
}
