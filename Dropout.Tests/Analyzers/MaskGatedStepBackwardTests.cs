using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A training loop that calls a forward helper which writes a 0/1 mask and the kept activations times a factor
/// (<c>keep ? relu * invKeep : 0</c>), then backpropagates by hand in the same method: the error of a hidden unit is
/// gated by the mask the helper filled (a ternary, an if that zeroes it, a product with the mask entry), and the factor the
/// forward applied to the kept units is never applied to that error (DRP013 on the step). Twins that stay silent: the
/// factor applied after the call (to the gated error, or to the output error first), a mask that itself stores the
/// factor, classic dropout (no factor in the forward), the next layer's weight gradient gated by the mask (it reads the
/// scaled activation, which carries the factor), the mask handed on to a backward helper, and a count of kept units.
/// </summary>
public sealed class MaskGatedStepBackwardTests
{
    private const string InvertedForward = """
        bool kept = rng.NextDouble() < keep;
        mask[j] = kept ? 1.0 : 0.0;
        act[j] = kept ? relu * invKeep : 0.0;
        """;

    private const string TernaryGate = "err[j] = (pre[j] > 0 && mask[j] > 0) ? outErr * _w2[j] : 0.0;";

    private static string Net(string backward, string forward = InvertedForward, string beforeLoop = "") => $$"""
        public sealed class Regressor
        {
            private const int Hidden = 8;
            private readonly double[] _w1;
            private readonly double[] _w2 = new double[Hidden];
            private readonly int _inputs;

            public Regressor(int inputs)
            {
                _inputs = inputs;
                _w1 = new double[Hidden * inputs];
            }

            public double KeepProbability { get; set; } = 0.8;

            private static void ForwardTraining(double[] x, double[] w1, double[] pre, double[] act, double[] mask, Random rng, double keep, double invKeep)
            {
                for (int j = 0; j < pre.Length; j++)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                        s += w1[j * x.Length + i] * x[i];
                    pre[j] = s;
                    double relu = s > 0 ? s : 0.0;
                    {{forward}}
                }
            }

            private static void HiddenBackward(double[] err, double[] mask, double invKeep)
            {
                for (int j = 0; j < err.Length; j++)
                    err[j] *= mask[j] * invKeep;
            }

            public double Predict(double[] x)
            {
                double y = 0;
                for (int j = 0; j < Hidden; j++)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                        s += _w1[j * x.Length + i] * x[i];
                    y += _w2[j] * (s > 0 ? s : 0.0);
                }
                return y;
            }

            public void Train(double[][] xs, double[] ys, double rate)
            {
                var pre = new double[Hidden];
                var act = new double[Hidden];
                var mask = new double[Hidden];
                var err = new double[Hidden];
                var gradW2 = new double[Hidden];
                var rng = new Random(7);
                double invKeep = 1.0 / KeepProbability;
                int keptUnits = 0;
                {{beforeLoop}}
                for (int n = 0; n < xs.Length; n++)
                {
                    ForwardTraining(xs[n], _w1, pre, act, mask, rng, KeepProbability, invKeep);
                    double y = 0;
                    for (int j = 0; j < Hidden; j++)
                        y += _w2[j] * act[j];
                    double outErr = y - ys[n];
                    for (int j = 0; j < Hidden; j++)
                    {
                        {{backward}}
                    }
                    for (int j = 0; j < Hidden; j++)
                    {
                        _w2[j] -= rate * outErr * act[j];
                        for (int i = 0; i < _inputs; i++)
                            _w1[j * _inputs + i] -= rate * err[j] * xs[n][i];
                    }
                }
                _ = keptUnits;
                _ = gradW2;
            }
        }
        """;

    private static string Reported(string source) => source.Replace("public void Train(", "public void {|DRP013:Train|}(");

    [Fact]
    public Task ErrorGatedByTheMaskInAConditional_WithoutTheForwardsFactor_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(Net(TernaryGate)));

    [Fact]
    public Task ErrorZeroedByAnIfOnTheMask_WithoutTheForwardsFactor_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(Net("""
            if (pre[j] <= 0 || mask[j] == 0.0)
            {
                err[j] = 0.0;
                continue;
            }
            err[j] = outErr * _w2[j];
            """)));

    [Fact]
    public Task ErrorMultipliedByTheMaskEntry_WithoutTheForwardsFactor_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(Net("err[j] = outErr * _w2[j] * mask[j];")));

    [Fact]
    public Task ForwardDividesByTheKeepProbability_GateWithoutIt_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(Net(TernaryGate, """
            bool kept = rng.NextDouble() < keep;
            mask[j] = kept ? 1.0 : 0.0;
            act[j] = kept ? relu / keep : 0.0;
            """)));

    [Fact]
    public Task FactorAppliedToTheGatedError_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("err[j] = (pre[j] > 0 && mask[j] > 0) ? outErr * _w2[j] * invKeep : 0.0;"));

    [Fact]
    public Task FactorAppliedToTheOutputErrorFirst_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            double scaled = outErr * invKeep;
            err[j] = (pre[j] > 0 && mask[j] > 0) ? scaled * _w2[j] : 0.0;
            """));

    [Fact]
    public Task MaskThatStoresTheFactor_MultipliedIn_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("err[j] = pre[j] > 0 ? outErr * _w2[j] * mask[j] : 0.0;", """
            bool kept = rng.NextDouble() < keep;
            mask[j] = kept ? invKeep : 0.0;
            act[j] = relu * mask[j];
            """));

    [Fact]
    public Task ClassicDropout_GateWithoutFactor_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(TernaryGate, """
            bool kept = rng.NextDouble() < keep;
            mask[j] = kept ? 1.0 : 0.0;
            act[j] = kept ? relu : 0.0;
            """));

    [Fact]
    public Task NextLayersWeightGradientGatedByTheMask_ReadsTheScaledActivation_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            gradW2[j] = mask[j] > 0 ? outErr * act[j] : 0.0;
            err[j] = (pre[j] > 0 && mask[j] > 0) ? outErr * _w2[j] * invKeep : 0.0;
            """));

    [Fact]
    public Task MaskHandedToABackwardHelper_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            err[j] = pre[j] > 0 ? outErr * _w2[j] : 0.0;
            if (j == Hidden - 1) HiddenBackward(err, mask, KeepProbability);
            """));

    [Fact]
    public Task CountOfKeptUnits_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            keptUnits += mask[j] > 0 ? 1 : 0;
            err[j] = pre[j] > 0 ? outErr * _w2[j] * invKeep : 0.0;
            """));
}
