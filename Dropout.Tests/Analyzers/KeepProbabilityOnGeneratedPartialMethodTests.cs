using Dropout.Tests.Fuzzing;
using Microsoft.CodeAnalysis.CSharp;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Rules 1-3 read the user's <c>[Dropout(p)]</c>. On a partial method the generator writes the implementation part, which
/// carries <c>[GeneratedCode]</c>; attributes of the two parts merge, so Roslyn counts the whole method as generated and,
/// for an analyzer configured with <c>GeneratedCodeAnalysisFlags.None</c>, skips the user's declaration too. These tests
/// build with the generator, as a user's build does (the mutation fuzzer found DRP001 silent where DRPG003 refused).
/// </summary>
public sealed class KeepProbabilityOnGeneratedPartialMethodTests
{
    [Theory]
    [InlineData("public partial void Drop(Span<float> x);", "2.0", "DRP001")]
    [InlineData("public partial void Drop(Span<float> x);", "1.0", "DRP002")]
    [InlineData("public partial void Drop(Span<float> x);", "0.1", "DRP003")]
    [InlineData("partial void Drop(Span<float> x);", "2.0", "DRP001")]
    public async Task KeepProbabilityRules_OnAPartialMethodTheGeneratorImplements_StillReport(string declaration, string keepProbability, string expectedId)
    {
        string source = $$"""
            using System;
            using Dropout;
            public partial class Model { [Dropout({{keepProbability}})] {{declaration}} }
            """;

        BuildResult build = await Toolchain.BuildAsync(source, LanguageVersion.Latest, threshold: null);

        Assert.Contains(build.AnalyzerDiagnostics, diagnostic => diagnostic.Id == expectedId);
        Assert.Empty(build.Findings);
    }

    [Fact]
    public async Task KeepProbabilityRules_DoNotReportTheGeneratedCodeOfAValidPartialMethod()
    {
        const string source = """
            using System;
            using Dropout;
            public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); }
            """;

        BuildResult build = await Toolchain.BuildAsync(source, LanguageVersion.Latest, threshold: null);

        Assert.DoesNotContain(build.AnalyzerDiagnostics, diagnostic => diagnostic.Id is "DRP001" or "DRP002" or "DRP003");
        Assert.Empty(build.Findings);
    }
}
