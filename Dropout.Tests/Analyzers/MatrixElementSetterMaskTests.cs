using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A mask entry stored through a matrix library's element setter (MathNet's <c>mask.At(i, Bernoulli.Sample(rng, p))</c>,
/// a void method of the container whose leading arguments are indices and whose last is the value) is a mask entry as
/// <c>mask[i] = draw</c> is, and the getter <c>mask.At(i)</c> reads one entry as <c>mask[i]</c> does: kept values
/// multiplied by it without 1/p are DRP004, a backward that stores fresh draws into it instead of reusing the forward's is DRP013, and a
/// backward that reuses them is silent. The library is a stub whose bodies draw nothing, as a referenced assembly's would.
/// </summary>
public sealed class MatrixElementSetterMaskTests
{
    private const string Library = """
        public static class Bernoulli
        {
            public static int Sample(Random source, double p) => throw new NotSupportedException();
        }

        public sealed class Vec(int n)
        {
            private readonly double[] _v = new double[n];
            public double At(int i) => _v[i];
            public void At(int i, double value) => _v[i] = value;
        }

        public sealed class Mat(int rows, int cols)
        {
            private readonly double[,] _v = new double[rows, cols];
            public int Rows => rows;
            public int Cols => cols;
            public double At(int r, int c) => _v[r, c];
            public void At(int r, int c, double value) => _v[r, c] = value;
        }

        """;

    private static string Layer(string backwardBody, string keptEntry = "_mask.At(r) * x.At(r, c) / keepProbability", string store = "_mask.At(r, Bernoulli.Sample(rng, keepProbability))") => Library + $$"""
        public sealed class UnitDropout(int units, int batch, double keepProbability, Random rng)
        {
            private readonly Vec _mask = new(units);
            private readonly Mat _out = new(units, batch);
            private readonly Mat _grad = new(units, batch);

            public void Forward(Mat x, bool training)
            {
                for (int r = 0; r < x.Rows; r++)
                {
                    if (training) {{store}};
                    for (int c = 0; c < x.Cols; c++) _out.At(r, c, training ? {{keptEntry}} : x.At(r, c));
                }
            }

            public void {{backwardBody}}
        }
        """;

    private const string ReusingBackward = """
        Backward(Mat upstream)
            {
                for (int r = 0; r < upstream.Rows; r++)
                    for (int c = 0; c < upstream.Cols; c++) _grad.At(r, c, _mask.At(r) * upstream.At(r, c) / keepProbability);
            }
        """;

    [Fact]
    public Task EntriesReadThroughTheGetterWithoutAScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(ReusingBackward, "_mask.At(r) * x.At(r, c)", "_mask.At(r, {|DRP004:Bernoulli.Sample(rng, keepProbability)|})"));

    [Fact]
    public Task EntriesReadThroughTheGetterWithTheInvertedScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(ReusingBackward));

    [Fact]
    public Task BackwardStoringFreshDrawsThroughTheSetter_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
            Backward(Mat upstream)
                {
                    for (int r = 0; r < upstream.Rows; r++)
                    {
                        _mask.At(r, {|DRP013:Bernoulli.Sample(rng, keepProbability)|});
                        for (int c = 0; c < upstream.Cols; c++) _grad.At(r, c, _mask.At(r) * upstream.At(r, c) / keepProbability);
                    }
                }
            """));

    [Fact]
    public Task BackwardReusingTheForwardsEntries_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer(ReusingBackward));
}
