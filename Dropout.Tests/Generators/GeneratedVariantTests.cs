using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Dropout.Tests.Generators;

/// <summary>
/// <c>[Dropout(p, Kind = ...)]</c> sites (issue 13), compiled with the generator and run: two training steps (forward,
/// then backward) and an inference step are compared bit for bit with the runtime's reference kernels
/// (<see cref="DropoutKernels.Forward(ReadOnlySpan{float}, Span{float}, Span{byte}, DropoutNoiseShape, double, ulong, ulong)"/>,
/// <c>ForwardAlpha</c>, <c>ForwardGaussian</c> and their backward passes) at the stream positions a site of a fresh
/// context reserves: one per decision for the shaped kinds, one per element for alpha and Gaussian dropout.
/// </summary>
public sealed class GeneratedVariantTests
{
    private const ulong Seed = 0x5EED_0013_7A21_0001;

    private sealed record Case(string Name, string Kind, string Element, double P, string Form, bool StoresMask)
    {
        public string ShapeArguments => Kind switch
        {
            "Channel" => ", Channels = 3, SpatialSize = 7",
            "SharedOverTime" => ", TimeSteps = 4, Features = 9",
            "DropPath" => ", SampleSize = 13",
            _ => string.Empty,
        };

        // Lengths that cross the 64-element mask windows and leave tails: 5 samples of 3 × 7, 3 sequences of 4 × 9,
        // 8 samples of 13, and 203 elements.
        public int Length => Kind switch
        {
            "Channel" => 5 * 3 * 7,
            "SharedOverTime" => 3 * 4 * 9,
            "DropPath" => 8 * 13,
            _ => 203,
        };

        public DropoutNoiseShape Shape(int length) => Kind switch
        {
            "Channel" => DropoutNoiseShape.Channels(length / 21, 3, 7),
            "SharedOverTime" => DropoutNoiseShape.SharedOverTime(length / 36, 4, 9),
            _ => DropoutNoiseShape.PerSample(length / 13, 13),
        };

        public bool IsShaped => Kind is "Channel" or "SharedOverTime" or "DropPath";
    }

    private static readonly string[] Kinds = ["Channel", "SharedOverTime", "DropPath", "Alpha", "Gaussian"];

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
        foreach (string kind in Kinds)
        {
            cases.Add(new Case(kind + "MethodFloat", kind, "float", 0.8, "Method", StoresMask: true));
            cases.Add(new Case(kind + "MethodInPlaceDouble", kind, "double", 0.5, "MethodInPlace", StoresMask: true));
            cases.Add(new Case(kind + "LayerFloat", kind, "float", 0.9, "Layer", StoresMask: true));
            cases.Add(new Case(kind + "LayerDouble", kind, "double", 0.7, "Layer", StoresMask: true));
            if (kind != "Gaussian")
            {
                // Gaussian noise is never stored (MaskStorage is DRPG013 there); the others regenerate their decisions.
                cases.Add(new Case(kind + "MethodRegenerateFloat", kind, "float", 0.3, "Method", StoresMask: false));
                cases.Add(new Case(kind + "LayerRegenerateDouble", kind, "double", 0.6, "Layer", StoresMask: false));
            }

            cases.Add(new Case(kind + "KeepAll", kind, "float", 1.0, "Method", StoresMask: true));
        }

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
        string storage = c.StoresMask ? string.Empty : ", MaskStorage = DropoutMaskStorage.Regenerate";
        string attribute = $"[Dropout({p}, Kind = DropoutKind.{c.Kind}{c.ShapeArguments}{storage})]";
        (string declaration, string forward, string backward) = c.Form switch
        {
            "Layer" => (string.Empty, "net.DropoutForward(x, output);", "net.DropoutBackward(gradOutput, gradX);"),
            "MethodInPlace" => (
                attribute + $" public partial void Site(Span<{t}> values);",
                "x.CopyTo(output, 0); net.Site(output);",
                "gradOutput.CopyTo(gradX, 0); net.SiteBackward(gradX);"),
            _ => (
                attribute + $" public partial void Site(ReadOnlySpan<{t}> input, Span<{t}> output);",
                "net.Site(x, output);",
                "net.SiteBackward(gradOutput, gradX);"),
        };
        return $$"""

            {{(c.Form == "Layer" ? attribute : string.Empty)}}
            public sealed partial class Net{{c.Name}}
            {
                {{declaration}}

                // Two training steps (forward, then backward), then an inference step.
                public static {{t}}[][] Run({{t}}[] x, {{t}}[] gradOutput, ulong seed)
                {
                    var net = new Net{{c.Name}} { DropoutContext = new DropoutContext(seed) };
                    var results = new System.Collections.Generic.List<{{t}}[]>();
                    for (int step = 0; step < 3; step++)
                    {
                        using IDisposable? scope = step == 2 ? net.DropoutContext.Inference() : null;
                        var output = new {{t}}[x.Length];
                        var gradX = new {{t}}[x.Length];
                        {{forward}}
                        {{backward}}
                        results.Add(output);
                        results.Add(gradX);
                    }

                    return results.ToArray();
                }
            }

            """;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GeneratedVariantSite_MatchesRuntimeReferenceKernel_BitForBit(string name)
    {
        Case c = Cases.Single(x => x.Name == name);
        if (c.Element == "float")
        {
            Check(c, static v => (float)v, new Reference<float>(
                static (x, y, m, s, p, k, o) => DropoutKernels.Forward(x, y, m, s, p, k, o),
                static (g, d, m, s, p) => DropoutKernels.Backward(g, d, m, s, p),
                static (x, y, m, p, k, o) => DropoutKernels.ForwardAlpha(x, y, m, p, k, o),
                static (g, d, m, p) => DropoutKernels.BackwardAlpha(g, d, m, p),
                static (x, y, p, k, o) => DropoutKernels.ForwardGaussian(x, y, p, k, o),
                static (g, d, p, k, o) => DropoutKernels.BackwardGaussian(g, d, p, k, o)));
        }
        else
        {
            Check(c, static v => v, new Reference<double>(
                static (x, y, m, s, p, k, o) => DropoutKernels.Forward(x, y, m, s, p, k, o),
                static (g, d, m, s, p) => DropoutKernels.Backward(g, d, m, s, p),
                static (x, y, m, p, k, o) => DropoutKernels.ForwardAlpha(x, y, m, p, k, o),
                static (g, d, m, p) => DropoutKernels.BackwardAlpha(g, d, m, p),
                static (x, y, p, k, o) => DropoutKernels.ForwardGaussian(x, y, p, k, o),
                static (g, d, p, k, o) => DropoutKernels.BackwardGaussian(g, d, p, k, o)));
        }
    }

    /// <summary>The runtime's reference kernels for one element type.</summary>
    private sealed record Reference<T>(
        Action<T[], T[], byte[], DropoutNoiseShape, double, ulong, ulong> ShapedForward,
        Action<T[], T[], byte[], DropoutNoiseShape, double> ShapedBackward,
        Action<T[], T[], byte[], double, ulong, ulong> AlphaForward,
        Action<T[], T[], byte[], double> AlphaBackward,
        Action<T[], T[], double, ulong, ulong> GaussianForward,
        Action<T[], T[], double, ulong, ulong> GaussianBackward);

    private static void Check<T>(Case c, Func<double, T> convert, Reference<T> reference)
        where T : unmanaged
    {
        var random = new Random(c.Name.Length * 7919);
        int count = c.Length;
        T[] x = Enumerable.Range(0, count).Select(_ => convert((random.NextDouble() * 4) - 2)).ToArray();
        T[] gradOutput = Enumerable.Range(0, count).Select(_ => convert((random.NextDouble() * 2) - 1)).ToArray();

        var actual = (T[][])Compiled.Value.GetType("Probes.Net" + c.Name, throwOnError: true)!
            .GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, [x, gradOutput, Seed])!;

        DropoutStream stream = new DropoutContext(Seed).CreateStream();
        for (int step = 0; step < 2; step++)
        {
            var output = new T[count];
            var gradX = new T[count];
            if (c.IsShaped)
            {
                DropoutNoiseShape shape = c.Shape(count);
                var mask = new byte[MaskLayout.MaskByteCount(shape.DecisionCount)];
                ulong offset = c.P == 1.0 ? 0 : stream.Reserve(shape.DecisionCount);
                reference.ShapedForward(x, output, mask, shape, c.P, stream.Key, offset);
                reference.ShapedBackward(gradOutput, gradX, mask, shape, c.P);
            }
            else if (c.Kind == "Alpha")
            {
                var mask = new byte[MaskLayout.MaskByteCount(count)];
                ulong offset = c.P == 1.0 ? 0 : stream.Reserve(count);
                reference.AlphaForward(x, output, mask, c.P, stream.Key, offset);
                reference.AlphaBackward(gradOutput, gradX, mask, c.P);
            }
            else
            {
                ulong offset = c.P == 1.0 ? 0 : stream.Reserve(count);
                reference.GaussianForward(x, output, c.P, stream.Key, offset);
                reference.GaussianBackward(gradOutput, gradX, c.P, stream.Key, offset);
            }

            AssertBits(output, actual[2 * step], c.Name + " forward, step " + step);
            AssertBits(gradX, actual[(2 * step) + 1], c.Name + " backward, step " + step);
        }

        // Inference: the identity, forward and backward.
        AssertBits(x, actual[4], c.Name + " inference forward");
        AssertBits(gradOutput, actual[5], c.Name + " inference backward");

        // The two training steps drew different noise (a site that reused its mask would pass the comparisons above
        // only if the reference did too, which it does not: it reserves fresh positions).
        if (c.P < 1.0)
        {
            Assert.False(Bytes(actual[0]).SequenceEqual(Bytes(actual[2])), c.Name + ": both training steps drew the same noise");
        }
    }

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged =>
        MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static void AssertBits<T>(T[] expected, T[] actual, string what)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(Bytes(expected).AsSpan().SequenceEqual(Bytes(actual)), what + " differs from the runtime reference kernel");
    }

    [Theory]
    [InlineData("Channel", ", Channels = 3, SpatialSize = 7", 22)]
    [InlineData("SharedOverTime", ", TimeSteps = 4, Features = 9", 35)]
    [InlineData("DropPath", ", SampleSize = 13", 12)]
    public void ShapedSite_CallThatIsNotWholeSamples_Throws_AndKeepsTheLastForwardsMask(string kind, string shape, int badLength)
    {
        string source = $$"""
            using System;
            using Dropout;
            namespace Probes;
            public sealed partial class Net
            {
                [Dropout(0.5, Kind = DropoutKind.{{kind}}{{shape}})] public partial void Site(ReadOnlySpan<float> input, Span<float> output);

                public static string Run(int goodLength, int badLength)
                {
                    var net = new Net { DropoutContext = new DropoutContext(7) };
                    var x = new float[goodLength];
                    Array.Fill(x, 1f);
                    var y = new float[goodLength];
                    net.Site(x, y);
                    string error;
                    try
                    {
                        net.Site(new float[badLength], new float[badLength]);
                        error = "no exception";
                    }
                    catch (ArgumentException exception)
                    {
                        error = exception.ParamName + ": " + exception.Message;
                    }

                    // Backward still applies the first call's decisions.
                    var grad = new float[goodLength];
                    Array.Fill(grad, 1f);
                    net.SiteBackward(grad, grad);
                    return error + "|" + (grad.AsSpan().SequenceEqual(y) ? "same mask" : "other mask");
                }
            }
            """;
        Assembly assembly = GeneratorHarness.CompileAndLoad(source);
        int goodLength = kind switch { "Channel" => 42, "SharedOverTime" => 72, _ => 26 };
        string result = (string)GeneratorHarness.Invoke(assembly, "Probes.Net", "Run", goodLength, badLength)!;
        Assert.StartsWith("input: ", result, StringComparison.Ordinal);
        Assert.Contains("not a whole number of samples", result, StringComparison.Ordinal);
        Assert.EndsWith("|same mask", result, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeVariantExamples_CompileWithTheGenerator_OneSitePerKind()
    {
        // The README's "Dropout variants" block, as a user pastes it into a partial class.
        string readme = File.ReadAllText(Path.Combine(Dropout.Tests.TestSupport.RepositoryPaths.Root(), "README.md"));
        int section = readme.IndexOf("### Dropout variants", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no Dropout variants section");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        string source = "using System;\nusing Dropout;\nnamespace Readme;\npublic sealed partial class Model\n{\n" + block + "}\n";

        GeneratorOutput result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string generated = string.Join("\n", result.GeneratedSources);
        foreach (string kind in new[] { "Channel", "SharedOverTime", "Alpha", "Gaussian", "DropPath" })
        {
            Assert.Contains("global::Dropout.DropoutKind." + kind, generated, StringComparison.Ordinal);
        }

        Assert.Contains("DropConnectForward", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void ChannelSite_DropsWholeChannels_AndKeepsAboutPOfThem()
    {
        // Statistics through the generated path: every channel is all kept (× 1/p) or all zero, and the kept fraction
        // of 4,000 channels is p within 4 standard deviations.
        string source = """
            using System;
            using Dropout;
            namespace Probes;
            [Dropout(0.75, Kind = DropoutKind.Channel, Channels = 40, SpatialSize = 16)]
            public sealed partial class Conv
            {
                public static float[] Run()
                {
                    var layer = new Conv { DropoutContext = new DropoutContext(11) };
                    var x = new float[100 * 40 * 16];
                    Array.Fill(x, 1f);
                    layer.DropoutForward(x);
                    return x;
                }
            }
            """;
        var values = (float[])GeneratorHarness.Invoke(GeneratorHarness.CompileAndLoad(source), "Probes.Conv", "Run")!;
        int kept = 0;
        for (int channel = 0; channel < 4000; channel++)
        {
            float[] run = values.AsSpan(channel * 16, 16).ToArray();
            Assert.True(run.All(v => v == run[0]), "channel " + channel + " is not all kept or all dropped");
            Assert.True(run[0] == 0f || run[0] == (float)(1 / 0.75), "channel " + channel + " has value " + run[0]);
            kept += run[0] != 0f ? 1 : 0;
        }

        double sigma = Math.Sqrt(4000 * 0.75 * 0.25);
        Assert.InRange(kept, (4000 * 0.75) - (4 * sigma), (4000 * 0.75) + (4 * sigma));
    }
}
