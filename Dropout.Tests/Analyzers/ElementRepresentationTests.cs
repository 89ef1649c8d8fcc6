using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, the data-representation axis: the activations, the mask and the buffer of uniforms held in a user matrix type
/// read through <c>Get(r, c)</c>/<c>Set(r, c, v)</c>, or in unit objects (<c>neurons[i].Value</c>), are elements exactly as
/// <c>x[i]</c> is (HandWrittenDropoutModel.ElementAccesses.cs). Each mistake has a correct twin that must stay silent.
/// </summary>
public sealed class ElementRepresentationTests
{
    private const string Grid = """

        public sealed class Grid<T>
        {
            private readonly T[] _cells;
            public Grid(int rows, int columns) { Rows = rows; Columns = columns; _cells = new T[rows * columns]; }
            public int Rows { get; }
            public int Columns { get; }
            public T Get(int row, int column) => _cells[row * Columns + column];
            public void Set(int row, int column, T value) { _cells[row * Columns + column] = value; }
        }

        public sealed class Neuron
        {
            public double Value { get; set; }
        }
        """;

    private static string Zeroing(string kept, bool mistake) => $$"""
        public class Brain
        {
            public double DropRate = 0.2;
            public bool Training;
            private readonly Random _rng = new Random(99);

            public void Think(Grid<float> hidden)
            {
                if (!Training) return;
                for (int i = 0; i < hidden.Columns; i++)
                {
                    if ({{(mistake ? "{|DRP004:" : "")}}_rng.NextDouble() < DropRate{{(mistake ? "|}" : "")}}) hidden.Set(0, i, 0f);
                    else hidden.Set(0, i, {{kept}});
                }
            }
        }
        """ + Grid;

    [Fact]
    public Task ElementZeroedThroughASetter_KeptUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Zeroing("hidden.Get(0, i)", mistake: true));

    [Fact]
    public Task ElementZeroedThroughASetter_KeptScaled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Zeroing("(float)(hidden.Get(0, i) / (1 - DropRate))", mistake: false));

    private static string UniformBuffer(string kept, bool mistake) => $$"""
        public class BatchDropout
        {
            private readonly float _dropRate;
            private readonly Random _rng = new Random(11);
            public BatchDropout(float dropRate) { _dropRate = dropRate; }

            public void Forward(float[][] batch, bool training)
            {
                if (!training) return;
                int width = batch[0].Length;
                var uniforms = new Grid<float>(1, width);
                for (int j = 0; j < width; j++) uniforms.Set(0, j, (float)_rng.NextDouble());
                foreach (float[] row in batch)
                    for (int j = 0; j < width; j++)
                        row[j] = {{(mistake ? "{|DRP004:" : "")}}uniforms.Get(0, j) < _dropRate{{(mistake ? "|}" : "")}} ? 0f : {{kept}};
            }
        }
        """ + Grid;

    [Fact]
    public Task UniformsBufferedInAMatrix_ThresholdedLaterUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(UniformBuffer("row[j]", mistake: true));

    [Fact]
    public Task UniformsBufferedInAMatrix_ThresholdedLaterScaled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(UniformBuffer("row[j] / (1f - _dropRate)", mistake: false));

    private static string Units(string inference) => $$"""
        public class DropoutByHand
        {
            private readonly double keepProb;
            private readonly Random rng = new Random(5);
            public DropoutByHand(double keepProb) { this.keepProb = keepProb; }

            public double[] Run(Neuron[] x, bool training)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    if (training) y[i] = rng.NextDouble() < keepProb ? x[i].Value / keepProb : 0.0;
                    else y[i] = {{inference}};
                }
                return y;
            }
        }
        """ + Grid;

    [Fact]
    public Task UnitObjects_InvertedInTrainingAndScaledAtInference_IsDoubleScaling() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>(Units("{|DRP005:x[i].Value * keepProb|}"));

    [Fact]
    public Task UnitObjects_InvertedInTrainingOnly_IsSilent() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>(Units("x[i].Value"));

    private static string MatrixUnits(string inference) => $$"""
        public class DropoutByHand
        {
            private readonly double keepProb;
            private readonly Random rng = new Random(5);
            public DropoutByHand(double keepProb) { this.keepProb = keepProb; }

            public double[] Run(Grid<double> x, bool training)
            {
                var y = new double[x.Columns];
                for (int i = 0; i < x.Columns; i++)
                {
                    if (training) y[i] = rng.NextDouble() < keepProb ? x.Get(0, i) / keepProb : 0.0;
                    else y[i] = {{inference}};
                }
                return y;
            }
        }
        """ + Grid;

    [Fact]
    public Task MatrixGetter_InvertedInTrainingAndScaledAtInference_IsDoubleScaling() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>(MatrixUnits("{|DRP005:x.Get(0, i) * keepProb|}"));

    [Fact]
    public Task MatrixGetter_InvertedInTrainingOnly_IsSilent() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>(MatrixUnits("x.Get(0, i)"));

    // A boolean mask built by `List<bool>.Add` and returned through a local (`bool[] train = items.ToArray(); return
    // train;`) is handed to the caller as the array returned directly is: a holdout split, judged where it is used.
    [Fact]
    public Task MaskBuiltByAddReturnedThroughALocal_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class CrossValidation
            {
                public static bool[] TrainMask(int rows, double holdoutFraction, Random rng)
                {
                    var items = new List<bool>();
                    for (int i = 0; i < rows; i++) items.Add(rng.NextDouble() >= holdoutFraction);
                    bool[] train = items.ToArray();
                    return train;
                }
            }
            """);

    // The twin: the same mask built by Add is applied where it is built, unscaled.
    [Fact]
    public Task MaskBuiltByAddAppliedUnscaled_IsAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Layer
            {
                private readonly Random _rng = new(3);
                private readonly double _dropRate = 0.3;

                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var keep = new List<bool>();
                    for (int i = 0; i < x.Length; i++) keep.Add({|DRP004:_rng.NextDouble() >= _dropRate|});
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = keep[i] ? x[i] : 0f;
                    return y;
                }
            }
            """);
}
