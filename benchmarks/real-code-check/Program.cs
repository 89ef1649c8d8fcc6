using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Usage: RealCodeCheck <Dropout.Analyzers.dll> <group folder>...
// Each group folder is compiled as one compilation (every *.cs below it), as found: no edits to the sources.
// Missing third-party dependencies are left unresolved on purpose unless the folder carries its own stubs
// (a file named *.stubs.cs written by the person measuring); the error count is printed so a reader can judge
// how much of the code bound. Prints every DRP diagnostic and every analyzer exception (AD0001).
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
    var compilation = CSharpCompilation.Create(
        Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)),
        trees,
        platform,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    var errors = compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
    var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
    var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    var relevant = diagnostics
        .Where(d => d.Id.StartsWith("DRP", StringComparison.Ordinal) || d.Id == "AD0001")
        .OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start)
        .ToList();
    Console.WriteLine($"== {folder}: {trees.Count} file(s), {errors} compile error(s), {relevant.Count} diagnostic(s)");
    foreach (var d in relevant)
    {
        var span = d.Location.GetLineSpan();
        Console.WriteLine($"   {Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1} {d.Id} {d.GetMessage()}");
        if (d.Id == "AD0001") exit = 1;
    }
}
return exit;

sealed class AssemblyLoader : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath) { }
    public System.Reflection.Assembly LoadFromPath(string fullPath) => System.Reflection.Assembly.LoadFrom(fullPath);
}
