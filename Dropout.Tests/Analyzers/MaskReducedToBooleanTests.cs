using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A forward that stores 0 or 1/(1 - rate) in its mask and multiplies the activations by it, and a backward that reads
/// the mask only to ask whether it is nonzero (<c>m &gt; 0f ? 1f : 0f</c>, <c>mask[j] != 0</c>): the 1/p the mask carries
/// is thrown away in the backward, so the gradient is a factor p too large relative to the forward (DRP013). A backward
/// that multiplies by the mask's value, or that tests the mask and applies its own 1/p, is the forward's derivative.
/// </summary>
public sealed class MaskReducedToBooleanTests
{
    private static string Brain(string backwardBody) => $$"""
        public sealed class Brain
        {
            private const float Rate = 0.2f;
            private readonly Random _random = new Random(7);
            private readonly float[] _pre = new float[16];
            private readonly float[] _hidden = new float[16];
            private float[] _mask = new float[16];

            public float[] Forward(float[] input)
            {
                float scale = 1f / (1f - Rate);
                for (int j = 0; j < 16; j++)
                {
                    _pre[j] = input[j];
                    float a = Math.Max(0f, input[j]);
                    bool keep = _random.NextDouble() >= Rate;
                    _mask[j] = keep ? scale : 0f;
                    _hidden[j] = a * _mask[j];
                }
                return _hidden;
            }

            public float[] Backward(float[] upstream)
            {
                var down = new float[16];
                for (int j = 0; j < 16; j++)
                {
                    {{backwardBody}}
                }
                return down;
            }
        }
        """;

    private static string Reported(string backwardBody) =>
        Brain(backwardBody).Replace("public float[] Backward(", "public float[] {|DRP013:Backward|}(");

    [Fact]
    public Task ScaledMaskCopiedToALocalAndTestedAgainstZero_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(
            "float m = _mask != null ? _mask[j] : 1f; down[j] = upstream[j] * (_pre[j] > 0f ? 1f : 0f) * (m > 0f ? 1f : 0f);"));

    [Fact]
    public Task ScaledMaskTestedInline_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(
            "down[j] = _mask[j] != 0f ? upstream[j] : 0f;"));

    [Fact]
    public Task ScaledMaskTestedInAnIf_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(
            "if (_mask[j] > 0f) down[j] = upstream[j];"));

    [Fact]
    public Task ScaledMaskCopiedToALocalAndTestedInAProduct_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(
            "float m = _mask[j]; down[j] = upstream[j] * (m > 0f ? 1f : 0f);"));

    [Fact]
    public Task ScaledMaskTestedInsideAProduct_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Reported(
            "down[j] = upstream[j] * (_mask[j] > 0f ? 1f : 0f);"));

    [Fact]
    public Task ScaledMaskMultipliedIn_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Brain(
            "float m = _mask != null ? _mask[j] : 1f; down[j] = upstream[j] * (_pre[j] > 0f ? 1f : 0f) * m;"));

    [Fact]
    public Task ScaledMaskTestedThenMultipliedIn_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Brain(
            "if (_mask[j] != 0f) down[j] = upstream[j] * _mask[j];"));

    [Fact]
    public Task ScaledMaskTestedWithTheBackwardsOwnScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Brain(
            "down[j] = _mask[j] > 0f ? upstream[j] / (1f - Rate) : 0f;"));
}

/// <summary>
/// A backward that reads a boolean mask and applies only a gradient-norm clip (<c>ScaleAll(dx, clipNorm / Sqrt(Σdx²))</c>, with the clip a member of the layer) still omits the
/// forward's 1/(1 - rate): a quotient by a square root is a norm, not a factor derived from the drop rate (DRP013).
/// </summary>
public sealed class GradientNormClipIsNoDropoutScaleTests
{
    private static string Layer(string backwardScale) => $$"""
        public sealed class Hidden
        {
            private const double Rate = 0.3;
            private readonly Random _random = new Random(11);
            private readonly bool[] _kept = new bool[8];

            public double[] Forward(double[] x, bool training)
            {
                var y = new double[8];
                for (int i = 0; i < 8; i++)
                {
                    if (!training) { y[i] = x[i]; continue; }
                    _kept[i] = _random.NextDouble() >= Rate;
                    y[i] = _kept[i] ? x[i] / (1.0 - Rate) : 0.0;
                }
                return y;
            }

            public double ClipNorm = 5.0;

            public double[] Backward(double[] g)
            {
                var dx = new double[8];
                for (int i = 0; i < 8; i++) dx[i] = _kept[i] ? g[i]{{backwardScale}} : 0.0;
                double sum = 0;
                for (int i = 0; i < 8; i++) sum += dx[i] * dx[i];
                double norm = Math.Sqrt(sum);
                if (norm > ClipNorm)
                {
                    double scale = ClipNorm / norm;
                    ScaleAll(dx, scale);
                }
                return dx;
            }

            private static void ScaleAll(double[] values, double factor)
            {
                for (int i = 0; i < values.Length; i++) values[i] *= factor;
            }
        }
        """;

    [Fact]
    public Task MaskedBackwardWithOnlyANormClip_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("").Replace("public double[] Backward(", "public double[] {|DRP013:Backward|}("));

    [Fact]
    public Task MaskedBackwardWithANormClipAndTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(" / (1.0 - Rate)"));
}
