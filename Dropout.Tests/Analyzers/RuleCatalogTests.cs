using System.Reflection;
using Dropout.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Tests.Analyzers;

/// <summary>Every rule ships complete: one analyzer, a docs page its help link points at, a release entry and a row in docs/analyzers.md.</summary>
public sealed class RuleCatalogTests
{
    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in Descriptors().Select(descriptor => descriptor.Id).Distinct())
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void Ids_FormOneSeriesWithoutGaps()
    {
        // Two series: the toolkit's rules from DRP001, and the TorchSharp rules from DRP020 (the DRP02x ids are theirs).
        string[] ids = Descriptors().Select(descriptor => descriptor.Id).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] core = ids.Where(id => string.CompareOrdinal(id, TorchSharpSeriesStart) < 0).ToArray();
        string[] torchSharp = ids.Where(id => string.CompareOrdinal(id, TorchSharpSeriesStart) >= 0).ToArray();
        Assert.Equal(Enumerable.Range(1, core.Length).Select(number => $"DRP{number:000}"), core);
        Assert.Equal(Enumerable.Range(20, torchSharp.Length).Select(number => $"DRP{number:000}"), torchSharp);
        Assert.All(torchSharp, id => Assert.True(DiagnosticIds.IsTorchSharpRule(id), $"{id} is past the TorchSharp series"));
    }

    private const string TorchSharpSeriesStart = "DRP020";

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_HasOneAnalyzerADocsPageAReleaseEntryAndACatalogRow(string id)
    {
        var descriptors = Descriptors().Where(d => d.Id == id).OrderBy(IsCompilationEnd).ToList();
        DiagnosticDescriptor descriptor = descriptors[0];
        string root = AnalyzerTest.RepositoryRoot();

        // One live analyzer per rule; a rule may add one compilation-end analyzer for the part that needs the whole
        // compilation (DRP013 across files), with the same title, category, severity and page.
        Assert.Single(Analyzers(), analyzer => analyzer.SupportedDiagnostics.Any(supported => supported.Id == id && !IsCompilationEnd(supported)));
        Assert.True(descriptors.Count <= 2, $"{id} has {descriptors.Count} descriptors");
        Assert.All(descriptors.Skip(1), extra =>
        {
            Assert.True(IsCompilationEnd(extra), $"the second descriptor of {id} is not a compilation-end one");
            Assert.Equal(descriptor.Title.ToString(), extra.Title.ToString());
            Assert.Equal(descriptor.Category, extra.Category);
            Assert.Equal(descriptor.DefaultSeverity, extra.DefaultSeverity);
            Assert.Equal(descriptor.HelpLinkUri, extra.HelpLinkUri);
            Assert.Single(Analyzers(), analyzer => analyzer.SupportedDiagnostics.Any(supported => ReferenceEquals(supported, extra)));
        });
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + id + ".md", descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(root, "docs", "rules", id + ".md")), $"docs/rules/{id}.md is missing");
        Assert.StartsWith("# " + id + ": " + descriptor.Title, File.ReadAllText(Path.Combine(root, "docs", "rules", id + ".md")), StringComparison.Ordinal);
        Assert.Contains(File.ReadAllLines(Path.Combine(root, "Dropout.Analyzers", "AnalyzerReleases.Unshipped.md")), line => line.StartsWith(id + " |", StringComparison.Ordinal));
        Assert.Contains($"[{id}](rules/{id}.md)", File.ReadAllText(Path.Combine(root, "docs", "analyzers.md")), StringComparison.Ordinal);
        Assert.False(descriptor.Title.ToString().EndsWith('.'), "titles have no final period");
        Assert.False(descriptor.MessageFormat.ToString().EndsWith('.'), "one-sentence messages have no final period");
        Assert.EndsWith(".", descriptor.Description.ToString(), StringComparison.Ordinal);
    }

    private static bool IsCompilationEnd(DiagnosticDescriptor descriptor) => descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd);

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!);

    private static IEnumerable<DiagnosticAnalyzer> Analyzers() =>
        typeof(DiagnosticDescriptors).Assembly.GetTypes()
            .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!);
}
