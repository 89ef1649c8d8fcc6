using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// Issue 9, false-positive hunt: Monte Carlo dropout recognized by what the module's own code does (its forward run
/// repeatedly on one input through <c>Enumerable.Range(...).Select</c> and averaged), and evaluation switched on by a
/// scope object whose constructor calls <c>eval()</c>. Each correct shape has a twin that must still be reported.
/// </summary>
public sealed class TorchSharpSamplingAndScopeTests
{
    [Fact]
    public Task ConstantTrue_InAModuleWhoseOwnMethodAveragesItsPassesOverARange_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class McRegressor : Module<Tensor, Tensor>
            {
                private readonly Linear l1 = Linear(4, 32);
                private readonly Linear l2 = Linear(32, 1);
                private readonly double rate;

                public McRegressor(double rate) : base(nameof(McRegressor)) { this.rate = rate; RegisterComponents(); }

                public override Tensor forward(Tensor x) => l2.forward(F.dropout(F.relu(l1.forward(x)), rate, training: true));

                public (Tensor Mean, Tensor Spread) Estimate(Tensor x, int samples)
                {
                    using var _ = torch.no_grad();
                    var passes = torch.stack(Enumerable.Range(0, samples).Select(_ => forward(x)).ToArray());
                    return (passes.mean(new long[] { 0 }), passes.std(0));
                }
            }
            """);

    [Fact]
    public Task ConstantTrue_InAModuleWhoseOwnMethodRunsEachInputOnce_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer>("""
            public sealed class McRegressor : Module<Tensor, Tensor>
            {
                private readonly Linear l1 = Linear(4, 32);
                private readonly Linear l2 = Linear(32, 1);
                private readonly double rate;

                public McRegressor(double rate) : base(nameof(McRegressor)) { this.rate = rate; RegisterComponents(); }

                public override Tensor forward(Tensor x) => l2.forward(F.dropout(F.relu(l1.forward(x)), rate, training: {|DRP022:true|}));

                // A different input on every pass: a batch average, not Monte Carlo sampling.
                public Tensor Estimate(Tensor[] xs)
                {
                    using var _ = torch.no_grad();
                    var outputs = torch.stack(Enumerable.Range(0, xs.Length).Select(i => forward(xs[i])).ToArray());
                    return outputs.mean(new long[] { 0 });
                }
            }
            """);

    [Fact]
    public Task Prediction_InsideAScopeObjectWhoseConstructorCallsEval_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>("""
            public static class ModuleExtensions
            {
                private sealed class Restore : IDisposable
                {
                    private readonly Module module;
                    private readonly bool wasTraining;

                    public Restore(Module module) { this.module = module; wasTraining = module.training; module.eval(); }

                    public void Dispose() { if (wasTraining) module.train(); }
                }

                public static IDisposable EvalScope(this Module module) => new Restore(module);
            }

            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(3, 3);
                private readonly Dropout drop = Dropout(0.2);

                public Net() : base(nameof(Net)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(drop.forward(x));

                public Tensor Predict(Tensor x)
                {
                    using var scope = this.EvalScope();
                    using var _ = torch.no_grad();
                    return forward(x);
                }
            }
            """);

    [Fact]
    public Task Prediction_InsideAScopeObjectWhoseConstructorOnlyRecordsTheMode_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>("""
            public static class ModuleExtensions
            {
                private sealed class Restore : IDisposable
                {
                    private readonly Module module;
                    private readonly bool wasTraining;

                    public Restore(Module module) { this.module = module; wasTraining = module.training; }

                    public void Dispose() { if (wasTraining) module.train(); }
                }

                public static IDisposable ModeScope(this Module module) => new Restore(module);
            }

            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(3, 3);
                private readonly Dropout drop = Dropout(0.2);

                public Net() : base(nameof(Net)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(drop.forward(x));

                public Tensor Predict(Tensor x)
                {
                    using var scope = this.ModeScope();
                    using var _ = torch.no_grad();
                    return {|DRP024:forward(x)|};
                }
            }
            """);
}
