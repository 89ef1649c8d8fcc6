using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Masks a matrix or tensor library draws whole, as ported code writes them. A matrix filled from a uniform distribution
/// on [0, 1] and thresholded by an element-wise map (<c>Mask = Mat.Random(n, new ContinuousUniform(0, 1));
/// Mask.MapInplace(u =&gt; u &gt; keep ? 0.0 : 1.0);</c>, a held-out MathNet layer) makes the map's element a draw and the
/// receiver the mask; a map over weights drawn from another distribution decides nothing. A tensor library's
/// <c>bernoulli(keep, shape)</c> cast to an element type (<c>.asType(dtype)</c>) before it is stored is still the 0/1
/// mask, whose type is named for an array (<c>MLXArray</c>), also when the port stubs the library in another file with a
/// body that draws (a body in another file is not read as a helper, so it is the library it stands for). Unscaled both are
/// DRP004; with 1/p they are silent.
/// </summary>
public sealed class LibraryMaskShapesTests
{
    private const string Matrix = """
        public interface IDistribution { double Sample(); }
        public sealed class ContinuousUniform(double lower, double upper) : IDistribution { public double Sample() => lower + (upper - lower) * 0.5; }
        public sealed class Normal(double mean, double deviation) : IDistribution { public double Sample() => mean + deviation; }
        public sealed class Mat
        {
            public double[] V;
            public Mat(int n) { V = new double[n]; }
            public static Mat Random(int n, IDistribution d) => throw new NotSupportedException();
            public void MapInplace(Func<double, double> f) => throw new NotSupportedException();
            public Mat PointwiseMultiply(Mat other) => throw new NotSupportedException();
        }
        """;

    private const string Tensors = """
        public enum ElementType { F32, F16 }
        public sealed class TArray
        {
            public float[] V = new float[0];
            public int[] Shape = new int[0];
            public TArray asType(ElementType type) => this;
        }
        public static class TRandom { public static TArray bernoulli(float p, int[] shape) => throw new NotSupportedException(); }
        """;

    [Fact]
    public Task UniformMatrixThresholdedByMapInplace_Unscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropLayer
            {
                public Mat Mask { get; set; } = new Mat(1);
                public Mat Output { get; set; } = new Mat(1);
                public double KeepProbability { get; set; } = 0.8;
                public void Forward(Mat input, bool training)
                {
                    if (!training) { Output = input; return; }
                    Mask = Mat.Random(input.V.Length, new ContinuousUniform(0, 1));
                    Mask.MapInplace(u => {|DRP004:u > KeepProbability|} ? 0.0 : 1.0);
                    Output = input.PointwiseMultiply(Mask);
                }
            }
            {{Matrix}}
            """);

    [Fact]
    public Task UniformMatrixThresholdedByMapInplace_HoldingOneOverKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropLayer
            {
                public Mat Mask { get; set; } = new Mat(1);
                public Mat Output { get; set; } = new Mat(1);
                public double KeepProbability { get; set; } = 0.8;
                public void Forward(Mat input, bool training)
                {
                    if (!training) { Output = input; return; }
                    Mask = Mat.Random(input.V.Length, new ContinuousUniform(0, 1));
                    Mask.MapInplace(u => u > KeepProbability ? 0.0 : 1.0 / KeepProbability);
                    Output = input.PointwiseMultiply(Mask);
                }
            }
            {{Matrix}}
            """);

    [Fact]
    public Task NormalWeightsClippedByMapInplace_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropLayer
            {
                public Mat Weights { get; set; } = new Mat(1);
                public double KeepProbability { get; set; } = 0.8;
                public void Init(int n)
                {
                    Weights = Mat.Random(n, new Normal(0, 1));
                    Weights.MapInplace(w => w > KeepProbability ? 0.0 : 1.0);
                }
            }
            {{Matrix}}
            """);

    [Fact]
    public Task BernoulliTensorCastToElementType_AppliedUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public ElementType elementType = ElementType.F32;
                public TArray Forward(TArray x, bool training)
                {
                    if (!training) return x;
                    this.mask = {|DRP004:TRandom.bernoulli(1 - this.rate, x.Shape)|}.asType(this.elementType);
                    var y = new TArray { V = new float[x.V.Length], Shape = x.Shape };
                    for (int i = 0; i < x.V.Length; i++) y.V[i] = x.V[i] * this.mask.V[i];
                    return y;
                }
            }
            {{Tensors}}
            """);

    [Fact]
    public Task BernoulliTensorCastToElementType_AppliedWithOneOverKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public ElementType elementType = ElementType.F32;
                public TArray Forward(TArray x, bool training)
                {
                    if (!training) return x;
                    this.mask = TRandom.bernoulli(1 - this.rate, x.Shape).asType(this.elementType);
                    var y = new TArray { V = new float[x.V.Length], Shape = x.Shape };
                    for (int i = 0; i < x.V.Length; i++) y.V[i] = x.V[i] * this.mask.V[i] / (1 - this.rate);
                    return y;
                }
            }
            {{Tensors}}
            """);

    private const string StubbedLibraryFile = """
        public enum ElementType { F32, F16 }
        public sealed class TArray
        {
            public float[] V = new float[0];
            public int[] Shape = new int[0];
            public TArray asType(ElementType type) => this;
        }
        public static class TRandom
        {
            private static readonly Random Generator = new(1);
            public static TArray bernoulli(float p, int[] shape)
            {
                var values = new float[shape[0]];
                for (int i = 0; i < values.Length; i++) values[i] = Generator.NextDouble() < p ? 1f : 0f;
                return new TArray { V = values, Shape = shape };
            }
        }
        """;

    [Theory]
    [InlineData("", true)]
    [InlineData(" / (1 - this.rate)", false)]
    public Task BernoulliTensorOfALibraryStubbedInAnotherFile_IsJudgedAsTheLibrary(string scale, bool reported)
    {
        string marked = reported ? "{|DRP004:TRandom.bernoulli(1 - this.rate, x.Shape)|}" : "TRandom.bernoulli(1 - this.rate, x.Shape)";
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Library.cs", AnalyzerTest.Usings + StubbedLibraryFile));
        test.TestState.Sources.Add(("/DropoutLayer.cs", AnalyzerTest.Usings + $$"""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public TArray Forward(TArray x, bool training)
                {
                    if (!training) return x;
                    this.mask = {{marked}}.asType(ElementType.F32);
                    var y = new TArray { V = new float[x.V.Length], Shape = x.Shape };
                    for (int i = 0; i < x.V.Length; i++) y.V[i] = x.V[i] * this.mask.V[i]{{scale}};
                    return y;
                }
            }
            """));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }
}
