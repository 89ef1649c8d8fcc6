using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// An inverted dropout whose mask does not survive its method (nothing records which units were dropped), followed by a
/// hand-written gradient step that neither masks nor scales (DRP013). Two shapes:
/// <list type="bullet">
/// <item>a unit drops its own output member in place (<c>Activation = 0</c> or <c>Activation /= 1 - rate</c>) and another
/// method of the unit, whatever its name, updates the weights the forward multiplied with a derivative taken at what the
/// unit recorded (its output, its pre-activation): a dropped unit still learns, a kept one misses 1/p;</item>
/// <item>a training step hands a hidden activation to a dropout helper that returns only the dropped copy, then, in the
/// same method, differentiates through the hidden layer (a ReLU gate on the pre-activation, a derivative call) and
/// updates the weights below it: the gradient never meets the mask or the 1/p.</item>
/// </list>
/// Twins that stay silent: the mask stored and applied, classic dropout, a forward-only model (Monte Carlo prediction), a
/// gradient-free update (Hebbian, evolution), an update or backward that only runs when dropout is off, and an update that
/// re-runs the forward first.
/// </summary>
public sealed class MasklessDropoutBackwardTests
{
    // ---- a unit that drops its own output, and a weight update of the same unit ----

    private static string Unit(string drop, string learn, string extraMembers = "") => $$"""
        using System;

        public sealed class Cell
        {
            private static readonly Random Dice = new Random(17);
            private readonly double _dropRate;

            public Cell(int fanIn, double dropRate)
            {
                Gains = new double[fanIn];
                _dropRate = dropRate;
            }

            public double[] Gains { get; }
            public double Offset { get; set; }
            public double Net { get; private set; }
            public double Activation { get; private set; }
            public double Blame { get; set; }
            public bool Dropped { get; private set; }

            public double Fire(double[] x, bool training)
            {
                double sum = Offset;
                for (int i = 0; i < x.Length; i++)
                    sum += Gains[i] * x[i];
                Net = sum;
                Activation = Math.Tanh(Net);
                if (training && _dropRate > 0)
                {
                    {{drop}}
                }
                return Activation;
            }

            private static double TanhSlope(double y) => 1 - y * y;

            private static double ReluSlope(double z) => z > 0 ? 1 : 0;

            {{extraMembers}}

            public void Learn(double[] x, double step)
            {
                {{learn}}
            }
        }
        """;

    private const string InvertedInPlace = "if (Dice.NextDouble() < _dropRate) Activation = 0; else Activation /= 1 - _dropRate;";

    private const string DerivativeStep = """
        double local = Blame * TanhSlope(Activation);
        for (int i = 0; i < Gains.Length; i++)
            Gains[i] -= step * local * x[i];
        Offset -= step * local;
        """;

    [Fact]
    public Task UnitUpdate_DerivativeOfTheDroppedOutput_NoMaskKept_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, DerivativeStep).Replace("public void Learn(", "public void {|DRP013:Learn|}("));

    [Fact]
    public Task UnitUpdate_ReluGateOnThePreActivation_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, """
                double local = Net > 0 ? Blame : 0;
                for (int i = 0; i < Gains.Length; i++)
                    Gains[i] -= step * local * x[i];
                """).Replace("public void Learn(", "public void {|DRP013:Learn|}("));

    [Fact]
    public Task UnitUpdate_InlineTanhDerivative_DroppedByConditionalExpression_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit("Activation = Dice.NextDouble() < _dropRate ? 0 : Activation / (1 - _dropRate);", """
                for (int i = 0; i < Gains.Length; i++)
                    Gains[i] += step * Blame * (1 - Activation * Activation) * x[i];
                """).Replace("public void Learn(", "public void {|DRP013:Learn|}("));

    [Fact]
    public Task UnitUpdate_ThatReadsTheStoredMaskAndScales_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit("Dropped = Dice.NextDouble() < _dropRate; if (Dropped) Activation = 0; else Activation /= 1 - _dropRate;", """
                if (Dropped) return;
                double local = Blame * TanhSlope(Activation * (1 - _dropRate)) / (1 - _dropRate);
                for (int i = 0; i < Gains.Length; i++)
                    Gains[i] -= step * local * x[i];
                """));

    [Fact]
    public Task ClassicDropout_UpdateThroughTheDroppedOutput_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit("if (Dice.NextDouble() < _dropRate) Activation = 0;", DerivativeStep));

    [Fact]
    public Task HebbianUpdate_NoDerivative_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, """
                for (int i = 0; i < Gains.Length; i++)
                    Gains[i] += step * x[i] * Activation;
                """));

    [Fact]
    public Task EvolutionaryMutation_ReadsNoActivation_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, """
                for (int i = 0; i < Gains.Length; i++)
                    Gains[i] += step * (Dice.NextDouble() * 2 - 1);
                """));

    [Fact]
    public Task UpdateThatOnlyRunsWithDropoutOff_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, "if (_dropRate > 0) throw new InvalidOperationException(\"train without dropout\");\n" + DerivativeStep));

    [Fact]
    public Task UpdateThatRerunsTheForwardWithoutDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, "Fire(x, training: false);\n" + DerivativeStep));

    [Fact]
    public Task ForwardOnlyUnit_MonteCarloPrediction_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Unit(InvertedInPlace, """
                double sum = 0;
                for (int k = 0; k < 20; k++)
                    sum += Fire(x, training: true);
                Blame = sum / 20 * step;
                """));

    // ---- a training step: dropout helper that returns only the dropped copy, then a hand-written backward ----

    private static string Step(string dropHelper, string backwardGate, string call = "Drop(act, _dropRate)", string extraAfterGate = "") => $$"""
        using System;

        public sealed class TwoLayerClassifier
        {
            private readonly Random _rng = new Random(9);
            private readonly double _dropRate;
            private readonly double[,] _inW;
            private readonly double[,] _outW;
            private readonly double[] _inB;

            public TwoLayerClassifier(int inputs, int hidden, int classes, double dropRate)
            {
                _inW = new double[inputs, hidden];
                _outW = new double[hidden, classes];
                _inB = new double[hidden];
                _dropRate = dropRate;
            }

            public void Fit(double[,] x, double[,] targets, int epochs, double lr)
            {
                for (int e = 0; e < epochs; e++)
                {
                    double[,] pre = Mul(x, _inW);
                    AddRow(pre, _inB);
                    var act = new double[pre.GetLength(0), pre.GetLength(1)];
                    for (int i = 0; i < pre.GetLength(0); i++)
                        for (int j = 0; j < pre.GetLength(1); j++)
                            act[i, j] = Math.Max(0, pre[i, j]);
                    double[,] dropped = {{call}};
                    double[,] output = Mul(dropped, _outW);
                    double[,] dOut = Sub(output, targets);
                    double[,] gOut = Mul(Transpose(dropped), dOut);
                    double[,] dAct = Mul(dOut, Transpose(_outW));
                    for (int i = 0; i < dAct.GetLength(0); i++)
                        for (int j = 0; j < dAct.GetLength(1); j++)
                            {{backwardGate}}
                    {{extraAfterGate}}
                    double[,] gIn = Mul(Transpose(x), dAct);
                    Descend(_inW, gIn, lr);
                    Descend(_outW, gOut, lr);
                    for (int j = 0; j < _inB.Length; j++)
                        _inB[j] -= lr * ColumnSum(dAct, j);
                }
            }

            public double[,] Predict(double[,] x)
            {
                double[,] pre = Mul(x, _inW);
                AddRow(pre, _inB);
                for (int i = 0; i < pre.GetLength(0); i++)
                    for (int j = 0; j < pre.GetLength(1); j++)
                        pre[i, j] = Math.Max(0, pre[i, j]);
                return Mul(pre, _outW);
            }

            {{dropHelper}}

            private static void Descend(double[,] w, double[,] g, double lr)
            {
                for (int i = 0; i < w.GetLength(0); i++)
                    for (int j = 0; j < w.GetLength(1); j++)
                        w[i, j] -= lr * g[i, j];
            }

            private static void AddRow(double[,] m, double[] row)
            {
                for (int i = 0; i < m.GetLength(0); i++)
                    for (int j = 0; j < m.GetLength(1); j++)
                        m[i, j] += row[j];
            }

            private static double ColumnSum(double[,] m, int j)
            {
                double s = 0;
                for (int i = 0; i < m.GetLength(0); i++) s += m[i, j];
                return s;
            }

            private static double ReluPrime(double z) => z > 0 ? 1 : 0;

            private static double[,] Mul(double[,] a, double[,] b) => new double[a.GetLength(0), b.GetLength(1)];

            private static double[,] Sub(double[,] a, double[,] b) => new double[a.GetLength(0), a.GetLength(1)];

            private static double[,] Transpose(double[,] a) => new double[a.GetLength(1), a.GetLength(0)];
        }
        """;

    private const string InvertedHelper = """
        private double[,] Drop(double[,] a, double rate)
        {
            var result = new double[a.GetLength(0), a.GetLength(1)];
            double scale = 1.0 / (1.0 - rate);
            for (int i = 0; i < a.GetLength(0); i++)
                for (int j = 0; j < a.GetLength(1); j++)
                    result[i, j] = _rng.NextDouble() < rate ? 0.0 : a[i, j] * scale;
            return result;
        }
        """;

    private const string ReluGate = "if (pre[i, j] <= 0) dAct[i, j] = 0;";

    [Fact]
    public Task TrainingStep_ReluGateOnly_MaskNeverKept_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, ReluGate).Replace("public void Fit(", "public void {|DRP013:Fit|}("));

    [Fact]
    public Task TrainingStep_DerivativeCallOnTheHiddenActivation_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, "dAct[i, j] *= ReluPrime(act[i, j]);").Replace("public void Fit(", "public void {|DRP013:Fit|}("));

    [Fact]
    public Task TrainingStep_DropHelperWithATrainingFlagArgument_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper.Replace("double rate)", "double rate, bool training)").Replace("var result", "if (!training || rate <= 0) return a;\n    var result"),
                ReluGate, call: "Drop(act, _dropRate, training: true)").Replace("public void Fit(", "public void {|DRP013:Fit|}("));

    // The helper also hands its mask back; the backward multiplies by it (it holds 0 or 1/p).
    [Fact]
    public Task TrainingStep_MaskHandedBackAndApplied_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step("""
                private double[,] Drop(double[,] a, double rate, out double[,] mask)
                {
                    var result = new double[a.GetLength(0), a.GetLength(1)];
                    mask = new double[a.GetLength(0), a.GetLength(1)];
                    for (int i = 0; i < a.GetLength(0); i++)
                        for (int j = 0; j < a.GetLength(1); j++)
                        {
                            mask[i, j] = _rng.NextDouble() < rate ? 0.0 : 1.0 / (1.0 - rate);
                            result[i, j] = a[i, j] * mask[i, j];
                        }
                    return result;
                }
                """, "dAct[i, j] = pre[i, j] <= 0 ? 0 : dAct[i, j] * mask[i, j];", call: "Drop(act, _dropRate, out double[,] mask)"));

    // The backward recovers the mask from the dropped copy and divides by the keep probability itself.
    [Fact]
    public Task TrainingStep_BackwardTestsTheDroppedCopyAndDividesByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, "dAct[i, j] = dropped[i, j] == 0 ? 0 : dAct[i, j] / (1 - _dropRate);"));

    [Fact]
    public Task TrainingStep_ClassicDropoutTestedByTheDroppedCopy_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper.Replace(" * scale", ""), "if (dropped[i, j] == 0) dAct[i, j] = 0;"));

    // Dropout only on the network's input: nothing below it is trained.
    [Fact]
    public Task TrainingStep_DropoutOnTheInputOnly_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, ReluGate, call: "act").Replace("double[,] pre = Mul(x, _inW);", "x = Drop(x, _dropRate);\n double[,] pre = Mul(x, _inW);"));

    // The hand-written backward runs only on steps without dropout.
    [Fact]
    public Task TrainingStep_BackwardOnlyWhenDropoutIsOff_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, ReluGate, call: "_dropRate > 0 ? Drop(act, _dropRate) : act")
                .Replace("double[,] gIn = Mul(Transpose(x), dAct);", "if (_dropRate > 0) continue;\n double[,] gIn = Mul(Transpose(x), dAct);"));

    // Gradient-free: random search keeps a perturbation of the weights below the dropout; nothing differentiates.
    [Fact]
    public Task TrainingStep_RandomSearchUpdate_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Step(InvertedHelper, "dAct[i, j] = _rng.NextDouble() - 0.5;"));

    // Monte Carlo prediction: the same dropout helper averaged over passes of a forward-only model, no backward at all.
    [Fact]
    public Task MonteCarloPrediction_NoBackward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>($$"""
            using System;

            public sealed class UncertainRegressor
            {
                private readonly Random _rng = new Random(9);
                private readonly double _dropRate = 0.2;
                private readonly double[,] _inW = new double[4, 8];
                private readonly double[,] _outW = new double[8, 1];

                public double[,] PredictMean(double[,] x, int passes)
                {
                    double[,] pre = Mul(x, _inW);
                    var act = new double[pre.GetLength(0), pre.GetLength(1)];
                    for (int i = 0; i < pre.GetLength(0); i++)
                        for (int j = 0; j < pre.GetLength(1); j++)
                            act[i, j] = pre[i, j] > 0 ? pre[i, j] : 0;
                    var sum = new double[pre.GetLength(0), 1];
                    for (int k = 0; k < passes; k++)
                    {
                        double[,] o = Mul(Drop(act, _dropRate), _outW);
                        for (int i = 0; i < o.GetLength(0); i++)
                            sum[i, 0] += o[i, 0] / passes;
                    }
                    return sum;
                }

                {{InvertedHelper}}

                private static double[,] Mul(double[,] a, double[,] b) => new double[a.GetLength(0), b.GetLength(1)];
            }
            """);
}
