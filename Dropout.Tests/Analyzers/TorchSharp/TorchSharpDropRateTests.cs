using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

public sealed class TorchSharpDropRateTests
{
    [Theory]
    [InlineData("0.8")]
    [InlineData("0.9")]
    [InlineData("0.95")]
    public Task SequentialDropout_WithKeepLikeDropRate_IsReported(string p) =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>($$"""
            public static class Models
            {
                public static Sequential Mlp() => Sequential(
                    ("fc1", Linear(784, 256)),
                    ("relu1", ReLU()),
                    ("drop1", Dropout({|DRP026:{{p}}|})),
                    ("fc2", Linear(256, 10)));
            }
            """);

    [Fact]
    public Task ModuleFieldsAndFunctionalCalls_WithKeepLikeDropRates_AreReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public sealed class Net : Module<Tensor, Tensor>
            {
                private const double KeepProb = 0.9;
                private readonly Module<Tensor, Tensor> fc = Linear(128, 64);
                private readonly Dropout2d drop2d = Dropout2d({|DRP026:KeepProb|});
                private readonly AlphaDropout alpha = AlphaDropout(p: {|DRP026:0.8|});

                public Net() : base(nameof(Net)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) =>
                    F.dropout(alpha.forward(drop2d.forward(fc.forward(x))), {|DRP026:0.85|}, training);
            }
            """);

    [Theory]
    [InlineData("0.1")]
    [InlineData("0.5")]
    [InlineData("0.75")]
    public Task UsualDropRates_AreNotReported(string p) =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>($$"""
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> layers = Sequential(Linear(10, 10), Dropout({{p}}));

                public Net() : base(nameof(Net)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => F.dropout(layers.forward(x), {{p}}, training);
            }
            """);

    [Fact]
    public Task DefaultAndNonConstantRates_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public static class Models
            {
                public static Sequential Build(double dropRate) => Sequential(Linear(10, 10), Dropout(), Dropout(dropRate), Dropout(1 - dropRate));
            }
            """);

    [Fact]
    public Task KeepProbabilities_PassedAsTheDropRate_AreReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public sealed class Policy : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(16, 16);
                private readonly Dropout drop;
                private readonly double keepProbability;

                // keep_prob defaults to 0.7 and keepProbability is set to 0.9: both used as TorchSharp's drop rate.
                public Policy(long inputs, double keep_prob = 0.7) : base(nameof(Policy))
                {
                    drop = Dropout(p: {|DRP026:keep_prob|});
                    this.keepProbability = 0.9;
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => F.dropout(drop.forward(fc.forward(x)), {|DRP026:keepProbability|}, training);
            }
            """);

    [Fact]
    public Task OneMinusADropRate_PassedAsTheDropRate_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public sealed class Highway : Module<Tensor, Tensor>
            {
                private readonly Linear gateLayer = Linear(16, 16);
                private readonly double rate;
                private readonly Dropout gateDrop;

                // The gate's dropout runs only when rate > 0, so rate is the drop rate: 1 - rate drops all but rate.
                public Highway(double rate) : base(nameof(Highway))
                {
                    this.rate = rate;
                    this.gateDrop = Dropout({|DRP026:1 - this.rate|});
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    var gate = gateLayer.forward(x).sigmoid();
                    if (this.rate > 0)
                        gate = gateDrop.forward(gate);
                    return gate * x;
                }
            }

            public sealed class Head : Module<Tensor, Tensor>
            {
                private readonly Dropout drop;

                // Defaults to 0, "no dropout" as a drop rate; as 1 - 0 it drops every unit.
                public Head(double dropout_rate = 0.0) : base(nameof(Head)) { drop = Dropout({|DRP026:1 - dropout_rate|}); RegisterComponents(); }

                public override Tensor forward(Tensor x) => drop.forward(x);
            }
            """);

    [Fact]
    public Task ConvertedOrUndecidedRates_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public sealed class ConvLayer : Module<Tensor, Tensor>
            {
                private readonly double dropout_keep_prob;
                private readonly Dropout drop;
                private readonly Dropout small;
                private readonly Dropout unknown;
                private readonly Dropout complement;
                private readonly Dropout keptWhenBelowOne;
                private readonly double keep;
                private readonly string mode;

                public ConvLayer(string mode, double keepProb, double keep_prob = 0.3, double rate = 0.5, double keep = 0.8) : base(nameof(ConvLayer))
                {
                    this.mode = mode;
                    this.keep = keep;
                    this.dropout_keep_prob = 1;
                    drop = Dropout(1 - this.dropout_keep_prob);   // the right conversion of a keep probability
                    small = Dropout(keep_prob);                    // named "keep" but 0.3: read as a misnamed drop rate
                    unknown = Dropout(keepProb);                   // no value known: the name alone decides nothing
                    complement = Dropout(1 - rate);                // nothing says what rate is
                    keptWhenBelowOne = Dropout(1 - this.keep);     // converted keep probability, run only when keep < 1
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    if (mode == "train")
                        x = drop.forward(x);
                    if (this.keep < 1)
                        x = keptWhenBelowOne.forward(x);
                    return complement.forward(unknown.forward(small.forward(x)));
                }
            }
            """);

    [Fact]
    public Task Threshold_IsConfigurable() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public static class Models
            {
                public static Sequential Build() => Sequential(Dropout({|DRP026:0.6|}), Dropout(0.5));
            }
            """,
            "dropout_toolkit.torchsharp_drop_rate_info_threshold = 0.6");

    [Fact]
    public Task WithoutTorchSharp_AMethodNamedDropout_IsNotReported() =>
        TorchSharpTest.VerifyWithoutTorchSharpAsync<TorchSharpDropRateLooksLikeKeepProbabilityAnalyzer>("""
            public static class Layers
            {
                public static double Dropout(double p) => p;
                public static double Use() => Dropout(0.9);
            }
            """);
}
