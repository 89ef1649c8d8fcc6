using System.Reflection;
using System.Runtime.InteropServices;

namespace Dropout.Tests.Generators;

/// <summary>
/// <c>[Dropout(p, Kind = DropoutKind.DropConnect, Inputs = n)]</c> dense layer methods, compiled with the generator and
/// run: two training steps (forward, backward) and an inference step compared bit for bit with
/// <see cref="DropConnectKernels"/> at the stream positions a site of a fresh context reserves (one per weight).
/// </summary>
public sealed class GeneratedDropConnectTests
{
    private const ulong Seed = 0xDC0_1313_0000_0007;
    private const int Batch = 6;
    private const int Inputs = 37;
    private const int Outputs = 11;

    public static TheoryData<string, double, bool, bool> Cases() => new()
    {
        { "BiasBits", 0.5, true, true },
        { "BiasRegenerate", 0.8, true, false },
        { "NoBiasBits", 0.9, false, true },
        { "NoBiasRegenerate", 0.3, false, false },
        { "KeepAll", 1.0, true, true },
    };

    private static string SiteSource(string name, double p, bool bias, bool stores)
    {
        string storage = stores ? string.Empty : ", MaskStorage = DropoutMaskStorage.Regenerate";
        string biasParameter = bias ? " ReadOnlySpan<float> b," : string.Empty;
        string biasArgument = bias ? " b," : string.Empty;
        string gradBias = bias ? ", gradB" : string.Empty;
        return $$"""
            using System;
            using Dropout;
            namespace Probes;
            public sealed partial class Dense{{name}}
            {
                [Dropout({{p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}, Kind = DropoutKind.DropConnect, Inputs = {{Inputs}}{{storage}})]
                private partial void Layer(ReadOnlySpan<float> x, ReadOnlySpan<float> w,{{biasParameter}} Span<float> y);

                public static float[][] Run(float[] x, float[] w, float[] b, float[] gradY, ulong seed)
                {
                    var net = new Dense{{name}} { DropoutContext = new DropoutContext(seed) };
                    var results = new System.Collections.Generic.List<float[]>();
                    for (int step = 0; step < 3; step++)
                    {
                        using IDisposable? scope = step == 2 ? net.DropoutContext.Inference() : null;
                        var y = new float[gradY.Length];
                        net.Layer(x, w,{{biasArgument}} y);
                        var gradX = new float[x.Length];
                        var gradW = new float[w.Length];
                        var gradB = new float[b.Length];
                        net.LayerBackward(gradY, x, w, gradX, gradW{{gradBias}});
                        results.Add(y);
                        results.Add(gradX);
                        results.Add(gradW);
                        results.Add(gradB);
                    }

                    return results.ToArray();
                }
            }
            """;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedDropConnectSite_MatchesDropConnectKernels_BitForBit(string name, double p, bool bias, bool stores)
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(SiteSource(name, p, bias, stores));
        var random = new Random(name.Length * 31);
        float[] x = Values(random, Batch * Inputs);
        float[] w = Values(random, Outputs * Inputs);
        float[] b = bias ? Values(random, Outputs) : [];
        float[] gradY = Values(random, Batch * Outputs);
        var actual = (float[][])GeneratorHarness.Invoke(assembly, "Probes.Dense" + name, "Run", x, w, b, gradY, Seed)!;

        DropoutStream stream = new DropoutContext(Seed).CreateStream();
        for (int step = 0; step < 3; step++)
        {
            bool training = step < 2 && p < 1.0;
            double keep = training ? p : 1.0;
            ulong offset = training ? stream.Reserve(w.Length) : 0;
            var y = new float[gradY.Length];
            var maskedW = new float[w.Length];
            var mask = new byte[MaskLayout.MaskByteCount(w.Length)];
            DropConnectKernels.Forward(x, w, b, y, maskedW, mask, Inputs, keep, stream.Key, offset);
            var gradX = new float[x.Length];
            var gradW = new float[w.Length];
            var gradB = new float[b.Length];
            DropConnectKernels.Backward(gradY, x, maskedW, mask, gradX, gradW, gradB, Inputs, keep);

            AssertBits(y, actual[4 * step], name + " forward, step " + step);
            AssertBits(gradX, actual[(4 * step) + 1], name + " input gradient, step " + step);
            AssertBits(gradW, actual[(4 * step) + 2], name + " weight gradient, step " + step);
            AssertBits(gradB, actual[(4 * step) + 3], name + " bias gradient, step " + step);
        }

        if (p < 1.0)
        {
            // Each training step drew its own weight mask.
            Assert.False(Bytes(actual[0]).AsSpan().SequenceEqual(Bytes(actual[4])), name + ": both steps used the same weight mask");
        }
    }

    [Fact]
    public void BackwardWithOtherWeightsThanTheForward_Throws()
    {
        string source = """
            using System;
            using Dropout;
            namespace Probes;
            public sealed partial class Dense
            {
                [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 4)]
                public partial void Layer(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y);

                public static string Run()
                {
                    var net = new Dense { DropoutContext = new DropoutContext(3) };
                    net.Layer(new float[8], new float[12], new float[6]);
                    try
                    {
                        net.LayerBackward(new float[6], new float[8], new float[16], new float[8], new float[16]);
                        return "no exception";
                    }
                    catch (InvalidOperationException exception)
                    {
                        return exception.Message;
                    }
                }
            }
            """;
        string message = (string)GeneratorHarness.Invoke(GeneratorHarness.CompileAndLoad(source), "Probes.Dense", "Run")!;
        Assert.Contains("16 weights", message, StringComparison.Ordinal);
    }

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(Bytes(expected).AsSpan().SequenceEqual(Bytes(actual)), what + " differs from DropConnectKernels");
    }
}
