using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers.TorchSharp;

public sealed class TorchSharpFunctionalDropoutTests
{
    // DRP022: functional dropout in a module that ignores the module's mode.

    [Fact]
    public Task FunctionalDropoutInForward_WithoutTraining_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(784, 128);
                private readonly Linear fc2 = Linear(128, 10);

                public Mlp() : base(nameof(Mlp)) { RegisterComponents(); }

                public override Tensor forward(Tensor x)
                {
                    using var h = F.relu(fc1.forward(x));
                    return fc2.forward({|DRP022:F.dropout(h, 0.2)|});
                }
            }
            """);

    [Fact]
    public Task FunctionalDropout2dInAHelperOfTheModule_WithConstantTrue_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class ConvNet : Module<Tensor, Tensor>
            {
                private readonly Conv2d conv = Conv2d(1, 32, 3);

                public ConvNet() : base(nameof(ConvNet)) { RegisterComponents(); }

                private Tensor Block(Tensor x) => torch.nn.functional.dropout2d(F.relu(conv.forward(x)), 0.25, {|DRP022:true|});

                public override Tensor forward(Tensor x) => Block(x).flatten(1);
            }
            """);

    [Fact]
    public Task FunctionalDropoutInALambdaOfForward_WithoutTraining_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class Attention : Module<Tensor, Tensor>
            {
                private readonly Linear qkv = Linear(64, 192);

                public Attention() : base(nameof(Attention)) { RegisterComponents(); }

                public override Tensor forward(Tensor x)
                {
                    Func<Tensor, Tensor> regularize = t => {|DRP022:F.dropout(t, p: 0.1, inplace: false)|};
                    var scores = qkv.forward(x).softmax(-1);
                    return regularize(scores);
                }
            }
            """);

    [Fact]
    public Task FunctionalDropoutPassingTheModulesMode_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(784, 128);
                private readonly double dropRate;

                public Mlp(double dropRate) : base(nameof(Mlp)) { this.dropRate = dropRate; RegisterComponents(); }

                public override Tensor forward(Tensor x)
                {
                    var h = F.dropout(F.relu(fc1.forward(x)), dropRate, training);
                    return F.dropout3d(h, 0.1, training: this.training);
                }
            }
            """);

    [Fact]
    public Task FunctionalDropoutOutsideAModule_AndWithAVariableFlag_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public static class Augment
            {
                // Outside a module there is no module mode to follow: a deliberate noise step in a data pipeline.
                public static Tensor Corrupt(Tensor x) => F.dropout(x, 0.1);
            }

            public sealed class Head : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(10, 2);
                private readonly bool sampling;

                public Head(bool sampling) : base(nameof(Head)) { this.sampling = sampling; RegisterComponents(); }

                public override Tensor forward(Tensor x) => F.dropout(fc.forward(x), 0.5, training || sampling);
            }
            """);

    [Fact]
    public Task FunctionalDropoutReachedOnlyWhenTheModuleTrains_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class GraphLayer : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(16, 16);
                private readonly double rate;
                private readonly bool sparseInputs;

                public GraphLayer(double rate, bool sparseInputs) : base(nameof(GraphLayer)) { this.rate = rate; this.sparseInputs = sparseInputs; RegisterComponents(); }

                // Every dropout below runs only while the module trains, so the default training = true is right there.
                public override Tensor forward(Tensor x)
                {
                    if (this.training && sparseInputs)
                        x = x * 2;
                    else if (this.training)
                        x = F.dropout(x, rate);

                    var h = training ? F.dropout2d(fc.forward(x), rate, true) : fc.forward(x);
                    if (training == false)
                        return h;
                    return F.dropout(h, rate);
                }

                private Tensor Regularize(Tensor t)
                {
                    if (!training)
                    {
                        return t;
                    }

                    return F.dropout(t, rate);
                }
            }
            """);

    [Fact]
    public Task FunctionalDropoutUnderAConditionTheModeDoesNotDecide_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class GraphLayer : Module<Tensor, Tensor>
            {
                private readonly double rate;
                private readonly bool sparseInputs;
                private readonly bool training2;

                public GraphLayer(double rate, bool sparseInputs) : base(nameof(GraphLayer)) { this.rate = rate; this.sparseInputs = sparseInputs; }

                // A setting fixed at construction, "training or not", the mode in the other branch, and a lambda that may
                // run anywhere are no guard: each dropout can run after eval().
                public override Tensor forward(Tensor x)
                {
                    if (sparseInputs)
                        x = {|DRP022:F.dropout(x, rate)|};
                    if (training || sparseInputs)
                        x = {|DRP022:F.dropout(x, rate)|};
                    if (training2)
                        x = {|DRP022:F.dropout(x, rate)|};
                    var h = training ? x : {|DRP022:F.dropout(x, rate)|};
                    if (training)
                    {
                        Func<Tensor, Tensor> later = t => {|DRP022:F.dropout(t, rate)|};
                        h = later(h);
                    }

                    if (!training)
                        h = h + 1;
                    return {|DRP022:F.dropout(h, rate)|};
                }
            }
            """);

    [Fact]
    public Task ConstantTrue_InAModelWhosePredictionAveragesRepeatedPasses_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class Regressor : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(8, 32);
                private readonly Linear fc2 = Linear(32, 1);

                public Regressor() : base(nameof(Regressor)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc2.forward(F.dropout(F.relu(fc1.forward(x)), 0.2, training: true));
            }

            public static class Uncertainty
            {
                // Monte Carlo prediction: the same input through several stochastic passes, averaged.
                public static Tensor Predict(Regressor model, Tensor inputs, int samples)
                {
                    model.eval();
                    var draws = new List<Tensor>();
                    for (int s = 0; s < samples; s++)
                        draws.Add(model.forward(inputs).detach());
                    return torch.stack(draws, 0).mean(new long[] { 0 });
                }
            }
            """);

    [Fact]
    public Task ConstantTrue_InABareDropoutLayer_SampledThroughAModelDeclaredElsewhere_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class StayOnDropout : Module<Tensor, Tensor>
            {
                private readonly double rate;

                public StayOnDropout(double rate) : base(nameof(StayOnDropout)) { this.rate = rate; }

                public override Tensor forward(Tensor x) => F.dropout(x, rate, true);
            }

            // The concrete model that places StayOnDropout layers is not in this program.
            public abstract class Forecaster : Module<Tensor, Tensor>
            {
                protected Forecaster(string name) : base(name) { }
            }

            public static class Sampling
            {
                public static Tensor Spread(Forecaster model, Tensor history, int passes)
                {
                    model.eval();
                    var outputs = new List<Tensor>();
                    using (torch.no_grad())
                    {
                        for (int i = 0; i < passes; i++)
                        {
                            var output = model.forward(history);
                            outputs.Add(output);
                        }
                    }

                    var all = torch.stack(outputs, 0);
                    return all.var(0);
                }
            }
            """);

    [Fact]
    public Task ConstantTrue_InALayerThatReplacesDropoutModules_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class SamplingDropout : Module<Tensor, Tensor>
            {
                private readonly double rate;

                public SamplingDropout(double rate) : base(nameof(SamplingDropout)) { this.rate = rate; }

                public override Tensor forward(Tensor x)
                {
                    var kept = F.dropout(x, p: rate, training: true);
                    return kept;
                }
            }

            public static class Conversion
            {
                // Swaps every Dropout of a trained model for one that stays on at inference, at the same rate.
                public static Module<Tensor, Tensor> Convert(Module<Tensor, Tensor> module) =>
                    module is Dropout dropout ? new SamplingDropout(dropout.p) : module;
            }
            """);

    [Fact]
    public Task ConstantTrue_WhereNoPredictionSamplesTheModel_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class Regressor : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(8, 32);
                private readonly Linear fc2 = Linear(32, 1);

                public Regressor() : base(nameof(Regressor)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc2.forward(F.dropout(F.relu(fc1.forward(x)), 0.2, training: {|DRP022:true|}));
            }

            public sealed class StayOnDropout : Module<Tensor, Tensor>
            {
                private readonly double rate;

                public StayOnDropout(double rate) : base(nameof(StayOnDropout)) { this.rate = rate; }

                public override Tensor forward(Tensor x) => F.dropout(x, rate, {|DRP022:true|});
            }

            public sealed class Plain : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(8, 1);

                public Plain() : base(nameof(Plain)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            public static class Loops
            {
                // Averages over batches (a different input each pass), not over passes of one input.
                public static Tensor Evaluate(Regressor model, Tensor[] batches)
                {
                    var losses = new List<Tensor>();
                    foreach (var batch in batches)
                        losses.Add(model.forward(batch).mean());
                    return torch.stack(losses).mean();
                }

                // Full-batch training: the same input every pass, but the loop steps an optimizer.
                public static Tensor Fit(Regressor model, Tensor x, Tensor y, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    var history = new List<Tensor>();
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        var loss = F.mse_loss(model.forward(x), y);
                        loss.backward();
                        optimizer.step();
                        history.Add(loss.detach());
                    }

                    return torch.stack(history).mean();
                }

                // Repeated passes averaged, but of a model that holds no StayOnDropout; and the layer is built from a number.
                public static Tensor Smooth(Plain model, Tensor x)
                {
                    var layer = new StayOnDropout(0.1);
                    var outs = new List<Tensor>();
                    for (int i = 0; i < 4; i++)
                        outs.Add(model.forward(x));
                    return torch.stack(outs).mean(new long[] { 0 }) + layer.forward(x);
                }
            }
            """);

    [Fact]
    public Task FunctionalDropoutInAMonteCarloModule_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            [AttributeUsage(AttributeTargets.All)]
            public sealed class MonteCarloDropoutAttribute : Attribute { }

            [MonteCarloDropout]
            public sealed class BayesianHead : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(10, 2);

                public BayesianHead() : base(nameof(BayesianHead)) { RegisterComponents(); }

                // Dropout on at inference on purpose: each call samples one network of the ensemble.
                public override Tensor forward(Tensor x) => fc.forward(F.dropout(x, 0.2, true));
            }
            """);

    [Fact]
    public Task MissingTraining_IsFixedWithTheModulesMode() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer, TorchSharpTrainingArgumentCodeFixProvider>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(4, 4);

                public Mlp() : base(nameof(Mlp)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => {|DRP022:F.dropout(fc.forward(x), 0.2)|} + {|DRP022:F.dropout1d(x, inplace: false)|};
            }
            """,
            """
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(4, 4);

                public Mlp() : base(nameof(Mlp)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => F.dropout(fc.forward(x), 0.2, training: this.training) + F.dropout1d(x, inplace: false, training: this.training);
            }
            """);

    [Fact]
    public Task ConstantTrue_IsReplacedWithTheModulesMode() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer, TorchSharpTrainingArgumentCodeFixProvider>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                public Mlp() : base(nameof(Mlp)) { }

                public override Tensor forward(Tensor x) => F.dropout(x, 0.2, {|DRP022:true|});
            }
            """,
            """
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                public Mlp() : base(nameof(Mlp)) { }

                public override Tensor forward(Tensor x) => F.dropout(x, 0.2, this.training);
            }
            """);

    // DRP023: a functional dropout whose training defaults to false.

    [Fact]
    public Task AlphaDropoutInForward_WithoutTraining_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public sealed class SelfNormalizing : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(256, 256);

                public SelfNormalizing() : base(nameof(SelfNormalizing)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => {|DRP023:F.alpha_dropout(F.selu(fc.forward(x)), 0.1)|};
            }
            """);

    [Fact]
    public Task FeatureAlphaDropoutInAModuleHelper_WithoutTraining_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public sealed class Encoder : Module<Tensor, Tensor>
            {
                private readonly Conv2d conv = Conv2d(3, 16, 3);

                public Encoder() : base(nameof(Encoder)) { RegisterComponents(); }

                private Tensor Regularize(Tensor t) => {|DRP023:torch.nn.functional.feature_alpha_dropout(t, p: 0.2)|};

                public override Tensor forward(Tensor x) => Regularize(conv.forward(x));
            }
            """);

    [Fact]
    public Task AlphaDropoutInATrainingLoop_WithoutTraining_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public static class Trainer
            {
                public static void Run(Sequential model, Tensor x, Tensor y, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        using var scope = torch.NewDisposeScope();
                        var noisy = {|DRP023:F.alpha_dropout(x, 0.05)|};
                        var loss = F.mse_loss(model.forward(noisy), y);
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                    }
                }
            }
            """);

    [Fact]
    public Task AlphaDropoutWithTheModulesMode_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public sealed class SelfNormalizing : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(256, 256);

                public SelfNormalizing() : base(nameof(SelfNormalizing)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => F.feature_alpha_dropout(F.alpha_dropout(F.selu(fc.forward(x)), 0.1, training), 0.1, training: training);
            }
            """);

    [Fact]
    public Task DropoutWhoseTrainingDefaultsToTrue_IsNotThisRules() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                public Mlp() : base(nameof(Mlp)) { }

                public override Tensor forward(Tensor x) => F.dropout(F.dropout2d(x, 0.1), 0.2);
            }
            """);

    [Fact]
    public Task AlphaDropoutOutsideTrainingCode_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer>("""
            public static class Inference
            {
                // Not training code: no module, no optimizer step; the identity is what prediction wants.
                public static Tensor Predict(Sequential model, Tensor x)
                {
                    model.eval();
                    using (torch.no_grad())
                    {
                        return model.forward(F.alpha_dropout(x, 0.1));
                    }
                }
            }
            """);

    [Fact]
    public Task AlphaDropoutWithoutTraining_IsFixedWithTheModulesMode() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpFunctionalDropoutNeverDropsAnalyzer, TorchSharpTrainingArgumentCodeFixProvider>("""
            public sealed class Snn : Module<Tensor, Tensor>
            {
                public Snn() : base(nameof(Snn)) { }

                public override Tensor forward(Tensor x) => {|DRP023:F.alpha_dropout(x, 0.1)|};
            }
            """,
            """
            public sealed class Snn : Module<Tensor, Tensor>
            {
                public Snn() : base(nameof(Snn)) { }

                public override Tensor forward(Tensor x) => F.alpha_dropout(x, 0.1, training: this.training);
            }
            """);
}
