using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A backward that differentiates through the stored output of an INVERTED dropout with nothing of the dropout (DRP013):
/// the forward scales the kept values by 1/p and leaves the dropped output in a member (in place, through a helper it hands
/// the member to, through a host copy copied back, or by storing the array a dropout helper returned), and a backward-named
/// method reads that member and the weights below it but never the mask, the rate, the flag or a scale. The derivative of
/// x·m/p is m/p, so even a ReLU derivative of the dropped output (which recovers m) leaves out the 1/p.
/// Twins that stay silent: classic dropout (a derivative of the dropped output can be exactly the mask), a backward that
/// reads the rate or the mask or calls a method that does, a backward with a probability parameter of its own, a mask that
/// another method applies, dropout on the network's input, a backward that trains only the layer above the dropout, and
/// Monte Carlo dropout with no backward.
/// </summary>
public sealed class BackwardThroughDroppedOutputTests
{
    // The forward hands each hidden row to a dropout helper that returns a new, dropped and scaled array, and stores it in
    // the list of activations; the backward multiplies by the activation derivative of the stored values.
    private static string ReturnedArray(string helperBody, string backwardExtra = "", string backwardName = "Backward") => $$"""
        public sealed class Layer { public int Size = 4; public double Rate = 0.2; public bool Relu = true; }

        public sealed class DenseNet
        {
            private readonly Random _random = new Random(5);
            private readonly List<Layer> _layers = new List<Layer>();
            private readonly List<double[,]> _weights = new List<double[,]>();
            private readonly List<double[]> _acts = new List<double[]>();

            public double[] Forward(double[] input)
            {
                _acts.Clear();
                _acts.Add(input);
                double[] current = input;
                for (int l = 0; l < _layers.Count; l++)
                {
                    var w = _weights[l];
                    var z = new double[_layers[l].Size];
                    for (int i = 0; i < z.Length; i++)
                        for (int j = 0; j < current.Length; j++)
                            z[i] += w[i, j] * current[j];
                    double[] a = Activate(z);
                    if (_layers[l].Rate > 0)
                        a = Drop(a, _layers[l].Rate);
                    _acts.Add(a);
                    current = a;
                }
                return current;
            }

            private double[] Drop(double[] x, double rate)
            {
                var result = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    {{helperBody}}
                }
                return result;
            }

            public List<double[]> {{backwardName}}(double[] outputGrad)
            {
                var grads = new List<double[]> { outputGrad };
                for (int l = _layers.Count - 1; l > 0; l--)
                {
                    double[] g = grads[0];
                    double[] a = _acts[l];
                    var local = new double[a.Length];
                    for (int i = 0; i < a.Length; i++)
                    {
                        local[i] = g[i] * Derivative(a[i]);
                        {{backwardExtra}}
                    }
                    var w = _weights[l];
                    var previous = new double[w.GetLength(1)];
                    for (int j = 0; j < previous.Length; j++)
                        for (int i = 0; i < local.Length; i++)
                            previous[j] += w[i, j] * local[i];
                    grads.Insert(0, previous);
                }
                return grads;
            }

            private static double[] Activate(double[] z) => z.Select(v => Math.Max(0, v)).ToArray();

            private static double Derivative(double a) => a > 0 ? 1 : 0;
        }
        """;

    private const string Inverted = "result[i] = _random.NextDouble() > rate ? x[i] / (1 - rate) : 0;";

    [Fact]
    public Task BackwardThroughTheStoredDroppedArray_WithoutMaskOrScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            ReturnedArray(Inverted).Replace("public List<double[]> Backward(", "public List<double[]> {|DRP013:Backward|}("));

    [Fact]
    public Task BackpropNamedBackward_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            ReturnedArray(Inverted, backwardName: "BackpropagateLayers").Replace("public List<double[]> BackpropagateLayers(", "public List<double[]> {|DRP013:BackpropagateLayers|}("));

    [Fact]
    public Task BackwardThatDividesByTheLayersKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(ReturnedArray(Inverted, "local[i] /= 1 - _layers[l - 1].Rate;"));

    // Classic dropout: the forward does not scale, and the ReLU derivative of the dropped output is exactly the mask.
    [Fact]
    public Task ClassicDropout_BackwardThroughTheDroppedOutput_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(ReturnedArray("result[i] = _random.NextDouble() > rate ? x[i] : 0;"));

    [Fact]
    public Task MonteCarloDropoutWithoutBackward_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(ReturnedArray(Inverted, backwardName: "Uncertainty"));

    // In place on a member row, through a helper handed the row, with a bool mask recorded per unit (the agent's shape).
    private static string InPlace(string backwardExtra = "", string extraMember = "", string backwardReads = "_hidden[layer][j]") => $$"""
        public sealed class Settings { public bool UseDropout = true; public float DropoutRate = 0.25f; public int Hidden = 8; public int Layers = 2; }

        public sealed class QNet
        {
            private readonly Settings _settings = new Settings();
            private readonly System.Random _rng = new System.Random(11);
            private float[][] _hidden = new float[2][];
            private float[][] _deltas = new float[2][];
            private float[][,] _w = new float[3][,];
            private bool[][] _dropped = new bool[2][];
            private float[] _outDelta = new float[3];

            public float[] Predict(float[] input)
            {
                float[] current = input;
                for (int layer = 0; layer < _settings.Layers; layer++)
                {
                    for (int j = 0; j < _settings.Hidden; j++)
                    {
                        _hidden[layer][j] = 0f;
                        for (int i = 0; i < current.Length; i++)
                            _hidden[layer][j] += current[i] * _w[layer][i, j];
                        _hidden[layer][j] = Math.Max(0f, _hidden[layer][j]);
                    }
                    if (_settings.UseDropout)
                        DropUnits(_hidden[layer], layer);
                    current = _hidden[layer];
                }
                return current;
            }

            private void DropUnits(float[] units, int layer)
            {
                for (int i = 0; i < units.Length; i++)
                {
                    _dropped[layer][i] = (float)_rng.NextDouble() < _settings.DropoutRate;
                    if (_dropped[layer][i])
                        units[i] = 0f;
                    else
                        units[i] /= 1f - _settings.DropoutRate;
                }
            }

            {{extraMember}}

            private static float Slope(float a) => a > 0f ? 1f : 0.01f;

            private void BackpropLayers()
            {
                for (int layer = _settings.Layers - 1; layer >= 0; layer--)
                {
                    for (int j = 0; j < _settings.Hidden; j++)
                    {
                        _deltas[layer][j] = 0f;
                        for (int k = 0; k < _outDelta.Length; k++)
                            _deltas[layer][j] += _outDelta[k] * _w[layer + 1][j, k];
                        _deltas[layer][j] *= Slope({{backwardReads}});
                        {{backwardExtra}}
                    }
                }
            }
        }
        """;

    [Fact]
    public Task BackpropThroughTheRowDroppedInPlace_MaskNeverRead_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InPlace().Replace("private void BackpropLayers(", "private void {|DRP013:BackpropLayers|}("));

    [Fact]
    public Task BackpropThatReadsTheMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InPlace(
            "if (_dropped[layer][j]) _deltas[layer][j] = 0f; else _deltas[layer][j] /= 1f - _settings.DropoutRate;"));

    [Fact]
    public Task MaskAppliedByAnotherMethod_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InPlace(extraMember: """
            public void MaskDeltas(int layer)
            {
                for (int j = 0; j < _settings.Hidden; j++)
                    if (_dropped[layer][j]) _deltas[layer][j] = 0f; else _deltas[layer][j] /= 1f - _settings.DropoutRate;
            }
            """));

    [Fact]
    public Task BackpropThatCallsAHelperReadingTheRate_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(InPlace("_deltas[layer][j] *= KeepScale();",
            extraMember: "private float KeepScale() => 1f / (1f - _settings.DropoutRate);"));

    // A GPU layer: the hidden activations live on the device; the dropout copies them to the host, drops, copies back.
    private static string Device(string scaleLine, string backwardExtra = "") => $$"""
        public sealed class DeviceBuffer
        {
            private float[] _data;
            public DeviceBuffer(int n) { _data = new float[n]; }
            public void CopyToHost(float[] host) => Array.Copy(_data, host, host.Length);
            public void CopyToDevice(float[] host) => Array.Copy(host, _data, host.Length);
        }

        public static class Kernels
        {
            public static void Linear(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y) { }
            public static void Gelu(DeviceBuffer x, DeviceBuffer y) { }
            public static void GeluBackward(DeviceBuffer pre, DeviceBuffer grad, DeviceBuffer result) { }
            public static void LinearBackward(DeviceBuffer grad, DeviceBuffer x, DeviceBuffer w, DeviceBuffer dw) { }
        }

        public sealed class FeedForwardGpu
        {
            private readonly float _dropout;
            private bool _training = true;
            private readonly int _width = 64;
            private DeviceBuffer _w1 = new DeviceBuffer(64), _w2 = new DeviceBuffer(64), _dw1 = new DeviceBuffer(64), _dw2 = new DeviceBuffer(64);
            private DeviceBuffer _pre = new DeviceBuffer(64), _hidden = new DeviceBuffer(64), _input = new DeviceBuffer(64);

            public FeedForwardGpu(float dropout) { _dropout = dropout; }

            public DeviceBuffer Forward(DeviceBuffer input, DeviceBuffer output)
            {
                _input = input;
                Kernels.Linear(input, _w1, _pre);
                Kernels.Gelu(_pre, _hidden);
                if (_training && _dropout > 0f)
                    DropOnHost(_hidden, _width);
                Kernels.Linear(_hidden, _w2, output);
                return output;
            }

            public DeviceBuffer Backward(DeviceBuffer gradOutput)
            {
                var gradHidden = new DeviceBuffer(_width);
                var gradPre = new DeviceBuffer(_width);
                Kernels.LinearBackward(gradOutput, _hidden, _w2, _dw2);
                {{backwardExtra}}
                Kernels.GeluBackward(_pre, gradHidden, gradPre);
                Kernels.LinearBackward(gradPre, _input, _w1, _dw1);
                return gradPre;
            }

            private void DropOnHost(DeviceBuffer data, int size)
            {
                {{scaleLine}}
                var rng = new Random(7);
                var host = new float[size];
                data.CopyToHost(host);
                for (int i = 0; i < size; i++)
                {
                    if (rng.NextDouble() < _dropout)
                        host[i] = 0f;
                    else
                        host[i] *= scale;
                }
                data.CopyToDevice(host);
            }
        }
        """;

    [Fact]
    public Task GpuBackward_ThroughTheHiddenDroppedOnTheHost_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Device("float scale = 1f / (1f - _dropout);").Replace("public DeviceBuffer Backward(", "public DeviceBuffer {|DRP013:Backward|}("));

    [Fact]
    public Task GpuBackward_ThatReadsTheTrainingFlagAndRate_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(
            Device("float scale = 1f / (1f - _dropout);", "if (_training) ScaleOnHost(gradHidden, 1f / (1f - _dropout));")
                .Replace("private void DropOnHost(", "private static void ScaleOnHost(DeviceBuffer b, float s) { }\n    private void DropOnHost("));

    [Fact]
    public Task GpuClassicDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Device("float scale = 1f;"));

    // Dropout on the network's input kept in a member: nothing below it is trained, so its backward needs no mask.
    [Fact]
    public Task DropoutOnTheStoredInput_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class Regressor
            {
                private readonly Random _rng = new Random(1);
                private double[] _x = new double[4];
                private readonly double[] _w = new double[4];
                public double Rate { get; set; } = 0.2;

                public double Forward(double[] input, bool training)
                {
                    _x = input;
                    if (training)
                        for (int i = 0; i < _x.Length; i++)
                            _x[i] = _rng.NextDouble() < Rate ? 0 : _x[i] / (1 - Rate);
                    double y = 0;
                    for (int i = 0; i < _x.Length; i++) y += _w[i] * _x[i];
                    return y;
                }

                public void Backward(double grad, double lr)
                {
                    for (int i = 0; i < _w.Length; i++) _w[i] -= lr * grad * _x[i];
                }
            }
            """);

    // The backward trains only the layer above the dropout: it reads the dropped output as that layer's input and
    // nothing the forward used below the dropout.
    [Fact]
    public Task BackwardThatTrainsOnlyTheHeadAboveTheDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class Head
            {
                private readonly Random _rng = new Random(1);
                private readonly double[] _features = new double[8];
                private readonly double[] _head = new double[8];
                private readonly Func<double[], double[]> _frozen = x => x;
                public double Rate { get; set; } = 0.5;

                public double Forward(double[] input, bool training)
                {
                    double[] f = _frozen(input);
                    for (int i = 0; i < _features.Length; i++)
                        _features[i] = training && _rng.NextDouble() < Rate ? 0 : (training ? f[i] / (1 - Rate) : f[i]);
                    double y = 0;
                    for (int i = 0; i < _head.Length; i++) y += _head[i] * _features[i];
                    return y;
                }

                public void Backward(double grad, double lr)
                {
                    for (int i = 0; i < _head.Length; i++) _head[i] -= lr * grad * _features[i];
                }
            }
            """);

    // Units that keep their own output: the layer drops what each unit returns and stores it, while the weight update
    // differentiates at what each unit recorded before the drop, with nothing of the dropout.
    private static string Units(string updateExtra = "", string updateName = "UpdateWeights", string derivative = "Cell.TanhDerivative(cell.Output)") => $$"""
        public sealed class Cell
        {
            public double Output, Error, Previous;
            public List<double> Recurrent = new List<double>();
            public double Step(List<double> x) { Previous = Output; Output = Math.Tanh(x.Sum() + Previous); return Output; }
            public static double TanhDerivative(double y) => 1 - y * y;
        }

        public sealed class RecurrentBlock
        {
            private readonly Random _random = new Random(2);
            public List<Cell> Cells { get; } = new List<Cell>();
            public List<double> Outputs { get; private set; } = new List<double>();
            public double DropRate { get; }

            public RecurrentBlock(double dropRate) { DropRate = dropRate; }

            public List<double> Forward(List<double> x, bool training)
            {
                Outputs = new List<double>();
                foreach (var cell in Cells)
                {
                    double output = cell.Step(x);
                    if (training && DropRate > 0)
                    {
                        if (_random.NextDouble() < DropRate) output = 0;
                        else output /= 1 - DropRate;
                    }
                    Outputs.Add(output);
                }
                return Outputs;
            }

            public void {{updateName}}(double learningRate)
            {
                foreach (var cell in Cells)
                {
                    double derivative = {{derivative}};
                    {{updateExtra}}
                    for (int i = 0; i < cell.Recurrent.Count; i++)
                        cell.Recurrent[i] += learningRate * cell.Error * derivative * cell.Previous;
                }
            }
        }
        """;

    [Fact]
    public Task WeightUpdateAtTheUnitsOwnRecordedOutput_WithoutMaskOrScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Units().Replace("public void UpdateWeights(", "public void {|DRP013:UpdateWeights|}("));

    [Fact]
    public Task WeightUpdateThatScalesByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Units("derivative /= 1 - DropRate;"));

    // An update that computes no derivative (a decay, an optimizer's bookkeeping) is not a backward.
    [Fact]
    public Task UpdateWithoutDerivatives_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Units(derivative: "1.0"));

    [Fact]
    public Task MethodThatIsNeitherBackwardNorUpdate_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Units(updateName: "Report"));

    // A per-head 0/scale mask in a jagged array, multiplied into the activations: the decision writes the mask, not the
    // output, and a backward that multiplies by the mask's value is the forward's derivative.
    private static string JaggedScaledMask(string backwardFactor) => $$"""
        public sealed class Heads
        {
            private const float Rate = 0.2f;
            private readonly Random _random = new Random(7);
            private readonly float[][] _mask = { new float[4], new float[4] };
            private readonly float[][] _act = { new float[4], new float[4] };
            private readonly float[][] _w = { new float[4], new float[4] };

            public void Forward(float[] x)
            {
                float scale = 1f / (1f - Rate);
                for (int h = 0; h < 2; h++)
                    for (int j = 0; j < 4; j++)
                    {
                        float a = Math.Max(0f, _w[h][j] * x[j]);
                        bool keep = _random.NextDouble() >= Rate;
                        _mask[h][j] = keep ? scale : 0f;
                        _act[h][j] = a * _mask[h][j];
                    }
            }

            public float[] Backward(float[] upstream)
            {
                var down = new float[4];
                for (int h = 0; h < 2; h++)
                    for (int j = 0; j < 4; j++)
                        down[j] += upstream[j] * _w[h][j] * (_act[h][j] > 0f ? 1f : 0f) * {{backwardFactor}};
                return down;
            }
        }
        """;

    [Fact]
    public Task JaggedScaledMaskMultipliedIn_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(JaggedScaledMask("_mask[h][j]"));
}
