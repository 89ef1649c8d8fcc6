using System.Text.RegularExpressions;

namespace Dropout.Tests.Generators;

/// <summary>
/// Issue 10 §2: generated code holds only what is specific to a site. Everything else (validation, copies, mask
/// buffers, loops, tails, state checks) is the runtime's support API, written once.
/// </summary>
public sealed class GeneratedCodeSizeTests
{
    private const string Sites = """
        using System;
        using Dropout;
        namespace App;

        [Dropout(0.5)] public sealed partial class Hidden { }
        [Dropout(0.8, MaskStorage = DropoutMaskStorage.Regenerate)] public sealed partial class Input { }
        [Dropout(0.75, Size = 256)] public partial struct Fixed { }
        public sealed partial class Net
        {
            [Dropout(0.9)] private partial void Drop(Span<float> x);
            [Dropout(0.5, Activation = DropoutActivation.ReLU)] private partial void Epilogue(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);
            [Dropout(0.9, Activation = DropoutActivation.GeluTanh)] private partial void Block(ReadOnlySpan<double> preActivation, ReadOnlySpan<double> bias, ReadOnlySpan<double> residual, Span<double> output);
            [Dropout(0.8, Kind = DropoutKind.SharedOverTime, TimeSteps = 35, Features = 256)] private partial void DropStates(Span<float> x);
            [Dropout(0.95, Kind = DropoutKind.Alpha)] private partial void DropSelu(ReadOnlySpan<double> x, Span<double> y);
            [Dropout(0.9, Kind = DropoutKind.Gaussian)] private partial void Noise(Span<float> x);
            [Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 384)] private partial void DropBranch(Span<float> x);
            [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 784)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y);
        }

        [Dropout(0.9, Kind = DropoutKind.Channel, Channels = 64, SpatialSize = 49)] public sealed partial class Conv { }
        """;

    [Fact]
    public void EverySite_EmitsAtMost250Lines()
    {
        GeneratorOutput result = GeneratorHarness.Run(Sites);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);
        var files = result.RunResult.Results.SelectMany(r => r.GeneratedSources).ToArray();
        Assert.Equal(13, files.Length); // four layers' and methods' sites, two fused sites, six kinds' sites, Net's DropoutContext
        foreach (var file in files)
        {
            int lines = file.SourceText.Lines.Count;
            Assert.True(lines <= 250, file.HintName + " has " + lines + " lines");
        }
    }

    [Fact]
    public void NoGeneratedFile_DeclaresAHelperMethod()
    {
        // A helper is a static method, or a method of the file-local site struct: neither may be emitted (each would be
        // emitted once per site). The site struct has only properties.
        GeneratorOutput result = GeneratorHarness.Run(Sites);
        foreach (string text in result.GeneratedSources)
        {
            Assert.DoesNotMatch(new Regex(@"\bstatic\b[^=;]*\(", RegexOptions.None, TimeSpan.FromSeconds(1)), text);
            Assert.DoesNotMatch(new Regex(@"^\s*(for|foreach|while) \(", RegexOptions.Multiline, TimeSpan.FromSeconds(1)), text);
            Assert.DoesNotContain("Vector128", text, StringComparison.Ordinal);
        }
    }
}
