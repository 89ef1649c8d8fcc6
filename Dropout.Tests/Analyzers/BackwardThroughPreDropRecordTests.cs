using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A backward that never applies the dropout because it differentiates through what the forward recorded BEFORE the drop:
/// the forward computes a unit's value, records it in a member buffer beside the dropped one (`_preActivation[i] = z`),
/// then zeroes or scales it by a draw, and the backward computes the activation's derivative at the recorded, undropped
/// value with neither the mask, the flag, nor the probability. Dropped units get a gradient as if they were kept (DRP013).
/// Twins: a backward that reads the mask or the probability, one that differentiates through the dropped buffer itself,
/// a record of the dropped value, dropout on the network's input, and Monte Carlo dropout without a backward: silent.
/// </summary>
public sealed class BackwardThroughPreDropRecordTests
{
    private static string Net(string dropout, string backwardDerivative = "Derivative(_pre[i])", string extraBackward = "", string backwardName = "Backpropagate", string forwardStart = "") => $$"""
        public sealed class QNetwork
        {
            private readonly Random _rng = new Random(3);
            private readonly double[][] _w = new double[2][];
            private readonly double[] _pre = new double[8];
            private readonly double[] _act = new double[8];
            private readonly bool[] _kept = new bool[8];
            private double[] _input = new double[4];

            public bool DropoutOn { get; set; }
            public double DropRate { get; set; } = 0.3;

            public double[] Predict(double[] x)
            {
                {{forwardStart}}
                _input = x;
                for (int i = 0; i < _act.Length; i++)
                {
                    double z = 0;
                    for (int k = 0; k < _input.Length; k++) z += _w[0][i * 4 + k] * _input[k];
                    {{dropout}}
                }
                return _act;
            }

            public void {{backwardName}}(double[] gradAct, double lr)
            {
                var delta = new double[_act.Length];
                for (int i = 0; i < _act.Length; i++)
                {
                    delta[i] = gradAct[i] * {{backwardDerivative}};
                    {{extraBackward}}
                }
                for (int i = 0; i < _act.Length; i++)
                    for (int k = 0; k < _input.Length; k++)
                        _w[0][i * 4 + k] -= lr * delta[i] * _input[k];
            }

            private static double Activate(double v) => Math.Tanh(v);

            private static double Derivative(double v) { double t = Math.Tanh(v); return 1 - t * t; }
        }
        """;

    // Inverted dropout on the pre-activation, with the undropped value recorded beside it (the Q-learning network's shape).
    private const string RecordThenDrop = """
        _pre[i] = z;
        double dropped = DropoutOn && _rng.NextDouble() < DropRate ? 0 : z / (1 - DropRate);
        _act[i] = Activate(dropped);
        """;

    [Fact]
    public Task BackwardThroughTheValueRecordedBeforeTheDrop_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Net(RecordThenDrop).Replace("public void Backpropagate(", "public void {|DRP013:Backpropagate|}("));

    [Fact]
    public Task RecordWrittenAfterTheDrop_InAnIfElse_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Net("""
                double value = z / (1 - DropRate);
                if (DropoutOn && _rng.NextDouble() < DropRate) value = 0;
                _act[i] = Activate(value);
                _pre[i] = z;
                """).Replace("public void Backpropagate(", "public void {|DRP013:Backpropagate|}("));

    [Fact]
    public Task BackwardThatAlsoReadsTheStoredMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            _pre[i] = z;
            _kept[i] = !DropoutOn || _rng.NextDouble() >= DropRate;
            _act[i] = Activate(_kept[i] ? z / (1 - DropRate) : 0);
            """, extraBackward: "if (!_kept[i]) delta[i] = 0; else delta[i] /= 1 - DropRate;"));

    [Fact]
    public Task BackwardThatReadsTheProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(RecordThenDrop, extraBackward: "delta[i] /= 1 - DropRate;"));

    // Through the dropped buffer itself: with classic dropout the derivative of the dropped value may be exactly the mask
    // (ReLU, sigmoid), so nothing is claimed; with inverted dropout the 1/p can only come from the probability, which the
    // backward never reads (BackwardThroughDroppedOutputTests).
    [Fact]
    public Task BackwardThroughTheDroppedBufferItself_ClassicDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            _pre[i] = DropoutOn && _rng.NextDouble() < DropRate ? 0 : z;
            _act[i] = Activate(_pre[i]);
            """));

    [Fact]
    public Task BackwardThroughTheDroppedBufferItself_InvertedDropout_IsReportedAsMissingTheScale() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            _pre[i] = DropoutOn && _rng.NextDouble() < DropRate ? 0 : z / (1 - DropRate);
            _act[i] = Activate(_pre[i]);
            """).Replace("public void Backpropagate(", "public void {|DRP013:Backpropagate|}("));

    [Fact]
    public Task RecordOfTheDroppedValue_ClassicDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            double dropped = DropoutOn && _rng.NextDouble() < DropRate ? 0 : z;
            _pre[i] = dropped;
            _act[i] = Activate(dropped);
            """));

    [Fact]
    public Task RecordOfTheDroppedValue_InvertedDropout_IsReportedAsMissingTheScale() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            double dropped = DropoutOn && _rng.NextDouble() < DropRate ? 0 : z / (1 - DropRate);
            _pre[i] = dropped;
            _act[i] = Activate(dropped);
            """).Replace("public void Backpropagate(", "public void {|DRP013:Backpropagate|}("));

    [Fact]
    public Task DropoutOnTheNetworkInput_WithTheRawInputRecorded_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net("""
            _pre[i] = z;
            _act[i] = Activate(z);
            """, forwardStart: """
            for (int k = 0; k < x.Length; k++)
            {
                _kept[k % 8] = x[k] != 0;
                double raw = x[k];
                _pre[k] = raw;
                x[k] = DropoutOn && _rng.NextDouble() < DropRate ? 0 : raw / (1 - DropRate);
            }
            """, backwardDerivative: "Derivative(_act[i])"));

    [Fact]
    public Task MonteCarloDropoutWithoutABackward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Net(RecordThenDrop, backwardName: "Nudge"));

    // The forward has a branch with dropout and one without, each recording its undropped sum in the same buffer, under a
    // gate that also reads a list's Count (which the backward reads for its loops: not the dropout's state).
    [Fact]
    public Task RecordInBothBranchesOfTheDropoutGate_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public sealed class GameBrain
            {
                public List<int> Sizes { get; } = new List<int> { 4, 8, 2 };
                public double[][] Values { get; } = new double[3][];
                public double[][] Sums { get; } = new double[3][];
                public double[][] W { get; } = new double[2][];
                public bool DropoutActive { get; set; }
                public float DropPercent { get; set; } = 20;

                public double[] Run(double[] x)
                {
                    Values[0] = x;
                    double rate = DropPercent / 100.0;
                    double scaler = 1.0 / (1 - rate);
                    var rng = new Random(1);
                    for (int layer = 1; layer < Sizes.Count; layer++)
                    {
                        double[] sums = Sums[layer];
                        double[] below = Values[layer - 1];
                        bool drop = layer != Sizes.Count - 1 && DropoutActive;
                        if (drop)
                        {
                            Parallel.For(0, Sizes[layer], n =>
                            {
                                double s = 0;
                                for (int k = 0; k < below.Length; k++) s += W[layer - 1][n * below.Length + k] * below[k];
                                double u = rng.NextDouble();
                                double v = u < rate ? 0 : s * scaler;
                                Values[layer][n] = Math.Tanh(v);
                                sums[n] = s;
                            });
                        }
                        else
                        {
                            Parallel.For(0, Sizes[layer], n =>
                            {
                                double s = 0;
                                for (int k = 0; k < below.Length; k++) s += W[layer - 1][n * below.Length + k] * below[k];
                                Values[layer][n] = Math.Tanh(s);
                                sums[n] = s;
                            });
                        }
                    }
                    return Values[Sizes.Count - 1];
                }

                public void {|DRP013:BackPropagate|}(double[] error, double lr)
                {
                    for (int layer = Sizes.Count - 1; layer >= 1; layer--)
                    {
                        var next = new double[Sizes[layer - 1]];
                        for (int n = 0; n < Sizes[layer]; n++)
                        {
                            double d = error[n] * Slope(Sums[layer][n]);
                            for (int k = 0; k < next.Length; k++)
                            {
                                next[k] += W[layer - 1][n * next.Length + k] * d;
                                W[layer - 1][n * next.Length + k] -= lr * d * Values[layer - 1][k];
                            }
                        }
                        error = next;
                    }
                }

                private static double Slope(double v) { double t = Math.Tanh(v); return 1 - t * t; }
            }
            """);
}
