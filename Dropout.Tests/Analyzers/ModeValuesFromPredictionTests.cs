using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP015 decided by the values prediction hands the dropout's flag, not by the flag's name: swapped branches (the
/// training value is the identity, the prediction value draws), evaluation that passes the training value down a call
/// chain, and an evaluation that runs while a private flag rests at the value that draws. The twins hand over the value
/// that switches the draw off, are Monte Carlo dropout, train, use classic scaling, or set the flag themselves.
/// </summary>
public sealed class ModeValuesFromPredictionTests
{
    private const string LayerBase = """
        public abstract class Layer
        {
            public abstract double[] Forward(double[] x, bool flag);
        }

        public sealed class Dense : Layer
        {
            public double W = 0.5;
            public override double[] Forward(double[] x, bool flag) => x.Select(v => v * W).ToArray();
        }
        """;

    private const string Model = """
        public sealed class Model
        {
            private readonly List<Layer> _layers = new List<Layer> { new Dense(), new Drop(0.8), new Dense() };

            public double[] Run(double[] x, bool flag)
            {
                foreach (Layer layer in _layers) x = layer.Forward(x, flag);
                return x;
            }

            ENTRIES
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

    private static Task VerifyLayerAsync(string drop, string entries) =>
        VerifyAsync(("Layers.cs", LayerBase), ("Drop.cs", drop), ("Model.cs", Model.Replace("ENTRIES", entries)));

    // The training value scales, the other value draws: whichever value prediction passes decides.
    private const string SwappedDrop = """
        public sealed class Drop : Layer
        {
            private readonly Random _rng = new Random(11);
            private readonly double _rate;
            public Drop(double rate) { _rate = rate; }

            public override double[] Forward(double[] x, bool flag)
            {
                if (flag) return x.Select(v => v * (1 - _rate)).ToArray();
                var y = (double[])x.Clone();
                for (int i = 0; i < y.Length; i++)
                {
                    if (_rng.NextDouble() > _rate) continue;
                    y[i] = 0.0;
                }

                return y;
            }
        }
        """;

    // Classic dropout written the right way round: the draw runs when the flag is true.
    private const string ClassicDrop = """
        public sealed class Drop : Layer
        {
            private readonly Random _rng = new Random(11);
            private readonly double _keep;
            public Drop(double keep) { _keep = keep; }

            public override double[] Forward(double[] x, bool flag)
            {
                var y = (double[])x.Clone();
                if (!flag)
                {
                    for (int i = 0; i < y.Length; i++) y[i] *= _keep;
                    return y;
                }

                for (int i = 0; i < y.Length; i++)
                {
                    if (_rng.NextDouble() < _keep) y[i] = x[i];
                    else y[i] = 0.0;
                }

                return y;
            }
        }
        """;

    [Fact]
    public Task SwappedBranches_PredictPassesTheValueThatDraws_IsReported() =>
        VerifyLayerAsync(SwappedDrop, """
            public double[] Predict(double[] x) => {|DRP015:Run(x, false)|};
            public void Fit(double[] x) => Run(x, true);
            """);

    [Fact]
    public Task SwappedBranches_CamelCasePredictThroughAnOverload_IsReportedAtTheOverloadCall() =>
        VerifyLayerAsync(SwappedDrop, """
            public double[] predict(double[] x) { return {|DRP015:predict(x, false)|}; }
            public double[] predict(double[] x, bool training) { return Run(x, training); }
            """);

    [Fact]
    public Task SwappedBranches_FitPassesTheValueThatScales_NothingElsePredicts_IsSilent() =>
        VerifyLayerAsync(SwappedDrop, """
            public void Fit(double[] x) => Run(x, true);
            """);

    [Fact]
    public Task CorrectFlag_PredictPassesTheValueThatScales_IsSilent() =>
        VerifyLayerAsync(ClassicDrop, """
            public double[] Predict(double[] x) => Run(x, false);
            public void Fit(double[] x) => Run(x, true);
            """);

    [Fact]
    public Task EvaluationPassesTheTrainingValue_ThroughAHelperInAnotherFile_IsReported() =>
        VerifyLayerAsync(ClassicDrop, """
            public double Evaluate(double[] x, double[] y) { double[] p = {|DRP015:Run(x, true)|}; return p.Zip(y, (a, b) => (a - b) * (a - b)).Sum(); }
            public void Fit(double[] x) => Run(x, true);
            """);

    [Fact]
    public Task MonteCarloPrediction_PassesTheTrainingValueOnPurpose_IsSilent() =>
        VerifyLayerAsync(ClassicDrop, """
            public double[] PredictWithUncertainty(double[] x) => Run(x, true);
            public double[] Predict(double[] x) => Run(x, false);
            """);

    [Fact]
    public Task PredictionUnderItsOwnFlag_EveryValueItPassesIsDecidedByItsCaller_IsSilent() =>
        VerifyLayerAsync(SwappedDrop, """
            public double[] Predict(double[] x, bool training) => Run(x, training);
            """);

    // A network that keeps its mode in a private field: prediction sets it and sets it back.
    private const string FieldNet = """
        public sealed class Net
        {
            private readonly Random _rng = new Random(5);
            private readonly double _keep = 0.8;
            private bool _testing = false;
            private double[] _h = new double[8];

            private void Feed(double[] x)
            {
                for (int i = 0; i < _h.Length; i++)
                {
                    _h[i] = Math.Tanh(x[i % x.Length]);
                    if (_testing)
                    {
                        _h[i] *= _keep;
                    }
                    else if (_rng.NextDouble() >= _keep)
                    {
                        _h[i] = 0.0;
                    }
                }
            }

            public double[] Predict(double[] x)
            {
                _testing = true;
                Feed(x);
                _testing = false;
                return _h;
            }

            public void Train(double[] x) { Feed(x); }

            ENTRY
        }
        """;

    [Fact]
    public Task EvaluationWhileThePrivateModeFlagRestsAtTraining_IsReported() =>
        VerifyAsync(("Net.cs", FieldNet.Replace("ENTRY", """
            public double eval(double[] x, double[] y) { {|DRP015:Feed(x)|}; return _h.Zip(y, (a, b) => a - b).Sum(); }
            """)));

    [Fact]
    public Task EvaluationThatSetsTheModeFlagItself_IsSilent() =>
        VerifyAsync(("Net.cs", FieldNet.Replace("ENTRY", """
            public double Evaluate(double[] x, double[] y) { _testing = true; Feed(x); _testing = false; return _h.Zip(y, (a, b) => a - b).Sum(); }
            """)));

    // Training switches the flag on and nothing switches it off: every prediction after the first training step draws.
    private const string StuckNet = """
        public sealed class Net
        {
            private readonly Random _rng = new Random(5);
            private readonly double _keep = 0.8;
            private bool _training;
            private readonly double[] _h = new double[8];

            private void Feed(double[] x)
            {
                for (int i = 0; i < _h.Length; i++)
                {
                    _h[i] = Math.Tanh(x[i % x.Length]);
                    if (!_training) continue;
                    if (_rng.NextDouble() < _keep) _h[i] /= _keep;
                    else _h[i] = 0.0;
                }
            }

            public void Fit(double[][] data)
            {
                _training = true;
                foreach (double[] x in data) Feed(x);
                RESET
            }

            public double[] Predict(double[] x) { PREDICT; return _h; }
        }
        """;

    [Fact]
    public Task TrainingSetsTheFlagAndNothingResetsIt_PredictionDraws_IsReported() =>
        VerifyAsync(("Net.cs", StuckNet.Replace("RESET", "").Replace("PREDICT", "{|DRP015:Feed(x)|}")));

    [Fact]
    public Task TrainingResetsTheFlagWhenItEnds_IsSilent() =>
        VerifyAsync(("Net.cs", StuckNet.Replace("RESET", "_training = false;").Replace("PREDICT", "Feed(x)")));

    // A mode enum instead of a flag: which member draws is read from the comparison, which member prediction passes from the call.
    private const string EnumNet = """
        public enum Phase { Fit, Score }

        public sealed class EnumNet
        {
            private readonly Random _rng = new Random(9);
            private readonly double _dropRate = 0.3;

            public double[] Forward(double[] x, Phase phase)
            {
                var y = (double[])x.Clone();
                if (phase COMPARE Phase.Fit) return y.Select(v => v * (1 - _dropRate)).ToArray();
                for (int i = 0; i < y.Length; i++)
                {
                    if (_rng.NextDouble() < _dropRate) y[i] = 0.0;
                    else y[i] = x[i];
                }

                return y;
            }

            public double[] Predict(double[] x) => PREDICT;
        }
        """;

    [Fact]
    public Task ModeEnumComparedTheWrongWay_PredictPassesTheScoringMember_IsReported() =>
        VerifyAsync(("EnumNet.cs", EnumNet.Replace("COMPARE", "==").Replace("PREDICT", "{|DRP015:Forward(x, Phase.Score)|}")));

    [Fact]
    public Task ModeEnumComparedTheRightWay_PredictPassesTheScoringMember_IsSilent() =>
        VerifyAsync(("EnumNet.cs", EnumNet.Replace("COMPARE", "!=").Replace("PREDICT", "Forward(x, Phase.Score)")));

    // A matrix library's draw: a matrix of uniforms compared in place with the drop fraction (a 0/1 mask), applied in place.
    private const string MatrixNet = """
        public sealed class Mat
        {
            private static readonly Random Rng = new Random(2);
            public readonly double[] Data;
            public Mat(int n) { Data = new double[n]; }
            public static Mat rand(int n) { var m = new Mat(n); for (int i = 0; i < n; i++) m.Data[i] = Rng.NextDouble(); return m; }
            public Mat gti(double v) { for (int i = 0; i < Data.Length; i++) Data[i] = Data[i] > v ? 1 : 0; return this; }
            public Mat muli(Mat o) { for (int i = 0; i < Data.Length; i++) Data[i] *= o.Data[i]; return this; }
            public Mat muli(double v) { for (int i = 0; i < Data.Length; i++) Data[i] *= v; return this; }
        }

        public sealed class Mlp
        {
            private readonly double _dropoutFraction = 0.5;
            private bool _testing = false;
            private Mat _hidden = new Mat(16);
            private Mat _mask;

            private void Feed(Mat x)
            {
                _hidden = x;
                if (_testing) _hidden.muli(1 - _dropoutFraction);
                else
                {
                    _mask = Mat.rand(_hidden.Data.Length).gti(_dropoutFraction);
                    _hidden.muli(_mask);
                }
            }

            public void Train(Mat x) { Feed(x); }

            public Mat Predict(Mat x) { _testing = true; Feed(x); _testing = false; return _hidden; }

            ENTRY
        }
        """;

    [Fact]
    public Task MatrixLibraryMask_EvaluationWhileTheFlagRestsAtTraining_IsReported() =>
        VerifyAsync(("Mlp.cs", MatrixNet.Replace("ENTRY", "public double eval(Mat x) { {|DRP015:Feed(x)|}; return _hidden.Data.Sum(); }")));

    [Fact]
    public Task MatrixLibraryMask_OnlyPredictionThatSetsTheFlag_IsSilent() =>
        VerifyAsync(("Mlp.cs", MatrixNet.Replace("ENTRY", "")));
}
