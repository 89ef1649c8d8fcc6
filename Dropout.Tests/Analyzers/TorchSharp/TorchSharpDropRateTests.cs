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
