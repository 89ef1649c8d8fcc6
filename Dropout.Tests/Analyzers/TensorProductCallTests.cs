using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Element-wise products written as calls on a user tensor type (<c>x.Mul(mask)</c>, <c>Tensor.Where(mask, x, 0)</c>,
/// <c>x * mask</c> through an operator overload), with a mask drawn in the same file: the mask is followed and the missing
/// 1/p is DRP004; a scale call on the product or a mask that holds 1/p is silent.
/// </summary>
public sealed class TensorProductCallTests
{
    private const string TensorType = """
        public sealed class Tensor(int n)
        {
            public float[] Data { get; } = new float[n];

            public Tensor Mul(Tensor other)
            {
                var r = new Tensor(Data.Length);
                for (int i = 0; i < Data.Length; i++) r.Data[i] = Data[i] * other.Data[i];
                return r;
            }

            public Tensor MulScalar(float factor)
            {
                var r = new Tensor(Data.Length);
                for (int i = 0; i < Data.Length; i++) r.Data[i] = Data[i] * factor;
                return r;
            }

            public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

            public static Tensor Where(Tensor condition, Tensor a, float otherwise)
            {
                var r = new Tensor(a.Data.Length);
                for (int i = 0; i < r.Data.Length; i++) r.Data[i] = condition.Data[i] != 0 ? a.Data[i] : otherwise;
                return r;
            }
        }

        """;

    private static string Layer(string apply, string kept = "1f", string draw = "_rng.NextDouble() < _rate") => TensorType + $$"""
        public sealed class DropoutLayer(float rate)
        {
            private readonly float _rate = rate;
            private readonly Random _rng = new(3);

            public Tensor Forward(Tensor input, bool training)
            {
                if (!training) return input;
                var mask = new Tensor(input.Data.Length);
                for (int i = 0; i < mask.Data.Length; i++) mask.Data[i] = {{draw}} ? 0f : {{kept}};
                return {{apply}};
            }
        }
        """;

    private const string Reported = "{|DRP004:_rng.NextDouble() < _rate|}";

    [Fact]
    public Task MulCall_WithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input.Mul(mask)", draw: Reported));

    [Fact]
    public Task UserOperator_WithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input * mask", draw: Reported));

    [Fact]
    public Task WhereCall_WithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("Tensor.Where(mask, input, 0)", draw: Reported));

    [Fact]
    public Task MulCall_ScaledByACall_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input.Mul(mask).MulScalar(1f / (1f - _rate))"));

    [Fact]
    public Task UserOperator_MaskHoldingTheInverseKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("input * mask", kept: "1f / (1f - _rate)"));

    [Fact]
    public Task WhereCall_ScaledByACall_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("Tensor.Where(mask, input, 0).MulScalar(1f / (1f - _rate))"));
}
