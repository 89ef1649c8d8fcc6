using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Dropout written as calls on a tensor type of the user's own library: a random tensor thresholded by a comparison call
/// or operator (<c>Grid.Uniform01(dims).Gt(Grid.Constant(rate))</c>), or a 0/1 mask returned by a helper of another file
/// through a wrapper that builds a tensor from it, a local and a view (<c>noise.Broadcast(dims)</c>), multiplied into the
/// activation by a product call (<c>x.Mul(mask)</c>, <c>Ops.Mul(result, x, mask)</c>) or operator. DRP004 when nothing in the
/// layer scales; DRP014 when the forward draws and applies it on every call. A random tensor that is not uniform, a
/// threshold of the activation itself, a helper that stores 1/p, noise multiplied in without a threshold, a type that does
/// not speak of dropout, a flag, a mode or a guarded caller are silent.
/// </summary>
public sealed class TensorCallDropoutTests
{
    // A small tensor library, written for these tests: its uniform sampler is read from its body, not its name.
    private const string Grid = """
        public sealed class Grid
        {
            private static readonly Random Gen = new(3);

            public Grid(int[] dims, float[] values) { Dims = dims; Values = values; }

            public int[] Dims { get; }

            public float[] Values { get; }

            public static Grid Sample01(int[] dims)
            {
                int n = 1;
                foreach (int d in dims) n *= d;
                var v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float)Gen.NextDouble();
                return new Grid(dims, v);
            }

            public static Grid Spread(int[] dims)
            {
                int n = 1;
                foreach (int d in dims) n *= d;
                var v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float)(Gen.NextDouble() * 2 - 1);
                return new Grid(dims, v);
            }

            public static Grid Constant(float c) => new(new[] { 1 }, new[] { c });

            public Grid Gt(Grid other) => Map(other, (a, b) => a > b ? 1f : 0f);

            public Grid Lt(Grid other) => Map(other, (a, b) => a < b ? 1f : 0f);

            public Grid Mul(Grid other) => Map(other, (a, b) => a * b);

            public Grid Mul(float s) => Map(Constant(s), (a, b) => a * b);

            public Grid Broadcast(params int[] dims) => this;

            public void Load(float[] values) => Array.Copy(values, Values, values.Length);

            public static Grid operator *(Grid a, Grid b) => a.Mul(b);

            public static Grid operator <(Grid a, float p) => a.Lt(Constant(p));

            public static Grid operator >(Grid a, float p) => a.Gt(Constant(p));

            private Grid Map(Grid other, Func<float, float, float> f)
            {
                var r = new float[Values.Length];
                for (int i = 0; i < r.Length; i++) r[i] = f(Values[i], other.Values[other.Values.Length == 1 ? 0 : i]);
                return new Grid(Dims, r);
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

    private static Task VerifyLayerAsync(string layer) => VerifyAsync(("Grid.cs", Grid), ("Layer.cs", layer));

    [Fact]
    public Task ThresholdedUniformTensor_ScaledOnEveryCall_HasNoInferencePath() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float rate)
            {
                public Grid Forward(Grid x)
                {
                    if (rate == 0) return x;
                    var keep = Grid.Sample01(x.Dims).Gt(Grid.Constant(rate));
                    return {|DRP014:x.Mul(keep)|}.Mul(1f / (1f - rate));
                }
            }
            """);

    [Fact]
    public Task ThresholdedUniformTensor_NeitherScaledNorSwitchedOff_IsReportedForBoth() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float rate)
            {
                public Grid Forward(Grid x) => {|DRP004:{|DRP014:x.Mul(Grid.Sample01(x.Dims).Gt(Grid.Constant(rate)))|}|};
            }
            """);

    [Fact]
    public Task UserComparisonOperator_UnderATrainingFlag_WithoutScale_IsMissingTheScale() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float keepProbability)
            {
                public Grid Forward(Grid x, bool training)
                {
                    if (!training) return x;
                    Grid mask = Grid.Sample01(x.Dims) < keepProbability;
                    return {|DRP004:x * mask|};
                }
            }
            """);

    [Fact]
    public Task ThresholdedUniformTensor_UnderATrainingFlag_Scaled_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float rate)
            {
                public bool Training { get; set; } = true;

                public Grid Forward(Grid x)
                {
                    if (!Training) return x;
                    var keep = Grid.Sample01(x.Dims).Gt(Grid.Constant(rate));
                    return x.Mul(keep).Mul(1f / (1f - rate));
                }
            }
            """);

    [Fact]
    public Task ClassicTensorDropout_MultipliedByTheKeepProbabilityAtInference_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float keep)
            {
                public Grid Forward(Grid x, bool training) => training ? x * (Grid.Sample01(x.Dims) < keep) : x.Mul(keep);
            }
            """);

    [Fact]
    public Task ForwardCalledOnlyUnderAFlagByItsNetwork_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float rate)
            {
                public Grid Forward(Grid x)
                {
                    var keep = Grid.Sample01(x.Dims).Gt(Grid.Constant(rate));
                    return x.Mul(keep).Mul(1f / (1f - rate));
                }
            }

            public sealed class Net
            {
                private readonly DropoutLayer _drop = new(0.2f);

                public Grid Run(Grid x, bool train) => train ? _drop.Forward(x) : x;
            }
            """);

    [Fact]
    public Task ThresholdOfANonUniformRandomTensor_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutLayer(float rate)
            {
                public Grid Forward(Grid x) => x.Mul(Grid.Spread(x.Dims).Gt(Grid.Constant(rate)));
            }
            """);

    [Fact]
    public Task ThresholdOfTheActivationItself_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutBlock(float rate)
            {
                public Grid Forward(Grid x) => x.Mul(x.Gt(Grid.Constant(0f)));
            }
            """);

    [Fact]
    public Task UniformNoiseMultipliedInWithoutAThreshold_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class DropoutNoise(float rate)
            {
                public Grid Forward(Grid x) => x.Mul(Grid.Sample01(x.Dims));
            }
            """);

    [Fact]
    public Task RandomErasingNotNamedForDropout_IsSilent() =>
        VerifyLayerAsync("""
            public sealed class RandomErasing(float area)
            {
                public Grid Apply(Grid image) => image.Mul(Grid.Sample01(image.Dims).Gt(Grid.Constant(area)));
            }
            """);

    // A mask helper of another file writes 1 or 0 under a draw kept with its parameter; the layer's file wraps it into a
    // tensor, broadcasts it and multiplies it in with a three-operand product into a result tensor.
    private const string MaskHelper = """
        public static class Draws
        {
            private static readonly Random Gen = new(11);

            public static float[] KeepWeights(int n, float keep)
            {
                var w = new float[n];
                for (int i = 0; i < n; i++) w[i] = Gen.NextDouble() < keep ? KEPT : 0f;
                return w;
            }
        }

        public static class Ops
        {
            public static Grid Mul(Grid result, Grid a, Grid b) => result;
        }
        """;

    private const string GraphLayer = """
        public sealed class Graph(bool needsBackward)
        {
            private Grid Noise(int n, float keep)
            {
                float[] w = Draws.KeepWeights(n, keep);
                var noise = new Grid(new[] { n }, new float[n]);
                noise.Load(w);
                return noise;
            }

            private Grid NoiseFilled(int n, float keep)
            {
                float[] w = Draws.KeepWeights(n, keep);
                return new Grid(new[] { n }, w);
            }

            public Grid Dropout(Grid x, Grid result, float dropProb)
            {
                if (dropProb == 0 || !needsBackward) return x;
                float keep = 1f - dropProb;
                Grid noise = NOISE(x.Dims[1], keep);
                Grid wide = noise.Broadcast(x.Dims);
                APPLY;
                return result;
            }
        }
        """;

    private static Task VerifyGraphAsync(string kept, string apply, string noise = "Noise") =>
        VerifyAsync(("Grid.cs", Grid), ("Draws.cs", MaskHelper.Replace("KEPT", kept)), ("Graph.cs", GraphLayer.Replace("APPLY", apply).Replace("NOISE", noise)));

    [Fact]
    public Task ZeroOneMaskOfAHelperElsewhere_LoadedIntoATensorBroadcastAndMultipliedIn_IsMissingTheScale() =>
        VerifyGraphAsync("1f", "{|DRP004:Ops.Mul(result, x, wide)|}");

    [Fact]
    public Task ZeroOneMaskOfAHelperElsewhere_BuiltIntoATensor_IsMissingTheScale() =>
        VerifyGraphAsync("1f", "{|DRP004:Ops.Mul(result, x, wide)|}", "NoiseFilled");

    [Fact]
    public Task MaskOfAHelperElsewhere_ThatStoresTheInverseKeepProbability_IsSilent() =>
        VerifyGraphAsync("1f / keep", "Ops.Mul(result, x, wide)");

    [Fact]
    public Task ZeroOneMaskOfAHelperElsewhere_WhenTheGraphScales_IsSilent() =>
        VerifyGraphAsync("1f", "Ops.Mul(result, x, wide.Mul(1f / keep))");

    [Fact]
    public Task WrapperThatDoesNotHandOnTheProbability_IsSilent() =>
        VerifyAsync(
            ("Grid.cs", Grid),
            ("Draws.cs", MaskHelper.Replace("KEPT", "1f")),
            ("Graph.cs", GraphLayer.Replace("Draws.KeepWeights(n, keep)", "Draws.KeepWeights(n, 0.5f)").Replace("APPLY", "Ops.Mul(result, x, wide)").Replace("NOISE", "Noise")));

    // A computation handler interface whose CPU implementation fills the mask from a hand-written xorshift generator's bits
    // compared with the probability scaled to 16 bits; a debugging decorator and a GPU handler hand the call on unchanged.
    private const string Handlers = """
        public sealed class Arr
        {
            public Arr(float[] data) => Data = data;

            public float[] Data { get; }
        }

        public interface IHandler
        {
            void FillWithProbabilityMask(Arr array, double probability);
            Arr Multiply(Arr a, Arr b);
        }

        public class CpuHandler : IHandler
        {
            private uint _x = 123456789, _y = 362436069;

            public virtual void FillWithProbabilityMask(Arr array, double probability)
            {
                float[] data = array.Data;
                ushort threshold = (ushort)Math.Round(probability * ushort.MaxValue);
                uint x = _x, y = _y;
                for (int i = 0; i < data.Length; i++)
                {
                    uint t = x ^ (x << 11);
                    x = y;
                    y = y ^ (y >> 19) ^ (t ^ (t >> 8));
                    data[i] = (ushort)y < threshold ? KEPT : 0;
                }

                _x = x;
                _y = y;
            }

            public Arr Multiply(Arr a, Arr b) => new(a.Data.Select((v, i) => v * b.Data[i]).ToArray());
        }

        public sealed class GpuHandler : CpuHandler
        {
            private readonly Device _device = new();

            public override void FillWithProbabilityMask(Arr array, double probability) => _device.FillWithProbabilityMask(array.Data, (float)probability);
        }

        public sealed class Device
        {
            public void FillWithProbabilityMask(float[] buffer, float probability) => Launch("fill_mask", buffer, probability);

            private static void Launch(string kernel, float[] buffer, float probability) { }
        }

        public sealed class DebugHandler(IHandler inner) : IHandler
        {
            public void FillWithProbabilityMask(Arr array, double probability)
            {
                if (probability < 0 || probability > 1) throw new ArgumentOutOfRangeException(nameof(probability));
                inner.FillWithProbabilityMask(Check(array), probability);
            }

            public Arr Multiply(Arr a, Arr b) => inner.Multiply(Check(a), Check(b));

            private static Arr Check(Arr a) => a;
        }
        """;

    private const string HandlerLayer = """
        public sealed class DropoutLayer(double dropoutProbability)
        {
            public Arr Run(Arr inputs, IHandler handler, bool trainingPass)
            {
                if (!trainingPass) return INFERENCE;
                var mask = new Arr(new float[inputs.Data.Length]);
                handler.FillWithProbabilityMask(mask, 1.0 - dropoutProbability);
                return APPLY;
            }
        }
        """;

    private static Task VerifyHandlersAsync(string kept, string apply, string inference = "inputs") =>
        VerifyAsync(("Handlers.cs", Handlers.Replace("KEPT", kept)), ("DropoutLayer.cs", HandlerLayer.Replace("APPLY", apply).Replace("INFERENCE", inference)));

    [Fact]
    public Task FillFromAHandWrittenGeneratorsBits_BehindDecoratorsAndABackend_IsMissingTheScale() =>
        VerifyHandlersAsync("1", "{|DRP004:handler.Multiply(inputs, mask)|}");

    [Fact]
    public Task FillFromAHandWrittenGeneratorsBits_AppliedToAnActivationACallReturned_IsMissingTheScale() =>
        VerifyAsync(
            ("Handlers.cs", Handlers.Replace("KEPT", "1")),
            ("DropoutLayer.cs", HandlerLayer.Replace("APPLY", "{|DRP004:handler.Multiply(Activations(inputs), mask)|}").Replace("INFERENCE", "inputs")
                .Replace("    public Arr Run", "    private static Arr Activations(Arr inputs) => new(inputs.Data);\n\n    public Arr Run")));

    [Fact]
    public Task FillFromAHandWrittenGeneratorsBits_StoringTheInverse_IsSilent() =>
        VerifyHandlersAsync("(float)(1 / probability)", "handler.Multiply(inputs, mask)");

    [Fact]
    public Task FillFromAHandWrittenGeneratorsBits_WhenTheLayerScalesAtInference_IsSilent() =>
        VerifyHandlersAsync("1", "handler.Multiply(inputs, mask)", "new Arr(inputs.Data.Select(v => v * (float)(1 - dropoutProbability)).ToArray())");

    [Fact]
    public Task ImplementationThatDoesNotHandTheProbabilityOn_IsSilent() =>
        VerifyAsync(
            ("Handlers.cs", Handlers.Replace("KEPT", "1").Replace("_device.FillWithProbabilityMask(array.Data, (float)probability)", "_device.FillWithProbabilityMask(array.Data, 0.5f)")),
            ("DropoutLayer.cs", HandlerLayer.Replace("APPLY", "handler.Multiply(inputs, mask)").Replace("INFERENCE", "inputs")));

    // The sampler's fill loop moved out of it: `Sample01` hands its buffer to a helper (FILL is the helper and its call).
    private const string GridWithHelperFill = """
        public sealed class Grid
        {
            private static readonly Random Gen = new(3);

            public Grid(int[] dims, float[] values) { Dims = dims; Values = values; }

            public int[] Dims { get; }

            public float[] Values { get; }

            public static Grid Sample01(int[] dims)
            {
                int n = 1;
                foreach (int d in dims) n *= d;
                var v = new float[n];
                FILL
                return new Grid(dims, v);
            }

            HELPER

            public static Grid Constant(float c) => new(new[] { 1 }, new[] { c });

            public Grid Gt(Grid other)
            {
                var r = new float[Values.Length];
                for (int i = 0; i < r.Length; i++) r[i] = Values[i] > other.Values[other.Values.Length == 1 ? 0 : i] ? 1f : 0f;
                return new Grid(Dims, r);
            }

            public Grid Mul(Grid other)
            {
                var r = new float[Values.Length];
                for (int i = 0; i < r.Length; i++) r[i] = Values[i] * other.Values[i];
                return new Grid(Dims, r);
            }

            public Grid Mul(float s)
            {
                var r = new float[Values.Length];
                for (int i = 0; i < r.Length; i++) r[i] = Values[i] * s;
                return new Grid(Dims, r);
            }
        }
        """;

    private const string ScaledEveryCall = """
        public sealed class DropoutLayer(float rate)
        {
            public Grid Forward(Grid x)
            {
                if (rate == 0) return x;
                var keep = Grid.Sample01(x.Dims).Gt(Grid.Constant(rate));
                return {|DRP014:x.Mul(keep)|}.Mul(1f / (1f - rate));
            }
        }
        """;

    private static Task VerifyHelperFillAsync(string fill, string helper, bool reported) =>
        VerifyAsync(
            ("Grid.cs", GridWithHelperFill.Replace("FILL", fill).Replace("HELPER", helper)),
            ("Layer.cs", reported ? ScaledEveryCall : ScaledEveryCall.Replace("{|DRP014:x.Mul(keep)|}", "x.Mul(keep)")));

    [Fact]
    public Task UniformFillLoopInAPrivateHelper_ThresholdedOnEveryCall_HasNoInferencePath() =>
        VerifyHelperFillAsync("Fill(v);", "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)Gen.NextDouble(); }", reported: true);

    [Fact]
    public Task UniformFillLoopInAStaticLocalFunction_ThresholdedOnEveryCall_HasNoInferencePath() =>
        VerifyHelperFillAsync("Fill(v, n);\n static void Fill(float[] buffer, int count) { for (int i = 0; i < count; i++) buffer[i] = (float)Gen.NextDouble(); }", "", reported: true);

    [Fact]
    public Task UniformDrawPerElementInAHelperCalledFromTheLoop_ThresholdedOnEveryCall_HasNoInferencePath() =>
        VerifyHelperFillAsync("for (int i = 0; i < n; i++) Put(v, i);", "private static void Put(float[] buffer, int at) => buffer[at] = (float)Gen.NextDouble();", reported: true);

    [Fact]
    public Task UniformFillHandedOnThroughTwoHelpers_ThresholdedOnEveryCall_HasNoInferencePath() =>
        VerifyHelperFillAsync(
            "Fill(v);",
            "private static void Fill(float[] buffer) => FillRange(buffer, 0, buffer.Length);\n private static void FillRange(float[] buffer, int from, int to) { for (int i = from; i < to; i++) buffer[i] = (float)Gen.NextDouble(); }",
            reported: true);

    [Fact]
    public Task HelperThatFillsWithGaussians_IsSilent() =>
        VerifyHelperFillAsync(
            "Fill(v);",
            "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - Gen.NextDouble())) * Math.Cos(2 * Math.PI * Gen.NextDouble())); }",
            reported: false);

    [Fact]
    public Task HelperThatFillsWithAConstant_IsSilent() =>
        VerifyHelperFillAsync("Fill(v);", "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = 0.5f; }", reported: false);

    [Fact]
    public Task HelperThatFillsWithScaledDraws_IsSilent() =>
        VerifyHelperFillAsync("Fill(v);", "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)(Gen.NextDouble() * 2 - 1); }", reported: false);

    [Fact]
    public Task UniformHelperFill_ThenAnotherHelperWritingConstants_IsSilent() =>
        VerifyHelperFillAsync(
            "Fill(v);\n Clear(v);",
            "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)Gen.NextDouble(); }\n private static void Clear(float[] buffer) { for (int i = 0; i < buffer.Length; i += 2) buffer[i] = 0f; }",
            reported: false);

    [Fact]
    public Task UniformHelperFill_ThatAlsoHandsTheBufferToArrayFill_IsSilent() =>
        VerifyHelperFillAsync(
            "Fill(v);",
            "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)Gen.NextDouble(); Array.Fill(buffer, 1f, 0, buffer.Length / 2); }",
            reported: false);

    [Fact]
    public Task UniformHelperFill_ThroughALocalAlias_IsSilent() =>
        VerifyHelperFillAsync(
            "Fill(v);",
            "private static void Fill(float[] buffer) { var alias = buffer; for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)Gen.NextDouble(); alias[0] = 1f; }",
            reported: false);

    [Fact]
    public Task UniformHelperFill_ThenAConstantThroughARefToAnElement_IsSilent() =>
        VerifyHelperFillAsync(
            "Fill(v);",
            "private static void Fill(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)Gen.NextDouble(); ref float first = ref buffer[0]; first = 1f; }",
            reported: false);
}
