using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP019: a mask drawn as standard normal samples compared with a probability (<c>randn(shape) &gt; ratio</c>) keeps
/// units with a normal tail probability, not with the probability or its complement. Reported where the comparison's
/// value is a mask (multiplied in, cast, stored); silent for uniform draws, normal samples compared with a value that
/// is no probability, and normal noise.
/// </summary>
public sealed class NormalSamplesThresholdedAsMaskTests
{
    private static Task VerifyAsync(string body)
    {
        var test = new CSharpAnalyzerTest<NormalSamplesThresholdedAsMaskAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + "using Arrays;\n" + $$"""
            public sealed class TimeDrop
            {
                public double dropout_ratio = 0.5;
                public double keep_prob = 0.8;
                public double threshold = 1.5;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x * (1.0 - this.dropout_ratio);
                    {{body}}
                }
            }
            """));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(LibraryArrayDropoutTests.Library.Value);
        return test.RunAsync();
    }

    [Theory]
    [InlineData("this.mask = {|DRP019:np.random.randn(x.shape) > this.dropout_ratio|}; return x * this.mask;")]
    [InlineData("return x * ({|DRP019:np.random.randn(x.shape) < this.keep_prob|});")]
    [InlineData("return x * ({|DRP019:np.random.randn(x.shape) > (1 - this.keep_prob)|}).astype(typeof(double));")]
    [InlineData("NDArray m = {|DRP019:np.random.randn(x.shape) > 0.5|}; return x * m;")]
    public Task NormalSamplesComparedWithAProbability_AsAMask_AreReported(string body) => VerifyAsync(body);

    // Through an interface (no body in view) the call is the library's; a method of the program's own, with its body in
    // view, may return anything under that name.
    [Theory]
    [InlineData("Samples randn(params int[] shape);", true)]
    [InlineData("Samples randn(params int[] shape) => new Samples();", false)]
    public Task NormalSourceWithoutABodyInView_IsTheLibrarys(string member, bool reported)
    {
        string comparison = reported ? "{|DRP019:this.random.randn(4) > this.ratio|}" : "this.random.randn(4) > this.ratio";
        return AnalyzerTest.VerifyAsync<NormalSamplesThresholdedAsMaskAnalyzer>($$"""
            public sealed class Samples
            {
                public static Samples operator >(Samples a, double b) => a;
                public static Samples operator <(Samples a, double b) => a;
                public static Samples operator *(Samples a, Samples b) => a;
            }

            public interface INormal
            {
                {{member}}
            }

            public sealed class Drop(INormal random)
            {
                public INormal random = random;
                public double ratio = 0.5;
                public Samples Forward(Samples x) => x * ({{comparison}});
            }
            """);
    }

    [Theory]
    [InlineData("this.mask = np.random.rand(x.shape) > this.dropout_ratio; return x * this.mask;")]
    [InlineData("this.mask = np.random.randn(x.shape) > this.threshold; return x * this.mask;")]
    [InlineData("this.mask = np.random.randn(x.shape) > 2.0; return x * this.mask;")]
    [InlineData("return x + np.random.randn(x.shape) * this.dropout_ratio;")]
    public Task UniformDrawsThresholdsAndNoise_AreSilent(string body) => VerifyAsync(body);
}
