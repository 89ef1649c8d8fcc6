using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers.TorchSharp;

public sealed class TorchSharpRegistrationTests
{
    // DRP020: dropout that eval() cannot reach.

    [Fact]
    public Task RootModelWithDropoutField_WithoutRegisterComponents_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class MnistNet : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> fc1 = Linear(784, 128);
                private readonly Module<Tensor, Tensor> drop = Dropout(0.2);
                private readonly Module<Tensor, Tensor> fc2 = Linear(128, 10);

                public {|DRP020:MnistNet|}() : base(nameof(MnistNet))
                {
                }

                public override Tensor forward(Tensor x) => fc2.forward(drop.forward(F.relu(fc1.forward(x))));
            }

            public static class Program
            {
                public static Tensor Predict(Tensor x)
                {
                    var model = new MnistNet();
                    model.eval();
                    return model.forward(x);
                }
            }
            """);

    [Fact]
    public Task RootModelHoldingABlockWithDropout_WithoutRegisterComponents_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class ResidualBlock : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                private readonly Dropout drop;

                public ResidualBlock(int width, double dropRate) : base(nameof(ResidualBlock))
                {
                    fc = Linear(width, width);
                    drop = Dropout(dropRate);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x + drop.forward(F.relu(fc.forward(x)));
            }

            public sealed class Regressor : Module<Tensor, Tensor>
            {
                private readonly ResidualBlock block1;
                private readonly ResidualBlock block2;
                private readonly Linear head;

                public {|DRP020:Regressor|}(int width) : base(nameof(Regressor))
                {
                    block1 = new ResidualBlock(width, 0.1);
                    block2 = new ResidualBlock(width, 0.1);
                    head = Linear(width, 1);
                }

                public override Tensor forward(Tensor x) => head.forward(block2.forward(block1.forward(x)));
            }

            public static class Training
            {
                public static Regressor Build() => new Regressor(16);
            }
            """);

    [Fact]
    public Task SequentialWithDropoutInAField_WithoutRegisterComponents_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class Classifier : Module<Tensor, Tensor>
            {
                private readonly Sequential layers;

                public {|DRP020:Classifier|}(int inputs, int classes) : base("classifier")
                {
                    layers = Sequential(
                        ("fc1", Linear(inputs, 64)),
                        ("act", ReLU()),
                        ("drop", Dropout(0.3)),
                        ("fc2", Linear(64, classes)));
                }

                public override Tensor forward(Tensor x) => layers.forward(x);
            }

            public sealed class Trainer
            {
                private readonly Classifier _model = new Classifier(20, 3);
            }
            """);

    [Fact]
    public Task SequentialBuiltFromALocalListWithDropout_WithoutRegisterComponents_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class Reproduce : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> layers;

                public {|DRP020:Reproduce|}(string name) : base(name)
                {
                    var modules = new List<(string, Module<Tensor, Tensor>)>();
                    modules.Add(("fc1", Linear(100, 7)));
                    modules.Add(("drop1", Dropout(0.5)));
                    layers = Sequential(modules);
                }

                public override Tensor forward(Tensor input) => layers.forward(input);
            }

            public static class Repro
            {
                public static Tensor Run(Tensor x)
                {
                    var model = new Reproduce("reproduce");
                    model.eval();
                    return model.forward(x);
                }
            }
            """);

    [Fact]
    public Task DropoutModulesInAList_AreReportedEvenWhenTheModuleRegisters() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class DeepMlp : Module<Tensor, Tensor>
            {
                private readonly List<Module<Tensor, Tensor>> {|DRP020:layers|} = new();

                public DeepMlp(int depth) : base(nameof(DeepMlp))
                {
                    for (int i = 0; i < depth; i++)
                    {
                        layers.Add(Linear(64, 64));
                        layers.Add(Dropout(0.2));
                    }

                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    foreach (var layer in layers) x = layer.forward(x);
                    return x;
                }
            }
            """);

    [Fact]
    public Task DropoutModulesInAnArray_AreReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class Stack : Module<Tensor, Tensor>
            {
                private readonly Dropout[] {|DRP020:drops|};

                public Stack() : base(nameof(Stack))
                {
                    drops = new[] { Dropout(0.1), Dropout(0.2) };
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => drops[1].forward(drops[0].forward(x));
            }
            """);

    [Fact]
    public Task ModelThatRegistersComponents_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class MnistNet : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> fc1 = Linear(784, 128);
                private readonly Module<Tensor, Tensor> drop = Dropout(0.2);
                private readonly ModuleList<Module<Tensor, Tensor>> extra = new ModuleList<Module<Tensor, Tensor>>(Dropout(0.1));

                public MnistNet() : base(nameof(MnistNet))
                {
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => extra[0].forward(drop.forward(fc1.forward(x)));
            }
            """);

    [Fact]
    public Task BlockWithoutTheCall_HeldByARegisteringParent_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class Block : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(32, 32);
                private readonly Dropout drop = Dropout(0.1);

                // No RegisterComponents(): the parent's registration calls this block's RegisterComponents() for it.
                public Block() : base(nameof(Block)) { }

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public sealed class Tower : Module<Tensor, Tensor>
            {
                private readonly Block first = new Block();
                private readonly Module<Tensor, Tensor> second;
                private readonly ModuleList<Block> rest = new ModuleList<Block>();

                public Tower() : base(nameof(Tower))
                {
                    second = new Block();
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => second.forward(first.forward(x));
            }
            """);

    [Fact]
    public Task BlockConstructedNowhereInTheCompilation_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            // A decoder layer of a larger model whose parent (a registering ModuleList owner) is in another file of
            // the project: nothing here shows it used as a root, so nothing is reported.
            public sealed class DecoderLayer : Module<Tensor, Tensor>
            {
                private readonly Linear attention;
                private readonly Dropout residualDropout;

                public DecoderLayer(int width, double dropRate) : base(nameof(DecoderLayer))
                {
                    attention = Linear(width, width);
                    residualDropout = Dropout(dropRate);
                }

                public override Tensor forward(Tensor x) => x + residualDropout.forward(attention.forward(x));
            }
            """);

    [Fact]
    public Task ModelThatSwitchesItsOwnMode_IsARootAndIsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public class KeywordSpotter : Module<Tensor, Tensor>
            {
                private readonly Sequential head;

                public {|DRP020:KeywordSpotter|}(int hidden, int keywords) : base("kws")
                {
                    head = Sequential(("fc", Linear(hidden, hidden)), ("drop", Dropout(0.4)), ("out", Linear(hidden, keywords)));
                }

                public override Tensor forward(Tensor frames) => head.forward(frames);

                public Tensor PredictKeyword(Tensor frames)
                {
                    eval();
                    return forward(frames).argmax(-1);
                }
            }
            """);

    [Fact]
    public Task ModelWithoutDropout_AndListsRegisteredByHand_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public sealed class LinearModel : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(10, 1);

                public LinearModel() : base(nameof(LinearModel)) { }

                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            public sealed class ByHand : Module<Tensor, Tensor>
            {
                private readonly List<Module<Tensor, Tensor>> layers = new();

                public ByHand(int depth) : base(nameof(ByHand))
                {
                    for (int i = 0; i < depth; i++)
                    {
                        layers.Add(Dropout(0.1));
                        register_module($"drop{i}", layers[i]);
                    }
                }

                public override Tensor forward(Tensor x) => layers.Aggregate(x, (h, layer) => layer.forward(h));
            }
            """);

    [Fact]
    public Task WithoutTorchSharp_NothingIsReported() =>
        TorchSharpTest.VerifyWithoutTorchSharpAsync<TorchSharpUnregisteredDropoutAnalyzer>("""
            public abstract class Module { }
            public sealed class Dropout : Module { }
            public sealed class Net : Module
            {
                private readonly Dropout drop = new Dropout();
                public Net() { }
            }
            """);

    [Fact]
    public Task MissingRegistration_IsFixedAtTheEndOfTheConstructor() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpUnregisteredDropoutAnalyzer, TorchSharpRegisterComponentsCodeFixProvider>("""
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                private readonly Dropout drop;

                public {|DRP020:Net|}(int width) : base(nameof(Net))
                {
                    fc = Linear(width, width);
                    drop = Dropout(0.5);
                }

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public static class Program
            {
                public static Net Create() => new Net(8);
            }
            """,
            """
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                private readonly Dropout drop;

                public Net(int width) : base(nameof(Net))
                {
                    fc = Linear(width, width);
                    drop = Dropout(0.5);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public static class Program
            {
                public static Net Create() => new Net(8);
            }
            """);

    [Fact]
    public Task MissingRegistration_InAnExpressionBodiedConstructor_IsFixedWithABlockBody() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpUnregisteredDropoutAnalyzer, TorchSharpRegisterComponentsCodeFixProvider>("""
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Dropout drop = Dropout(0.5);
                private Linear fc;

                public {|DRP020:Net|}(int width) : base(nameof(Net)) => fc = Linear(width, width); // one layer

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public static class Program
            {
                public static Net Create() => new Net(8);
            }
            """,
            """
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Dropout drop = Dropout(0.5);
                private Linear fc;

                public Net(int width) : base(nameof(Net))
                {
                    fc = Linear(width, width);
                    RegisterComponents();
                } // one layer

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public static class Program
            {
                public static Net Create() => new Net(8);
            }
            """);

    [Fact]
    public Task RegistrationFix_IsNotOfferedWhenTheCallWouldNotCompile()
    {
        // A local function of the constructor named RegisterComponents captures the added call, which would then miss
        // its argument (CS7036): the rewritten constructor is compiled before the fix is offered.
        const string Source = """
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                private readonly Dropout drop;

                public {|DRP020:Net|}(int width) : base(nameof(Net))
                {
                    fc = Linear(width, width);
                    drop = Dropout(0.5);
                    Action<string> log = RegisterComponents;
                    log("fc, drop");

                    static void RegisterComponents(string names) => Console.WriteLine("built " + names);
                }

                public override Tensor forward(Tensor x) => drop.forward(fc.forward(x));
            }

            public static class Program
            {
                public static Net Create() => new Net(8);
            }
            """;
        return TorchSharpTest.VerifyFixAsync<TorchSharpUnregisteredDropoutAnalyzer, TorchSharpRegisterComponentsCodeFixProvider>(Source, Source);
    }

    [Fact]
    public Task RegistrationFix_IsNotOfferedForAConstructorThatOnlyThrows()
    {
        // No statement after `=> throw` runs, so a RegisterComponents() there would register nothing.
        const string Source = """
            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Dropout drop = Dropout(0.5);

                public {|DRP020:Net|}() : base(nameof(Net)) => throw new NotSupportedException("load a saved Net instead");

                public override Tensor forward(Tensor x) => drop.forward(x);
            }

            public static class Program
            {
                public static Net Create() => new Net();
            }
            """;
        return TorchSharpTest.VerifyFixAsync<TorchSharpUnregisteredDropoutAnalyzer, TorchSharpRegisterComponentsCodeFixProvider>(Source, Source);
    }

    // DRP021: a dropout module created on every call.

    [Fact]
    public Task DropoutCreatedInForward_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(10, 10);

                public Mlp() : base(nameof(Mlp)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => {|DRP021:Dropout(0.5)|}.forward(F.relu(fc.forward(x)));
            }
            """);

    [Fact]
    public Task DropoutKeptInALocalOfForward_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            public sealed class Conv : Module<Tensor, Tensor>
            {
                private readonly Conv2d conv = Conv2d(1, 8, 3);

                public Conv() : base(nameof(Conv)) { RegisterComponents(); }

                public override Tensor forward(Tensor x)
                {
                    using var drop = {|DRP021:torch.nn.Dropout2d(p: 0.25)|};
                    return drop.call(conv.forward(x));
                }
            }
            """);

    [Fact]
    public Task DropoutCreatedAndRunAtOnceInAHelperOfTheModule_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            public sealed class TwoInputs : Module<Tensor, Tensor, Tensor>
            {
                public TwoInputs() : base(nameof(TwoInputs)) { }

                private Tensor Regularize(Tensor t) => {|DRP021:AlphaDropout(0.1)|}.call(t);

                public override Tensor forward(Tensor a, Tensor b) => Regularize(a) + b;
            }
            """);

    [Fact]
    public Task DropoutCreatedInTheConstructor_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Dropout drop;
                private readonly Module<Tensor, Tensor> seq = Sequential(Linear(10, 10), Dropout(0.1));

                public Mlp() : base(nameof(Mlp))
                {
                    drop = Dropout(0.5);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => drop.forward(seq.forward(x));
            }
            """);

    [Fact]
    public Task DropoutBuiltInAFactoryMethodOutsideForward_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            public static class Models
            {
                public static Sequential Build(double p) => Sequential(Linear(4, 4), Dropout(p), Linear(4, 1));
            }

            public sealed class Builder : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> body;

                public Builder() : base(nameof(Builder)) { body = MakeBody(); RegisterComponents(); }

                private static Module<Tensor, Tensor> MakeBody() => Sequential(Linear(4, 4), Dropout(0.2));

                public override Tensor forward(Tensor x) => body.forward(x);
            }
            """);

    [Fact]
    public Task DropoutCreatedInForwardOfAMonteCarloModule_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpDropoutCreatedInForwardAnalyzer>("""
            [AttributeUsage(AttributeTargets.All)]
            public sealed class MonteCarloDropoutAttribute : Attribute { }

            public sealed class Sampler : Module<Tensor, Tensor>
            {
                public Sampler() : base(nameof(Sampler)) { }

                [MonteCarloDropout]
                public override Tensor forward(Tensor x) => Dropout(0.1).forward(x);
            }
            """);
}
