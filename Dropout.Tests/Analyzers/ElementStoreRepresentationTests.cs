using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, the data-representation axis on the store side: a backward's gradient written through a user matrix's setter
/// (<c>g.Set(0, j, v)</c>) or into unit objects (<c>g[j].Value = v</c>) is an element store exactly as <c>g[j] = v</c> is
/// (HandWrittenDropoutModel.StoredElements.cs), so DRP013's backward checks read it. Each mistake has a correct twin that
/// must stay silent.
/// </summary>
public sealed class ElementStoreRepresentationTests
{
    private const string Types = """

        public sealed class Grid<T>
        {
            private readonly T[] _cells;
            public Grid(int rows, int columns) { Rows = rows; Columns = columns; _cells = new T[rows * columns]; }
            public int Rows { get; }
            public int Columns { get; }
            public T Get(int row, int column) => _cells[row * Columns + column];
            public void Set(int row, int column, T value) { _cells[row * Columns + column] = value; }
        }

        public sealed class Unit
        {
            public float Value { get; set; }
            public static Unit[] Layer(int count) { var units = new Unit[count]; for (int k = 0; k < count; k++) units[k] = new Unit(); return units; }
        }
        """;

    // A training step calls a forward that writes a 0/1 mask and the kept activation times `factor`, then gates its own
    // error by the mask. `zero` and `store` write the error element for a dropped and a kept unit.
    private static string GatedStep(string errorType, string newError, string zero, string store, string read, bool mistake) => $$"""
        public sealed class Scorer
        {
            private const int Width = 8;
            private readonly float[] _w = new float[Width];
            private readonly Random _dice = new Random(5);
            public float Keep { get; set; } = 0.8f;

            private static float Forward(float[] x, float[] w, float[] hidden, float[] flags, Random dice, float keep, float factor)
            {
                float z = 0f;
                for (int h = 0; h < hidden.Length; h++)
                {
                    bool stays = dice.NextSingle() < keep;
                    flags[h] = stays ? 1f : 0f;
                    hidden[h] = stays ? x[h] * factor : 0f;
                    z += w[h] * hidden[h];
                }

                return z;
            }

            public void {{(mistake ? "{|DRP013:Fit|}" : "Fit")}}(float[] x, float target, float step)
            {
                var hidden = new float[Width];
                var flags = new float[Width];
                {{errorType}} error = {{newError}};
                float factor = 1f / Keep;
                float z = Forward(x, _w, hidden, flags, _dice, Keep, factor);
                float delta = z - target;
                for (int h = 0; h < Width; h++)
                {
                    if (flags[h] == 0f)
                    {
                        {{zero}};
                        continue;
                    }

                    {{store}};
                }

                for (int h = 0; h < Width; h++)
                {
                    _w[h] -= step * delta * hidden[h] + step * {{read}} * x[h];
                }
            }
        }
        """ + Types;

    [Fact]
    public Task StepGatesErrorStoredThroughASetter_WithoutTheForwardsFactor_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(GatedStep("Grid<float>", "new Grid<float>(1, Width)", "error.Set(0, h, 0f)", "error.Set(0, h, delta * _w[h])", "error.Get(0, h)", mistake: true));

    [Fact]
    public Task StepGatesErrorStoredThroughASetter_WithTheForwardsFactor_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(GatedStep("Grid<float>", "new Grid<float>(1, Width)", "error.Set(0, h, 0f)", "error.Set(0, h, delta * _w[h] * factor)", "error.Get(0, h)", mistake: false));

    [Fact]
    public Task StepGatesErrorStoredInUnitObjects_WithoutTheForwardsFactor_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(GatedStep("Unit[]", "Unit.Layer(Width)", "error[h].Value = 0f", "error[h].Value = delta * _w[h]", "error[h].Value", mistake: true));

    [Fact]
    public Task StepGatesErrorStoredInUnitObjects_WithTheForwardsFactor_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(GatedStep("Unit[]", "Unit.Layer(Width)", "error[h].Value = 0f", "error[h].Value = delta * _w[h] * factor", "error[h].Value", mistake: false));

    // A classic-dropout layer whose backward updates, in place, only the kept units of the gradient it was given as unit
    // objects; the twin clears the dropped units' entries.
    private static string KeptOnlyUpdate(bool mistake) => $$"""
        public sealed class SigmoidDrop
        {
            private readonly Random _random = new Random(9);
            private readonly float _dropFraction = 0.3f;
            private readonly float[] _w = new float[4];
            private readonly float[] _y = new float[4];
            private readonly byte[] _alive = new byte[4];

            public float[] Train(float[] x)
            {
                for (int u = 0; u < _y.Length; u++)
                {
                    float z = _w[u] * x[u];
                    _alive[u] = (byte)(_random.NextDouble() >= _dropFraction ? 1 : 0);
                    _y[u] = _alive[u] == 1 ? 1f / (1f + MathF.Exp(-z)) : 0f;
                }

                return _y;
            }

            public float[] Infer(float[] x)
            {
                var y = new float[_y.Length];
                for (int u = 0; u < y.Length; u++) y[u] = (1f - _dropFraction) * (1f / (1f + MathF.Exp(-_w[u] * x[u])));
                return y;
            }

            public float[] Backprop(Unit[] error, float rate)
            {
                Unit[] local = error;
                for (int u = 0; u < local.Length; u++)
                {
                    if ({{(mistake ? "{|DRP013:_alive[u] == 1|}" : "_alive[u] == 1")}})
                        local[u].Value *= _y[u] * (1 - _y[u]);{{(mistake ? "" : "\n                    else\n                        local[u].Value = 0f;")}}
                }

                var previous = new float[local.Length];
                for (int u = 0; u < local.Length; u++)
                {
                    previous[u] = _w[u] * local[u].Value;
                    _w[u] -= rate * local[u].Value;
                }

                return previous;
            }
        }
        """ + Types;

    [Fact]
    public Task BackwardUpdatesOnlyKeptUnitObjectsOfTheGivenGradient_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(KeptOnlyUpdate(mistake: true));

    [Fact]
    public Task BackwardUpdatesKeptUnitObjectsAndClearsTheDropped_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(KeptOnlyUpdate(mistake: false));
}
