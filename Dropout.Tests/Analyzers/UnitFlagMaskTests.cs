using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A unit object that records its keep/drop decision in its own member (<c>n.Mask = 0</c> in the dropping branch,
/// <c>n.Mask = 1</c> in the other) carries the mask as an array entry would: a backward that walks the units and reads the
/// flag is judged against the forward's scale.
/// </summary>
public sealed class UnitFlagMaskTests
{
    private const string Layer = """
        public sealed class Unit
        {
            public double Net, Output, Mask = 1, Delta;
        }

        public sealed class Layer
        {
            private readonly List<Unit> _units = new();
            private readonly Random _rng = new(9);
            private readonly double _rate = 0.2;

            public void Forward(double[] x, bool training)
            {
                int i = 0;
                foreach (Unit n in _units)
                {
                    if (training)
                    {
                        if (_rng.NextDouble() < _rate)
                        {
                            n.Mask = 0;
                            n.Output = 0;
                            i++;
                            continue;
                        }
                        else
                        {
                            n.Mask = 1;
                        }
                    }

                    n.Net = x[i++];
                    n.Output = Math.Max(0, n.Net);
                    if (training)
                        n.Output *= 1.0 / (1.0 - _rate);
                }
            }

            public void {|DRP013:Backward|}(double[] upstream, double learningRate)
            {
                int i = 0;
                foreach (Unit n in _units)
                {
                    double g = upstream[i++];
                    if (n.Mask == 0)
                    {
                        n.Delta = 0;
                        continue;
                    }

                    n.Delta = n.Net > 0 ? GRADIENT : 0;
                    n.Net -= learningRate * n.Delta;
                }
            }
        }
        """;

    [Fact]
    public Task UnitFlagReadByBackward_WithoutTheForwardsInverseScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer.Replace("GRADIENT", "g", StringComparison.Ordinal));

    [Fact]
    public Task UnitFlagReadByBackward_WithTheForwardsInverseScale_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer
            .Replace("{|DRP013:Backward|}", "Backward", StringComparison.Ordinal)
            .Replace("GRADIENT", "g / (1.0 - _rate)", StringComparison.Ordinal));

    [Fact]
    public Task UnitMemberWrittenWithAValueInOneBranch_IsNoFlag() =>
        // `n.Mask = 0` against `n.Mask = n.Net`: the member holds an activation in the kept branch, not a 0/1 decision, so
        // the backward that reads it is not reading a mask (and the forward's own output is what is judged).
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer
            .Replace("{|DRP013:Backward|}", "Backward", StringComparison.Ordinal)
            .Replace("n.Mask = 1;", "n.Mask = x[i];", StringComparison.Ordinal)
            .Replace("GRADIENT", "g", StringComparison.Ordinal));
}
