using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A symbol named for a scale counts as an unseen dropout scale only where its values cannot be seen. A
/// weight-initialization spread whose every value is visible and unrelated to the keep probability
/// (<c>float scale = MathF.Sqrt(2f / fanIn)</c>, a helper's <c>scale</c> parameter handed several such locals, a field
/// set in the constructor) no longer hides a missing 1/p because of its name (ninth real set: a transpiler's predictor
/// and a Unity LSTM agent were silent for this). A scale-named value the model cannot see into (a public setter, an
/// element of an array written elsewhere) still counts as a possible scale, and a scale derived from the probability
/// is still the scale.
/// </summary>
public sealed class ScaleNamedInitializationTests
{
    [Fact]
    public Task MissingScale_BesideAnInitializationSpreadInALocalNamedScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Predictor
            {
                private const double DropoutRate = 0.2;
                private readonly Random _rand = new(42);
                private readonly double[] _w;

                public Predictor(int inputs)
                {
                    _w = new double[inputs];
                    double w1Scale = Math.Sqrt(2.0 / (inputs + 1));
                    for (int i = 0; i < inputs; i++) _w[i] = (_rand.NextDouble() - 0.5) * w1Scale;
                }

                public double Train(double[] hidden)
                {
                    for (int j = 0; j < hidden.Length; j++)
                    {
                        if ({|DRP004:_rand.NextDouble() < DropoutRate|}) hidden[j] = 0;
                        hidden[j] = Math.Max(0, hidden[j]);
                    }
                    return hidden[0] * _w[0];
                }
            }
            """);

    [Fact]
    public Task MissingScale_BesideAnInitHelperWhoseScaleParameterGetsSeveralSpreads_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class RecurrentCell
            {
                private readonly Random _random = new(1);
                private readonly float[,] _inputWeights;
                private readonly float[,] _outputWeights;
                private readonly float[] _state = new float[8];
                public float dropoutRate = 0.1f;

                public RecurrentCell(int inputs, int outputs)
                {
                    float inputScale = MathF.Sqrt(2f / (inputs + 8));
                    float outputScale = MathF.Sqrt(2f / (8 + outputs));
                    _inputWeights = Matrix(inputs, 8, inputScale);
                    _outputWeights = Matrix(8, outputs, outputScale);
                }

                private float[,] Matrix(int rows, int columns, float scale)
                {
                    var m = new float[rows, columns];
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < columns; c++) m[r, c] = (float)_random.NextDouble() * scale;
                    return m;
                }

                public void Step(float[] gate, bool training)
                {
                    for (int i = 0; i < _state.Length; i++)
                    {
                        _state[i] = gate[i] * _inputWeights[0, i];
                        if (training && {|DRP004:_random.NextDouble() < dropoutRate|}) _state[i] = 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task MissingScale_BesideAnInitScaleFieldSetInTheConstructor_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rng = new(5);
                private readonly double _initScale;
                private readonly double[] _weights;
                private readonly double _dropRate;

                public HiddenLayer(int fanIn, double dropRate)
                {
                    _dropRate = dropRate;
                    _initScale = 1.0 / Math.Sqrt(fanIn);
                    _weights = new double[fanIn];
                    for (int i = 0; i < fanIn; i++) _weights[i] = (_rng.NextDouble() * 2 - 1) * _initScale;
                }

                public void Forward(double[] h, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < h.Length; i++)
                    {
                        if ({|DRP004:_rng.NextDouble() < _dropRate|}) h[i] = 0;
                    }
                }
            }
            """);

    [Fact]
    public Task InvertedScale_BesideTheSameInitializationSpread_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class RecurrentCell
            {
                private readonly Random _random = new(1);
                private readonly float[,] _inputWeights;
                private readonly float[] _state = new float[8];
                public float dropoutRate = 0.1f;

                public RecurrentCell(int inputs)
                {
                    float inputScale = MathF.Sqrt(2f / (inputs + 8));
                    float otherScale = MathF.Sqrt(1f / inputs);
                    _inputWeights = Matrix(inputs, 8, inputScale);
                    _ = Matrix(inputs, 8, otherScale);
                }

                private float[,] Matrix(int rows, int columns, float scale)
                {
                    var m = new float[rows, columns];
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < columns; c++) m[r, c] = (float)_random.NextDouble() * scale;
                    return m;
                }

                public void Step(float[] gate, bool training)
                {
                    for (int i = 0; i < _state.Length; i++)
                    {
                        _state[i] = gate[i] * _inputWeights[0, i];
                        if (training)
                        {
                            _state[i] = _random.NextDouble() < dropoutRate ? 0f : _state[i] / (1f - dropoutRate);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task ScaleFromAPublicSetter_StillCountsAsAPossibleScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(2);
                public double Rate { get; set; } = 0.5;
                public double KeptScale { get; set; } = 1.0;

                public void Forward(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = _rng.NextDouble() < Rate ? 0 : x[i] * KeptScale;
                    }
                }
            }
            """);

    [Fact]
    public Task ScaleReadFromAnArrayWrittenElsewhere_StillCountsAsAPossibleScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class StackedDropout
            {
                private readonly Random _rng = new(2);
                private readonly double[] _layerScales = new double[4];
                private readonly double _rate = 0.3;

                public void SetScale(int layer, double value) => _layerScales[layer] = value;

                public void Forward(double[] x, int layer)
                {
                    double scale = _layerScales[layer];
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = _rng.NextDouble() < _rate ? 0 : x[i] * scale;
                    }
                }
            }
            """);

    [Fact]
    public Task PrecomputedScaleDerivedFromTheRate_IsStillTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(2);
                private readonly double _rate;
                private readonly double _scale;

                public DropoutLayer(double rate)
                {
                    _rate = rate;
                    _scale = 1.0 / (1.0 - rate);
                }

                public void Forward(double[] x, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = _rng.NextDouble() < _rate ? 0 : x[i] * _scale;
                    }
                }
            }
            """);
}
