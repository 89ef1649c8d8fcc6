using Dropout.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dropout.Tests.Generators;

/// <summary>The pipeline caches: unrelated edits reuse the emitted source; changing p regenerates it.</summary>
public sealed class IncrementalGeneratorTests
{
    private const string Layers = """
        using System;
        using Dropout;
        namespace App;

        [Dropout(0.5)]
        public sealed partial class Hidden
        {
            public int Width => 128;
        }

        public partial class Network
        {
            [Dropout(0.8)] private partial void DropInput(Span<float> x);
        }
        """;

    private const string Unrelated = """
        namespace App;
        public static class Helpers
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private static readonly string[] OutputSteps = [DropoutGenerator.TrackingNames.Sites, DropoutGenerator.TrackingNames.ContextHolders];

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) RunOnce()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Layers, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, Compilation changed) =>
        driver.RunGenerators(changed).GetRunResult().Results.Single();

    private static Compilation Replace(CSharpCompilation compilation, int index, string newText)
    {
        SyntaxTree old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(newText)));
    }

    private static void AssertAllCached(GeneratorRunResult result)
    {
        foreach (string step in OutputSteps)
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object _, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}");
                }
            }
        }

        foreach ((object _, IncrementalStepRunReason reason) in result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs))
        {
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "source output: " + reason);
        }
    }

    [Fact]
    public void EditingAnUnrelatedFile_LeavesOutputsCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult result = Rerun(driver, Replace(compilation, 1, Unrelated.Replace("x * 2", "x + x", StringComparison.Ordinal)));
        AssertAllCached(result);
    }

    [Fact]
    public void EditingAnUnrelatedMemberOfTheLayer_LeavesOutputsCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult result = Rerun(driver, Replace(compilation, 0, Layers.Replace("Width => 128", "Width => 256", StringComparison.Ordinal)));
        AssertAllCached(result);
    }

    [Fact]
    public void MovingTheLayerDown_LeavesOutputsCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult result = Rerun(driver, Replace(compilation, 0, Layers.Replace("namespace App;", "namespace App;\n\n// a comment\n\n", StringComparison.Ordinal)));
        AssertAllCached(result);
    }

    [Fact]
    public void AddingAnUnrelatedFile_LeavesOutputsCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult result = Rerun(driver, compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App; public class Extra { }", new CSharpParseOptions(LanguageVersion.CSharp12))));
        AssertAllCached(result);
    }

    [Fact]
    public void AddingAnotherSite_LeavesTheFilesBeforeItUnchanged()
    {
        // Hint names are decided over the whole set of files (so that none differ only in case); each file still
        // leaves that step on its own, compared with the file at its place before: sites come first, in source order,
        // so the sites before a new one are not emitted again (the context holders after it shift, and are).
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult result = Rerun(driver, compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace App; [Dropout.Dropout(0.25)] public partial class Extra { }", new CSharpParseOptions(LanguageVersion.CSharp12))));
        var files = result.TrackedSteps[DropoutGenerator.TrackingNames.Files]
            .SelectMany(run => run.Outputs)
            .Select(output => (Name: ((Dropout.Generators.Model.NamedFile)output.Value).HintName, output.Reason))
            .ToArray();
        Assert.Equal(
            ["App.Hidden.Dropout.g.cs", "App.Network.DropInput().Dropout.g.cs", "App.Extra.Dropout.g.cs", "App.Network.DropoutContext.g.cs"],
            files.Select(file => file.Name));
        Assert.Equal(IncrementalStepRunReason.Unchanged, files[0].Reason);
        Assert.Equal(IncrementalStepRunReason.Unchanged, files[1].Reason);
    }

    [Fact]
    public void ChangingKeepProbability_RegeneratesThatLayer()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "App.Hidden.Dropout.g.cs").SourceText.ToString();
        GeneratorRunResult result = Rerun(driver, Replace(compilation, 0, Layers.Replace("[Dropout(0.5)]", "[Dropout(0.75)]", StringComparison.Ordinal)));

        IncrementalStepRunReason[] reasons = result.TrackedSteps[DropoutGenerator.TrackingNames.Sites].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        string after = result.GeneratedSources.Single(s => s.HintName == "App.Hidden.Dropout.g.cs").SourceText.ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("public const double DropoutKeepProbability = 0.75;", after, StringComparison.Ordinal);
        Assert.Contains("FromGenerated(0.75, bitsPerElement: 2, keepThreshold: 3)", after, StringComparison.Ordinal);
    }
}
