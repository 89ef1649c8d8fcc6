using System.IO;
using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A layer's inference path read from what the code does with a flag and a mask, not from their presence: a
/// <c>bool</c> parameter the forward never reads cannot switch the dropout off (DRP014, per-file and whole-array), a mask
/// member rebound to itself over p (<c>this.mask = this.mask / p</c>) is the same mask and holds 1/p from then on (so a
/// backward's product with it carries the scale), and one caller that runs the forward under no condition outside
/// training code gives it no inference path whatever the other callers test. Each mistake has a correct twin.
/// </summary>
public sealed class IgnoredFlagAndReboundMaskTests
{
    private static Task VerifyArraysAsync(string source)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + "using Arrays;\n" + source));
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        test.TestState.AdditionalReferences.Add(LibraryArrayDropoutTests.Library.Value);
        return test.RunAsync();
    }

    // The network passes `train_mode` to every layer; this forward takes it and ignores it.
    [Theory]
    [InlineData("", true)]
    [InlineData("if (!train_mode) return x;", false)]
    [InlineData("Trace(train_mode);", false)]
    public Task WholeArrayForwardIgnoringItsFlagParameter_HasNoInferencePath(string use, bool reported)
    {
        string product = reported ? "{|DRP014:this.mask * x|}" : "this.mask * x";
        return VerifyArraysAsync($$"""
            public sealed class DropLayer
            {
                public double keep = 0.8;
                public NDArray mask;
                public static void Trace(bool mode) => System.Console.WriteLine(mode);
                public NDArray forward_propagation(NDArray x, bool train_mode = true)
                {
                    {{use}}
                    this.mask = np.random.binomial(1, this.keep, x.shape) / this.keep;
                    return {{product}};
                }
            }
            """);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("if (!training) return (double[])x.Clone();", false)]
    public Task ScalarForwardIgnoringItsFlagParameter_HasNoInferencePath(string use, bool reported)
    {
        string draw = reported ? "{|DRP014:_rng.NextDouble() < _keep|}" : "_rng.NextDouble() < _keep";
        return AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class DropLayer(double keep)
            {
                private readonly double _keep = keep;
                private readonly Random _rng = new(3);
                public double[] Forward(double[] x, bool training)
                {
                    {{use}}
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {{draw}} ? x[i] / _keep : 0;
                    return y;
                }
            }
            """);
    }

    // `this.mask = binomial(...); this.mask = this.mask.astype(double) / keep;`: one mask, holding 1/p. Always on without a
    // flag; with one, silent; the backward's `dout * this.mask` carries the 1/p (no DRP013).
    [Theory]
    [InlineData("NDArray x", "", "{|DRP014:this.mask * x|}")]
    [InlineData("NDArray x, bool train", "if (!train) return x;", "this.mask * x")]
    public Task MaskMemberReboundOverP_IsTheSameScaledMask(string parameters, string gate, string product) =>
        VerifyArraysAsync($$"""
            public sealed class DropLayer
            {
                public double keep = 0.8;
                public NDArray mask;
                public NDArray forward({{parameters}})
                {
                    {{gate}}
                    this.mask = np.random.binomial(1, this.keep, x.shape);
                    this.mask = this.mask.astype(typeof(double)) / this.keep;
                    return {{product}};
                }

                public NDArray backward(NDArray dout) => dout * this.mask;
            }
            """);

    // Calls are bound: `this.dense.forward(x)` on another layer type with the same method name, unguarded in `test`, is no
    // call of the dropout's forward (the network skips the dropout there), while a call through the base class the
    // forward overrides (`layer.forward(x)` over a list of layers) is one.
    [Theory]
    [InlineData("public NDArray test(NDArray x) => this.dense.forward(x);", false)]
    [InlineData("public NDArray test(NDArray x) { NDArray y = x; foreach (Layer layer in this.layers) y = layer.forward(y); return y; }", true)]
    public Task CallersAreBoundToTheForward(string test, bool reported)
    {
        string product = reported ? "{|DRP014:x * this.mask|}" : "x * this.mask";
        return VerifyArraysAsync($$"""
            public abstract class Layer
            {
                public abstract NDArray forward(NDArray x);
            }

            public sealed class Dense : Layer
            {
                public override NDArray forward(NDArray x) => x;
            }

            public sealed class DropLayer : Layer
            {
                public double keep = 0.8;
                public NDArray mask;
                public override NDArray forward(NDArray x)
                {
                    this.mask = np.random.binomial(1, this.keep, x.shape) / this.keep;
                    return {{product}};
                }
            }

            public sealed class Net
            {
                public Dense dense = new Dense();
                public DropLayer drop = new DropLayer();
                public Layer[] layers = new Layer[0];
                public void fit(NDArray x, bool validate)
                {
                    if (validate)
                    {
                        this.drop.forward(x);
                    }
                }

                {{test}}
            }
            """);
    }

    // `fit` validates under `if (validate)`, `predict` runs every layer unconditionally: the forward runs at inference.
    // When every call outside training code is under a condition, that condition may be the inference path.
    [Theory]
    [InlineData("public NDArray predict(NDArray x) => this.layer.forward(x);", true)]
    [InlineData("public NDArray predict(NDArray x, bool dropout) => dropout ? this.layer.forward(x) : x;", false)]
    public Task OneUnguardedCallOutsideTraining_LeavesNoInferencePath(string predict, bool reported)
    {
        string product = reported ? "{|DRP014:x * this.mask|}" : "x * this.mask";
        return VerifyArraysAsync($$"""
            public sealed class DropLayer
            {
                public double keep = 0.8;
                public NDArray mask;
                public NDArray forward(NDArray x)
                {
                    this.mask = np.random.binomial(1, this.keep, x.shape) / this.keep;
                    return {{product}};
                }
            }

            public sealed class Net
            {
                public DropLayer layer = new DropLayer();
                public void fit(NDArray x, bool validate)
                {
                    this.layer.forward(x);
                    if (validate)
                    {
                        this.layer.forward(x);
                    }
                }

                {{predict}}
            }
            """);
    }
}
