using Dropout.Analyzers;
using Dropout.Analyzers.CodeFixes;

namespace Dropout.Tests.Analyzers.TorchSharp;

public sealed class TorchSharpModeTests
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

    // DRP024: inference without eval().

    [Fact]
    public Task EvaluateHelper_UnderNoGradWithoutEval_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public static class Evaluation
            {
                public static double Evaluate(Net model, IEnumerable<(Tensor data, Tensor target)> batches)
                {
                    long correct = 0, total = 0;
                    // no_grad() stops gradient tracking; it does not switch dropout off.
                    using (torch.no_grad())
                    {
                        foreach (var (data, target) in batches)
                        {
                            using var scope = torch.NewDisposeScope();
                            var output = {|DRP024:model.forward(data)|};
                            correct += output.argmax(1).eq(target).sum().ToInt64();
                            total += target.shape[0];
                        }
                    }

                    return (double)correct / total;
                }
            }
            """);

    [Fact]
    public Task PredictWithASequentialContainingDropout_WithoutEval_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>("""
            public sealed class Service
            {
                private readonly Sequential model = Sequential(("fc", Linear(4, 8)), ("drop", Dropout(0.5)), ("out", Linear(8, 3)));

                public long Predict(float[] features)
                {
                    using var input = torch.tensor(features).unsqueeze(0);
                    return {|DRP024:model.call(input)|}.argmax(1).ToInt64();
                }
            }
            """);

    [Fact]
    public Task CodeAfterTheTrainingLoop_WithoutEval_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public static class Program
            {
                public static void Main()
                {
                    var model = new Net();
                    var optimizer = torch.optim.Adam(model.parameters(), 0.001);
                    var x = torch.randn(64, 784);
                    var y = torch.randint(0, 10, new long[] { 64 });
                    for (int epoch = 0; epoch < 10; epoch++)
                    {
                        optimizer.zero_grad();
                        var loss = F.cross_entropy(model.forward(x), y);
                        loss.backward();
                        optimizer.step();
                    }

                    using (torch.no_grad())
                    {
                        var predictions = {|DRP024:model.forward(torch.randn(8, 784))|}.argmax(1);
                        Console.WriteLine(predictions.ToString());
                    }
                }
            }
            """);

    [Fact]
    public Task TopLevelProgram_PredictingAfterTheTrainingLoopWithoutEval_IsReported()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<TorchSharpInferenceWithoutEvalAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = TorchSharpTest.Usings + """
                var seq = Sequential(("lin1", Linear(1000, 100)), ("relu1", ReLU()), ("drop1", Dropout(0.1)), ("lin2", Linear(100, 10)));
                var x = torch.randn(64, 1000);
                var y = torch.randn(64, 10);
                var optimizer = torch.optim.Adam(seq.parameters());
                for (int i = 0; i < 10; i++)
                {
                    using var output = F.mse_loss(seq.forward(x), y, Reduction.Sum);
                    optimizer.zero_grad();
                    output.backward();
                    optimizer.step();
                }

                using (torch.no_grad())
                {
                    Console.WriteLine({|DRP024:seq.forward(torch.randn(1, 1000))|}.ToString());
                }
                """,
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.TestState.ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(TorchSharpTest.TorchSharpReference);
        return test.RunAsync();
    }

    [Fact]
    public Task TestMethodOfAModule_RunningItselfWithoutEval_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>("""
            public sealed class Tagger : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(16, 4);
                private readonly Dropout drop = Dropout(0.3);

                public Tagger() : base(nameof(Tagger)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(drop.forward(x));

                public Tensor PredictTags(Tensor x)
                {
                    using var _ = torch.no_grad();
                    return {|DRP024:forward(x)|}.argmax(-1);
                }
            }
            """);

    [Fact]
    public Task EvaluateThatCallsEval_DirectlyOrThroughAHelper_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public static class Evaluation
            {
                public static double Evaluate(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    using (torch.no_grad())
                    {
                        return model.forward(x).argmax(1).eq(y).to_type(ScalarType.Float32).mean().ToDouble();
                    }
                }

                public static double TestAccuracy(Net model, Tensor x, Tensor y)
                {
                    PrepareForInference(model);
                    using var scope = torch.NewDisposeScope();
                    return model.call(x).argmax(1).eq(y).sum().ToDouble() / y.shape[0];
                }

                private static void PrepareForInference(Module model) => model.train(false);
            }
            """);

    [Fact]
    public Task TrainingLoopFollowedByEvalBeforePrediction_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public static class Program
            {
                public static void Main()
                {
                    var model = new Net();
                    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
                    var x = torch.randn(64, 784);
                    var y = torch.randint(0, 10, new long[] { 64 });
                    model.train();
                    for (int epoch = 0; epoch < 10; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();
                    }

                    model.eval();
                    var predictions = model.forward(torch.randn(8, 784)).argmax(1);
                }
            }
            """);

    [Fact]
    public Task ModelsWithoutDropout_AndUnitTests_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>("""
            [AttributeUsage(AttributeTargets.Method)]
            public sealed class FactAttribute : Attribute { }

            public sealed class LinearRegression : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(3, 1);

                public LinearRegression() : base(nameof(LinearRegression)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            public static class Checks
            {
                public static Tensor Predict(LinearRegression model, Tensor x) => model.forward(x);

                [Fact]
                public static void TestForwardShape()
                {
                    var seq = Sequential(Linear(4, 4), Dropout(0.1));
                    var y = seq.forward(torch.ones(2, 4));
                    TestDropRate(0.5);
                }

                // A helper of the tests above, in a test class: it runs dropout in training mode on purpose.
                private static void TestDropRate(double p)
                {
                    Module<Tensor, Tensor> layer = Dropout(p);
                    var output = layer.call(torch.ones(100, 100));
                }
            }
            """);

    [Fact]
    public Task MonteCarloPrediction_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            [AttributeUsage(AttributeTargets.All)]
            public sealed class MonteCarloDropoutAttribute : Attribute { }

            public static class Uncertainty
            {
                [MonteCarloDropout]
                public static Tensor PredictWithUncertainty(Net model, Tensor x) =>
                    torch.stack(Enumerable.Range(0, 20).Select(_ => model.forward(x)).ToArray()).std(0);

                // The documented pattern without the attribute: eval() for everything, then train() on the dropout
                // modules only, inside the inference method.
                public static Tensor PredictSamples(Net model, Tensor x)
                {
                    model.eval();
                    foreach (var module in model.modules().OfType<Dropout>()) module.train();
                    using (torch.no_grad())
                    {
                        return torch.stack(Enumerable.Range(0, 20).Select(_ => model.forward(x)).ToArray());
                    }
                }

                // Or all of the model in training mode on purpose.
                public static Tensor SampleMany(Net model, Tensor x)
                {
                    model.train();
                    return torch.stack(Enumerable.Range(0, 20).Select(_ => model.forward(x)).ToArray());
                }

                public static Tensor InferSamples(Net model, Tensor x) => SampleMany(model, x);
            }
            """);

    [Fact]
    public Task EvaluationHelperWhoseCallersCallEval_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public static class Attack
            {
                public static void Run(Net model, IEnumerable<(Tensor, Tensor)> test)
                {
                    model.eval();
                    foreach (var epsilon in new[] { 0.0, 0.1, 0.2 })
                    {
                        Console.WriteLine(Test(model, epsilon, test));
                    }
                }

                private static double Test(Net model, double epsilon, IEnumerable<(Tensor, Tensor)> batches)
                {
                    int correct = 0;
                    foreach (var (data, target) in batches)
                    {
                        using var scope = torch.NewDisposeScope();
                        correct += model.forward(data + epsilon).argmax(1).eq(target).sum().ToInt32();
                    }

                    return correct;
                }
            }
            """);

    [Fact]
    public Task PredictorThatKeepsItsModelInEval_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public sealed class Classifier
            {
                private Net? _model;

                public Dictionary<int, double> Predict(Tensor image)
                {
                    if (_model is null) Load("weights.bin");
                    using (torch.no_grad())
                    {
                        var probabilities = _model!.forward(image.unsqueeze(0)).softmax(1).squeeze(0);
                        return Enumerable.Range(0, 10).ToDictionary(i => i, i => probabilities[i].ToDouble());
                    }
                }

                private void Load(string path)
                {
                    _model = new Net();
                    _model.load(path);
                    _model.eval();
                }
            }
            """);

    [Fact]
    public Task PredictorWhoseModelIsTrainedByTheSameClass_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpInferenceWithoutEvalAnalyzer>(Model + """
            public sealed class Learner
            {
                private readonly Net _model = new Net();

                public void Fit(Tensor x, Tensor y)
                {
                    _model.train();
                    var optimizer = torch.optim.Adam(_model.parameters());
                    optimizer.zero_grad();
                    F.cross_entropy(_model.forward(x), y).backward();
                    optimizer.step();
                    _model.eval();
                }

                public Tensor Predict(Tensor x)
                {
                    using var _ = torch.no_grad();
                    return {|DRP024:_model.forward(x)|}.argmax(1);
                }
            }
            """);

    [Fact]
    public Task MissingEval_IsFixedBeforeTheOutermostStatement() =>
        TorchSharpTest.VerifyFixAsync<TorchSharpInferenceWithoutEvalAnalyzer, TorchSharpCallEvalCodeFixProvider>(Model + """
            public static class Evaluation
            {
                public static double Evaluate(Net model, Tensor[] batches)
                {
                    double sum = 0;
                    using (torch.no_grad())
                    {
                        foreach (var batch in batches)
                        {
                            sum += {|DRP024:model.forward(batch)|}.sum().ToDouble();
                        }
                    }

                    return sum;
                }
            }
            """,
            Model + """
            public static class Evaluation
            {
                public static double Evaluate(Net model, Tensor[] batches)
                {
                    double sum = 0;
                    model.eval();
                    using (torch.no_grad())
                    {
                        foreach (var batch in batches)
                        {
                            sum += model.forward(batch).sum().ToDouble();
                        }
                    }

                    return sum;
                }
            }
            """);

    // DRP025: eval() in a training loop without train() before the next step.

    [Fact]
    public Task ValidationInTheEpochLoop_WithoutTrainAgain_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    model.train();
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        using (var d = torch.NewDisposeScope())
                        {
                            optimizer.zero_grad();
                            F.cross_entropy(model.forward(x), y).backward();
                            optimizer.step();
                        }

                        {|DRP025:model.eval()|};
                        using (torch.no_grad())
                        {
                            Console.WriteLine(F.cross_entropy(model.forward(validX), validY).ToSingle());
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task EvaluateHelperInTheEpochLoop_WhenTheTrainHelperNeverCallsTrain_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Program
            {
                private static void TrainEpoch(Net model, torch.optim.Optimizer optimizer, Tensor x, Tensor y)
                {
                    optimizer.zero_grad();
                    F.nll_loss(F.log_softmax(model.forward(x), 1), y).backward();
                    optimizer.step();
                }

                private static void Test(Net model, Tensor x, Tensor y)
                {
                    model.eval();
                    using var _ = torch.no_grad();
                    Console.WriteLine(model.forward(x).argmax(1).eq(y).sum().ToInt64());
                }

                public static void Run(Net model, Tensor x, Tensor y)
                {
                    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
                    for (int epoch = 1; epoch <= 5; epoch++)
                    {
                        TrainEpoch(model, optimizer, x, y);
                        {|DRP025:Test(model, x, y)|};
                    }
                }
            }
            """);

    [Fact]
    public Task PeriodicValidationInTheBatchLoop_WithoutTrain_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, IList<(Tensor x, Tensor y)> batches, Tensor validX)
                {
                    var opt = torch.optim.AdamW(model.parameters());
                    int step = 0;
                    foreach (var (x, y) in batches)
                    {
                        opt.zero_grad();
                        F.cross_entropy(model.call(x), y).backward();
                        opt.step();
                        if (++step % 100 == 0)
                        {
                            {|DRP025:model.train(false)|};
                            using (torch.no_grad()) { model.call(validX); }
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task HelperCallsThatDoNotBind_StillCountForTheirModeCallsAndSteps()
    {
        // MnistReader is defined in another file of the user's project (missing here, as in an editor mid-edit): the
        // calls of Train and Test do not bind, but the helpers they name still say what they do to the mode.
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<TorchSharpEvalInTrainingLoopAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = TorchSharpTest.Usings + Model + """
                public static class Program
                {
                    public static void Loop(Net model, MnistReader train, MnistReader test)
                    {
                        var optimizer = torch.optim.Adam(model.parameters());
                        for (int epoch = 0; epoch < 3; epoch++)
                        {
                            Train(model, optimizer, train, train.BatchSize);
                            {|DRP025:Test(model, test, test.Size)|};
                        }
                    }

                    private static void Train(Net model, torch.optim.Optimizer optimizer, IEnumerable<(Tensor, Tensor)> data, int batch)
                    {
                        foreach (var (x, y) in data)
                        {
                            optimizer.zero_grad();
                            F.nll_loss(model.forward(x), y).backward();
                            optimizer.step();
                        }
                    }

                    private static void Test(Net model, IEnumerable<(Tensor, Tensor)> data, long size)
                    {
                        model.eval();
                        foreach (var (x, _) in data) model.forward(x);
                    }
                }
                """,
            CompilerDiagnostics = Microsoft.CodeAnalysis.Testing.CompilerDiagnostics.None,
        };
        test.TestState.ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(TorchSharpTest.TorchSharpReference);
        return test.RunAsync();
    }

    [Fact]
    public Task TrainAtTheTopOfEachEpoch_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, Tensor x, Tensor y, Tensor validX, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        model.train();
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();

                        model.eval();
                        using (torch.no_grad()) { model.forward(validX); }
                    }
                }
            }
            """);

    [Fact]
    public Task TrainHelperThatCallsTrain_WithEvaluateHelper_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Program
            {
                private static void Train(Net model, torch.optim.Optimizer optimizer, Tensor x, Tensor y)
                {
                    model.train();
                    optimizer.zero_grad();
                    F.cross_entropy(model.forward(x), y).backward();
                    optimizer.step();
                }

                private static void Test(Net model, Tensor x)
                {
                    model.eval();
                    using var _ = torch.no_grad();
                    model.forward(x);
                }

                public static void Run(Net model, Tensor x, Tensor y)
                {
                    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
                    for (int epoch = 1; epoch <= 5; epoch++)
                    {
                        Train(model, optimizer, x, y);
                        Test(model, x);
                    }
                }
            }
            """);

    [Fact]
    public Task EvalOfAModelWithoutDropout_InTheEpochLoop_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>("""
            public sealed class Bag : Module<Tensor, Tensor>
            {
                private readonly Linear fc = Linear(16, 4);

                public Bag() : base(nameof(Bag)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            public static class Trainer
            {
                private static void Evaluate(Bag model, Tensor x)
                {
                    model.eval();
                    using var _ = torch.no_grad();
                    model.forward(x);
                }

                public static void Fit(Bag model, Tensor x, Tensor y)
                {
                    var optimizer = torch.optim.SGD(model.parameters(), 0.1);
                    for (int epoch = 0; epoch < 5; epoch++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(x), y).backward();
                        optimizer.step();
                        model.eval();
                        Evaluate(model, x);
                    }
                }
            }
            """);

    [Fact]
    public Task EvalThenTrainAroundPeriodicValidation_AndEvalAfterTheLoop_AreNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net model, IList<(Tensor x, Tensor y)> batches, Tensor validX)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    var scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10);
                    for (int i = 0; i < batches.Count; i++)
                    {
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(batches[i].x), batches[i].y).backward();
                        optimizer.step();
                        if (i % 100 == 0)
                        {
                            model.eval();
                            using (torch.no_grad()) { model.forward(validX); }
                            model.train();
                        }
                    }

                    scheduler.step();
                    model.eval();
                }
            }
            """);

    [Fact]
    public Task TrainCalledOnlyAfterTheNextIterationsForward_IsReported() =>
        // train() comes before the step, but the epoch's forward already ran with dropout off.
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
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

                        {|DRP025:model.eval()|};
                        using (torch.no_grad())
                        {
                            Console.WriteLine(F.cross_entropy(model.forward(validX), validY).ToSingle());
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task AnotherModelsForwardBeforeTrain_InTheNextIteration_IsNotReported() =>
        // The frozen encoder runs first in each epoch; the trained model is switched back before its own forward.
        TorchSharpTest.VerifyAsync<TorchSharpEvalInTrainingLoopAnalyzer>(Model + """
            public static class Trainer
            {
                public static void Fit(Net encoder, Net model, Tensor x, Tensor y, Tensor validX, Tensor validY, int epochs)
                {
                    var optimizer = torch.optim.Adam(model.parameters());
                    encoder.eval();
                    for (int epoch = 0; epoch < epochs; epoch++)
                    {
                        Tensor features;
                        using (torch.no_grad()) { features = encoder.forward(x); }

                        model.train();
                        optimizer.zero_grad();
                        F.cross_entropy(model.forward(features), y).backward();
                        optimizer.step();

                        model.eval();
                        using (torch.no_grad())
                        {
                            Console.WriteLine(F.cross_entropy(model.forward(encoder.forward(validX)), validY).ToSingle());
                        }
                    }
                }
            }
            """);
}
