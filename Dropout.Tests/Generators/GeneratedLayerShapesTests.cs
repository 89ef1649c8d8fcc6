using System.Reflection;

namespace Dropout.Tests.Generators;

/// <summary>
/// Compile-and-run for every kind of declaration the generator reopens (nested, generic, record, struct,
/// file-scoped and global namespace), for the method form, fixed sizes and modes.
/// </summary>
public sealed class GeneratedLayerShapesTests
{
    private static readonly int[] Lengths = [0, 3, 64, 100, 2048, 2048 + 128 + 7, 5000];

    [Theory]
    [InlineData("nested", "namespace Probes; public static partial class Outer { public partial class Middle { [Dropout(0.5)] internal sealed partial class Hidden { } } }", "new Outer.Middle.Hidden()", 0.5)]
    [InlineData("generic", "namespace Probes; [Dropout(0.8)] public partial class Dense<TWeights, TBias> where TWeights : struct { }", "new Dense<int, float>()", 0.8)]
    [InlineData("nested in generic", "namespace Probes; public partial class Model<T> { [Dropout(0.25)] public partial class Hidden { } }", "new Model<string>.Hidden()", 0.25)]
    [InlineData("record", "namespace Probes; [Dropout(0.9)] public sealed partial record Hidden(int Width);", "new Hidden(3)", 0.9)]
    [InlineData("record struct", "namespace Probes; [Dropout(0.75)] public partial record struct Hidden(int Width);", "new Hidden(3)", 0.75)]
    [InlineData("struct", "namespace Probes; [Dropout(0.1, MaskStorage = DropoutMaskStorage.Regenerate)] public partial struct Hidden { public int Width => 3; }", "new Hidden()", 0.1)]
    [InlineData("ref struct", "namespace Probes; [Dropout(0.5, Size = 0)] public ref partial struct Hidden { }", "new Hidden()", 0.5)]
    [InlineData("block namespace", "namespace Probes.Deeper { [Dropout(1e-3)] public partial class Hidden { } }", "new Probes.Deeper.Hidden()", 1e-3)]
    [InlineData("global namespace", "[Dropout(0.5)] public partial class GlobalHidden { }", "new GlobalHidden()", 0.5)]
    [InlineData("keyword names", "namespace Probes.@class; [Dropout(0.5)] public partial class @event { }", "new Probes.@class.@event()", 0.5)]
    public void GeneratedLayer_OfEveryDeclarationKind_MatchesRuntimeReference(string kind, string declaration, string construction, double keepProbability)
    {
        _ = kind;
        string layer = "using System;\nusing Dropout;\n" + declaration + "\n";
        string probe = "using System;\nusing Dropout;\nusing Probes;\nusing Probes.Deeper;\nnamespace ProbeHost;\n" + GeneratedLayerBitIdentityTests.ProbeSource("Layer", construction);
        Assembly assembly = GeneratorHarness.CompileAndLoad(layer, probe, "namespace Probes.Deeper { } namespace Probes { }");
        GeneratedLayerBitIdentityTests.AssertProbeMatchesReference(assembly, "ProbeHost.ProbeLayer", keepProbability, Lengths);
    }

    private const string MethodModel = """
        using System;
        using Dropout;
        namespace Probes;

        public sealed partial class Network
        {
            [Dropout(0.8)] private partial void DropInput(scoped Span<float> x);

            [Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)]
            internal partial void DropHidden(ReadOnlySpan<double> input, Span<double> output);

            public float[][] RunInput(float[] values)
            {
                float[] forward = (float[])values.Clone();
                DropInput(forward);
                float[] gradient = new float[values.Length];
                Array.Fill(gradient, 1f);
                DropInputBackward(gradient);
                return new[] { forward, gradient };
            }

            public double[][] RunHidden(double[] values)
            {
                double[] forward = new double[values.Length];
                DropHidden(values, forward);
                double[] ones = new double[values.Length];
                Array.Fill(ones, 1.0);
                double[] gradient = new double[values.Length];
                DropHiddenBackward(ones, gradient);
                return new[] { forward, gradient };
            }
        }

        public static class Probe
        {
            public static object[] Run(float[] input, double[] inputDouble, ulong seed)
            {
                var network = new Network { DropoutContext = new DropoutContext(seed) };
                // Site 0 is DropInput (first used), site 1 is DropHidden.
                float[][] first = network.RunInput(input);
                double[][] second = network.RunHidden(inputDouble);
                return new object[] { first[0], first[1], second[0], second[1] };
            }
        }
        """;

    [Fact]
    public void DropoutMethods_AreSitesOfTheirOwn_AndMatchRuntimeReference()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(MethodModel);
        const ulong seed = 77;
        foreach (int length in Lengths)
        {
            float[] input = GeneratedLayerBitIdentityTests.RandomValues(length, length);
            double[] inputDouble = input.Select(value => (double)value).ToArray();
            var result = (object[])GeneratorHarness.Invoke(assembly, "Probes.Probe", "Run", input, inputDouble, seed)!;

            float[] expected = new float[length];
            DropoutKernels.Forward(input, expected, 0.8, DropoutContext.DeriveSiteKey(seed, 0), 0);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expected, (float[])result[0], $"DropInput, length {length}");
            float[] expectedGradient = new float[length];
            DropoutKernels.Forward(Enumerable.Repeat(1f, length).ToArray(), expectedGradient, 0.8, DropoutContext.DeriveSiteKey(seed, 0), 0);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expectedGradient, (float[])result[1], $"DropInputBackward, length {length}");

            double[] expectedDouble = new double[length];
            DropoutKernels.Forward(inputDouble, expectedDouble, 0.5, DropoutContext.DeriveSiteKey(seed, 1), 0);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expectedDouble, (double[])result[2], $"DropHidden, length {length}");
            double[] expectedDoubleGradient = new double[length];
            DropoutKernels.Forward(Enumerable.Repeat(1.0, length).ToArray(), expectedDoubleGradient, 0.5, DropoutContext.DeriveSiteKey(seed, 1), 0);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expectedDoubleGradient, (double[])result[3], $"DropHiddenBackward, length {length}");
        }
    }

    [Theory]
    [InlineData(0.5, 4096)] // two whole 1-bit tiles: no tail at all
    [InlineData(0.8, 256)] // two whole 16-bit tiles
    [InlineData(0.5, 256)] // four groups of one 1-bit tile
    [InlineData(0.75, 100)] // one group and 36 elements left to the runtime
    public void FixedSizeLayer_MatchesRuntimeReference(double keepProbability, int size)
    {
        string source = "using System;\nusing Dropout;\nnamespace Probes;\n"
            + $"[Dropout({keepProbability.ToString(System.Globalization.CultureInfo.InvariantCulture)}, Size = {size})] public partial class Fixed {{ }}\n"
            + GeneratedLayerBitIdentityTests.ProbeSource("Fixed", "new Fixed()");
        Assembly assembly = GeneratorHarness.CompileAndLoad(source);
        GeneratedLayerBitIdentityTests.AssertProbeMatchesReference(assembly, "Probes.ProbeFixed", keepProbability, [size]);
    }

    [Fact]
    public void FixedSizeLayer_RejectsOtherLengths()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad("""
            using System;
            using Dropout;
            namespace Probes;
            [Dropout(0.5, Size = 128)] public partial class Fixed { }
            public static class Probe { public static void Run(int length) => new Fixed().DropoutForward(new float[length]); }
            """);
        GeneratorHarness.Invoke(assembly, "Probes.Probe", "Run", 128);
        var failure = Assert.Throws<TargetInvocationException>(() => GeneratorHarness.Invoke(assembly, "Probes.Probe", "Run", 127));
        Assert.IsType<ArgumentException>(failure.InnerException);
    }

    private const string ModeModel = """
        using System;
        using Dropout;
        namespace Probes;

        [Dropout(0.5)] public partial class Hidden { }

        public static class Probe
        {
            public static float[][] InferenceThenTraining(float[] values)
            {
                var context = new DropoutContext(5);
                var layer = new Hidden { DropoutContext = context };
                float[] inference = (float[])values.Clone();
                float[] inferenceGradient = (float[])values.Clone();
                using (context.Inference())
                {
                    layer.DropoutForward(inference);
                    layer.DropoutBackward(inferenceGradient);
                }

                float[] training = (float[])values.Clone();
                layer.DropoutForward(training);
                return new[] { inference, inferenceGradient, training };
            }

            public static string BackwardWithoutForward()
            {
                try { new Hidden().DropoutBackward(new float[4]); return "no exception"; }
                catch (InvalidOperationException exception) { return exception.Message; }
            }

            public static string BackwardWithOtherLength()
            {
                var layer = new Hidden { DropoutContext = new DropoutContext(1) };
                layer.DropoutForward(new float[8]);
                try { layer.DropoutBackward(new float[4]); return "no exception"; }
                catch (InvalidOperationException exception) { return exception.Message; }
            }

            public static string[] InvalidSpans()
            {
                var layer = new Hidden { DropoutContext = new DropoutContext(2) };
                float[] buffer = new float[100];
                return new[]
                {
                    Message(() => layer.DropoutForward(new float[10], new float[11])),
                    Message(() => layer.DropoutForward(buffer.AsSpan(0, 50), buffer.AsSpan(10, 50))),
                    Message(() => layer.DropoutForward(buffer.AsSpan(0, 50), buffer.AsSpan(0, 50))),
                };
            }

            private static string Message(Action action)
            {
                try { action(); return "no exception"; }
                catch (ArgumentException exception) { return exception.Message; }
            }

            public static bool[] ContextSwitchRegistersNewSite()
            {
                var first = new DropoutContext(9);
                var layer = new Hidden { DropoutContext = first };
                var firstStream = layer.DropoutStream;
                var second = new DropoutContext(9);
                layer.DropoutContext = second;
                return new[] { ReferenceEquals(firstStream.Context, first), ReferenceEquals(layer.DropoutStream.Context, second), ReferenceEquals(new Hidden().DropoutContext, DropoutContext.Shared) };
            }
        }
        """;

    [Fact]
    public void InferenceMode_LeavesValuesAndGradientsUntouched_AndTrainingDrops()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(ModeModel);
        float[] values = GeneratedLayerBitIdentityTests.RandomValues(3000, 1);
        var result = (float[][])GeneratorHarness.Invoke(assembly, "Probes.Probe", "InferenceThenTraining", values)!;
        GeneratedLayerBitIdentityTests.AssertBitIdentical(values, result[0], "inference forward");
        GeneratedLayerBitIdentityTests.AssertBitIdentical(values, result[1], "inference backward");

        // The first training call is the site's first reservation: offset 0 of site 0.
        float[] expected = new float[values.Length];
        DropoutKernels.Forward(values, expected, 0.5, DropoutContext.DeriveSiteKey(5, 0), 0);
        GeneratedLayerBitIdentityTests.AssertBitIdentical(expected, result[2], "training forward");
    }

    [Fact]
    public void Backward_WithoutMatchingForward_Throws()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(ModeModel);
        Assert.Contains("before any forward", (string)GeneratorHarness.Invoke(assembly, "Probes.Probe", "BackwardWithoutForward")!, StringComparison.Ordinal);
        Assert.Contains("last forward call had 8", (string)GeneratorHarness.Invoke(assembly, "Probes.Probe", "BackwardWithOtherLength")!, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_RejectsMismatchedLengthsAndPartialOverlap_ButAcceptsInPlace()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(ModeModel);
        var messages = (string[])GeneratorHarness.Invoke(assembly, "Probes.Probe", "InvalidSpans")!;
        Assert.Contains("has 11 elements but must have 10", messages[0], StringComparison.Ordinal);
        Assert.Contains("overlaps the input", messages[1], StringComparison.Ordinal);
        Assert.Equal("no exception", messages[2]);
    }

    [Fact]
    public void SettingDropoutContext_RegistersTheSiteWithTheNewContext()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(ModeModel);
        var result = (bool[])GeneratorHarness.Invoke(assembly, "Probes.Probe", "ContextSwitchRegistersNewSite")!;
        Assert.Equal([true, true, true], result);
    }
}
