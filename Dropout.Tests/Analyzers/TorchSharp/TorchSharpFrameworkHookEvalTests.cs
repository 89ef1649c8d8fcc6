using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// A Lightning-style module overrides the evaluation hooks its framework base class declares (<c>validation_step</c>,
/// <c>test_step</c>) and runs itself there without calling <c>eval()</c>: the framework's trainer does that before it
/// calls the hook. DRP024 decides by the trainer's code: when every call of the hook follows <c>eval()</c> on the same
/// model, the hook is right; when a trainer calls it in training mode, the hook still runs dropout and is reported.
/// </summary>
public sealed class TorchSharpFrameworkHookEvalTests
{
    private static string Program(string beforeValidation, string beforeTest) => $$"""
        public abstract class FrameworkModule : Module<Tensor, Tensor>
        {
            protected FrameworkModule(string name) : base(name) { }

            public abstract Tensor training_step((Tensor, Tensor) batch);

            public abstract Tensor validation_step((Tensor, Tensor) batch);

            public abstract Tensor test_step((Tensor, Tensor) batch);
        }

        public static class Runner
        {
            public static void Fit(FrameworkModule model, IEnumerable<(Tensor, Tensor)> train, IEnumerable<(Tensor, Tensor)> val)
            {
                model.train();
                foreach (var batch in train) model.training_step(batch);
                {{beforeValidation}}
                using (torch.no_grad())
                {
                    foreach (var batch in val) model.validation_step(batch);
                }

                model.train();
            }

            public static void Test(FrameworkModule model, IEnumerable<(Tensor, Tensor)> batches)
            {
                {{beforeTest}}
                foreach (var batch in batches) model.test_step(batch);
            }
        }

        public sealed class Regressor : FrameworkModule
        {
            private readonly Linear fc1 = Linear(8, 32);
            private readonly Dropout drop = Dropout(0.2);
            private readonly Linear fc2 = Linear(32, 1);

            public Regressor() : base(nameof(Regressor)) { RegisterComponents(); }

            public override Tensor forward(Tensor x) => fc2.forward(drop.forward(F.relu(fc1.forward(x))));

            public override Tensor training_step((Tensor, Tensor) batch) => F.mse_loss(this.forward(batch.Item1), batch.Item2);

            public override Tensor validation_step((Tensor, Tensor) batch) => F.mse_loss(VALIDATION_RUN, batch.Item2);

            public override Tensor test_step((Tensor, Tensor) batch) => F.mse_loss(TEST_RUN, batch.Item2);
        }
        """;

    [Fact]
    public Task HooksWhoseFrameworkCallersSwitchToEvalFirst_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(
            Program("model.eval();", "model.train(false);")
                .Replace("VALIDATION_RUN", "this.forward(batch.Item1)")
                .Replace("TEST_RUN", "this.forward(batch.Item1)"));

    [Fact]
    public Task HooksThatAFrameworkCallerRunsInTrainingMode_AreReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(
            // Validation right after the training batches (still in train()); the test runner switches another model.
            Program("", "var reference = new Regressor(); reference.eval();")
                .Replace("VALIDATION_RUN", "{|DRP024:this.forward(batch.Item1)|}")
                .Replace("TEST_RUN", "{|DRP024:this.forward(batch.Item1)|}"));

    [Fact]
    public Task HookWithOneCallerInEvalAndAnotherAfterTrain_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(
            Program("model.eval();", "model.eval();")
                .Replace("VALIDATION_RUN", "{|DRP024:this.forward(batch.Item1)|}")
                .Replace("TEST_RUN", "this.forward(batch.Item1)")
            + """

            public static class Sanity
            {
                public static Tensor Check(FrameworkModule model, (Tensor, Tensor) batch)
                {
                    model.eval();
                    model.train();
                    return model.validation_step(batch);
                }
            }
            """);
}
