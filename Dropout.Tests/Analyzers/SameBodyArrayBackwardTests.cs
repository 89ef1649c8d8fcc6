using System.IO;
using Dropout.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Whole-array dropout whose backward is written in the same body as its forward, as a numpy training script ported to
/// C# writes it (<c>h = h * mask; h = h / (1 - rate); ... hDelta = outDelta.dot(W2.T) * mask; W1 = W1 - lr * x.T.dot(hDelta)</c>),
/// over an array library whose comparison returns a typed array (<c>NDArray&lt;bool&gt;</c>) that <c>astype</c> casts back
/// to the untyped array it derives from. The library is compiled on its own (no bodies in view, as a package's).
/// </summary>
public sealed class SameBodyArrayBackwardTests
{
    private const string LibrarySource = """
        namespace TypedArrays
        {
            public class NDArray
            {
                public int[] shape = new int[0];
                public NDArray T => this;
                public NDArray dot(NDArray other) => this;
                public NDArray astype(System.Type type) => this;
                public static implicit operator NDArray(double value) => new NDArray();
                public static NDArray operator *(NDArray a, NDArray b) => a;
                public static NDArray operator /(NDArray a, NDArray b) => a;
                public static NDArray operator -(NDArray a, NDArray b) => a;
                public static NDArray<bool> operator >(NDArray a, double b) => new NDArray<bool>();
                public static NDArray<bool> operator <(NDArray a, double b) => new NDArray<bool>();
            }

            public sealed class NDArray<T> : NDArray
            {
            }

            public sealed class RandomState
            {
                public NDArray rand(params int[] shape) => new NDArray();
            }

            public static class np
            {
                public static readonly RandomState random = new RandomState();
            }
        }
        """;

    private static readonly Lazy<MetadataReference> Library = new(() =>
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "TypedArrays",
            [CSharpSyntaxTree.ParseText(LibrarySource)],
            Basic.Reference.Assemblies.Net80.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(image);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    });

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Script.cs", AnalyzerTest.Usings + "using TypedArrays;\n" + source));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(Library.Value);
        return test.RunAsync();
    }

    private static string Script(string forwardScale, string hiddenDelta, string step = "w1 = w1 - lr * images.T.dot(hiddenDelta);") => $$"""
        public static class TwoLayerScript
        {
            public static void Run(NDArray images, NDArray labels, NDArray w1, NDArray w2)
            {
                double rate = 0.3;
                double lr = 0.05;
                for (int epoch = 0; epoch < 20; epoch++)
                {
                    var hidden = images.dot(w1);
                    var dropMask = np.random.rand(hidden.shape) > rate;
                    hidden = hidden * dropMask.astype(typeof(double));
                    {{forwardScale}}
                    var output = hidden.dot(w2);
                    var outDelta = output - labels;
                    var hiddenDelta = {{hiddenDelta}};
                    w2 = w2 - lr * hidden.T.dot(outDelta);
                    {{step}}
                }
            }
        }
        """;

    // The forward divides the masked activations by 1 - rate; the backward in the same loop gates the gradient by the
    // same mask and never divides: the weight step gets (1 - rate) times the gradient of the loss.
    [Fact]
    public Task ScriptBackward_WithoutTheForwardsScale_IsReported() =>
        VerifyAsync(Script("hidden = hidden / (1 - rate);", "{|DRP013:outDelta.dot(w2.T) * dropMask.astype(typeof(double))|}"));

    // Correct twins: the backward divides by the same 1 - rate; the forward never scaled (classic dropout, where the
    // product is DRP004's, not a backward's); the masked gradient goes nowhere a weight is stepped.
    [Theory]
    [InlineData("hidden = hidden / (1 - rate);", "outDelta.dot(w2.T) * dropMask.astype(typeof(double)) / (1 - rate)", "w1 = w1 - lr * images.T.dot(hiddenDelta);")]
    [InlineData("hidden = hidden / (1 - rate);", "outDelta.dot(w2.T) * dropMask.astype(typeof(double))", "w1 = w1 - lr * images.T.dot(hiddenDelta) / (1 - rate);")]
    [InlineData("hidden = hidden / (1 - rate);", "outDelta.dot(w2.T) * dropMask.astype(typeof(double))", "Console.WriteLine(hiddenDelta);")]
    public Task ScriptBackward_CarryingTheScaleOrNoStep_IsSilent(string forwardScale, string hiddenDelta, string step) =>
        VerifyAsync(Script(forwardScale, hiddenDelta, step));

    // The typed comparison result cast back by astype is the same mask: an unscaled product with it is DRP004's.
    [Fact]
    public Task TypedMaskCastBack_AppliedUnscaled_IsMissingTheScale() =>
        VerifyAsync("""
            public sealed class DropoutBlock
            {
                public double rate = 0.5;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x;
                    var dropMask = np.random.rand(x.shape) > rate;
                    return {|DRP004:x * dropMask.astype(typeof(double))|};
                }
            }
            """);

    [Fact]
    public Task TypedMaskCastBack_AppliedWithTheScale_IsSilent() =>
        VerifyAsync("""
            public sealed class DropoutBlock
            {
                public double rate = 0.5;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x;
                    var dropMask = np.random.rand(x.shape) > rate;
                    return x * dropMask.astype(typeof(double)) / (1 - rate);
                }
            }
            """);
}
