namespace Dropout.Tests.Generators;

/// <summary>
/// The emitted source, compared byte for byte with reviewed golden files in <c>Generators/Snapshots</c>. To accept a
/// deliberate change, run with <c>DROPOUT_UPDATE_SNAPSHOTS=1</c>, review the diff, and commit it.
/// </summary>
public sealed class SnapshotTests
{
    public static TheoryData<string, string> Cases() => new()
    {
        {
            "Layer_HalfKeep",
            """
            using Dropout;
            namespace MyApp.Layers;

            [Dropout(0.5)]
            public sealed partial class Hidden { }
            """
        },
        {
            "Layer_InputKeep_Regenerate",
            """
            using Dropout;
            namespace MyApp.Layers;

            [Dropout(0.8, MaskStorage = DropoutMaskStorage.Regenerate)]
            internal partial struct InputDropout { }
            """
        },
        {
            "Layer_FixedSize_Nested_Generic",
            """
            using Dropout;
            namespace MyApp
            {
                public static partial class Model
                {
                    [Dropout(0.75, Size = 256)]
                    public sealed partial class Layer<T> where T : struct { }
                }
            }
            """
        },
        {
            "Layer_Identity_GlobalNamespace",
            """
            [Dropout.Dropout(1.0)]
            public partial record Passthrough;
            """
        },
        {
            "Methods_InOneModel",
            """
            using System;
            using Dropout;
            namespace MyApp;

            public sealed partial class Network
            {
                [Dropout(0.8)] private partial void DropInput(Span<float> x);

                [Dropout(1e-3, MaskStorage = DropoutMaskStorage.Regenerate)]
                internal partial void DropHidden(ReadOnlySpan<double> input, Span<double> output);
            }
            """
        },
        {
            "Method_FusedEpilogues",
            """
            using System;
            using Dropout;
            namespace MyApp;

            public sealed partial class Mlp
            {
                [Dropout(0.5, Activation = DropoutActivation.ReLU)]
                private partial void HiddenEpilogue(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);

                [Dropout(0.9, Activation = DropoutActivation.GeluTanh)]
                internal partial void BlockEpilogue(ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, ReadOnlySpan<double> residual, Span<double> output);
            }
            """
        },
        {
            "Layer_ChannelKind",
            """
            using Dropout;
            namespace MyApp.Vision;

            [Dropout(0.9, Kind = DropoutKind.Channel, Channels = 64, SpatialSize = 28 * 28)]
            public sealed partial class ConvDropout { }
            """
        },
        {
            "Methods_Kinds",
            """
            using System;
            using Dropout;
            namespace MyApp;

            public sealed partial class Model
            {
                [Dropout(0.8, Kind = DropoutKind.SharedOverTime, TimeSteps = 35, Features = 256)]
                private partial void DropRecurrent(Span<float> states);

                [Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 384, MaskStorage = DropoutMaskStorage.Regenerate)]
                internal partial void DropBranch(ReadOnlySpan<float> branch, Span<float> output);

                [Dropout(0.95, Kind = DropoutKind.Alpha)] private partial void DropSelu(Span<double> x);

                [Dropout(0.9, Kind = DropoutKind.Gaussian)] private partial void Noise(ReadOnlySpan<float> x, Span<float> y);

                [Dropout(1.0, Kind = DropoutKind.Channel, Channels = 3, SpatialSize = 5)] private partial void KeepAll(Span<float> x);
            }
            """
        },
        {
            "Method_DropConnect",
            """
            using System;
            using Dropout;
            namespace MyApp;

            public sealed partial class Mlp
            {
                [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 784)]
                private partial void Hidden(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output);
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EmittedSource_MatchesReviewedSnapshot(string name, string source)
    {
        GeneratorOutput result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);

        string actual = Render(result);
        string path = Path.Combine(SnapshotDirectory(), name + ".txt");
        if (Environment.GetEnvironmentVariable("DROPOUT_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"No snapshot {path}; run with DROPOUT_UPDATE_SNAPSHOTS=1 and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EmittedSource_IsByteIdentical_AcrossRuns(string name, string source)
    {
        string first = Render(GeneratorHarness.Run(source));
        string second = Render(GeneratorHarness.Run(source));
        Assert.True(first == second, name + " differs between two runs");
    }

    // Every generated file, in hint-name order, under a header with its hint name. The generator's version (in
    // [GeneratedCode]) reads %VERSION%, so that a version bump does not change the reviewed files.
    private static string Render(GeneratorOutput result) =>
        string.Concat(result.RunResult.Results
            .SelectMany(r => r.GeneratedSources)
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => "// ==== " + s.HintName + " ====\n" + s.SourceText.ToString()))
            .Replace(GeneratedCodeVersion, "\"Dropout.Generators\", \"%VERSION%\")", StringComparison.Ordinal);

    private static readonly string GeneratedCodeVersion =
        "\"Dropout.Generators\", \"" + typeof(Dropout.Generators.DropoutGenerator).Assembly.GetName().Version + "\")";

    [Fact]
    public void Snapshots_CarryTheVersionPlaceholder_NotAVersion()
    {
        string text = Render(GeneratorHarness.Run("using Dropout; [Dropout(0.5)] public partial class Hidden { }"));
        Assert.Contains("GeneratedCode(\"Dropout.Generators\", \"%VERSION%\")", text, StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratedCodeVersion, text, StringComparison.Ordinal);
    }

    private static string SnapshotDirectory() =>
        Path.Combine(Dropout.Tests.TestSupport.RepositoryPaths.Root(), "Dropout.Tests", "Generators", "Snapshots");
}
