using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// Runs every analyzer over the TorchSharp corpus (Corpus/*.cs.txt: realistic files, about half of them correct) and
/// measures what docs/analyzers.md reports: the share of files with a mistake that get the diagnostic they should
/// (recall), and diagnostics on correct files (false positives, none allowed). Also proves the TorchSharp rules never
/// throw (AD0001) on truncated and mutated versions of those files.
/// </summary>
public sealed class TorchSharpCorpusTests(ITestOutputHelper output)
{
    private const double RequiredRecall = 0.8;

    private static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = typeof(Dropout.Analyzers.DiagnosticDescriptors).Assembly
        .GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Files())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public async Task Corpus_MeetsTheRecallAndFalsePositiveBar()
    {
        string[] files = Files();
        Assert.True(files.Length >= 20, $"the corpus has only {files.Length} files");
        int withMistakes = 0, found = 0, correct = 0, falsePositives = 0;
        var missedIds = new List<string>();
        foreach (string file in files)
        {
            CorpusFile corpus = CorpusFile.Read(file);
            ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(corpus, []);
            string[] reported = diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToArray();
            output.WriteLine($"{Path.GetFileName(file)}: expects [{string.Join(", ", corpus.Expected)}], reported [{string.Join(", ", reported)}]");
            if (corpus.Expected.Length == 0)
            {
                correct++;
                falsePositives += reported.Length > 0 ? 1 : 0;
                continue;
            }

            withMistakes++;
            if (corpus.Expected.Any(reported.Contains))
            {
                found++;
            }

            missedIds.AddRange(corpus.Expected.Where(id => !reported.Contains(id)).Select(id => $"{Path.GetFileName(file)}: {id}"));
        }

        double recall = (double)found / withMistakes;
        output.WriteLine($"files with a mistake: {withMistakes}, with a diagnostic: {found} (recall {recall:P0}); correct files: {correct}, with any diagnostic: {falsePositives}");
        output.WriteLine("expected ids not reported: " + (missedIds.Count == 0 ? "none" : string.Join("; ", missedIds)));
        Assert.True(withMistakes >= 10 && correct >= 10, "the corpus needs at least ten files of each kind");
        Assert.True(recall >= RequiredRecall, $"recall {recall:P0} is below {RequiredRecall:P0}");
        Assert.Equal(0, falsePositives);
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task CorpusFile_CompilesAndGetsExactlyTheDiagnosticsItExpects(string name)
    {
        CorpusFile corpus = CorpusFile.Read(Files().Single(file => Path.GetFileName(file) == name));
        CSharpCompilation compilation = Compile(corpus, [corpus.Source]);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));

        var exceptions = new List<string>();
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(corpus, exceptions);
        Assert.Empty(exceptions);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            output.WriteLine($"{diagnostic.Id} line {diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1}: {diagnostic.GetMessage()}");
        }

        Assert.Equal(corpus.Expected, diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TorchSharpRules_OnTruncatedAndMutatedCorpusFiles_NeverThrow()
    {
        var random = new Random(20261128);
        int cases = 0;
        var failures = new List<string>();
        foreach (string file in Files())
        {
            CorpusFile corpus = CorpusFile.Read(file);
            var variants = new List<string>();
            for (int length = 0; length <= corpus.Source.Length; length += 97)
            {
                variants.Add(corpus.Source[..length]);
            }

            for (int mutation = 0; mutation < 8; mutation++)
            {
                variants.Add(Mutate(corpus.Source, random));
            }

            foreach (string variant in variants)
            {
                cases++;
                var exceptions = new List<string>();
                ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(corpus with { Source = variant }, exceptions);
                failures.AddRange(exceptions.Concat(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.GetMessage()))
                    .Select(message => $"{Path.GetFileName(file)}: {message}"));
            }
        }

        output.WriteLine($"{cases} truncated or mutated corpus files analyzed; {failures.Count} failures.");
        Assert.True(cases > 300, $"only {cases} cases ran");
        Assert.Empty(failures);
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(CorpusFile corpus, List<string> exceptions)
    {
        CSharpCompilation compilation = Compile(corpus, [corpus.Source]);
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        return await compilation.WithAnalyzers(AllAnalyzers, options).GetAnalyzerDiagnosticsAsync();
    }

    private static CSharpCompilation Compile(CorpusFile corpus, string[] sources) => CSharpCompilation.Create(
        "TorchSharpCorpus",
        sources.Select(source => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))),
        Basic.Reference.Assemblies.Net80.References.All.Append(TorchSharpTest.TorchSharpReference),
        new CSharpCompilationOptions(corpus.IsProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static string[] Files() =>
        Directory.GetFiles(Path.Combine(AnalyzerTest.RepositoryRoot(), "Dropout.Tests", "Analyzers", "TorchSharp", "Corpus"), "*.cs.txt")
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string Mutate(string source, Random random)
    {
        int position = random.Next(source.Length);
        return random.Next(3) switch
        {
            0 => source.Remove(position, Math.Min(random.Next(1, 40), source.Length - position)),
            1 => source.Insert(position, "{}();.,<>=!?:[]0 1f\""[random.Next(20)].ToString()),
            _ => source.Insert(random.Next(source.Length), source.Substring(position, Math.Min(random.Next(1, 60), source.Length - position))),
        };
    }

    private sealed record CorpusFile(string Source, string[] Expected, bool IsProgram)
    {
        public static CorpusFile Read(string path)
        {
            string source = File.ReadAllText(path);
            string[] lines = source.Split('\n', 3);
            const string ExpectPrefix = "// expect:";
            Assert.StartsWith(ExpectPrefix, lines[0], StringComparison.Ordinal);
            string expectation = lines[0][ExpectPrefix.Length..].Trim();
            string[] expected = expectation == "none"
                ? []
                : expectation.Split(',').Select(id => id.Trim()).Order(StringComparer.Ordinal).ToArray();
            bool isProgram = lines.Length > 1 && lines[1].Trim() == "// kind: exe";
            return new CorpusFile(source, expected, isProgram);
        }
    }
}
