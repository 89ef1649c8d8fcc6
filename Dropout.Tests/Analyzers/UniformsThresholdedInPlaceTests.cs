using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A mask buffer that first holds uniforms and is then overwritten, element by element, with 1 or 0 decided by its own
/// draw (<c>if (mask[i] &gt; rate) mask[i] = 1; else mask[i] = 0;</c>) is a dropout mask like one thresholded into
/// another buffer. The uniforms may come from a loop of draws or from a call on the mask that fills it with the bounds
/// 0 and 1 (a matrix class of another file: <c>mask.Randomize(0f, 1f)</c>). Found on real public code (real-d's
/// held-out set): a layer whose matrix mask is filled this way and multiplied in without any rescale.
/// </summary>
public sealed class UniformsThresholdedInPlaceTests
{
    [Fact]
    public Task BufferOfDraws_OverwrittenByItsOwnThreshold_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropLayer(float dropRate)
            {
                private readonly Random _rng = new(4);
                private readonly float[] _keep = new float[32];
                public float[] Forward(float[] h, bool training)
                {
                    if (!training) return h;
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = _rng.NextSingle();
                    for (int i = 0; i < _keep.Length; i++)
                    {
                        if ({|DRP004:_keep[i] >= dropRate|}) _keep[i] = 1f;
                        else _keep[i] = 0f;
                    }
                    var y = new float[h.Length];
                    for (int i = 0; i < h.Length; i++) y[i] = h[i] * _keep[i];
                    return y;
                }
            }
            """);

    [Fact]
    public Task BufferOfDraws_OverwrittenByAConditionalOfItself_ScaledOnUse_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropLayer(float dropRate)
            {
                private readonly Random _rng = new(4);
                private readonly float[] _keep = new float[32];
                public float[] Forward(float[] h, bool training)
                {
                    if (!training) return h;
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = _rng.NextSingle();
                    for (int i = 0; i < _keep.Length; i++) _keep[i] = _keep[i] >= dropRate ? 1f : 0f;
                    var y = new float[h.Length];
                    for (int i = 0; i < h.Length; i++) y[i] = h[i] * _keep[i] / (1f - dropRate);
                    return y;
                }
            }
            """);

    // The matrix type lives in another file of the user's project in real code: the layer sees only a call on its mask.
    private const string Grid = """
        public sealed class Grid(int rows, int cols)
        {
            public readonly float[,] cells = new float[rows, cols];
            public int Rows => rows;
            public int Cols => cols;
            public void Randomize(float low, float high) { }
            public static Grid Hadamard(Grid a, Grid b) => a;
        }
        """;

    [Fact]
    public Task MaskFilledByACallWithBoundsZeroAndOne_ThresholdedInPlace_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Grid + """
            public sealed class GridDropout(int rows, int cols, float dropRate)
            {
                private readonly Grid _mask = new(rows, cols);
                public Grid Forward(Grid x, bool training)
                {
                    if (!training) return x;
                    _mask.Randomize(0f, 1f);
                    for (int r = 0; r < _mask.Rows; r++)
                        for (int c = 0; c < _mask.Cols; c++)
                            _mask.cells[r, c] = {|DRP004:_mask.cells[r, c] < dropRate|} ? 0f : 1f;
                    return Grid.Hadamard(x, _mask);
                }
            }
            """);

    [Fact]
    public Task MaskFilledByACallWithBoundsZeroAndOne_ThresholdedToTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Grid + """
            public sealed class GridDropout(int rows, int cols, float dropRate)
            {
                private readonly Grid _mask = new(rows, cols);
                public Grid Forward(Grid x, bool training)
                {
                    if (!training) return x;
                    _mask.Randomize(0f, 1f);
                    float scale = 1f / (1f - dropRate);
                    for (int r = 0; r < _mask.Rows; r++)
                        for (int c = 0; c < _mask.Cols; c++)
                            _mask.cells[r, c] = _mask.cells[r, c] < dropRate ? 0f : scale;
                    return Grid.Hadamard(x, _mask);
                }
            }
            """);

    // Weights randomized in a symmetric range and then clipped are no mask: only the bounds 0 and 1 fill with uniforms.
    [Fact]
    public Task WeightsRandomizedInAnotherRange_ThenClipped_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Grid + """
            public sealed class DenseInit(int rows, int cols, float limit)
            {
                public Grid Weights { get; } = new(rows, cols);
                public void Reset()
                {
                    Weights.Randomize(-0.5f, 0.5f);
                    for (int r = 0; r < Weights.Rows; r++)
                        for (int c = 0; c < Weights.Cols; c++)
                            if (Weights.cells[r, c] < limit) Weights.cells[r, c] = 0f;
                }
            }
            """);

    // A buffer of draws that is also written with something else than its own 0/1 threshold is no draw buffer.
    [Fact]
    public Task BufferOfDraws_AlsoOverwrittenWithData_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Jitter(float threshold)
            {
                private readonly Random _rng = new(4);
                private readonly float[] _buffer = new float[32];
                public float[] Apply(float[] h)
                {
                    for (int i = 0; i < _buffer.Length; i++) _buffer[i] = _rng.NextSingle();
                    for (int i = 0; i < _buffer.Length; i++) _buffer[i] = h[i];
                    for (int i = 0; i < _buffer.Length; i++) if (_buffer[i] > threshold) _buffer[i] = 0f;
                    return _buffer;
                }
            }
            """);

    [Theory]
    [InlineData("class M { public float[,] cells = new float[2, 2]; public void Randomize(float a, float b) { } } class C { M mask = new(); void F(float rate) { mask.Randomize(0f, 1f); for (int i = 0; i < 2; i++) if (mask.cells[i, 0] > rate) mask.cells[i, 0] = 1f; } }", true)]
    [InlineData("class M { public float[,] cells = new float[2, 2]; public void Randomize(float a, float b) { } } class C { M w = new(); void F(float rate) { w.Randomize(-1f, 1f); for (int i = 0; i < 2; i++) if (w.cells[i, 0] > rate) w.cells[i, 0] = 1f; } }", false)]
    [InlineData("class M { public float[,] cells = new float[2, 2]; public void Randomize(float a, float b) { } } class C { M w = new(); void F() { w.Randomize(0f, 1f); Console.WriteLine(w.cells[0, 0]); } }", false)]
    public void Prefilter_AdmitsAFillWithBoundsZeroAndOne_OnlyWhereAnElementIsComparedLater(string source, bool admitted)
    {
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("using System;\n" + source);
        var type = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>().First(t => t.Identifier.ValueText == "C");
        Assert.Equal(admitted, HandWrittenDropoutModel.MayDraw(type));
    }
}
