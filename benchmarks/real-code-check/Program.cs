using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Usage: RealCodeCheck <Dropout.Analyzers.dll> <group folder>...
// Each group folder is compiled as one compilation (every *.cs below it), as found: no edits to the sources.
// The SDK's implicit global usings are added (most modern projects rely on them) unless the group folder holds a
// file named `no-implicit-usings`.
// Package dependencies come from an optional `refs.txt` in the group folder (one assembly path a line, e.g. from a
// scratch `dotnet restore`); anything else stays unresolved unless the person measuring adds stub files, and the
// compile-error count is printed so a reader can judge how much of the code bound.
// Prints every DRP diagnostic and every analyzer exception (AD0001), and the time the analyzers took.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: RealCodeCheck <Dropout.Analyzers.dll> <group folder>...");
    return 2;
}

var analyzerReference = new AnalyzerFileReference(Path.GetFullPath(args[0]), new AssemblyLoader());
var analyzers = analyzerReference.GetAnalyzers(LanguageNames.CSharp);
var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
    .Split(Path.PathSeparator)
    .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
    .ToList();
var parse = new CSharpParseOptions(LanguageVersion.Preview);
int exit = 0;
foreach (var folder in args.Skip(1))
{
    var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal);
    var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToList();
    var sourceCount = trees.Count;
    // Unity and .NET Framework projects have no implicit usings (and `Random` would become ambiguous there).
    if (!File.Exists(Path.Combine(folder, "no-implicit-usings")))
    {
        trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.g.cs"));
    }
    var references = new List<MetadataReference>(platform);
    var refsFile = Path.Combine(folder, "refs.txt");
    if (File.Exists(refsFile))
    {
        references.AddRange(File.ReadAllLines(refsFile)
            .Where(l => l.Trim().Length > 0)
            .Select(l => MetadataReference.CreateFromFile(l.Trim())));
    }
    var compilation = CSharpCompilation.Create(
        Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)),
        trees,
        references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    var errorList = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    var errors = errorList.Count;
    var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
    var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    var relevant = diagnostics
        .Where(d => d.Id.StartsWith("DRP", StringComparison.Ordinal) || d.Id == "AD0001")
        .OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start)
        .ToList();
    // Time spent in Dropout.Analyzers alone (not in binding), so that slow analysis of big real code shows as such.
    var analyzerTime = TimeSpan.Zero;
    foreach (var analyzer in analyzers)
    {
        analyzerTime += (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime;
    }

    Console.WriteLine($"== {folder}: {sourceCount} file(s), {errors} compile error(s), {relevant.Count} diagnostic(s), analyzers {analyzerTime.TotalSeconds:0.0} s");
    // REALCHECK_ERRORS=N lists the first N distinct compile errors (to decide which stubs or packages a group needs).
    if (int.TryParse(Environment.GetEnvironmentVariable("REALCHECK_ERRORS"), out var shown))
    {
        foreach (var e in errorList.Select(e => $"{e.Id} {e.GetMessage()}").Distinct().Take(shown))
            Console.WriteLine($"   error {e}");
    }
    foreach (var d in relevant)
    {
        var span = d.Location.GetLineSpan();
        Console.WriteLine($"   {Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1} {d.Id} {d.GetMessage()}");
        if (d.Id == "AD0001") exit = 1;
    }
}
return exit;

partial class Program
{
    // The global usings `<ImplicitUsings>enable</ImplicitUsings>` gives a Microsoft.NET.Sdk project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}

sealed class AssemblyLoader : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath) { }
    public System.Reflection.Assembly LoadFromPath(string fullPath) => System.Reflection.Assembly.LoadFrom(fullPath);
}
