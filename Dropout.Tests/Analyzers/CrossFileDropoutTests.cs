using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Node dropout split across the files of one compilation: the drop flag is drawn into a node's member in one file, a
/// layer in another file zeroes the dropped node and divides the kept ones by the keep probability, and the node's
/// backward reads the flag. A backward that leaves out the 1/p gets DRP013 (found at compilation end, since no file alone
/// shows all three parts); the same split with the scale in the backward, a forward without a scale, a flag that is not
/// drawn, or everything in one file is silent here.
/// </summary>
public sealed class CrossFileDropoutTests
{
    private const string NodeFile = """
        public sealed class Unit
        {
            public bool Dropped;
            public float Sum;
            public float Delta;
            private float _keep = 1f;

            public void DrawDrop(float rate, Random rng)
            {
                _keep = 1f - rate;
                Dropped = rng.NextSingle() < rate;
            }

            public void ComputeGradient(float downstream)
            {
                if (!Dropped)
                    Delta = downstream * Derivative(Sum)BACKWARD_SCALE;
                else
                    Delta = 0;
            }

            private static float Derivative(float z) => z > 0 ? 1 : 0;
        }
        """;

    private const string LayerFile = """
        public sealed class DenseLayer(int size, float dropRate)
        {
            private readonly Unit[] _units = Enumerable.Range(0, size).Select(_ => new Unit()).ToArray();
            private readonly float[] _outputs = new float[size];

            public float[] Forward(bool training)
            {
                for (int i = 0; i < _units.Length; i++)
                {
                    if (training)
                    {
                        if (!_units[i].Dropped)
                            _outputs[i] = Math.Max(0, _units[i].Sum)FORWARD_SCALE;
                        else
                            _outputs[i] = 0;
                    }
                    else
                    {
                        _outputs[i] = Math.Max(0, _units[i].Sum);
                    }
                }

                return _outputs;
            }
        }
        """;

    private static Task VerifyAsync(params (string Name, string Source)[] files)
    {
        var test = new CSharpAnalyzerTest<BackwardOmitsForwardScaleAcrossFilesAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static string Node(string backwardScale) => NodeFile.Replace("BACKWARD_SCALE", backwardScale);

    private static string Layer(string forwardScale) => LayerFile.Replace("FORWARD_SCALE", forwardScale);

    [Fact]
    public Task BackwardInTheFlagsFile_WithoutTheScaleTheOtherFilesForwardApplied_IsReported() =>
        VerifyAsync(
            ("Unit.cs", Node("").Replace("public void ComputeGradient", "public void {|DRP013:ComputeGradient|}")),
            ("DenseLayer.cs", Layer(" / (1 - dropRate)")));

    [Fact]
    public Task BackwardWithTheScale_IsSilent() =>
        VerifyAsync(("Unit.cs", Node(" / _keep")), ("DenseLayer.cs", Layer(" / (1 - dropRate)")));

    [Fact]
    public Task ForwardScaledByANamedScale_BackwardWithout_IsReported() =>
        VerifyAsync(
            ("Unit.cs", Node("").Replace("public void ComputeGradient", "public void {|DRP013:ComputeGradient|}")),
            ("DenseLayer.cs", Layer(" * _scale").Replace("private readonly float[] _outputs", "private readonly float _scale = 1f / (1f - dropRate);\n    private readonly float[] _outputs")));

    [Fact]
    public Task ForwardWithoutAScale_IsNoConcernOfTheCrossFileJoin() =>
        VerifyAsync(("Unit.cs", Node("")), ("DenseLayer.cs", Layer("")));

    [Fact]
    public Task FlagThatIsNotDrawn_IsNoDropoutFlag() =>
        VerifyAsync(
            ("Unit.cs", Node("").Replace("Dropped = rng.NextSingle() < rate;", "Dropped = rate > 0.5f;")),
            ("DenseLayer.cs", Layer(" / (1 - dropRate)")));

    [Fact]
    public Task BackwardInAThirdFile_WithoutTheScale_IsReported() =>
        VerifyAsync(
            ("Unit.cs", Node("").Replace("if (!Dropped)", "if (Sum > 0)")),
            ("DenseLayer.cs", Layer(" / (1 - dropRate)")),
            ("Gradients.cs", """
                public static class Gradients
                {
                    public static float {|DRP013:UnitGradient|}(Unit unit, float downstream) => unit.Dropped ? 0 : downstream;
                }
                """));

    [Fact]
    public Task BackwardInAThirdFile_WithTheScale_IsSilent() =>
        VerifyAsync(
            ("Unit.cs", Node("").Replace("if (!Dropped)", "if (Sum > 0)")),
            ("DenseLayer.cs", Layer(" / (1 - dropRate)")),
            ("Gradients.cs", """
                public static class Gradients
                {
                    public static float UnitGradient(Unit unit, float downstream, float keepProbability) => unit.Dropped ? 0 : downstream / keepProbability;
                }
                """));

    private const string MaskLayerFile = """
        public sealed class MaskedLayer(int size)
        {
            public float[] Activations = new float[size];
            public float[] Deltas = new float[size];
            public bool[] KeepMask = new bool[size];
            private readonly Random _rng = new(7);

            public void ApplyDropout(double rate)
            {
                for (int i = 0; i < Activations.Length; i++)
                {
                    KeepMask[i] = _rng.NextDouble() > rate;
                    if (!KeepMask[i])
                        Activations[i] = 0;
                    else
                        Activations[i] /= (1f - (float)rate);
                }
            }
        }
        """;

    private static string Network(string deltaScale) => $$"""
        public sealed class Trainer(MaskedLayer hidden, MaskedLayer output, float learningRate)
        {
            public void Train(float[] weights)
            {
                hidden.ApplyDropout(0.3);
                for (int j = 0; j < hidden.Deltas.Length; j++)
                {
                    if (!hidden.KeepMask[j])
                    {
                        hidden.Deltas[j] = 0;
                    }
                    else
                    {
                        float error = 0;
                        for (int k = 0; k < output.Deltas.Length; k++) error += output.Deltas[k] * weights[k];
                        hidden.Deltas[j] = error{{deltaScale}};
                    }
                }

                for (int j = 0; j < weights.Length; j++)
                {
                    float scale = learningRate * output.Deltas[j];
                    weights[j] += scale * hidden.Activations[j];
                }
            }
        }
        """;

    [Fact]
    public Task TrainingLoopInAnotherFile_ZeroingDeltasByTheMaskWithoutTheScale_IsReported() =>
        VerifyAsync(("MaskedLayer.cs", MaskLayerFile), ("Trainer.cs", Network("").Replace("public void Train(", "public void {|DRP013:Train|}(")));

    [Fact]
    public Task TrainingLoopInAnotherFile_WithTheScale_IsSilent() =>
        VerifyAsync(("MaskedLayer.cs", MaskLayerFile), ("Trainer.cs", Network(" / keepProbability").Replace("Train(float[] weights)", "Train(float[] weights, float keepProbability)")));

    [Fact]
    public Task TrainingLoopThatZeroesNoGradient_IsNoBackward() =>
        VerifyAsync(("MaskedLayer.cs", MaskLayerFile), ("Trainer.cs", Network("").Replace("hidden.Deltas[j] = 0;", "hidden.Activations[j] = 0;")));

    [Fact]
    public Task EverythingInOneFile_IsLeftToThePerFileModel() =>
        VerifyAsync(("All.cs", Node("") + "\n" + Layer(" / (1 - dropRate)")));
}
