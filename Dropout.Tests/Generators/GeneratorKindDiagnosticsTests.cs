using Microsoft.CodeAnalysis;

namespace Dropout.Tests.Generators;

/// <summary>
/// The combinations of <c>[Dropout(p, Kind = ...)]</c> with its other arguments (DRPG012–DRPG015): each invalid one is
/// reported at the argument it is about and generates nothing; each valid one near it generates code that compiles
/// with no generator diagnostic.
/// </summary>
public sealed class GeneratorKindDiagnosticsTests
{
    [Theory]
    // DRPG012: a kind without the shape it drops by, reported at the Kind argument.
    [InlineData("DRPG012", "Kind = DropoutKind.Channel", "[Dropout(0.9, Kind = DropoutKind.Channel)] public partial class Conv { }")]
    [InlineData("DRPG012", "Kind = DropoutKind.Channel", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 64)] public partial class Conv { }")]
    [InlineData("DRPG012", "Kind = DropoutKind.SharedOverTime", "public partial class Rnn { [Dropout(0.8, Kind = DropoutKind.SharedOverTime, TimeSteps = 20)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG012", "Kind = DropoutKind.DropPath", "public partial class Block { [Dropout(0.9, Kind = DropoutKind.DropPath)] private partial void Drop(ReadOnlySpan<float> x, Span<float> y); }")]
    // DRPG013: an argument the kind does not use, reported at that argument.
    [InlineData("DRPG013", "Channels = 64", "[Dropout(0.5, Channels = 64)] public partial class Hidden { }")]
    [InlineData("DRPG013", "SampleSize = 10", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 3, SpatialSize = 4, SampleSize = 10)] public partial class Conv { }")]
    [InlineData("DRPG013", "TimeSteps = 5", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Alpha, TimeSteps = 5)] private partial void Drop(Span<double> x); }")]
    [InlineData("DRPG013", "Size = 1024", "[Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 256, Size = 1024)] public partial class Block { }")]
    [InlineData("DRPG013", "MaskStorage = DropoutMaskStorage.Regenerate", "[Dropout(0.9, Kind = DropoutKind.Gaussian, MaskStorage = DropoutMaskStorage.Regenerate)] public partial class Noise { }")]
    [InlineData("DRPG013", "Kind = (DropoutKind)42", "[Dropout(0.9, Kind = (DropoutKind)42)] public partial class Odd { }")]
    // DRPG014: a shape size that is not positive (or a sample larger than a span), reported at the argument.
    [InlineData("DRPG014", "Channels = 0", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 0, SpatialSize = 49)] public partial class Conv { }")]
    [InlineData("DRPG014", "SpatialSize = -49", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 8, SpatialSize = -49)] public partial class Conv { }")]
    [InlineData("DRPG014", "Features = -1", "public partial class Rnn { [Dropout(0.8, Kind = DropoutKind.SharedOverTime, TimeSteps = 5, Features = -1)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG014", "SampleSize = 0", "[Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 0)] public partial class Block { }")]
    [InlineData("DRPG014", "SpatialSize = 65536", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 65536, SpatialSize = 65536)] public partial class Conv { }")]
    // DRPG015: a kind other than Element on a fused epilogue, reported at Activation (or at Kind for a fused signature).
    [InlineData("DRPG015", "Activation = DropoutActivation.ReLU", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Alpha, Activation = DropoutActivation.ReLU)] private partial void Drop(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y); }")]
    [InlineData("DRPG015", "Activation = DropoutActivation.Identity", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Gaussian, Activation = DropoutActivation.Identity)] private partial void Drop(ReadOnlySpan<float> x, Span<float> y); }")]
    [InlineData("DRPG015", "Kind = DropoutKind.Channel", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Channel, Channels = 2, SpatialSize = 3)] private partial void Drop(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y); }")]
    [InlineData("DRPG015", "Activation = DropoutActivation.GeluTanh", "public partial class M { [Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 4, Activation = DropoutActivation.GeluTanh)] private partial void Drop(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y); }")]
    // DropConnect: its shape (Inputs) through DRPG012-DRPG014, its form through DRPG016.
    [InlineData("DRPG012", "Kind = DropoutKind.DropConnect", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    [InlineData("DRPG013", "Inputs = 8", "[Dropout(0.5, Inputs = 8)] public partial class Hidden { }")]
    [InlineData("DRPG013", "Size = 64", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8, Size = 64)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    [InlineData("DRPG014", "Inputs = 0", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 0)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    [InlineData("DRPG015", "Activation = DropoutActivation.ReLU", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8, Activation = DropoutActivation.ReLU)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    [InlineData("DRPG016", "Kind = DropoutKind.DropConnect", "[Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] public partial class Hidden { }")]
    [InlineData("DRPG016", "Dense", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] private partial void Dense(Span<float> x); }")]
    [InlineData("DRPG016", "Dense", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] private partial void Dense(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y); }")]
    [InlineData("DRPG016", "Dense", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] private partial void Dense(ReadOnlySpan<float> x, Span<float> w, Span<float> y); }")]
    [InlineData("DRPG016", "Dense", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, ReadOnlySpan<float> r, Span<float> y); }")]
    public void InvalidKindCombination_IsReportedAtTheArgument_AndGeneratesNothing(string id, string locatedText, string declaration)
    {
        string source = "using System;\nusing Dropout;\nnamespace App;\n" + declaration + "\n";
        GeneratorOutput result = GeneratorHarness.Run(source);

        Diagnostic[] reported = result.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.Single(reported);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "DRPG999");
        GeneratorDiagnosticsTests.AssertNoDropoutCodeGenerated(result);
        Diagnostic diagnostic = reported[0];
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(locatedText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal($"https://github.com/dropout-toolkit/Dropout.Toolkit/blob/main/docs/generator.md#{id.ToLowerInvariant()}", diagnostic.Descriptor.HelpLinkUri);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

        // The build the user sees: the generator's error and nothing else (no CS8795 for the method, no error in generated code).
        Assert.All(result.CompilationErrors, d => Assert.StartsWith("DRPG", d.Id, StringComparison.Ordinal));
    }

    [Theory]
    // Near misses of DRPG012: every shape argument the kind needs is there.
    [InlineData("DRPG012", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 64, SpatialSize = 49)] public partial class Conv { }")]
    [InlineData("DRPG012", "public partial class Rnn { [Dropout(0.8, Kind = DropoutKind.SharedOverTime, TimeSteps = 20, Features = 128)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG012", "public partial class Block { [Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 384)] private partial void Drop(ReadOnlySpan<float> x, Span<float> y); }")]
    [InlineData("DRPG012", "[Dropout(0.9, Kind = DropoutKind.Alpha)] public partial class Selu { }")]
    // Near misses of DRPG013: arguments that the kind does use, and kinds without shape arguments.
    [InlineData("DRPG013", "[Dropout(0.5, Kind = DropoutKind.Element, Size = 1024)] public partial class Hidden { }")]
    [InlineData("DRPG013", "[Dropout(0.9, Kind = DropoutKind.Alpha, Size = 256, MaskStorage = DropoutMaskStorage.Regenerate)] public partial class Selu { }")]
    [InlineData("DRPG013", "[Dropout(0.9, Kind = DropoutKind.Gaussian, Size = 64)] public partial class Noise { }")]
    [InlineData("DRPG013", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 3, SpatialSize = 4, MaskStorage = DropoutMaskStorage.Regenerate)] public partial class Conv { }")]
    // Near misses of DRPG014: sizes of 1, and a large sample that still fits a span.
    [InlineData("DRPG014", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 1, SpatialSize = 1)] public partial class Conv { }")]
    [InlineData("DRPG014", "[Dropout(0.9, Kind = DropoutKind.SharedOverTime, TimeSteps = 1, Features = 1)] public partial class Rnn { }")]
    [InlineData("DRPG014", "[Dropout(0.9, Kind = DropoutKind.Channel, Channels = 32768, SpatialSize = 65535)] public partial class Conv { }")]
    [InlineData("DRPG014", "public partial class Block { [Dropout(0.9, Kind = DropoutKind.DropPath, SampleSize = 1)] private partial void Drop(Span<double> x); }")]
    // Near misses of DRPG015: element-wise kinds do fuse, and the other kinds are plain methods.
    [InlineData("DRPG015", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Element, Activation = DropoutActivation.ReLU)] private partial void Drop(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y); }")]
    [InlineData("DRPG015", "public partial class M { [Dropout(0.9, Activation = DropoutActivation.GeluTanh)] private partial void Drop(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y); }")]
    [InlineData("DRPG015", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Alpha)] private partial void Drop(ReadOnlySpan<float> x, Span<float> y); }")]
    [InlineData("DRPG015", "public partial class M { [Dropout(0.9, Kind = DropoutKind.Gaussian)] private partial void Drop(Span<double> x); }")]
    // Near misses of DRPG016: DropConnect dense layer methods with and without a bias, any parameter names, both storages.
    [InlineData("DRPG016", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    [InlineData("DRPG016", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 8)] internal partial void Dense(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output); }")]
    [InlineData("DRPG016", "public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 1, MaskStorage = DropoutMaskStorage.Regenerate)] public partial void @Dense(ReadOnlySpan<float> @in, ReadOnlySpan<float> @ref, ReadOnlySpan<float> @params, Span<float> @out); }")]
    [InlineData("DRPG016", "[Dropout(0.5)] public partial class Layer { [Dropout(1.0, Kind = DropoutKind.DropConnect, Inputs = 3)] private partial void Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y); }")]
    public void ValidKindCombination_IsNotReported_AndCompiles(string id, string declaration)
    {
        string source = "using System;\nusing Dropout;\nnamespace App;\n" + declaration + "\n";
        GeneratorOutput result = GeneratorHarness.Run(source);

        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.NotEmpty(result.GeneratedSources);
    }

    [Fact]
    public void SeveralProblems_AreEachReportedAtTheirOwnArgument()
    {
        string source = "using Dropout;\nnamespace App;\n[Dropout(0.9, Kind = DropoutKind.Channel, Channels = -3, TimeSteps = 4)] public partial class Conv { }\n";
        GeneratorOutput result = GeneratorHarness.Run(source);

        string[] located = result.GeneratorDiagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => d.Id + " " + source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length))
            .ToArray();
        Assert.Equal(["DRPG012 Kind = DropoutKind.Channel", "DRPG014 Channels = -3", "DRPG013 TimeSteps = 4"], located);
    }
}
