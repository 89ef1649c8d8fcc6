using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Dropout.Tests.Generators;

/// <summary>
/// Fused epilogue methods (<c>[Dropout(p, Activation = ...)]</c> on a partial method whose parameters name the parts),
/// compiled with the generator and run: forward, backward (with the bias gradient) and inference are compared bit for
/// bit with the runtime's <see cref="FusedEpilogue"/> at the same seed and stream offsets.
/// </summary>
public sealed class GeneratedFusedEpilogueTests
{
    private const ulong Seed = 0xF05E_D0E9_1106_0042;
    private const int Rows = 37;
    private const int Columns = 19;

    private static readonly string[] Activations = ["Identity", "ReLU", "LeakyReLU", "GeluTanh", "SiLU", "Tanh"];

    private sealed record Case(string Name, string Activation, string Element, double P, bool Bias, bool Residual, bool StoresMask)
    {
        // The rule docs/generator.md states: ReLU with a stored mask and the identity need only the mask.
        public bool BackwardTakesPreActivation => Activation is not ("Identity" or "ReLU") || (Activation == "ReLU" && !StoresMask);
    }

    private static readonly Case[] Cases = BuildCases();

    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        var source = new System.Text.StringBuilder("using System;\nusing Dropout;\nnamespace Probes;\n");
        foreach (Case c in Cases)
        {
            source.Append(SiteSource(c));
        }

        return GeneratorHarness.CompileAndLoad(source.ToString());
    });

    private static Case[] BuildCases()
    {
        var cases = new List<Case>();
        foreach (string activation in Activations)
        {
            foreach (string element in new[] { "float", "double" })
            {
                foreach ((bool bias, bool residual) in new[] { (true, true), (false, false), (true, false), (false, true) })
                {
                    foreach (bool stores in new[] { true, false })
                    {
                        double p = (bias ? 0.5 : 0.8) + (residual ? 0.0 : 0.1);
                        cases.Add(new Case(activation + element + (bias ? "B" : string.Empty) + (residual ? "R" : string.Empty) + (stores ? "Bits" : "Regen"), activation, element, p, bias, residual, stores));
                    }
                }
            }
        }

        cases.Add(new Case("ReLUfloatKeepAll", "ReLU", "float", 1.0, true, false, true));
        return cases.ToArray();
    }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (Case c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    private static string SiteSource(Case c)
    {
        string t = c.Element;
        string p = c.P.ToString("R", CultureInfo.InvariantCulture);
        string parameters = "ReadOnlySpan<" + t + "> preActivation" + (c.Bias ? ", ReadOnlySpan<" + t + "> bias" : string.Empty) + (c.Residual ? ", ReadOnlySpan<" + t + "> residual" : string.Empty) + ", Span<" + t + "> output";
        string arguments = "x" + (c.Bias ? ", bias" : string.Empty) + (c.Residual ? ", residual" : string.Empty);
        string backward = "gradOutput" + (c.BackwardTakesPreActivation ? ", x" + (c.Bias ? ", bias" : string.Empty) : string.Empty) + ", gradX" + (c.Bias ? ", gradBias" : string.Empty);
        string storage = c.StoresMask ? string.Empty : ", MaskStorage = DropoutMaskStorage.Regenerate";
        return $$"""

            public sealed partial class Net{{c.Name}}
            {
                [Dropout({{p}}, Activation = DropoutActivation.{{c.Activation}}{{storage}})]
                public partial void Site({{parameters}});

                // Two training steps (forward, then backward), then one inference forward.
                public static {{t}}[][] Run({{t}}[] x, {{t}}[] bias, {{t}}[] residual, {{t}}[] gradOutput, ulong seed)
                {
                    var net = new Net{{c.Name}} { DropoutContext = new DropoutContext(seed) };
                    var results = new System.Collections.Generic.List<{{t}}[]>();
                    for (int step = 0; step < 2; step++)
                    {
                        var output = new {{t}}[x.Length];
                        net.Site({{arguments}}, output);
                        var gradX = new {{t}}[x.Length];
                        var gradBias = new {{t}}[bias.Length];
                        net.SiteBackward({{backward}});
                        results.Add(output);
                        results.Add(gradX);
                        results.Add(gradBias);
                    }

                    using (net.DropoutContext.Inference())
                    {
                        var output = new {{t}}[x.Length];
                        net.Site({{arguments}}, output);
                        results.Add(output);
                    }

                    return results.ToArray();
                }
            }

            """;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GeneratedFusedSite_MatchesRuntimeFusedEpilogue_BitForBit(string name)
    {
        Case c = Cases.Single(x => x.Name == name);
        if (c.Element == "float")
        {
            Check<float>(c, Compiled.Value, static v => (float)v);
        }
        else
        {
            Check<double>(c, Compiled.Value, static v => v);
        }
    }

    private static void Check<T>(Case c, Assembly assembly, Func<double, T> convert)
        where T : unmanaged
    {
        var random = new Random(c.Name.Length * 7919 + c.Activation.Length);
        int count = Rows * Columns;
        T[] x = Enumerable.Range(0, count).Select(_ => convert((random.NextDouble() * 8) - 4)).ToArray();
        T[] bias = c.Bias ? Enumerable.Range(0, Columns).Select(_ => convert(random.NextDouble() - 0.5)).ToArray() : [];
        T[] residual = c.Residual ? Enumerable.Range(0, count).Select(_ => convert(random.NextDouble() - 0.5)).ToArray() : [];
        T[] gradOutput = Enumerable.Range(0, count).Select(_ => convert((random.NextDouble() * 2) - 1)).ToArray();

        var actual = (T[][])assembly.GetType("Probes.Net" + c.Name, throwOnError: true)!
            .GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, [x, bias, residual, gradOutput, Seed])!;

        // The reference: the runtime kernel at the stream positions a site of a fresh context reserves.
        DropoutStream stream = new DropoutContext(Seed).CreateStream();
        int columns = c.Bias ? Columns : count;
        for (int step = 0; step < 2; step++)
        {
            ulong offset = stream.Reserve(count);
            var output = new T[count];
            var mask = new byte[MaskLayout.MaskByteCount(count)];
            var gradX = new T[count];
            var gradBias = new T[bias.Length];
            Reference<T>.Forward(c, x, bias, residual, output, mask, columns, stream.Key, offset);
            Reference<T>.Backward(c, gradOutput, mask, x, bias, gradX, gradBias, columns, stream.Key, offset);
            AssertBits(output, actual[3 * step], c.Name + " forward, step " + step);
            AssertBits(gradX, actual[(3 * step) + 1], c.Name + " backward, step " + step);
            AssertBits(gradBias, actual[(3 * step) + 2], c.Name + " bias gradient, step " + step);
        }

        var inference = new T[count];
        Reference<T>.Inference(c, x, bias, residual, inference, columns);
        AssertBits(inference, actual[6], c.Name + " inference");
    }

    private static void AssertBits<T>(T[] expected, T[] actual, string what)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        byte[] e = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()).ToArray();
        byte[] a = System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual.AsSpan()).ToArray();
        Assert.True(e.AsSpan().SequenceEqual(a), what + " differs from the runtime kernel");
    }

    // Dispatches the activation names to the runtime's operators, for float and double.
    private static class Reference<T>
        where T : unmanaged
    {
        public static void Forward(Case c, T[] x, T[] bias, T[] residual, T[] output, byte[] mask, int columns, ulong key, ulong offset)
        {
            if (x is float[] xf)
            {
                float[] b = (float[])(object)bias, r = (float[])(object)residual, o = (float[])(object)output;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Forward(xf, b, r, o, mask, columns, default(IdentityActivation<float>), c.P, key, offset); break;
                    case "ReLU": FusedEpilogue.Forward(xf, b, r, o, mask, columns, default(ReLUActivation<float>), c.P, key, offset); break;
                    case "LeakyReLU": FusedEpilogue.Forward(xf, b, r, o, mask, columns, new LeakyReLUActivation<float>(0.01f), c.P, key, offset); break;
                    case "GeluTanh": FusedEpilogue.Forward(xf, b, r, o, mask, columns, default(GeluTanhActivation<float>), c.P, key, offset); break;
                    case "SiLU": FusedEpilogue.Forward(xf, b, r, o, mask, columns, default(SiLUActivation<float>), c.P, key, offset); break;
                    default: FusedEpilogue.Forward(xf, b, r, o, mask, columns, default(TanhActivation<float>), c.P, key, offset); break;
                }
            }
            else
            {
                double[] xd = (double[])(object)x, b = (double[])(object)bias, r = (double[])(object)residual, o = (double[])(object)output;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Forward(xd, b, r, o, mask, columns, default(IdentityActivation<double>), c.P, key, offset); break;
                    case "ReLU": FusedEpilogue.Forward(xd, b, r, o, mask, columns, default(ReLUActivation<double>), c.P, key, offset); break;
                    case "LeakyReLU": FusedEpilogue.Forward(xd, b, r, o, mask, columns, new LeakyReLUActivation<double>(0.01), c.P, key, offset); break;
                    case "GeluTanh": FusedEpilogue.Forward(xd, b, r, o, mask, columns, default(GeluTanhActivation<double>), c.P, key, offset); break;
                    case "SiLU": FusedEpilogue.Forward(xd, b, r, o, mask, columns, default(SiLUActivation<double>), c.P, key, offset); break;
                    default: FusedEpilogue.Forward(xd, b, r, o, mask, columns, default(TanhActivation<double>), c.P, key, offset); break;
                }
            }
        }

        // Backward from the recorded mask; the generated site may regenerate instead (MaskStorage = Regenerate), which
        // must give the same bits.
        public static void Backward(Case c, T[] gradOutput, byte[] mask, T[] x, T[] bias, T[] gradX, T[] gradBias, int columns, ulong key, ulong offset)
        {
            if (x is float[] xf)
            {
                float[] g = (float[])(object)gradOutput, b = (float[])(object)bias, gx = (float[])(object)gradX, gb = (float[])(object)gradBias;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, default(IdentityActivation<float>), c.P); break;
                    case "ReLU": FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, default(ReLUActivation<float>), c.P); break;
                    case "LeakyReLU": FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, new LeakyReLUActivation<float>(0.01f), c.P); break;
                    case "GeluTanh": FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, default(GeluTanhActivation<float>), c.P); break;
                    case "SiLU": FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, default(SiLUActivation<float>), c.P); break;
                    default: FusedEpilogue.Backward(g, mask, xf, b, gx, gb, columns, default(TanhActivation<float>), c.P); break;
                }
            }
            else
            {
                double[] g = (double[])(object)gradOutput, xd = (double[])(object)x, b = (double[])(object)bias, gx = (double[])(object)gradX, gb = (double[])(object)gradBias;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, default(IdentityActivation<double>), c.P); break;
                    case "ReLU": FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, default(ReLUActivation<double>), c.P); break;
                    case "LeakyReLU": FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, new LeakyReLUActivation<double>(0.01), c.P); break;
                    case "GeluTanh": FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, default(GeluTanhActivation<double>), c.P); break;
                    case "SiLU": FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, default(SiLUActivation<double>), c.P); break;
                    default: FusedEpilogue.Backward(g, mask, xd, b, gx, gb, columns, default(TanhActivation<double>), c.P); break;
                }
            }
        }

        public static void Inference(Case c, T[] x, T[] bias, T[] residual, T[] output, int columns)
        {
            if (x is float[] xf)
            {
                float[] b = (float[])(object)bias, r = (float[])(object)residual, o = (float[])(object)output;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Inference(xf, b, r, o, columns, default(IdentityActivation<float>)); break;
                    case "ReLU": FusedEpilogue.Inference(xf, b, r, o, columns, default(ReLUActivation<float>)); break;
                    case "LeakyReLU": FusedEpilogue.Inference(xf, b, r, o, columns, new LeakyReLUActivation<float>(0.01f)); break;
                    case "GeluTanh": FusedEpilogue.Inference(xf, b, r, o, columns, default(GeluTanhActivation<float>)); break;
                    case "SiLU": FusedEpilogue.Inference(xf, b, r, o, columns, default(SiLUActivation<float>)); break;
                    default: FusedEpilogue.Inference(xf, b, r, o, columns, default(TanhActivation<float>)); break;
                }
            }
            else
            {
                double[] xd = (double[])(object)x, b = (double[])(object)bias, r = (double[])(object)residual, o = (double[])(object)output;
                switch (c.Activation)
                {
                    case "Identity": FusedEpilogue.Inference(xd, b, r, o, columns, default(IdentityActivation<double>)); break;
                    case "ReLU": FusedEpilogue.Inference(xd, b, r, o, columns, default(ReLUActivation<double>)); break;
                    case "LeakyReLU": FusedEpilogue.Inference(xd, b, r, o, columns, new LeakyReLUActivation<double>(0.01)); break;
                    case "GeluTanh": FusedEpilogue.Inference(xd, b, r, o, columns, default(GeluTanhActivation<double>)); break;
                    case "SiLU": FusedEpilogue.Inference(xd, b, r, o, columns, default(SiLUActivation<double>)); break;
                    default: FusedEpilogue.Inference(xd, b, r, o, columns, default(TanhActivation<double>)); break;
                }
            }
        }
    }

    private const string CopySource = """
        using System;
        using Dropout;
        namespace Probes;

        public sealed partial record Net
        {
            [Dropout(0.5, Activation = DropoutActivation.ReLU)]
            public partial void Relu(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);

            [Dropout(0.5, Activation = DropoutActivation.SiLU)]
            public partial void Silu(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);
        }

        public static class CopyProbe
        {
            static float[] Data(int n, int salt)
            {
                var values = new float[n];
                for (int i = 0; i < n; i++) values[i] = ((i * 37 + salt * 11) % 23) - 11.5f;
                return values;
            }

            // A record copy shares the original's mask buffer; the copy's forward overwrites it. SiLU regenerates the
            // original's mask from its key and offset; ReLU cannot recover its gate and must say so.
            public static string Run()
            {
                float[] x = Data(640, 1), other = Data(640, 2), bias = new float[64], y = new float[640];
                var original = new Net { DropoutContext = new DropoutContext(5) };
                original.Silu(x, bias, y);
                var copy = original with { };
                copy.Silu(other, bias, y);
                var viaCopy = new float[640];
                original.SiluBackward(Data(640, 3), x, bias, viaCopy, new float[64]);

                var fresh = new Net { DropoutContext = new DropoutContext(5) };
                fresh.Silu(x, bias, y);
                var expected = new float[640];
                fresh.SiluBackward(Data(640, 3), x, bias, expected, new float[64]);
                if (!expected.AsSpan().SequenceEqual(viaCopy)) return "SiLU: the original's backward used another mask";

                original.Relu(x, bias, y);
                var reluCopy = original with { };
                reluCopy.Relu(other, bias, y);
                try
                {
                    original.ReluBackward(Data(640, 3), new float[640], new float[64]);
                    return "ReLU: no exception";
                }
                catch (InvalidOperationException e) when (e.Message.Contains("copy"))
                {
                }

                // Inference: the chain without dropout; the ReLU backward is the gate alone, read from the mask.
                var gradX = new float[640];
                using (original.DropoutContext.Inference())
                {
                    original.Relu(x, bias, y);
                    original.ReluBackward(Data(640, 3), gradX, new float[64]);
                }

                float[] g = Data(640, 3);
                for (int i = 0; i < 640; i++)
                {
                    float gate = x[i] + bias[i % 64] > 0 ? g[i] : 0f;
                    if (BitConverter.SingleToInt32Bits(gate) != BitConverter.SingleToInt32Bits(gradX[i])) return "inference ReLU backward at " + i;
                }

                return "ok";
            }
        }
        """;

    [Fact]
    public void CopiesOfAFusedSite_NeverApplyAnotherCallsMask_AndInferenceBackwardIsTheGate()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(CopySource);
        Assert.Equal("ok", GeneratorHarness.Invoke(assembly, "Probes.CopyProbe", "Run"));
    }

    [Theory]
    [InlineData("[Dropout(0.5, Activation = DropoutActivation.ReLU)] public partial void E(Span<float> values);", "in-place")]
    [InlineData("[Dropout(0.5, Activation = DropoutActivation.ReLU)] public partial void E(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<float> y);", "'weights' is neither")]
    [InlineData("[Dropout(0.5)] public partial void E(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, ReadOnlySpan<float> bias, Span<float> y);", "'bias' is neither")]
    [InlineData("[Dropout(0.5, Activation = DropoutActivation.SiLU)] public partial void E(ReadOnlySpan<float> x, ReadOnlySpan<double> bias, Span<float> y);", "'bias' must be a ReadOnlySpan<float>")]
    [InlineData("[Dropout(0.5, Activation = DropoutActivation.Tanh)] public partial void E(ReadOnlySpan<double> x, Span<float> y);", "its parameters must be")]
    [InlineData("[Dropout(0.5, Activation = DropoutActivation.ReLU, Size = 64)] public partial void E(ReadOnlySpan<float> x, Span<float> y);", "Size is not supported")]
    public void FusedSignatureThatDoesNotFit_GetsDrpg011(string declaration, string reason)
    {
        string source = "using System;\nusing Dropout;\nnamespace App;\npublic partial class Net { " + declaration + " }\n";
        GeneratorOutput result = GeneratorHarness.Run(source);
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DRPG011", error.Id);
        Assert.Contains(reason, error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("E", source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
        Assert.DoesNotContain(result.CompilationErrors, d => d.Id != "DRPG011");
    }

    [Fact]
    public void ActivationOnALayerType_GetsDrpg011()
    {
        GeneratorOutput result = GeneratorHarness.Run("using Dropout;\n[Dropout(0.5, Activation = DropoutActivation.ReLU)] public partial class Hidden { }\n");
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DRPG011", error.Id);
        Assert.Contains("applies to dropout methods", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
