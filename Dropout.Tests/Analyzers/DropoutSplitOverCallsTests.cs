using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Hand-written dropout whose 0/1 mask is made by a call the per-file model cannot read: a fill method behind an
/// interface (a computation backend), or a sampler on a tensor class of another file, applied by an element-wise product
/// written as a call, a user operator or <c>Where(mask, x, 0)</c>. With no factor anywhere in the layer, DRP004 is
/// reported at compilation end; a mask that already holds 1/p, implementations that disagree, a layer that scales, or a
/// sampler whose probabilities are not filled in view are silent.
/// </summary>
public sealed class DropoutSplitOverCallsTests
{
    private const string Backend = """
        public interface IBackend
        {
            void FillKeepMask(float[] mask, double keepProbability);
            float[] Multiply(float[] a, float[] b);
            float[] Scale(float[] a, float factor);
        }
        """;

    private const string CpuBackend = """
        public sealed class CpuBackend : IBackend
        {
            private readonly Random _rng = new(5);

            public void FillKeepMask(float[] mask, double keepProbability)
            {
                for (int i = 0; i < mask.Length; i++)
                    mask[i] = _rng.NextDouble() < keepProbability ? KEPT : 0f;
            }

            public float[] Multiply(float[] a, float[] b)
            {
                var r = new float[a.Length];
                for (int i = 0; i < a.Length; i++) r[i] = a[i] * b[i];
                return r;
            }

            public float[] Scale(float[] a, float factor) => a.Select(v => v * factor).ToArray();
        }
        """;

    private const string Layer = """
        public sealed class DropoutLayer(double dropRate)
        {
            public float[] Run(float[] inputs, IBackend backend, bool training)
            {
                if (!training) return INFERENCE;
                var mask = new float[inputs.Length];
                backend.FillKeepMask(mask, 1.0 - dropRate);
                return APPLY;
            }
        }
        """;

    private static Task VerifyAsync(params (string Name, string Source)[] files)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAcrossCallsAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static string Cpu(string kept = "1f", string name = "CpuBackend") => CpuBackend.Replace("KEPT", kept).Replace("CpuBackend", name);

    private static string DropoutLayer(string apply, string inference = "inputs") => Layer.Replace("APPLY", apply).Replace("INFERENCE", inference);

    [Fact]
    public Task FillBehindAnInterface_WithOneImplementation_AppliedByABackendCall_IsReported() =>
        VerifyAsync(("IBackend.cs", Backend), ("CpuBackend.cs", Cpu()), ("DropoutLayer.cs", DropoutLayer("{|DRP004:backend.Multiply(inputs, mask)|}")));

    [Fact]
    public Task FillBehindAnInterface_AppliedElementByElement_IsReported() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("DropoutLayer.cs", DropoutLayer("inputs.Select((x, i) => {|DRP004:x * mask[i]|}).ToArray()")));

    [Fact]
    public Task FillBehindAnInterface_WithImplementationsThatAgree_IsReported() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("OtherBackend.cs", Cpu(name: "OtherBackend")),
            ("DropoutLayer.cs", DropoutLayer("{|DRP004:backend.Multiply(inputs, mask)|}")));

    [Fact]
    public Task FillThatStoresTheInverseKeepProbability_IsSilent() =>
        VerifyAsync(("IBackend.cs", Backend), ("CpuBackend.cs", Cpu("(float)(1 / keepProbability)")), ("DropoutLayer.cs", DropoutLayer("backend.Multiply(inputs, mask)")));

    [Fact]
    public Task FillBehindAnInterface_WithImplementationsThatDisagree_IsSilent() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("ScaledBackend.cs", Cpu("(float)(1 / keepProbability)", "ScaledBackend")),
            ("DropoutLayer.cs", DropoutLayer("backend.Multiply(inputs, mask)")));

    [Fact]
    public Task LayerThatScalesTheProduct_IsSilent() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("DropoutLayer.cs", DropoutLayer("backend.Scale(backend.Multiply(inputs, mask), (float)(1 / (1.0 - dropRate)))")));

    [Fact]
    public Task LayerThatMultipliesByTheKeepProbabilityAtInference_IsSilent() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("DropoutLayer.cs", DropoutLayer("backend.Multiply(inputs, mask)", "inputs.Select(x => x * (float)(1.0 - dropRate)).ToArray()")));

    [Fact]
    public Task SameMaskNotNamedForDropout_IsSilent() =>
        VerifyAsync(
            ("IBackend.cs", Backend),
            ("CpuBackend.cs", Cpu()),
            ("GateLayer.cs", DropoutLayer("backend.Multiply(inputs, mask)").Replace("DropoutLayer(double dropRate)", "GateLayer(double rate)").Replace("dropRate", "rate")));

    [Fact]
    public Task InterfaceImplementationAndLayerInOneFile_IsReportedOnce() =>
        VerifyAsync(("All.cs", Backend + "\n" + Cpu() + "\n" + DropoutLayer("{|DRP004:backend.Multiply(inputs, mask)|}")));

    private const string TensorFile = """
        public sealed class FloatTensor
        {
            private static readonly Random Rng = new(1);
            private float[] _data;

            public FloatTensor(int size) => _data = new float[size];

            public int Size => _data.Length;

            public float[] Data => _data;

            public FloatTensor EmptyCopy() => new(_data.Length);

            public FloatTensor Fill(float value)
            {
                for (int i = 0; i < _data.Length; i++) _data[i] = value;
                return this;
            }

            public FloatTensor Mul(FloatTensor other)
            {
                var r = EmptyCopy();
                for (int i = 0; i < _data.Length; i++) r._data[i] = _data[i] * other._data[i];
                return r;
            }

            public FloatTensor Mul(float factor)
            {
                var r = EmptyCopy();
                for (int i = 0; i < _data.Length; i++) r._data[i] = _data[i] * factor;
                return r;
            }

            public static FloatTensor operator *(FloatTensor a, FloatTensor b) => a.Mul(b);

            public static FloatTensor Where(FloatTensor condition, FloatTensor a, float otherwise)
            {
                var r = a.EmptyCopy();
                for (int i = 0; i < r._data.Length; i++) r._data[i] = condition._data[i] != 0 ? a._data[i] : otherwise;
                return r;
            }

            public FloatTensor SampleMask()
            {
                var result = EmptyCopy();
                for (int i = 0; i < _data.Length; i++)
                {
                    if (Rng.NextDouble() < _data[i]) result._data[i] = KEPT;
                    else result._data[i] = 0;
                }

                return result;
            }
        }
        """;

    private const string SamplingLayer = """
        public sealed class DropoutOp(float rate)
        {
            private FloatTensor _keepSource;

            public FloatTensor Forward(FloatTensor input)
            {
                if (_keepSource == null || _keepSource.Size != input.Size)
                {
                    _keepSource = input.EmptyCopy();
                    _keepSource.Fill(1 - rate);
                }

                return APPLY;
            }
        }
        """;

    private static string Tensor(string kept = "1") => TensorFile.Replace("KEPT", kept);

    // The layer draws a fresh mask on every Forward and has no flag or mode: it has no inference path either (DRP014, as
    // the real layer this reduces).
    [Fact]
    public Task SamplerOnATensorClassOfAnotherFile_AppliedByMul_IsReported() =>
        VerifyAsync(("FloatTensor.cs", Tensor()), ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "{|DRP004:{|DRP014:input.Mul(_keepSource.SampleMask())|}|}")));

    [Fact]
    public Task SamplerAppliedByAUserOperator_IsReported() =>
        VerifyAsync(("FloatTensor.cs", Tensor()), ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "{|DRP004:{|DRP014:input * _keepSource.SampleMask()|}|}")));

    [Fact]
    public Task SamplerAppliedByWhere_IsReported() =>
        VerifyAsync(("FloatTensor.cs", Tensor()), ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "{|DRP004:{|DRP014:FloatTensor.Where(_keepSource.SampleMask(), input, 0)|}|}")));

    [Fact]
    public Task SamplerWhoseProductIsScaled_IsNotReportedForTheScale() =>
        VerifyAsync(("FloatTensor.cs", Tensor()), ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "{|DRP014:input.Mul(_keepSource.SampleMask())|}.Mul(1f / (1 - rate))")));

    [Fact]
    public Task SamplerThatStoresTheInverseProbability_IsSilent() =>
        VerifyAsync(("FloatTensor.cs", Tensor("1 / _data[i]")), ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "input.Mul(_keepSource.SampleMask())")));

    [Fact]
    public Task SamplerWhoseProbabilitiesAreNotFilledInView_IsSilent() =>
        VerifyAsync(
            ("FloatTensor.cs", Tensor()),
            ("DropoutOp.cs", SamplingLayer.Replace("APPLY", "input.Mul(_keepSource.SampleMask())").Replace("_keepSource.Fill(1 - rate);", "_keepSource = Probabilities(input);")
                .Replace("    public FloatTensor Forward", "    private static FloatTensor Probabilities(FloatTensor input) => input;\n\n    public FloatTensor Forward")));

    private const string NeuronFile = """
        public sealed class Synapse
        {
            public double Weight = 1;
            public Neuron From;
        }

        public sealed class Neuron
        {
            public double InVal;
            public double OutVal;
            public List<Synapse> InSynapses = new();
        }

        public static class Chance
        {
            private static readonly Random Rng = new(4);

            public static double Uniform(double low, double high) => low + (high - low) * Rng.NextDouble();
        }
        """;

    private const string SynapseDropoutFile = """
        public sealed class SynapseDropout(double dropChance)
        {
            public List<Neuron> Neurons { get; } = new();

            public void Forward(bool isTraining)
            {
                if (isTraining)
                {
                    Neurons.ForEach(n =>
                    {
                        Synapse s = n.InSynapses[0];
                        n.InVal = s.Weight * s.From.OutVal;
                        n.OutVal = n.InVal;
                    });
                }
                else
                {
                    Neurons.ForEach(n => n.OutVal = n.InVal = n.InSynapses[0].From.OutVal);
                }
            }

            public void Update()
            {
                Neurons.ForEach(n => n.InSynapses[0].Weight = DRAW <= dropChance ? 0.0 : KEPT);
            }
        }
        """;

    private static Task VerifyPerFileAsync(params (string Name, string Source)[] files)
    {
        var test = new CSharpAnalyzerTest<MissingInvertedScalingAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task MaskInAnotherObjectsMember_SetFromALambda_DrawnByAUniformOfAnotherFile_IsReported() =>
        VerifyPerFileAsync(
            ("Neuron.cs", NeuronFile),
            ("SynapseDropout.cs", SynapseDropoutFile.Replace("DRAW <= dropChance", "{|DRP004:Chance.Uniform(0, 1) <= dropChance|}").Replace("KEPT", "1.0")));

    [Fact]
    public Task MaskInAnotherObjectsMember_HoldingTheInverseKeepProbability_IsSilent() =>
        VerifyPerFileAsync(
            ("Neuron.cs", NeuronFile),
            ("SynapseDropout.cs", SynapseDropoutFile.Replace("DRAW", "Chance.Uniform(0, 1)").Replace("KEPT", "1.0 / (1.0 - dropChance)")));

    [Fact]
    public Task UniformWithOtherBounds_IsNoUnitDraw() =>
        VerifyPerFileAsync(
            ("Neuron.cs", NeuronFile),
            ("SynapseDropout.cs", SynapseDropoutFile.Replace("DRAW", "Chance.Uniform(0, 2)").Replace("KEPT", "1.0")));
}
