using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A mask applied through a tensor type's own <c>*</c> operator (<c>return x * this.mask;</c>), where the operator's body is
/// in the compilation and multiplies the two operands entry by entry: the product is the element-wise application of the
/// mask, as <c>x.V[i] * mask.V[i]</c> written out would be. Unscaled it is DRP004; with 1/p applied by the type's scalar
/// operator it is silent; an operator whose body does something else (a matrix product) applies no mask.
/// </summary>
public sealed class UserDefinedProductOperatorTests
{
    private const string Library = """
        public enum ElementType { F32, F16 }
        public sealed class TArray
        {
            public float[] V = new float[0];
            public int[] Shape = new int[0];
            public TArray asType(ElementType type) => this;
            public static TArray operator *(TArray a, TArray b)
            {
                var r = new float[a.V.Length];
                for (int i = 0; i < r.Length; i++) r[i] = a.V[i] * b.V[i];
                return new TArray { V = r, Shape = a.Shape };
            }
            public static TArray operator *(TArray a, double s)
            {
                var r = new float[a.V.Length];
                for (int i = 0; i < r.Length; i++) r[i] = (float)(a.V[i] * s);
                return new TArray { V = r, Shape = a.Shape };
            }
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

    private static Task VerifyAsync(string layer)
    {
        var test = new CSharpAnalyzerTest<Dropout.Analyzers.MissingInvertedScalingAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Library.cs", AnalyzerTest.Usings + Library));
        test.TestState.Sources.Add(("/DropoutLayer.cs", AnalyzerTest.Usings + layer));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task MaskAppliedByTheTypesProductOperator_Unscaled_IsReported() =>
        VerifyAsync("""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public TArray Forward(TArray x, bool training)
                {
                    var identity = 1.0;
                    if (training)
                    {
                        this.mask = {|DRP004:TRandom.bernoulli(1 - this.rate, x.Shape)|}.asType(ElementType.F32);
                        return x * this.mask;
                    }
                    return x * identity;
                }
                public TArray Backward(TArray error) => error * this.mask;
            }
            """);

    [Fact]
    public Task MaskAppliedByTheTypesProductOperator_ThenScaledByOneOverKeep_IsSilent() =>
        VerifyAsync("""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public TArray Forward(TArray x, bool training)
                {
                    if (!training || rate == 0) return x;
                    this.mask = TRandom.bernoulli(1 - this.rate, x.Shape).asType(ElementType.F32);
                    var scale = 1.0 / (1 - this.rate);
                    return (x * this.mask) * scale;
                }
                public TArray Backward(TArray error) => (error * this.mask) * (1.0 / (1 - this.rate));
            }
            """);
    [Theory]
    [InlineData("var y = new TArray { V = new float[x.V.Length], Shape = x.Shape }; for (int i = 0; i < x.V.Length; i++) y.V[i] = x.V[i] * this.mask.V[i]; return y;")]
    [InlineData("return x * this.mask;")]
    [InlineData("var y = x * this.mask; return y;")]
    public Task MaskAppliedInALoopOrByTheProductOperator_Unscaled_IsReported(string apply) =>
        VerifyAsync($$"""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public TArray mask = new TArray();
                public TArray Forward(TArray x, bool training)
                {
                    if (!training) return x;
                    this.mask = {|DRP004:TRandom.bernoulli(1 - this.rate, x.Shape)|}.asType(ElementType.F32);
                    {{apply}}
                }
            }
            """);

    private const string MatrixLibrary = """
        public sealed class Matrix
        {
            public int N;
            public float[] V = new float[0];
            public static Matrix operator *(Matrix a, Matrix b)
            {
                var r = new float[a.N * a.N];
                for (int i = 0; i < a.N; i++)
                    for (int j = 0; j < a.N; j++)
                        for (int k = 0; k < a.N; k++)
                            r[i * a.N + j] += a.V[i * a.N + k] * b.V[k * a.N + j];
                return new Matrix { N = a.N, V = r };
            }
        }
        public static class MRandom { public static Matrix bernoulliMatrix(float p, int n) => throw new NotSupportedException(); }
        """;

    // A look-alike: the type's `*` is a matrix product (entries of different indices paired), so the product is no mask
    // applied entry by entry, and the model keeps treating the factor as one it cannot classify (silent, as before).
    [Fact]
    public Task MaskThroughAMatrixProductOperator_IsNotReadAsElementWise() =>
        AnalyzerTest.VerifyAsync<Dropout.Analyzers.MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer
            {
                public float rate = 0.1f;
                public Matrix mask = new Matrix();
                public Matrix Forward(Matrix x, bool training)
                {
                    if (!training) return x;
                    this.mask = MRandom.bernoulliMatrix(1 - this.rate, x.N);
                    return x * this.mask;
                }
            }
            {{MatrixLibrary}}
            """);
}
