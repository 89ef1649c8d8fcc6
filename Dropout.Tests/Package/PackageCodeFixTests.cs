using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Package;

/// <summary>
/// The code fixes in the package are offered and work (issue 11): the analyzers and fixers are loaded from the
/// package as restore extracted it, in a load context of their own (as an IDE loads them), and run through the
/// Workspaces API over the consumer's file with mistakes.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageCodeFixTests(PackageFixture package)
{
    [Fact]
    public void Package_HasEveryAnalyzerAndCodeFixOfTheBuild()
    {
        PackageComponents components = Load();
        Assert.Equal(
            TypeNames(typeof(Dropout.Analyzers.CodeFixes.KeepProbabilityLooksLikeDropRateCodeFixProvider).Assembly, typeof(CodeFixProvider)),
            components.Fixers.Select(f => f.GetType().FullName!).Order(StringComparer.Ordinal));
        Assert.Equal(
            TypeNames(typeof(Dropout.Analyzers.DiagnosticIds).Assembly, typeof(DiagnosticAnalyzer)),
            components.Analyzers.Select(a => a.GetType().FullName!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DropRateCodeFix_FromThePackage_IsOffered_AndTurnsTheDropRateIntoTheKeepProbability()
    {
        PackageComponents components = Load();
        using var workspace = new AdhocWorkspace();
        Document document = WrongFile(workspace);

        Diagnostic drp003 = Assert.Single(await AnalyzeAsync(document, components.Analyzers), d => d.Id == "DRP003");
        CodeFixProvider fixer = Assert.Single(components.Fixers, f => f.FixableDiagnosticIds.Contains("DRP003"));
        var actions = new List<CodeAction>();
        await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, drp003, (action, _) => actions.Add(action), CancellationToken.None));
        CodeAction fix = Assert.Single(actions);

        ImmutableArray<CodeActionOperation> operations = await fix.GetOperationsAsync(CancellationToken.None);
        Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        Document fixedDocument = changed.GetDocument(document.Id)!;
        string fixedText = (await fixedDocument.GetTextAsync()).ToString();
        Assert.Contains("[Dropout(0.8)] // expect DRP003", fixedText, StringComparison.Ordinal);
        Assert.DoesNotContain(await AnalyzeAsync(fixedDocument, components.Analyzers), d => d.Id == "DRP003");
    }

    private static IEnumerable<string> TypeNames(Assembly assembly, Type baseType) =>
        assembly.GetTypes().Where(t => !t.IsAbstract && baseType.IsAssignableFrom(t)).Select(t => t.FullName!).Order(StringComparer.Ordinal);

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
    }

    private Document WrongFile(AdhocWorkspace workspace)
    {
        string runtime = Path.Combine(package.ExtractedPackage, "lib", "net8.0", "Dropout.Runtime.dll");
        Project project = workspace.AddProject(
            ProjectInfo.Create(
                ProjectId.CreateNewId(),
                VersionStamp.Default,
                "Diagnostics",
                "Diagnostics",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: [.. Basic.Reference.Assemblies.Net80.References.All, MetadataReference.CreateFromFile(runtime)]));
        // The consumer project has ImplicitUsings; the file relies on them.
        project = project.AddDocument("GlobalUsings.cs", SourceText.From("global using System;\n")).Project;
        string source = File.ReadAllText(Path.Combine(package.ProjectDirectory("diagnostics"), "Wrong.cs"));
        Document document = project.AddDocument("Wrong.cs", SourceText.From(source));
        Assert.True(workspace.TryApplyChanges(document.Project.Solution));
        return workspace.CurrentSolution.GetDocument(document.Id)!;
    }

    private PackageComponents Load()
    {
        Assert.True(package.Build.ExitCode == 0, package.Build.ToString());
        string directory = Path.Combine(package.ExtractedPackage, "analyzers", "dotnet", "cs");
        var context = new PackageLoadContext(directory);
        Type[] types = new[] { "Dropout.Analyzers.dll", "Dropout.Analyzers.CodeFixes.dll" }
            .Select(file => context.LoadFromAssemblyPath(Path.Combine(directory, file)))
            .SelectMany(assembly => assembly.GetTypes())
            .Where(t => !t.IsAbstract)
            .ToArray();
        // The types come from the package's copy, not from the assemblies this test project references.
        Assert.All(types, t => Assert.StartsWith(directory, t.Assembly.Location, StringComparison.Ordinal));
        return new PackageComponents(
            [.. types.Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null).Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)],
            [.. types.Where(t => t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null).Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)]);
    }

    private sealed record PackageComponents(ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<CodeFixProvider> Fixers);

    /// <summary>Loads the package's assemblies from its folder and shares Roslyn with the host, as an IDE does.</summary>
    private sealed class PackageLoadContext(string directory) : AssemblyLoadContext("Dropout.Toolkit package " + Guid.NewGuid().ToString("N"))
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string candidate = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
