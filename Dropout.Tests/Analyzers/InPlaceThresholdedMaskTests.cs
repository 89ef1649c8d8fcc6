using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A whole-array mask thresholded in place by boolean-indexed stores, as numpy code writes it
/// (<c>mask = np.random.rand(x.shape); mask[mask &gt; p] = 1; mask[mask &lt;= p] = 0;</c>): the same mask as
/// <c>np.random.rand(x.shape) &gt; p</c>, so the same rules judge it. Unscaled with an identity inference is DRP004; the
/// inverted and the classic twins are silent, and so is an array where only one side is set (it still holds uniforms, no mask).
/// </summary>
public sealed class InPlaceThresholdedMaskTests
{
    private static Task VerifyAsync(string training, string inference, string stores = "mask[mask > p] = 1;\n mask[mask <= p] = 0;")
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Layers.cs", AnalyzerTest.Usings + "using Arrays;\n" + $$"""
            public static class Layers
            {
                public static (NDArray, NDArray) DropoutForward(NDArray x, double p, string mode)
                {
                    NDArray mask = null;
                    NDArray output;
                    if (mode == "train")
                    {
                        mask = np.random.rand(x.shape);
                        {{stores}}
                        output = {{training}};
                    }
                    else
                    {
                        output = {{inference}};
                    }

                    return (output, mask);
                }

                public static NDArray DropoutBackward(NDArray dout, NDArray mask) => dout * mask;
            }
            """));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(LibraryArrayDropoutTests.Library.Value);
        return test.RunAsync();
    }

    [Fact]
    public Task InPlaceMask_AppliedUnscaled_IsReported() => VerifyAsync("{|DRP004:x * mask|}", "x");

    // The stores in the other order, the probability on the left: the same mask.
    [Fact]
    public Task InPlaceMask_StoresReordered_IsReported() =>
        VerifyAsync("{|DRP004:x * mask|}", "x", "mask[p >= mask] = 0;\n mask[p < mask] = 1;");

    [Theory]
    [InlineData("x * mask / (1.0 - p)", "x")]
    [InlineData("x * mask", "x * (1.0 - p)")]
    public Task InPlaceMask_InvertedOrClassic_IsSilent(string training, string inference) => VerifyAsync(training, inference);

    // Only the dropped side is zeroed: the kept entries are still uniforms, not a 0/1 mask.
    [Fact]
    public Task UniformsZeroedOnOneSideOnly_IsSilent() => VerifyAsync("x * mask", "x", "mask[mask <= p] = 0;");
}
