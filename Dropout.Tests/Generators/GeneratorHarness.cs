using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Dropout.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dropout.Tests.Generators;

/// <summary>Compiles user source with the Dropout generator the way a consumer's build does, in memory.</summary>
internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> FrameworkReferences = [.. Basic.Reference.Assemblies.Net80.References.All];

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. FrameworkReferences,
        MetadataReference.CreateFromFile(typeof(DropoutKernels).Assembly.Location),
    ];

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(LanguageVersion.CSharp12, referenceRuntime: true, sources);

    // Empty compilations to add sources to: a compilation made from another shares its reference symbols, so the
    // hundreds of framework assemblies are read once, not once per compilation (the fuzz tests compile thousands).
    private static readonly CSharpCompilation EmptyWithRuntime = Empty(References);
    private static readonly CSharpCompilation EmptyWithoutRuntime = Empty(FrameworkReferences);

    /// <summary>A compilation of <paramref name="sources"/> in C# <paramref name="version"/>, with or without Dropout.Runtime.</summary>
    public static CSharpCompilation CreateCompilation(LanguageVersion version, bool referenceRuntime, params string[] sources) =>
        (referenceRuntime ? EmptyWithRuntime : EmptyWithoutRuntime)
            .AddSyntaxTrees(sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(version), path: "User" + index + ".cs")));

    private static CSharpCompilation Empty(IEnumerable<MetadataReference> references) =>
        CSharpCompilation.Create(
            "GeneratedLayers",
            [],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver CreateDriver(bool trackSteps = false, LanguageVersion version = LanguageVersion.CSharp12) =>
        CSharpGeneratorDriver.Create(
            [new DropoutGenerator().AsSourceGenerator()],
            parseOptions: new CSharpParseOptions(version),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the output compilation, the generator's diagnostics and its result.</summary>
    public static GeneratorOutput Run(params string[] sources) => Run(LanguageVersion.CSharp12, referenceRuntime: true, sources);

    /// <summary>Runs the generator over C# <paramref name="version"/> sources, with or without Dropout.Runtime.</summary>
    public static GeneratorOutput Run(LanguageVersion version, bool referenceRuntime, params string[] sources)
    {
        CSharpCompilation compilation = CreateCompilation(version, referenceRuntime, sources);
        GeneratorDriver driver = CreateDriver(version: version).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorOutput(output, diagnostics, driver.GetRunResult());
    }

    /// <summary>Runs the generator, requires a clean compile, and loads the assembly.</summary>
    public static Assembly CompileAndLoad(params string[] sources) => CompileAndLoad(LanguageVersion.CSharp12, sources);

    /// <summary>Runs the generator over C# <paramref name="version"/> sources, requires a clean compile, and loads the assembly.</summary>
    public static Assembly CompileAndLoad(LanguageVersion version, params string[] sources)
    {
        GeneratorOutput result = Run(version, referenceRuntime: true, sources);
        Assert.Empty(result.GeneratorDiagnostics);
        using var stream = new MemoryStream();
        var emit = result.Compilation.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)));
        Assert.Empty(emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        stream.Position = 0;
        var context = new AssemblyLoadContext("Generated" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    public static object? Invoke(Assembly assembly, string typeName, string method, params object?[] arguments)
    {
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        return type.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);
    }
}

internal sealed record GeneratorOutput(Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult RunResult)
{
    public IEnumerable<Diagnostic> CompilationErrors =>
        Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);

    public string[] GeneratedSources =>
        RunResult.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).ToArray();
}
