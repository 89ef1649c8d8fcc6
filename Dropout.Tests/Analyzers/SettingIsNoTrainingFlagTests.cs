using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9: a condition on a setting fixed when the model is built (<c>if (settings.UseDropout)</c>, <c>if (layer.DropoutRate
/// &gt; 0)</c>) has the same value in training and in prediction, so it is no inference path (DRP014, DRP015); a flag that
/// callers pass, a member that some method writes (a prediction switching dropout off, a rate set to 0), or a layer's own
/// public switch is. A network's public forward that only its own training calls is still what prediction from outside
/// runs, unless another method of the network computes the output again without dropout.
/// </summary>
public sealed class SettingIsNoTrainingFlagTests
{
    // An agent's Q-network: dropout switched by a configuration object, the forward run by the network's own training only.
    private const string AgentNetwork = """
        public sealed class AgentSettings
        {
            public int Inputs = 4;
            public int Hidden = 8;
            public bool UseDropout = true;
            public float DropRate = 0.25f;
        }

        public sealed class QNetwork
        {
            private readonly AgentSettings _settings;
            private readonly float[][,] _weights;
            private readonly float[][] _hidden;
            private readonly bool[][] _dropped;
            private readonly Random _rng = new Random(3);

            public QNetwork(AgentSettings settings)
            {
                _settings = settings;
                _weights = new[] { new float[settings.Inputs, settings.Hidden] };
                _hidden = new[] { new float[settings.Hidden] };
                _dropped = new[] { new bool[settings.Hidden] };
            }

            public float[] QValues(float[] state)
            {
                if (state == null || state.Length != _settings.Inputs) throw new ArgumentException("state");
                for (int j = 0; j < _hidden[0].Length; j++)
                {
                    _hidden[0][j] = 0f;
                    for (int i = 0; i < state.Length; i++) _hidden[0][j] += state[i] * _weights[0][i, j];
                }

                if (GATE)
                {
                    Drop(_hidden[0], 0);
                }

                return _hidden[0];
            }

            private void Drop(float[] units, int layer)
            {
                for (int i = 0; i < units.Length; i++)
                {
                    _dropped[layer][i] = PROBE < _settings.DropRate;
                    if (_dropped[layer][i]) units[i] = 0f;
                    else units[i] /= 1f - _settings.DropRate;
                }
            }

            public void TrainStep(float[] state, int action, float target)
            {
                if (state.Length == 0) return;
                float[] q = QValues(state);
                float error = target - q[action];
                for (int i = 0; i < state.Length; i++) _weights[0][i, action % _hidden[0].Length] += 0.01f * error * state[i];
            }

            EXTRA
        }
        """;

    private static string Agent(string gate, string extra = "", bool reported = true) =>
        AgentNetwork.Replace("GATE", gate).Replace("EXTRA", extra)
            .Replace("PROBE", reported ? "{|DRP014:_rng.NextSingle()|}" : "_rng.NextSingle()")
            .Replace("{|DRP014:_rng.NextSingle()|} < _settings.DropRate", "{|DRP014:_rng.NextSingle() < _settings.DropRate|}");

    [Fact]
    public Task NetworkForwardSwitchedOnlyByAConfigurationFlag_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Agent("_settings.UseDropout"));

    [Fact]
    public Task NetworkForwardWithATrainingParameter_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Agent("training && _settings.UseDropout", reported: false)
            .Replace("public float[] QValues(float[] state)", "public float[] QValues(float[] state, bool training = false)")
            .Replace("float[] q = QValues(state);", "float[] q = QValues(state, true);"));

    [Fact]
    public Task ActionSelectionThatSwitchesTheConfigurationFlagOff_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Agent("_settings.UseDropout", """
            public int ChooseAction(float[] state)
            {
                _settings.UseDropout = false;
                float[] q = QValues(state);
                _settings.UseDropout = true;
                return Array.IndexOf(q, q.Max());
            }
            """, reported: false));

    [Fact]
    public Task ActionSelectionThatSetsTheRateToZero_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Agent("_settings.UseDropout", """
            public int ChooseAction(float[] state)
            {
                float rate = _settings.DropRate;
                _settings.DropRate = 0f;
                float[] q = QValues(state);
                _settings.DropRate = rate;
                return Array.IndexOf(q, q.Max());
            }
            """, reported: false));

    [Fact]
    public Task NetworkWithAPredictionWrittenOutWithoutDropout_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Agent("_settings.UseDropout", """
            public int Greedy(float[] state)
            {
                var h = new float[_hidden[0].Length];
                for (int j = 0; j < h.Length; j++)
                    for (int i = 0; i < state.Length; i++) h[j] += state[i] * _weights[0][i, j];
                return Array.IndexOf(h, h.Max());
            }
            """, reported: false));

    [Fact]
    public Task LayerWhoseOnlyGateIsItsFixedRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _rate;
                private readonly Random _rng = new Random(5);
                public DropoutLayer(double rate) { _rate = rate; }

                public double[] Forward(double[] x)
                {
                    if (_rate <= 0) return x;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP014:_rng.NextDouble() < _rate|} ? 0 : x[i] / (1 - _rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task LayerWithARateOthersCanSet_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new Random(5);
                public double Rate { get; set; } = 0.5;

                public double[] Forward(double[] x)
                {
                    if (Rate <= 0) return x;
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = _rng.NextDouble() < Rate ? 0 : x[i] / (1 - Rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task LayerThatOnlyValidatesItsArgumentBeforeDropping_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(double rate)
            {
                private readonly Random _rng = new Random(5);

                public double[] Forward(double[] x)
                {
                    if (x == null || x.Length == 0) throw new ArgumentException("empty input");
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP014:_rng.NextDouble() < rate|} ? 0 : x[i] / (1 - rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task LayerThatSkipsABatchOfOne_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class Batch
            {
                public Batch(int rows) { Rows = rows; Values = new float[rows]; }
                public int Rows { get; }
                public float[] Values { get; }
            }

            public sealed class DropoutLayer(float rate)
            {
                private readonly Random _rng = new Random(5);

                public Batch Forward(Batch x)
                {
                    if (x.Rows == 1) return x;
                    var y = new Batch(x.Rows);
                    for (int i = 0; i < x.Rows; i++) y.Values[i] = _rng.NextSingle() < rate ? 0f : x.Values[i] / (1 - rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task PredictionWithMonteCarloDropoutSwitchedOnByASetting_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Forecaster(double dropRate, bool useMcDropout)
            {
                private readonly Random _rng = new Random(8);
                private readonly double[] _w = new double[16];

                public double[] Predict(double[] x)
                {
                    var hidden = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) hidden[i] = x[i] * _w[i % _w.Length];
                    if (useMcDropout)
                    {
                        for (int i = 0; i < hidden.Length; i++) hidden[i] = _rng.NextDouble() < dropRate ? 0 : hidden[i] / (1 - dropRate);
                    }

                    return hidden;
                }
            }
            """);

    [Fact]
    public Task PredictionThatDropsWheneverASettingSaysSo_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Forecaster(double dropRate, bool useDropout)
            {
                private readonly Random _rng = new Random(8);
                private readonly double[] _w = new double[16];

                public double[] Predict(double[] x)
                {
                    var hidden = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) hidden[i] = x[i] * _w[i % _w.Length];
                    if (useDropout)
                    {
                        for (int i = 0; i < hidden.Length; i++) hidden[i] = {|DRP015:_rng.NextDouble() < dropRate|} ? 0 : hidden[i] / (1 - dropRate);
                    }

                    return hidden;
                }
            }
            """);

    // A dense network described by plain layer descriptions: dropout applied whenever a layer has a rate, validation run
    // through the same forward.
    private const string DescribedNetwork = """
        public sealed class LayerSpec
        {
            public int Size { get; set; }
            public double DropoutRate { get; set; }
        }

        public sealed class DenseNetwork
        {
            private readonly List<LayerSpec> _layers = new List<LayerSpec>();
            private readonly Random _random = new Random(11);

            public void Add(int size, double dropout) => _layers.Add(new LayerSpec { Size = size, DropoutRate = dropout });

            public double[] Forward(double[] input)
            {
                double[] current = input;
                foreach (LayerSpec layer in _layers)
                {
                    var next = new double[layer.Size];
                    for (int i = 0; i < next.Length; i++) next[i] = Math.Tanh(current[i % current.Length]);
                    if (layer.DropoutRate > 0)
                    {
                        next = ApplyDropout(next, layer.DropoutRate);
                    }

                    current = next;
                }

                return current;
            }

            private double[] ApplyDropout(double[] x, double rate)
            {
                var result = new double[x.Length];
                for (int i = 0; i < x.Length; i++) result[i] = _random.NextDouble() > rate ? x[i] / (1 - rate) : 0;
                return result;
            }

            public void Train(double[][] inputs)
            {
                foreach (double[] x in inputs) Forward(x);
            }

            public double Evaluate(double[][] inputs)
            {
                double total = 0;
                EVALUATE
                return total / inputs.Length;
            }
        }
        """;

    [Fact]
    public Task EvaluationThroughAForwardGatedByTheLayerRate_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(DescribedNetwork.Replace("EVALUATE",
            "foreach (double[] x in inputs) total += {|DRP015:Forward(x)|}.Sum();"));

    [Fact]
    public Task EvaluationThatZeroesTheRatesFirst_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(DescribedNetwork.Replace("EVALUATE", """
            var rates = _layers.Select(layer => layer.DropoutRate).ToArray();
            foreach (LayerSpec layer in _layers) layer.DropoutRate = 0;
            foreach (double[] x in inputs) total += Forward(x).Sum();
            for (int l = 0; l < rates.Length; l++) _layers[l].DropoutRate = rates[l];
            """));

    [Fact]
    public Task EvaluationPassingTrainingFalse_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(DescribedNetwork
            .Replace("public double[] Forward(double[] input)", "public double[] Forward(double[] input, bool training)")
            .Replace("if (layer.DropoutRate > 0)", "if (training && layer.DropoutRate > 0)")
            .Replace("foreach (double[] x in inputs) Forward(x);", "foreach (double[] x in inputs) Forward(x, true);")
            .Replace("EVALUATE", "foreach (double[] x in inputs) total += Forward(x, false).Sum();"));

    [Fact]
    public Task MonteCarloEstimateThroughTheSameForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(DescribedNetwork
            .Replace("public double Evaluate(double[][] inputs)", "public double EvaluateUncertainty(double[][] inputs)")
            .Replace("EVALUATE", "foreach (double[] x in inputs) for (int s = 0; s < 20; s++) total += Forward(x).Sum() / 20;"));
}
