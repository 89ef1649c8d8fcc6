using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// DRP024's code fix: <c>eval()</c> first, and <c>train()</c> on every way out of the method when a training loop calls
/// it and would otherwise step the optimizer with dropout off. Every fixed source is checked again with DRP024 (by the
/// fix verifier) and with DRP025, which the fix must not trigger.
/// </summary>
public sealed class TorchSharpCallEvalFixTests
{
    private const string Model = """
        public sealed class Net : Module<Tensor, Tensor>
        {
            private readonly Linear fc1 = Linear(784, 128);
            private readonly Dropout drop = Dropout(0.2);
            private readonly Linear fc2 = Linear(128, 10);

            public Net() : base(nameof(Net)) { RegisterComponents(); }

            public override Tensor forward(Tensor x) => fc2.forward(drop.forward(F.relu(fc1.forward(x))));
        }

        """;

    // A training loop that validates every epoch and never calls train() itself.
    private const string FitValidatingEachEpoch = """
            public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
            {
                var optimizer = torch.optim.Adam(model.parameters());
                for (int epoch = 0; epoch < epochs; epoch++)
                {
                    optimizer.zero_grad();
                    F.cross_entropy(model.forward(x), y).backward();
                    optimizer.step();
                    Console.WriteLine($"epoch {epoch}: {Evaluate(model, validX, validY)}");
                }
            }

        """;

    // The same training, validated once after the loop.
    private const string FitValidatingAtTheEnd = """
            public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
            {
                var optimizer = torch.optim.Adam(model.parameters());
                for (int epoch = 0; epoch < epochs; epoch++)
                {
                    optimizer.zero_grad();
                    F.cross_entropy(model.forward(x), y).backward();
                    optimizer.step();
                }

                Console.WriteLine(Evaluate(model, validX, validY));
            }

        """;

    private static async Task VerifyFixAsync(string source, string fixedSource)
    {
        await TorchSharpTest.VerifyFixAsync<TorchSharpInferenceWithoutEvalAnalyzer, TorchSharpCallEvalCodeFixProvider>(source, fixedSource);
        await TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(fixedSource);
    }

    [Fact]
    public Task CalledFromTheEpochLoop_EvalOnly_WouldLeaveTheLoopTrainingWithoutDropout() =>
        // Why the fix needs train(): with eval() alone, DRP025 reports the loop's call.
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();
                        Console.WriteLine($"epoch {epoch}: {{|DRP025:Evaluate(model, validX, validY)|}}");
                    }
                }

                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    return accuracy;
                }
            }
            """);

    [Fact]
    public Task CalledFromTheEpochLoop_GetsEvalFirstAndTrainBeforeTheReturn() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    return accuracy;
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    model.eval();
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    model.train();
                    return accuracy;
                }
            }
            """);

    [Fact]
    public Task CalledOnlyAfterTraining_GetsEvalOnly() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingAtTheEnd + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    return accuracy;
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingAtTheEnd + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    model.eval();
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    return accuracy;
                }
            }
            """);

    [Fact]
    public Task VoidMethodCalledFromTheEpochLoop_GetsTrainAtItsEnd() =>
        VerifyFixAsync(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, int epochs)
                {
                    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
                    foreach (int epoch in Enumerable.Range(0, epochs))
                    {
                        optimizer.zero_grad();
                        F.nll_loss(F.log_softmax(model.forward(x), 1), y).backward();
                        optimizer.step();
                        Validate(model, validX);
                    }
                }

                private static void Validate(Net model, Tensor validX)
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    Console.WriteLine({|DRP024:model.forward(validX)|}.mean().ToSingle());
                }
            }
            """,
            Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, int epochs)
                {
                    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
                    foreach (int epoch in Enumerable.Range(0, epochs))
                    {
                        optimizer.zero_grad();
                        F.nll_loss(F.log_softmax(model.forward(x), 1), y).backward();
                        optimizer.step();
                        Validate(model, validX);
                    }
                }

                private static void Validate(Net model, Tensor validX)
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    model.eval();
                    Console.WriteLine(model.forward(validX).mean().ToSingle());
                    model.train();
                }
            }
            """);

    [Fact]
    public Task SeveralReturnsOfComputedValues_GetTrainBeforeEachReturnAfterEval() =>
        // The first return leaves before eval() runs, with the mode unchanged; the others leave in evaluation mode.
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    if (x.shape[0] == 0)
                        return 0;

                    double total = 0;
                    using (torch.no_grad())
                    {
                        for (long i = 0; i < x.shape[0]; i++)
                        {
                            double loss = F.cross_entropy({|DRP024:model.forward(x[i].unsqueeze(0))|}, y[i].unsqueeze(0)).ToDouble();
                            if (double.IsNaN(loss))
                                return loss;

                            switch (i)
                            {
                                case 1000:
                                    // Enough for an estimate.
                                    return total / i;
                                default:
                                    total += loss;
                                    break;
                            }
                        }
                    }

                    double mean = total / x.shape[0];

                    // The mean loss per example.
                    return mean;
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    if (x.shape[0] == 0)
                        return 0;

                    double total = 0;
                    model.eval();
                    using (torch.no_grad())
                    {
                        for (long i = 0; i < x.shape[0]; i++)
                        {
                            double loss = F.cross_entropy(model.forward(x[i].unsqueeze(0)), y[i].unsqueeze(0)).ToDouble();
                            if (double.IsNaN(loss))
                            {
                                model.train();
                                return loss;
                            }

                            switch (i)
                            {
                                case 1000:
                                    // Enough for an estimate.
                                    model.train();
                                    return total / i;
                                default:
                                    total += loss;
                                    break;
                            }
                        }
                    }

                    double mean = total / x.shape[0];

                    // The mean loss per example.
                    model.train();
                    return mean;
                }
            }
            """);

    [Fact]
    public Task ReturnThatRunsTheModel_IsWrappedInTryFinally() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    if (x.shape[0] == 0)
                    {
                        return double.NaN;
                    }

                    using var noGrad = torch.no_grad();
                    return {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    if (x.shape[0] == 0)
                    {
                        return double.NaN;
                    }

                    using var noGrad = torch.no_grad();
                    model.eval();
                    try
                    {
                        return model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }
                    finally
                    {
                        model.train();
                    }
                }
            }
            """);

    [Fact]
    public Task BlockThatReturnsAComputedValue_MovesIntoTryWithItsIndentation() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    using (torch.no_grad())
                    {
                        // Logits of the whole validation set at once.
                        var logits = {|DRP024:model.forward(x)|};
                        return logits.argmax(1)
                            .eq(y)
                            .sum().ToDouble() / x.shape[0];
                    }
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    try
                    {
                        using (torch.no_grad())
                        {
                            // Logits of the whole validation set at once.
                            var logits = model.forward(x);
                            return logits.argmax(1)
                                .eq(y)
                                .sum().ToDouble() / x.shape[0];
                        }
                    }
                    finally
                    {
                        model.train();
                    }
                }
            }
            """);

    [Fact]
    public Task ExpressionBodiedMethodCalledFromTheEpochLoop_GetsABlockWithTryFinally() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y) =>
                    {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    try
                    {
                        return model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }
                    finally
                    {
                        model.train();
                    }
                }
            }
            """);

    [Fact]
    public Task ExpressionBodiedMethodCalledOnlyAfterTraining_GetsABlockWithEvalOnly() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingAtTheEnd + """
                public static double Evaluate(Net model, Tensor x, Tensor y) => {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingAtTheEnd + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    return model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                }
            }
            """);

    [Fact]
    public Task ExpressionBodiedVoidMethodCalledFromTheEpochLoop_GetsTrainAfterTheStatement() =>
        VerifyFixAsync(Model + """
            public sealed class Trainer
            {
                private readonly Net _model = new Net();

                public void Fit(Tensor x, Tensor y, Tensor validX, int epochs)
                {
                    var optimizer = torch.optim.Adam(_model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(_model.forward(x), y).backward();
                        optimizer.step();
                        PrintValidation(validX);
                    }
                }

                private void PrintValidation(Tensor validX) => Console.WriteLine({|DRP024:_model.forward(validX)|}.mean().ToSingle());
            }
            """,
            Model + """
            public sealed class Trainer
            {
                private readonly Net _model = new Net();

                public void Fit(Tensor x, Tensor y, Tensor validX, int epochs)
                {
                    var optimizer = torch.optim.Adam(_model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(_model.forward(x), y).backward();
                        optimizer.step();
                        PrintValidation(validX);
                    }
                }

                private void PrintValidation(Tensor validX)
                {
                    _model.eval();
                    Console.WriteLine(_model.forward(validX).mean().ToSingle());
                    _model.train();
                }
            }
            """);

    [Fact]
    public Task MethodThatAlreadyCallsTrainAfterItsRuns_GetsEvalOnly() =>
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    model.train();
                    return accuracy;
                }
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    model.eval();
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    model.train();
                    return accuracy;
                }
            }
            """);

    [Fact]
    public Task MethodThatRestoresTrainingOnlyThroughAHelper_StillGetsTrain() =>
        // DRP025 reads the evaluation method one level deep from the loop: BackToTraining's train() is out of its sight,
        // and an eval() alone would be reported there. The extra train() is redundant but certain.
        VerifyFixAsync(Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    BackToTraining(model);
                    return accuracy;
                }

                private static void BackToTraining(Net model) => model.train();
            }
            """,
            Model + "public static class Trainer\n{\n" + FitValidatingEachEpoch + """
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    model.eval();
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    BackToTraining(model);
                    model.train();
                    return accuracy;
                }

                private static void BackToTraining(Net model) => model.train();
            }
            """);

    [Fact]
    public Task LoopWhoseTrainingHelperCallsTrain_GetsEvalOnly() =>
        // The epoch's TrainEpoch(...) starts with model.train(), so the loop switches dropout back on itself.
        VerifyFixAsync(Model + """
            public static class Trainer
            {
                private static void TrainEpoch(Net model, torch.optim.Optimizer optimizer, Tensor x, Tensor y)
                {
                    model.train();
                    optimizer.zero_grad();
                    F.cross_entropy(model.forward(x), y).backward();
                    optimizer.step();
                }

                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        TrainEpoch(model, optimizer, x, y);
                        Console.WriteLine(Evaluate(model, validX, validY));
                    }
                }

                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    using var noGrad = torch.no_grad();
                    return {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                }
            }
            """,
            Model + """
            public static class Trainer
            {
                private static void TrainEpoch(Net model, torch.optim.Optimizer optimizer, Tensor x, Tensor y)
                {
                    model.train();
                    optimizer.zero_grad();
                    F.cross_entropy(model.forward(x), y).backward();
                    optimizer.step();
                }

                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        TrainEpoch(model, optimizer, x, y);
                        Console.WriteLine(Evaluate(model, validX, validY));
                    }
                }

                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    using var noGrad = torch.no_grad();
                    model.eval();
                    return model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                }
            }
            """);

    [Fact]
    public Task LoopThatCallsTrainOnlyAfterItsForward_StillGetsTrain() =>
        // The loop's train() comes after the next epoch's forward, too late for it (DRP025 would report an eval() alone).
        VerifyFixAsync(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        var loss = F.cross_entropy(model.forward(x), y);
                        model.train();
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        Console.WriteLine(Evaluate(model, validX, validY));
                    }
                }

                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    using (torch.no_grad())
                    {
                        accuracy = {|DRP024:model.forward(x)|}.argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    return accuracy;
                }
            }
            """,
            Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        var loss = F.cross_entropy(model.forward(x), y);
                        model.train();
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        Console.WriteLine(Evaluate(model, validX, validY));
                    }
                }

                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    double accuracy;
                    model.eval();
                    using (torch.no_grad())
                    {
                        accuracy = model.forward(x).argmax(1).eq(y).sum().ToDouble() / x.shape[0];
                    }

                    model.train();
                    return accuracy;
                }
            }
            """);

    [Fact]
    public Task IteratorCalledFromTheEpochLoop_RestoresTrainingInAFinally() =>
        // An iterator runs lazily: the finally runs when the caller's foreach ends (or disposes it early).
        VerifyFixAsync(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor[] validBatches, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();
                        foreach (Tensor prediction in Predict(model, validBatches))
                            Console.WriteLine(prediction.ToString());
                    }
                }

                public static IEnumerable<Tensor> Predict(Net model, Tensor[] batches)
                {
                    foreach (Tensor batch in batches)
                    {
                        var logits = {|DRP024:model.forward(batch)|};
                        yield return logits.argmax(1);
                    }
                }
            }
            """,
            Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor[] validBatches, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();
                        foreach (Tensor prediction in Predict(model, validBatches))
                            Console.WriteLine(prediction.ToString());
                    }
                }

                public static IEnumerable<Tensor> Predict(Net model, Tensor[] batches)
                {
                    model.eval();
                    try
                    {
                        foreach (Tensor batch in batches)
                        {
                            var logits = model.forward(batch);
                            yield return logits.argmax(1);
                        }
                    }
                    finally
                    {
                        model.train();
                    }
                }
            }
            """);
}
