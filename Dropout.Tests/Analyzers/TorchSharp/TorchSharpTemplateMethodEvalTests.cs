using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// A trainer base class runs validation as a template method: <c>Validate</c> calls <c>eval()</c>, then a step helper,
/// which calls an abstract per-batch method that the derived trainer overrides to run the model. The override's callers
/// are in the base class, one call apart from the <c>eval()</c>; DRP024 must see them. The same base class without the
/// <c>eval()</c> still leaves the override running dropout.
/// </summary>
public sealed class TorchSharpTemplateMethodEvalTests
{
    private static string Trainers(string switchToEval, string run, string afterTheLoop = "") => $$"""
        public sealed class Net : Module<Tensor, Tensor>
        {
            private readonly Linear fc1 = Linear(16, 32);
            private readonly Dropout drop = Dropout(0.3);
            private readonly Linear fc2 = Linear(32, 2);

            public Net() : base(nameof(Net)) { RegisterComponents(); }

            public override Tensor forward(Tensor x) => fc2.forward(drop.forward(F.relu(fc1.forward(x))));
        }

        public abstract class TrainerBase
        {
            protected Net Model = new Net();

            public double Validate(IEnumerable<(Tensor, Tensor)> batches)
            {
                {{switchToEval}}
                int correct = 0;
                foreach (var batch in batches)
                {
                    correct += Step(batch);
                }

                {{afterTheLoop}}
                Model.train();
                return correct;
            }

            private int Step((Tensor Input, Tensor Target) batch)
            {
                int correct = 0;
                RunModelForValidation(batch.Input, batch.Target, ref correct);
                return correct;
            }

            protected abstract void RunModelForValidation(Tensor input, Tensor target, ref int correct);
        }

        public sealed class ClassifierTrainer : TrainerBase
        {
            protected override void RunModelForValidation(Tensor input, Tensor target, ref int correct)
            {
                var logits = {{run}};
                correct += logits.argmax(1).eq(target).sum().ToInt32();
            }
        }
        """;

    [Fact]
    public Task OverrideCalledByABaseThatCallsEvalFirst_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Trainers("Model.eval();", "Model.forward(input)"));

    [Fact]
    public Task OverrideCalledByABaseThatNeverCallsEval_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Trainers("Console.WriteLine(\"validating\");", "{|DRP024:Model.forward(input)|}"));

    [Fact]
    public Task OverrideWhoseBaseCallsEvalOnlyAfterTheStep_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(
            Trainers("Console.WriteLine(\"validating\");", "{|DRP024:Model.forward(input)|}", afterTheLoop: "Model.eval();"));
}
