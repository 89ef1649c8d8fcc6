using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9: the analyzers over a corpus of dropout code in the shapes real C# projects write it (neural-network
/// libraries, course projects, game AI, trading code), reduced and rewritten for this repository, plus correct code
/// that looks like dropout (inverted and classic dropout, Monte Carlo dropout, epsilon-greedy, augmentation,
/// bootstrap, noise injection). Each file of <c>Corpus/</c> says in its header whether it is correct or holds a
/// mistake, and which diagnostics a perfect analyzer would give it. The test measures recall (mistake files that get
/// a diagnostic from a correctness rule) and false positives (correct files that get one), as docs/analyzers.md reports.
/// </summary>
public sealed class RealWorldCorpusTests(ITestOutputHelper output)
{
    // Informational rules (reproducibility, p = 1, batch-norm placement) are not dropout mistakes.
    private static readonly ImmutableHashSet<string> NotMistakeRules = ImmutableHashSet.Create("DRP002", "DRP009", "DRP011");

    private static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = typeof(Dropout.Analyzers.DiagnosticDescriptors).Assembly
        .GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    private sealed record CorpusCase(string Name, bool IsMistake, string Shape, ImmutableHashSet<string> Expected, string Source);

    [Fact]
    public async Task Corpus_RecallIsAtLeast80Percent_WithNoFalsePositiveAndNoAnalyzerFailure()
    {
        List<CorpusCase> cases = LoadCorpus();
        Assert.True(cases.Count >= 40, $"the corpus has {cases.Count} cases");
        Assert.True(cases.Count(c => !c.IsMistake) * 2 >= cases.Count, "at least half of the corpus is correct code");

        int caught = 0, mistakes = 0, falsePositives = 0, exact = 0;
        var failures = new List<string>();
        foreach (CorpusCase corpusCase in cases)
        {
            var exceptions = new List<string>();
            ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(corpusCase.Source, exceptions);
            failures.AddRange(exceptions.Select(exception => corpusCase.Name + ": " + exception));
            failures.AddRange(diagnostics.Where(d => d.Id == "AD0001" || d.Severity == DiagnosticSeverity.Error).Select(d => corpusCase.Name + ": " + d));
            var reported = diagnostics.Where(d => d.Id.StartsWith("DRP", StringComparison.Ordinal)).Select(d => d.Id).ToImmutableHashSet();
            bool mistakeReported = reported.Any(id => !NotMistakeRules.Contains(id));
            if (corpusCase.IsMistake)
            {
                mistakes++;
                caught += mistakeReported ? 1 : 0;
            }
            else if (mistakeReported)
            {
                falsePositives++;
            }

            bool matches = reported.SetEquals(corpusCase.Expected);
            exact += matches ? 1 : 0;
            output.WriteLine($"{(matches ? "ok  " : "DIFF")} {corpusCase.Name}: expected [{string.Join(" ", corpusCase.Expected.Order())}] got [{string.Join(" ", reported.Order())}]" +
                (matches ? "" : "  (" + corpusCase.Shape + ")"));
        }

        double recall = (double)caught / mistakes;
        output.WriteLine($"recall {caught}/{mistakes} = {recall:P0}; false positives {falsePositives}/{cases.Count - mistakes}; exact diagnostics {exact}/{cases.Count}");
        Assert.Empty(failures);
        Assert.Equal(0, falsePositives);
        Assert.True(recall >= 0.8, $"recall {recall:P0} is below 80 %");
    }

    private static List<CorpusCase> LoadCorpus()
    {
        string directory = Path.Combine(AnalyzerTest.RepositoryRoot(), "Dropout.Tests", "Analyzers", "Corpus");
        var cases = new List<CorpusCase>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs.txt").Order(StringComparer.Ordinal))
        {
            string source = File.ReadAllText(file);
            string[] header = source.Split('\n').Take(3).ToArray();
            string Value(string key) => header.Single(line => line.StartsWith("// " + key + ":", StringComparison.Ordinal)).Substring(key.Length + 4).Trim();
            string expect = Value("expect");
            cases.Add(new CorpusCase(
                Path.GetFileName(file).Replace(".cs.txt", "", StringComparison.Ordinal),
                Value("corpus") == "mistake",
                Value("shape"),
                expect == "none" ? ImmutableHashSet<string>.Empty : expect.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToImmutableHashSet(),
                source));
        }

        return cases;
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, List<string> exceptions)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "CorpusCase",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            Basic.Reference.Assemblies.Net80.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> compilerErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        ImmutableArray<Diagnostic> analyzerDiagnostics = await compilation.WithAnalyzers(AllAnalyzers, options).GetAnalyzerDiagnosticsAsync();
        return compilerErrors.AddRange(analyzerDiagnostics);
    }
}
