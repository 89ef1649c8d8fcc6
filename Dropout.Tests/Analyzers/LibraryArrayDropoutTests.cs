using System.IO;
using Dropout.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Whole-array dropout over a library's array type, as code ported from numpy writes it: a library call that returns a
/// whole array of uniforms (<c>np.random.rand(x.shape)</c>) thresholded against a probability by the array's operator, or
/// an array of Bernoulli values (<c>np.random.binomial(1, keep, shape)</c>), stored in a field or local and applied by the
/// array's <c>*</c>. The library is compiled on its own (its methods have no body in view, as a package's do). The same
/// facts as the scalar model's give the same rules: no scale at all (DRP004), always on (DRP014), a scale or inference
/// factor by the drop rate (DRP012), a backward that multiplies by the stored mask but not by the 1/p its forward
/// applied (DRP013). Each mistake has a correct twin that stays silent, and draws that are not dropout stay silent.
/// </summary>
public sealed class LibraryArrayDropoutTests
{
    internal const string LibrarySource = """
        namespace Arrays
        {
            public sealed class Shape
            {
                public static implicit operator Shape(int[] dims) => new Shape();
            }

            public sealed class NDArray
            {
                public int[] shape = new int[0];
                public NDArray astype(System.Type type) => this;
                public static implicit operator NDArray(double value) => new NDArray();
                public static NDArray operator *(NDArray a, NDArray b) => a;
                public static NDArray operator /(NDArray a, NDArray b) => a;
                public static NDArray operator >(NDArray a, object b) => a;
                public static NDArray operator <(NDArray a, object b) => a;
                public static NDArray operator >=(NDArray a, object b) => a;
                public static NDArray operator +(NDArray a, NDArray b) => a;
                public static NDArray operator <=(NDArray a, object b) => a;
                public NDArray this[NDArray selected] { get => this; set { } }
            }

            public sealed class RandomState
            {
                public NDArray rand(params int[] shape) => new NDArray();
                public NDArray randn(params int[] shape) => new NDArray();
                public NDArray uniform(double low, double high, Shape shape) => new NDArray();
                public NDArray normal(double mean, double deviation, Shape shape) => new NDArray();
                public NDArray binomial(int n, double p, Shape shape) => new NDArray();
            }

            public static class np
            {
                public static readonly RandomState random = new RandomState();
                public static NDArray multiply(NDArray a, NDArray b) => a;
            }
        }
        """;

    internal static readonly Lazy<MetadataReference> Library = new(() =>
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Arrays",
            [CSharpSyntaxTree.ParseText(LibrarySource)],
            Basic.Reference.Assemblies.Net80.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(image);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    });

    private static Task VerifyAsync(string layer)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + "using Arrays;\n" + layer));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(Library.Value);
        return test.RunAsync();
    }

    // Inverted dropout without its 1/p: the training product is reported once (the backward's product with the same
    // mask is not another missing scale).
    [Fact]
    public Task ThresholdedUniformArray_AppliedUnscaled_IsReported() =>
        VerifyAsync("""
            public sealed class DropoutBlock
            {
                public double rate = 0.5;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (train)
                    {
                        this.mask = np.random.rand(x.shape) > this.rate;
                        return {|DRP004:x * this.mask|};
                    }

                    return x;
                }

                public NDArray Backward(NDArray dout) => dout * this.mask;
            }
            """);

    // Inverted (the backward carries the 1/p too) or classic (the inference factor is the keep probability).
    [Theory]
    [InlineData("return x * this.mask / (1.0 - this.rate);", "return x;", "dout * this.mask / (1.0 - this.rate)")]
    [InlineData("return x * this.mask;", "return x * (1.0 - this.rate);", "dout * this.mask")]
    public Task ThresholdedUniformArray_InvertedOrClassic_IsSilent(string training, string inference, string backward) =>
        VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double rate = 0.5;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (train)
                    {
                        this.mask = np.random.rand(x.shape) > this.rate;
                        {{training}}
                    }

                    {{inference}}
                }

                public NDArray Backward(NDArray dout) => {{backward}};
            }
            """);

    [Fact]
    public Task BernoulliArray_AlwaysAppliedUnscaled_IsReportedForScaleAndInferencePath() =>
        VerifyAsync("""
            public sealed class DropoutLayer
            {
                public double keep = 0.8;
                public NDArray Forward(NDArray x)
                {
                    NDArray mask = np.random.binomial(1, this.keep, x.shape);
                    return {|DRP004:{|DRP014:np.multiply(x, mask)|}|};
                }
            }
            """);

    [Fact]
    public Task BernoulliArray_ScaledInTrainingOnly_IsSilent() =>
        VerifyAsync("""
            public sealed class DropoutLayer
            {
                public double keep = 0.8;
                public NDArray Forward(NDArray x, bool training)
                {
                    if (!training) return x;
                    NDArray mask = np.random.binomial(1, this.keep, x.shape) / this.keep;
                    return np.multiply(x, mask);
                }
            }
            """);

    // `a = rand < p; a = a / p; return a * x;`: the local rebound to its own mask scaled by a number still holds the mask,
    // so the layer's inference path (none here, one under the flag) and its scale are read as for `a = (rand < p) / p`.
    [Theory]
    [InlineData("", "a = a / this.p;", "{|DRP014:a * x|}")]
    [InlineData("", "a = a.astype(typeof(double)) / this.p;", "{|DRP014:a * x|}")]
    [InlineData("if (!training) return x;", "a = a / this.p;", "a * x")]
    [InlineData("if (!training) return x;", "a = a / (1 - this.p);", "a * x")]
    public Task LocalMaskReboundScaled_IsTheSameMask(string gate, string rebinding, string product)
    {
        string scale = rebinding.Contains("(1 - this.p)") ? "{|DRP012:" + rebinding.Substring(4, rebinding.Length - 5) + "|}" : rebinding.Substring(4, rebinding.Length - 5);
        return VerifyAsync($$"""
            public sealed class MaskedDropout
            {
                public double p = 0.5;
                public NDArray forward({{(gate.Length == 0 ? "NDArray x" : "NDArray x, bool training")}})
                {
                    {{gate}}
                    NDArray a = np.random.rand(x.shape) < this.p;
                    a = {{scale}};
                    return {{product}};
                }
            }
            """);
    }

    [Theory]
    [InlineData("p", true)]
    [InlineData("(1 - p)", false)]
    public Task KeptAboveTheRate_DividedByTheRate_IsDrp012(string divisor, bool reported)
    {
        string draw = "(np.random.rand(x.shape) > p) / " + divisor;
        return VerifyAsync($$"""
            public static class Layers
            {
                public static (NDArray Out, NDArray Mask) DropoutForward(NDArray x, double p, string mode)
                {
                    NDArray mask = null;
                    NDArray output = x;
                    if (mode == "train")
                    {
                        mask = {{(reported ? "{|DRP012:" + draw + "|}" : draw)}};
                        output = x * mask;
                    }

                    return (output, mask);
                }
            }
            """);
    }

    // Inverted in training (the mask, or its product, divided by the keep probability) and multiplied by the keep
    // probability where the draw does not run: scaled twice (DRP005). Classic dropout (no division in training) and
    // inverted dropout with an identity inference are the correct twins.
    [Theory]
    [InlineData("this.mask = np.random.binomial(1, 1 - this.rate, x.shape) / (1 - this.rate); return x * this.mask;", "{|DRP005:x * (1 - this.rate)|}")]
    [InlineData("NDArray b = np.random.binomial(1, 1 - this.rate, x.shape); this.mask = b / (1 - this.rate); return x * this.mask;", "{|DRP005:x * (1 - this.rate)|}")]
    [InlineData("this.mask = np.random.rand(x.shape) > this.rate; return x * this.mask / (1 - this.rate);", "{|DRP005:(1 - this.rate) * x|}", " / (1 - this.rate)")]
    [InlineData("this.mask = np.random.binomial(1, 1 - this.rate, x.shape); return x * this.mask;", "x * (1 - this.rate)")]
    [InlineData("this.mask = np.random.rand(x.shape) > this.rate; return x * this.mask / (1 - this.rate);", "x", " / (1 - this.rate)")]
    public Task InvertedTrainingAndKeepFactorAtInference_IsDoubleScaling(string training, string inference, string backwardScale = "") =>
        VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double rate = 0.3;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train)
                    {
                        return {{inference}};
                    }

                    {{training}}
                }

                public NDArray Backward(NDArray dout) => dout * this.mask{{backwardScale}};
            }
            """);

    // The inference path as another method of the layer, or as the other arm of a conditional: the same double scale. A
    // factor on the path that also draws (before the flag is read) is not the inference path.
    [Theory]
    [InlineData("public NDArray Predict(NDArray x) => {|DRP005:x * this.keep|};")]
    [InlineData("public NDArray Call(NDArray x, bool train) => train ? x * (np.random.binomial(1, this.keep, x.shape) / this.keep) : {|DRP005:x * this.keep|};")]
    [InlineData("public NDArray Call(NDArray x, bool train) { NDArray y = x * this.keep; if (!train) return x; return y * (np.random.binomial(1, this.keep, x.shape) / this.keep); }")]
    public Task KeepFactorWhereTheDrawDoesNotRun_IsDoubleScaling(string member) =>
        VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double keep = 0.8;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x;
                    return x * (np.random.binomial(1, this.keep, x.shape) / this.keep);
                }

                {{member}}
            }
            """);

    // The scale written as a factor, `* (1 / (1 - p))`, is the division by 1 - p: against a mask that keeps with p it is the
    // drop rate (DRP012); against one that keeps with 1 - p it is the right inverted scale.
    [Theory]
    [InlineData("this.p", true)]
    [InlineData("1 - this.p", false)]
    public Task ReciprocalFactor_IsReadAsTheDivision(string keep, bool reported)
    {
        string product = "x * r * (1 / (1 - this.p))";
        return VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double p = 0.5;
                public bool train = true;
                public NDArray Forward(NDArray x)
                {
                    NDArray r = np.random.binomial(1, {{keep}}, x.shape);
                    if (this.train)
                        return {{(reported ? "{|DRP012:" + product + "|}" : product)}};
                    return x;
                }
            }
            """);
    }

    // Classic dropout: training keeps with one probability, inference must multiply by that same probability.
    [Theory]
    [InlineData("np.random.rand(x.shape) > this.rate", "x * this.rate", true)]
    [InlineData("np.random.binomial(1, this.rate, x.shape)", "x * (1 - this.rate)", true)]
    [InlineData("np.random.binomial(1, this.rate, x.shape)", "x * this.rate", false)]
    [InlineData("np.random.binomial(1, 1 - this.rate, x.shape)", "x * (1 - this.rate)", false)]
    public Task ClassicInferenceFactor_IsTheTrainingKeepProbability(string draw, string inference, bool reported) =>
        VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double rate = 0.3;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (train)
                    {
                        this.mask = {{draw}};
                        return x * this.mask;
                    }

                    return {{(reported ? "{|DRP012:" + inference + "|}" : inference)}};
                }
            }
            """);

    [Theory]
    [InlineData("return x * this.mask / (1.0 - this.rate);", "return {|DRP013:dout * this.mask|};")]
    [InlineData("x = x * this.mask; return x / (1.0 - this.rate);", "return {|DRP013:dout * this.mask|};")]
    [InlineData("return x * this.mask / (1.0 - this.rate);", "return dout * this.mask / (1.0 - this.rate);")]
    public Task BackwardOfAScaledProduct_OwesTheScale(string forward, string backward) =>
        VerifyAsync($$"""
            public sealed class DropoutBlock
            {
                public double rate = 0.5;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x;
                    this.mask = np.random.rand(x.shape) > this.rate;
                    {{forward}}
                }

                public NDArray Backward(NDArray dout)
                {
                    {{backward}}
                }
            }
            """);

    // The mask stored with its 1/p: the backward's product with it carries the scale.
    [Fact]
    public Task BackwardOfAStoredScaledMask_IsSilent() =>
        VerifyAsync("""
            public sealed class DropoutBlock
            {
                public double keep = 0.5;
                public NDArray mask;
                public NDArray Forward(NDArray x, bool train)
                {
                    if (!train) return x;
                    this.mask = np.random.binomial(1, this.keep, x.shape) / this.keep;
                    return x * this.mask;
                }

                public NDArray Backward(NDArray dout) => dout * this.mask;
            }
            """);

    // A mask stored by the forward (scaled where it is applied) that the backward never reads: dropped units get a gradient.
    [Theory]
    [InlineData("return da * this.slope;", true)]
    [InlineData("return da * this.dropout_mask / (1 - this.dropout_rate);", false)]
    [InlineData("return this.Masked(da);", false)]
    public Task BackwardThatNeverReadsTheStoredMask_IsDrp013(string body, bool reported) =>
        VerifyAsync($$"""
            public sealed class Layer
            {
                public double dropout_rate = 0.2;
                public NDArray dropout_mask;
                public NDArray slope = new NDArray();
                public NDArray forward(NDArray a)
                {
                    if (this.dropout_rate > 0)
                    {
                        this.dropout_mask = np.random.binomial(1, 1 - this.dropout_rate, a.shape);
                        a = a * (this.dropout_mask / (1 - this.dropout_rate));
                    }

                    return a;
                }

                public NDArray {{(reported ? "{|DRP013:backward|}" : "backward")}}(NDArray da)
                {
                    {{body}}
                }

                private NDArray Masked(NDArray da) => da * this.dropout_mask / (1 - this.dropout_rate);
            }
            """);

    // Arrays that are not dropout masks: noise for augmentation, uniforms in another range, a weight initialization.
    [Theory]
    [InlineData("np.random.uniform(-1, 1, x.shape) > this.rate")]
    [InlineData("np.random.normal(0, 1, x.shape)")]
    [InlineData("np.random.rand(x.shape) * this.rate")]
    public Task ArraysThatAreNotDropoutMasks_AreSilent(string draw) =>
        VerifyAsync($$"""
            public sealed class DropNoise
            {
                public double rate = 0.1;
                public NDArray Forward(NDArray x)
                {
                    NDArray noise = {{draw}};
                    return x * noise;
                }
            }
            """);
}
