using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP015 across calls: prediction code that runs a dropout layer's training forward through a base-typed layer list
/// (a virtual, abstract or interface call), in another file, one helper deep, or through a training flag that only the
/// constructor writes and that every construction leaves on. The correct twins dispatch the dropout layer to its test
/// path by a type test, skip it, switch a mode first, are Monte Carlo dropout, train, or build the layer with the flag off.
/// </summary>
public sealed class DropoutDispatchedFromPredictionTests
{
    private const string Layers = """
        public abstract class Layer
        {
            public double[] Values = new double[4];
            public Layer Previous;
            public abstract void Propagate();
        }

        public sealed class DenseLayer : Layer
        {
            public double[] Weights = new double[4];
            public override void Propagate()
            {
                for (int i = 0; i < Values.Length; i++) Values[i] = Previous.Values[i] * Weights[i];
            }
        }
        """;

    // Classic dropout: keeps with probability Keep in training, multiplies by Keep in its test path.
    private const string DropLayer = """
        public sealed class DropLayer : Layer
        {
            private static readonly Random Rng = new Random(3);
            public double Keep;

            public DropLayer(double keep) { Keep = keep; }

            public override void Propagate()
            {
                for (int i = 0; i < Values.Length; i++)
                {
                    if (Rng.NextDouble() < Keep) Values[i] = Previous.Values[i];
                    else Values[i] = 0.0;
                }
            }

            public void PropagateAtTest()
            {
                for (int i = 0; i < Values.Length; i++) Values[i] = Previous.Values[i] * Keep;
            }
        }
        """;

    private const string Net = """
        public sealed class Net
        {
            private readonly List<Layer> _layers = new List<Layer>();

            public void Add(Layer layer) { layer.Previous = _layers.LastOrDefault(); _layers.Add(layer); }

            PREDICT

            public void Train(double[] x)
            {
                for (int i = 0; i < _layers.Count; i++) _layers[i].Propagate();
            }
        }
        """;

    private static Task VerifyAsync(params (string Name, string Source)[] files)
    {
        var test = new CSharpAnalyzerTest<HandWrittenDropoutInInferenceAcrossCallsAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static Task VerifyNetAsync(string predict) =>
        VerifyAsync(("Layers.cs", Layers), ("DropLayer.cs", DropLayer), ("Net.cs", Net.Replace("PREDICT", predict)));

    [Fact]
    public Task PredictOverABaseTypedLayerList_RunsTheTrainingForwardOfTheDropoutLayer_IsReported() =>
        VerifyNetAsync("""
            public int Predict(double[] x)
            {
                for (int i = 0; i < _layers.Count; i++)
                {
                    if (i == 0) ((DenseLayer)_layers[i]).Weights[0] = x[0];
                    {|DRP015:_layers[i].Propagate()|};
                }

                return 0;
            }
            """);

    [Fact]
    public Task CamelCasePredict_ForeachOverTheLayers_IsReported() =>
        VerifyNetAsync("""
            public int predict(double[] x)
            {
                foreach (Layer layer in _layers) {|DRP015:layer.Propagate()|};
                return 0;
            }
            """);

    [Fact]
    public Task EvaluateThroughAForwardHelper_IsReportedAtTheHelperCall() =>
        VerifyNetAsync("""
            public double Evaluate(double[] x) { {|DRP015:RunAll()|}; return _layers.Last().Values[0]; }

            private void RunAll()
            {
                foreach (Layer layer in _layers) layer.Propagate();
            }
            """);

    [Fact]
    public Task InterfaceLayers_PredictCallsEveryForward_IsReported() =>
        VerifyAsync(
            ("ILayer.cs", "public interface ILayer { double[] Forward(double[] x); }"),
            ("Dropout.cs", """
                public sealed class DropoutUnit : ILayer
                {
                    private readonly Random _random = new Random(1);
                    private readonly double _rate;
                    public DropoutUnit(double rate) { _rate = rate; }
                    public double[] Forward(double[] x) => x.Select(v => _random.NextDouble() < _rate ? 0.0 : v / (1 - _rate)).ToArray();
                }
                """),
            ("Model.cs", """
                public sealed class Model
                {
                    private readonly ILayer[] _layers = { new DropoutUnit(0.5) };
                    public double[] Predict(double[] x)
                    {
                        foreach (ILayer layer in _layers) x = {|DRP015:layer.Forward(x)|};
                        return x;
                    }
                }
                """));

    [Fact]
    public Task PredictDispatchesTheDropoutLayerToItsTestPath_IsSilent() =>
        VerifyNetAsync("""
            public int Predict(double[] x)
            {
                for (int i = 0; i < _layers.Count; i++)
                {
                    if (_layers[i] is DropLayer drop) drop.PropagateAtTest();
                    else _layers[i].Propagate();
                }
                return 0;
            }
            """);

    [Fact]
    public Task PredictSkipsTheDropoutLayerBeforeAnUnconditionalCall_IsSilent() =>
        VerifyNetAsync("""
            public int Predict(double[] x)
            {
                foreach (Layer layer in _layers)
                {
                    if (layer is DropLayer) continue;
                    layer.Propagate();
                }
                return 0;
            }
            """);

    [Fact]
    public Task PredictOverLayersFilteredByType_IsSilent() =>
        VerifyNetAsync("""
            public int Predict(double[] x)
            {
                foreach (Layer layer in _layers.Where(l => !(l is DropLayer))) layer.Propagate();
                return 0;
            }
            """);

    [Fact]
    public Task MonteCarloPrediction_IsSilent() =>
        VerifyNetAsync("""
            public int PredictWithUncertainty(double[] x)
            {
                foreach (Layer layer in _layers) layer.Propagate();
                return 0;
            }
            """);

    [Fact]
    public Task OnlyTrainingRunsTheLayers_IsSilent() =>
        VerifyNetAsync("""
            public int Fit(double[] x)
            {
                foreach (Layer layer in _layers) layer.Propagate();
                return 0;
            }
            """);

    [Fact]
    public Task DropoutLayerWithATrainingFlag_IsSilent() =>
        VerifyAsync(
            ("Layers.cs", Layers),
            ("DropLayer.cs", """
                public sealed class DropLayer : Layer
                {
                    private static readonly Random Rng = new Random(3);
                    public double Keep = 0.5;
                    public bool Training;

                    public override void Propagate()
                    {
                        for (int i = 0; i < Values.Length; i++)
                        {
                            if (!Training) Values[i] = Previous.Values[i] * Keep;
                            else Values[i] = Rng.NextDouble() < Keep ? Previous.Values[i] : 0.0;
                        }
                    }
                }
                """),
            ("Net.cs", Net.Replace("PREDICT", """
                public int Predict(double[] x)
                {
                    foreach (Layer layer in _layers) layer.Propagate();
                    return 0;
                }
                """)));

    // A training flag that only the constructor writes, from a parameter that defaults to true and that no caller sets.
    private const string FlaggedDropout = """
        public sealed class DropoutGate
        {
            private readonly Random _random = new Random(2);
            public double Ratio { get; private set; }
            public bool TrainFlag { get; private set; }

            public DropoutGate(double ratio = 0.5, bool trainFlag = true) { Ratio = ratio; TrainFlag = trainFlag; }

            public double[] Forward(double[] x)
            {
                var y = new double[x.Length];
                if (TrainFlag)
                {
                    for (int i = 0; i < x.Length; i++) y[i] = _random.NextDouble() > Ratio ? x[i] : 0.0;
                }
                else
                {
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * (1 - Ratio);
                }

                return y;
            }
        }
        """;

    private static Task VerifyFlaggedAsync(string network, string dropout = FlaggedDropout) =>
        VerifyAsync(("Dropout.cs", dropout), ("TwoLayer.cs", network));

    [Fact]
    public Task TrainingFlagFixedByTheConstructor_PredictRunsTheDraw_IsReported() =>
        VerifyFlaggedAsync("""
            public sealed class TwoLayer
            {
                private readonly DropoutGate _drop = new DropoutGate(0.15);
                public double[] Predict(double[] x) => {|DRP015:_drop.Forward(x)|};
                public double Accuracy(double[] x) => Predict(x).Max();
            }
            """);

    [Fact]
    public Task TrainingFlagPassedTrueLiterallyAtEveryConstruction_IsReported() =>
        VerifyFlaggedAsync("""
            public sealed class TwoLayer
            {
                private readonly DropoutGate _first = new DropoutGate(0.15, true);
                private readonly DropoutGate _second = new DropoutGate(trainFlag: true);
                public double[] Predict(double[] x) => {|DRP015:_second.Forward({|DRP015:_first.Forward(x)|})|};
            }
            """);

    [Fact]
    public Task ANetworkBuiltWithTheFlagOff_ForPrediction_IsSilent() =>
        VerifyFlaggedAsync("""
            public sealed class TwoLayer
            {
                private readonly DropoutGate _train = new DropoutGate(0.15);
                private readonly DropoutGate _test = new DropoutGate(0.15, trainFlag: false);
                public double[] Predict(double[] x) => _test.Forward(x);
                public double[] Fit(double[] x) => _train.Forward(x);
            }
            """);

    [Fact]
    public Task FlagWithAPublicSetter_IsSilent() =>
        VerifyFlaggedAsync(
            """
            public sealed class TwoLayer
            {
                private readonly DropoutGate _drop = new DropoutGate(0.15);
                public double[] Predict(double[] x) => _drop.Forward(x);
            }
            """,
            FlaggedDropout.Replace("public bool TrainFlag { get; private set; }", "public bool TrainFlag { get; set; }"));

    [Fact]
    public Task FlagSwitchedByAMethod_IsSilent() =>
        VerifyFlaggedAsync(
            """
            public sealed class TwoLayer
            {
                private readonly DropoutGate _drop = new DropoutGate(0.15);
                public double[] Predict(double[] x) => _drop.Forward(x);
            }
            """,
            FlaggedDropout.Replace("public double[] Forward", "public void Eval() { TrainFlag = false; }\n    public double[] Forward"));

    // The mask drawn by a private helper that the flagged forward calls (`Mask = Draw(n)` under `if (TrainFlag)`).
    private const string FlaggedHelperDropout = """
        public sealed class DropoutGate
        {
            private readonly Random _random = new Random(2);
            public double Ratio { get; }
            public bool TrainFlag { get; }
            public double[] Mask { get; private set; }

            public DropoutGate(double ratio = 0.5, bool trainFlag = true) { Ratio = ratio; TrainFlag = trainFlag; }

            public double[] Forward(double[] x)
            {
                if (TrainFlag)
                {
                    Mask = Draw(x.Length);
                    return x.Zip(Mask, (v, m) => v * m).ToArray();
                }

                return x.Select(v => v * (1 - Ratio)).ToArray();
            }

            private double[] Draw(int n)
            {
                var mask = new double[n];
                for (int i = 0; i < n; i++) mask[i] = _random.NextDouble() > Ratio ? 1 : 0;
                return mask;
            }
        }
        """;

    [Fact]
    public Task TrainingFlagFixedByTheConstructor_MaskFromAHelper_IsReported() =>
        VerifyFlaggedAsync(
            """
            public sealed class TwoLayer
            {
                private readonly DropoutGate _drop = new DropoutGate(0.15);
                public double[] Predict(double[] x) => {|DRP015:_drop.Forward(x)|};
            }
            """,
            FlaggedHelperDropout);

    [Fact]
    public Task TrainingFlagFixedByTheConstructor_MaskFromAHelper_BuiltOffForPrediction_IsSilent() =>
        VerifyFlaggedAsync(
            """
            public sealed class TwoLayer
            {
                private readonly DropoutGate _drop = new DropoutGate(0.15, false);
                public double[] Predict(double[] x) => _drop.Forward(x);
            }
            """,
            FlaggedHelperDropout);

    [Fact]
    public Task FlagInsideTheDrawsOwnCondition_IsSilent() =>
        VerifyAsync(
            ("Layers.cs", Layers),
            ("DropLayer.cs", """
                public sealed class DropLayer : Layer
                {
                    private static readonly Random Rng = new Random(3);
                    private readonly bool[] _mask = new bool[4];
                    public double Rate = 0.5;
                    public bool IsTraining { get; set; }

                    public override void Propagate()
                    {
                        for (int i = 0; i < Values.Length; i++)
                        {
                            _mask[i] = !IsTraining || Rng.NextDouble() > Rate;
                            Values[i] = _mask[i] ? Previous.Values[i] : 0.0;
                        }
                    }
                }
                """),
            ("Net.cs", Net.Replace("PREDICT", """
                public int Predict(double[] x)
                {
                    foreach (Layer layer in _layers) layer.Propagate();
                    return 0;
                }
                """)));
}
