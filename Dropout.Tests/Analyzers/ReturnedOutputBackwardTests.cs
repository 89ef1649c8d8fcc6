using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP013 for a layer whose forward returns the output of an inverted dropout it applied in place and keeps no mask: the
/// backward of the same layer carries the gradient to the weights the forward used before the drop, yet nothing of the
/// decision survived the forward, and the backward reads neither the rate nor a flag, so it cannot apply m/p. Twins: the
/// mask kept and applied, the rate and a record of the drop read by the backward, classic dropout, and dropout on the
/// layer's input.
/// </summary>
public sealed class ReturnedOutputBackwardTests
{
    private const string Unit = """
        public sealed class Unit
        {
            public double[] W;
            public double B;
            public double Out;
            public Unit(int n) { W = new double[n]; }
            public double Eval(double[] x) { double s = B; for (int j = 0; j < W.Length; j++) s += W[j] * x[j]; return s; }
        }

        """;

    private const string TanhBackward = """
            public double[] BACKWARD(double[] grad, double[] x, double lr)
            {
                var gx = new double[x.Length];
                for (int i = 0; i < units.Count; i++)
                {
                    var u = units[i];
                    double g = grad[i] * (1 - u.Out * u.Out);
                    for (int j = 0; j < x.Length; j++)
                    {
                        gx[j] += g * u.W[j];
                        u.W[j] -= lr * g * x[j];
                    }
                    u.B -= lr * g;
                }
                return gx;
            }
        """;

    private static string Layer(string dropLoop, string backwardName = "Backward") => Unit + """
        public sealed class DenseBlock
        {
            private static readonly Random Rng = new Random(3);
            private readonly List<Unit> units = new List<Unit>();
            private readonly double dropRate;

            public DenseBlock(int size, int inputs, double dropRate)
            {
                this.dropRate = dropRate;
                for (int i = 0; i < size; i++) units.Add(new Unit(inputs));
            }

            public double[] Forward(double[] x, bool training)
            {
                var y = new double[units.Count];
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = Math.Tanh(units[i].Eval(x));
                    units[i].Out = y[i];
                }

                if (training && dropRate > 0)
                {
                    for (int i = 0; i < y.Length; i++)
                    {
        """ + dropLoop + """

                    }
                }

                return y;
            }

        """ + TanhBackward.Replace("BACKWARD", backwardName) + """
        }
        """;

    [Fact]
    public Task BackwardOfALayerReturningItsInvertedDropoutOutput_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
                        if (Rng.NextDouble() < dropRate) y[i] = 0;
                        else y[i] /= 1 - dropRate;
            """, "{|DRP013:Backward|}"));

    [Fact]
    public Task BackwardOfALayerReturningItsClassicDropoutOutput_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Layer("""
                        if (Rng.NextDouble() < dropRate) y[i] = 0;
            """));

    [Fact]
    public Task BackwardThatAppliesTheMaskTheForwardKept_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Unit + """
            public sealed class DenseBlock
            {
                private static readonly Random Rng = new Random(3);
                private readonly List<Unit> units = new List<Unit>();
                private readonly double dropRate;
                private readonly double[] keep;

                public DenseBlock(int size, int inputs, double dropRate)
                {
                    this.dropRate = dropRate;
                    keep = new double[size];
                    for (int i = 0; i < size; i++) units.Add(new Unit(inputs));
                }

                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[units.Count];
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = Math.Tanh(units[i].Eval(x));
                        units[i].Out = y[i];
                        keep[i] = 1;
                    }

                    if (training && dropRate > 0)
                    {
                        for (int i = 0; i < y.Length; i++)
                        {
                            keep[i] = Rng.NextDouble() < dropRate ? 0 : 1 / (1 - dropRate);
                            y[i] *= keep[i];
                        }
                    }

                    return y;
                }

                public double[] Backward(double[] grad, double[] x, double lr)
                {
                    var gx = new double[x.Length];
                    for (int i = 0; i < units.Count; i++)
                    {
                        var u = units[i];
                        double g = grad[i] * keep[i] * (1 - u.Out * u.Out);
                        for (int j = 0; j < x.Length; j++)
                        {
                            gx[j] += g * u.W[j];
                            u.W[j] -= lr * g * x[j];
                        }
                        u.B -= lr * g;
                    }
                    return gx;
                }
            }
            """);

    [Fact]
    public Task BackwardThatRecoversTheScaleFromTheRate_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Unit + """
            public sealed class DenseBlock
            {
                private static readonly Random Rng = new Random(5);
                private readonly List<Unit> units = new List<Unit>();
                private readonly double dropRate;

                public DenseBlock(int size, int inputs, double dropRate)
                {
                    this.dropRate = dropRate;
                    for (int i = 0; i < size; i++) units.Add(new Unit(inputs));
                }

                public double[] Forward(double[] x, bool training)
                {
                    var y = new double[units.Count];
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = Math.Tanh(units[i].Eval(x));
                        units[i].Out = y[i];
                    }

                    if (training && dropRate > 0)
                    {
                        for (int i = 0; i < y.Length; i++)
                        {
                            if (Rng.NextDouble() < dropRate) y[i] = 0;
                            else y[i] /= 1 - dropRate;
                        }
                    }

                    return y;
                }

                public double[] Backward(double[] grad, double[] y, double[] x, double lr)
                {
                    var gx = new double[x.Length];
                    for (int i = 0; i < units.Count; i++)
                    {
                        var u = units[i];
                        double g = y[i] == 0 ? 0 : grad[i] / (1 - dropRate) * (1 - u.Out * u.Out);
                        for (int j = 0; j < x.Length; j++)
                        {
                            gx[j] += g * u.W[j];
                            u.W[j] -= lr * g * x[j];
                        }
                        u.B -= lr * g;
                    }
                    return gx;
                }
            }
            """);

    [Fact]
    public Task BackwardOfALayerThatDropsOnlyItsInput_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Unit + """
            public sealed class InputDropout
            {
                private static readonly Random Rng = new Random(9);
                private readonly double dropRate;
                private readonly List<Unit> units = new List<Unit>();

                public InputDropout(double dropRate) { this.dropRate = dropRate; }

                public double[] Forward(double[] x, bool training)
                {
                    var y = (double[])x.Clone();
                    if (training)
                    {
                        for (int i = 0; i < y.Length; i++)
                        {
                            if (Rng.NextDouble() < dropRate) y[i] = 0;
                            else y[i] /= 1 - dropRate;
                        }
                    }

                    return y;
                }

                public void Backward(double[] grad, double lr)
                {
                    foreach (var u in units) for (int j = 0; j < u.W.Length; j++) u.W[j] -= lr * grad[j];
                }
            }
            """);
    // ---- a dropout helper of another type that returns only the dropped copy ----

    private static string Graph(string helper, string forwardCall, string backwardStep) => """
        public static class Ops
        {
            private static readonly Random Rng = new Random(21);

        """ + helper + """

        }

        public sealed class GraphLayer
        {
            public double[][] Input = new double[0][];
            public double[][] GradInput = new double[0][];
            public double[][] Forward(double[][] x) { Input = x; return x; }
            public void Backward(double[][] g) { GradInput = g; }
        }

        public sealed class GraphNet
        {
            private readonly GraphLayer[] layers = { new GraphLayer(), new GraphLayer() };
            private readonly double[][][] masks = new double[2][][];
            private double rate = 0.5;

            public void Train() => rate = 0.5;
            public void Eval() => rate = 0;

            public double[][] Forward(double[][] x)
            {
                var h = x;
                for (int i = 0; i < layers.Length; i++)
                {
                    h = layers[i].Forward(h);
                    if (i < layers.Length - 1)
                    {
        """ + forwardCall + """

                    }
                }
                return h;
            }

            public void BACKWARD(double[][] grad)
            {
                var g = grad;
                for (int i = layers.Length - 1; i >= 0; i--)
                {
        """ + backwardStep + """

                    layers[i].Backward(g);
                    g = layers[i].GradInput;
                }
            }
        }
        """;

    private const string MasklessHelper = """
            public static double[][] Dropout(double[][] x, double rate)
            {
                var y = new double[x.Length][];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = new double[x[i].Length];
                    for (int j = 0; j < x[i].Length; j++)
                    {
                        if (Rng.NextDouble() < rate) y[i][j] = 0;
                        else y[i][j] = x[i][j] / (1 - rate);
                    }
                }
                return y;
            }
        """;

    [Fact]
    public Task BackwardOfAModelThatDropsThroughAMasklessHelperOfAnotherType_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Graph(MasklessHelper, "            h = Ops.Dropout(h, rate);", "").Replace("BACKWARD", "{|DRP013:Backward|}"));

    [Fact]
    public Task BackwardThatAppliesTheMaskTheHelperHandedBack_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Graph("""
                public static double[][] Dropout(double[][] x, double rate, out double[][] mask)
                {
                    var y = new double[x.Length][];
                    mask = new double[x.Length][];
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = new double[x[i].Length];
                        mask[i] = new double[x[i].Length];
                        for (int j = 0; j < x[i].Length; j++)
                        {
                            mask[i][j] = Rng.NextDouble() < rate ? 0 : 1 / (1 - rate);
                            y[i][j] = x[i][j] * mask[i][j];
                        }
                    }
                    return y;
                }
            """, "            h = Ops.Dropout(h, rate, out masks[i]);", """
                        if (i < layers.Length - 1)
                            for (int r = 0; r < g.Length; r++) for (int c = 0; c < g[r].Length; c++) g[r][c] *= masks[i][r][c];
            """).Replace("BACKWARD", "Backward"));

    [Fact]
    public Task BackwardThatScalesByTheModelsRate_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Graph(MasklessHelper, "            h = Ops.Dropout(h, rate);", """
                        if (i < layers.Length - 1)
                            for (int r = 0; r < g.Length; r++) for (int c = 0; c < g[r].Length; c++) g[r][c] = layers[i + 1].Input[r][c] == 0 ? 0 : g[r][c] / (1 - rate);
            """).Replace("BACKWARD", "Backward"));

    [Fact]
    public Task BackwardOfAModelThatDropsThroughAClassicHelper_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Graph(MasklessHelper.Replace("x[i][j] / (1 - rate)", "x[i][j]"), "            h = Ops.Dropout(h, rate);", "").Replace("BACKWARD", "Backward"));
}
