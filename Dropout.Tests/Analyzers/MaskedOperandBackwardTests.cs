using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DropConnect written with a matrix library: the forward multiplies the stored 0/1 weight mask into the weights
/// (<c>_mask.PointwiseMultiply(_weights)</c>). A backward that differentiates through <c>_weights</c> alone lets every
/// dropped connection pass gradient (DRP013); one that reads the mask, or the member holding the masked product, is
/// silent. The library is a stub whose bodies compute nothing, as a referenced assembly's would show.
/// </summary>
public sealed class MaskedOperandBackwardTests
{
    private const string Library = """
        public sealed class UniformDist
        {
            public double Sample() => throw new NotSupportedException();
        }

        public sealed class Vec
        {
            public double this[int i] { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public static Vec operator +(Vec a, Vec b) => throw new NotSupportedException();
        }

        public sealed class Mat(int rows, int cols)
        {
            public int Rows => rows;
            public int Cols => cols;
            public double this[int r, int c] { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public Mat PointwiseMultiply(Mat other) => throw new NotSupportedException();
            public Vec TransposeThisAndMultiply(Vec v) => throw new NotSupportedException();
            public static Vec operator *(Mat m, Vec v) => throw new NotSupportedException();
        }

        """;

    private static string Layer(string forward, string backward) => Library + $$"""
        public sealed class WeightDropLayer(int inSize, int outSize, double dropProb)
        {
            private readonly UniformDist _uniform = new();
            private readonly Mat _mask = new(inSize, outSize);
            private readonly Mat _weights = new(inSize, outSize);
            private readonly Mat _gradW = new(inSize, outSize);
            private Mat _masked = new(inSize, outSize);
            private Vec _bias = new();
            private Vec _input = new();
            private Vec _sums = new();

            public void Forward(Vec x)
            {
                _input = x;
                {{forward}}
            }

            public Vec Predict(Vec x) => _weights.TransposeThisAndMultiply(x) + _bias;

            public void EndBatch()
            {
                for (int i = 0; i < inSize; i++)
                    for (int o = 0; o < outSize; o++)
                        _mask[i, o] = _uniform.Sample() < dropProb ? 0 : 1;
            }

            {{backward}}
        }
        """;

    private const string MaskedInline = "_sums = _mask.PointwiseMultiply(_weights).TransposeThisAndMultiply(x) + _bias;";

    [Fact]
    public Task BackwardThroughTheUnmaskedWeights_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(MaskedInline, """
            public Vec {|DRP013:Backward|}(Vec delta)
                {
                    for (int o = 0; o < outSize; o++)
                        for (int i = 0; i < inSize; i++) _gradW[i, o] += delta[o] * _input[i];
                    return _weights * delta;
                }
            """));

    [Fact]
    public Task BackwardThroughTheMaskedWeights_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(MaskedInline, """
            public Vec Backward(Vec delta)
                {
                    for (int o = 0; o < outSize; o++)
                        for (int i = 0; i < inSize; i++) _gradW[i, o] += delta[o] * _input[i] * _mask[i, o];
                    return _mask.PointwiseMultiply(_weights) * delta;
                }
            """));

    [Fact]
    public Task BackwardThroughTheStoredMaskedProduct_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("_masked = _mask.PointwiseMultiply(_weights); _sums = _masked.TransposeThisAndMultiply(x) + _bias;", """
            public Vec Backward(Vec delta) => _masked * delta;
            """));
}
