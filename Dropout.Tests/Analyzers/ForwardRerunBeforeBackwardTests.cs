using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP008 across calls and classes: a backward that re-runs a component's forward (to rebuild cached values) before the
/// component's backward, while the owner's own forward already ran it. The component's dropout draws a fresh mask into a
/// member on every forward and its backward reads that member, so the gradient is masked by the re-run's mask, not by the
/// one that produced the loss. Silent: the normal step (forward, then backward on the same layer), a backward whose
/// re-run's output is what it differentiates, recomputation that reuses the mask or restores the generator (a flag, a
/// stored seed, a restore call), a component the owner's forward never ran, and Monte Carlo sampling at prediction.
/// </summary>
public sealed class ForwardRerunBeforeBackwardTests
{
    // A dropout component: a fresh mask into `_keep` on every training forward, read by its backward.
    private const string DropComponent = """
        public sealed class DropUnit
        {
            private readonly Random _rng;
            private readonly double _rate;
            private double[] _keep = Array.Empty<double>();
            public bool Training { get; set; } = true;
            public DropUnit(double rate, int seed) { _rate = rate; _rng = new Random(seed); }
            public double[] Apply(double[] x)
            {
                if (!Training) return x;
                _keep = new double[x.Length];
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    _keep[i] = _rng.NextDouble() < _rate ? 0 : 1 / (1 - _rate);
                    y[i] = x[i] * _keep[i];
                }
                return y;
            }
            public double[] Backward(double[] g)
            {
                var d = new double[g.Length];
                for (int i = 0; i < g.Length; i++) d[i] = g[i] * _keep[i];
                return d;
            }
        }

        public sealed class Block
        {
            private readonly DropUnit _drop = new(0.1, 1);
            private double[] _input = Array.Empty<double>();
            public double[] Forward(double[] x) { _input = x; return Residual(x, _drop.Apply(Transform(x))); }
            public double[] Backward(double[] g) => Residual(g, Transform(_drop.Backward(g)));
            private static double[] Transform(double[] v) => v.Select(e => e * 0.5).ToArray();
            private static double[] Residual(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();
        }
        """;

    [Fact]
    public Task BackwardRerunningEachBlocksForward_BeforeItsBackward_IsReported() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>(DropComponent + """
            public sealed class Stack
            {
                private readonly Block[] _blocks = { new Block(), new Block() };
                private readonly double[][] _inputs = new double[2][];
                public double[] Forward(double[] x)
                {
                    for (int i = 0; i < _blocks.Length; i++) { _inputs[i] = x; x = _blocks[i].Forward(x); }
                    return x;
                }
                public double[] Backward(double[] grad)
                {
                    for (int i = _blocks.Length - 1; i >= 0; i--)
                    {
                        // rebuild the block's cache
                        {|DRP008:_blocks[i].Forward(_inputs[i])|};
                        grad = _blocks[i].Backward(grad);
                    }
                    return grad;
                }
            }
            """);

    [Fact]
    public Task BackpropRerunningTheHiddenLayerHeldInAList_IsReported() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>(DropComponent + """
            public sealed class Net
            {
                public List<Block> Layers { get; } = new() { new Block(), new Block(), new Block() };
                private double[] _x = Array.Empty<double>();
                public double[] Predict(double[] x)
                {
                    _x = x;
                    foreach (Block layer in Layers) x = layer.Forward(x);
                    for (int i = 0; i < Layers.Count; i++) x = Layers[i].Forward(x);
                    return x;
                }
                public void Backpropagate(double[] outputGradient)
                {
                    double[] g = outputGradient;
                    for (int i = Layers.Count - 1; i >= 0; i--)
                    {
                        double[] h = _x;
                        for (int j = 0; j < i; j++) h = Layers[j].Forward(h);
                        var unused = {|DRP008:Layers[i].Forward(h)|};
                        g = Layers[i].Backward(g);
                    }
                }
            }
            """);

    [Fact]
    public Task GradientMethodRerunningAComponentWhoseForwardStoresABooleanMask_IsReported() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>("""
            public sealed class Hidden
            {
                private readonly Random _random = new();
                public float Keep = 0.8f;
                public bool[] Kept = Array.Empty<bool>();
                public float[] Forward(float[] x)
                {
                    Kept = new bool[x.Length];
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        Kept[i] = _random.NextSingle() < Keep;
                        y[i] = Kept[i] ? x[i] / Keep : 0f;
                    }
                    return y;
                }
                public float[] Backward(float[] g) => g.Select((v, i) => Kept[i] ? v / Keep : 0f).ToArray();
            }

            public sealed class Model
            {
                private readonly Hidden _hidden = new();
                private float[] _lastInput = Array.Empty<float>();
                public float[] Run(float[] x) { _lastInput = x; return _hidden.Forward(x); }
                public float[] ComputeGradient(float[] dOut)
                {
                    {|DRP008:_hidden.Forward(_lastInput)|};
                    return _hidden.Backward(dOut);
                }
            }
            """);

    [Fact]
    public Task BackwardWithoutRerun_AndATrainStepCallingForwardThenBackward_AreSilent() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>(DropComponent + """
            public sealed class Stack
            {
                private readonly Block[] _blocks = { new Block(), new Block() };
                public double[] Forward(double[] x)
                {
                    foreach (Block block in _blocks) x = block.Forward(x);
                    return x;
                }
                public double[] Backward(double[] grad)
                {
                    for (int i = _blocks.Length - 1; i >= 0; i--) grad = _blocks[i].Backward(grad);
                    return grad;
                }
                public void Train(double[] x, double[] target)
                {
                    double[] y = _blocks[0].Forward(x);
                    _blocks[0].Backward(y.Zip(target, (a, b) => a - b).ToArray());
                }
            }
            """);

    [Fact]
    public Task BackpropWhoseForwardOutputIsWhatItDifferentiates_IsSilent() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>(DropComponent + """
            public sealed class Learner
            {
                private readonly Block _block = new();
                public double[] Predict(double[] x) => _block.Forward(x);
                public double[] Backpropagate(double[] x, double[] target)
                {
                    double[] y = _block.Forward(x);
                    double[] error = new double[y.Length];
                    for (int i = 0; i < y.Length; i++) error[i] = y[i] - target[i];
                    return _block.Backward(error);
                }
            }
            """);

    [Fact]
    public Task CheckpointedRerunThatReusesTheStoredMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>("""
            public sealed class Segment
            {
                private readonly Random _rng = new(4);
                private readonly double _keep = 0.9;
                private double[] _mask = Array.Empty<double>();
                public double[] Forward(double[] x, bool reuseMask = false)
                {
                    if (!reuseMask)
                    {
                        _mask = new double[x.Length];
                        for (int i = 0; i < x.Length; i++) _mask[i] = _rng.NextDouble() < _keep ? 1 / _keep : 0;
                    }
                    return x.Select((v, i) => v * _mask[i]).ToArray();
                }
                public double[] Backward(double[] g) => g.Select((v, i) => v * _mask[i]).ToArray();
            }

            public sealed class CheckpointedStack
            {
                private readonly Segment[] _segments = { new Segment(), new Segment() };
                private readonly double[][] _checkpoints = new double[2][];
                public double[] Forward(double[] x)
                {
                    for (int i = 0; i < _segments.Length; i++) { _checkpoints[i] = x; x = _segments[i].Forward(x); }
                    return x;
                }
                public double[] Backward(double[] g)
                {
                    for (int i = _segments.Length - 1; i >= 0; i--)
                    {
                        _segments[i].Forward(_checkpoints[i], reuseMask: true);
                        g = _segments[i].Backward(g);
                    }
                    return g;
                }
            }
            """);

    [Fact]
    public Task CheckpointedRerunThatRestoresTheGenerator_BySeedOrByARestoreCall_IsSilent() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>("""
            public sealed class Segment
            {
                private Random _rng = new(4);
                private int _seed;
                private readonly double _keep = 0.9;
                private double[] _mask = Array.Empty<double>();
                public void Reseed(int seed) { _seed = seed; _rng = new Random(seed); }
                public double[] Forward(double[] x)
                {
                    _mask = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) _mask[i] = _rng.NextDouble() < _keep ? 1 / _keep : 0;
                    return x.Select((v, i) => v * _mask[i]).ToArray();
                }
                public double[] Backward(double[] g) => g.Select((v, i) => v * _mask[i]).ToArray();
            }

            public sealed class CheckpointedStack
            {
                private readonly Segment[] _segments = { new Segment(), new Segment() };
                private readonly double[][] _checkpoints = new double[2][];
                private readonly int[] _seeds = { 1, 2 };
                public double[] Forward(double[] x)
                {
                    for (int i = 0; i < _segments.Length; i++) { _segments[i].Reseed(_seeds[i]); _checkpoints[i] = x; x = _segments[i].Forward(x); }
                    return x;
                }
                public double[] Backward(double[] g)
                {
                    for (int i = _segments.Length - 1; i >= 0; i--)
                    {
                        _segments[i].Reseed(_seeds[i]);
                        _segments[i].Forward(_checkpoints[i]);
                        g = _segments[i].Backward(g);
                    }
                    return g;
                }
            }
            """);

    [Fact]
    public Task BackwardThatIsTheOnlyRunnerOfTheComponent_AndMonteCarloSamplingAtPrediction_AreSilent() =>
        AnalyzerTest.VerifyAsync<ForwardRerunBeforeBackwardAnalyzer>(DropComponent + """
            public sealed class Probe
            {
                private readonly Block _block = new();
                private readonly Block _scorer = new();
                private double[] _x = Array.Empty<double>();
                public void Remember(double[] x) => _x = x;
                public double[] Backward(double[] g)
                {
                    _block.Forward(_x);
                    return _block.Backward(g);
                }
                public double[] PredictMean(double[] x, int samples)
                {
                    var mean = new double[x.Length];
                    for (int s = 0; s < samples; s++)
                    {
                        double[] y = _scorer.Forward(x);
                        for (int i = 0; i < y.Length; i++) mean[i] += y[i] / samples;
                    }
                    return mean;
                }
            }
            """);
}
