using System.Collections.Immutable;
using System.Reflection;
using Dropout.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Fuzzing;

/// <summary>What went wrong, and whose defect it is: the generator's, an analyzer's or a code fix's.</summary>
internal enum FindingKind
{
    Generator,
    Analyzer,
    Fix,
}

internal sealed record Finding(FindingKind Kind, string Message);

/// <summary>
/// One source through everything a user's build and editor run: the Dropout generator (as the compiler runs it), every
/// Dropout analyzer over the result, and every code fix offered for their diagnostics, each applied (and Fix All where
/// a rule is reported twice or more), with the fixed source built again.
/// </summary>
internal static class Toolchain
{
    private const string SourcePath = "/fuzz/Source.cs";

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net80.References.All,
        MetadataReference.CreateFromFile(typeof(DropoutContext).Assembly.Location),
    ];

    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(Dropout.Analyzers.DiagnosticDescriptors).Assembly
        .GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    public static readonly ImmutableArray<CodeFixProvider> Fixes = typeof(Dropout.Analyzers.CodeFixes.InferenceWithoutInferenceModeCodeFixProvider).Assembly
        .GetTypes()
        .Where(type => typeof(CodeFixProvider).IsAssignableFrom(type) && !type.IsAbstract && type.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
        .Select(type => (CodeFixProvider)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    /// <summary>Builds <paramref name="source"/> with the generator and, unless told not to, runs every analyzer over the result.</summary>
    public static async Task<BuildResult> BuildAsync(string source, LanguageVersion version, string? threshold, bool analyze = true)
    {
        var findings = new List<Finding>();
        var parseOptions = new CSharpParseOptions(version);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, parseOptions, path: SourcePath);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "FuzzSubject",
            [tree],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        Compilation output = compilation;
        ImmutableArray<Diagnostic> generatorDiagnostics = [];
        try
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create([new DropoutGenerator().AsSourceGenerator()], parseOptions: parseOptions)
                .RunGeneratorsAndUpdateCompilation(compilation, out output, out generatorDiagnostics);
            foreach (GeneratorRunResult result in driver.GetRunResult().Results.Where(result => result.Exception is not null))
            {
                findings.Add(new Finding(FindingKind.Generator, "generator threw: " + result.Exception));
            }
        }
        catch (Exception exception)
        {
            findings.Add(new Finding(FindingKind.Generator, "generator driver threw: " + exception));
        }

        foreach (Diagnostic diagnostic in generatorDiagnostics.Where(diagnostic => diagnostic.Id is "CS8785" or "DRPG999"))
        {
            findings.Add(new Finding(FindingKind.Generator, diagnostic.ToString()));
        }

        // One pass gives the compiler's and the analyzers' diagnostics (binding the program is most of the cost).
        ImmutableArray<Diagnostic> all;
        if (analyze)
        {
            var analyzerExceptions = new List<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([], new FuzzConfigOptionsProvider(threshold)),
                onAnalyzerException: (exception, analyzer, _) => analyzerExceptions.Add(analyzer.GetType().Name + ": " + exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            all = await output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync();
            findings.AddRange(analyzerExceptions.Select(message => new Finding(FindingKind.Analyzer, message)));
            findings.AddRange(all.Where(diagnostic => diagnostic.Id == "AD0001").Select(diagnostic => new Finding(FindingKind.Analyzer, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
        }
        else
        {
            all = output.GetDiagnostics();
        }

        // Compiler errors only: DRP001 is an error too, but it is the analyzer's verdict on the code, not a build failure.
        Diagnostic[] outputErrors = all.Where(diagnostic => IsError(diagnostic) && diagnostic.Id.StartsWith("CS", StringComparison.Ordinal)).ToArray();
        Diagnostic[] generatedErrors = outputErrors.Where(diagnostic => diagnostic.Location.SourceTree is { } errorTree && errorTree != tree).ToArray();
        if (generatedErrors.Length > 0 && generatedErrors.Length == outputErrors.Length)
        {
            findings.Add(new Finding(FindingKind.Generator, "generated code does not compile though the user's code has no error: " + Describe(generatedErrors)));
        }
        else if (outputErrors.Length > 0 && !compilation.GetDiagnostics().Any(IsError))
        {
            findings.Add(new Finding(FindingKind.Generator, "a program that compiles without the generator does not compile with it: " + Describe(outputErrors)));
        }

        // A generator that failed reported nothing at all; that failure is already a finding.
        if (analyze && !findings.Any(finding => finding.Kind == FindingKind.Generator))
        {
            string[] generatedFiles = output.SyntaxTrees.Where(generated => generated != tree).Select(generated => Path.GetFileName(generated.FilePath)).ToArray();
            findings.AddRange(KeepProbabilityVerdictsDisagree(tree, all, generatorDiagnostics, generatedFiles));
        }

        var errorCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Diagnostic error in outputErrors.Concat(generatorDiagnostics.Where(IsError)))
        {
            string key = generatedErrors.Contains(error) ? "generated " + error.Id : error.Id;
            errorCounts[key] = errorCounts.GetValueOrDefault(key) + 1;
        }

        return new BuildResult(
            findings,
            all.Where(diagnostic => diagnostic.Id.StartsWith("DRP0", StringComparison.Ordinal) && diagnostic.Location.SourceTree == tree).ToImmutableArray(),
            errorCounts);
    }

    /// <summary>Applies every fix offered for the diagnostics of <paramref name="before"/> (and Fix All once per rule reported twice) and builds each result.</summary>
    public static async Task<List<Finding>> ApplyFixesAsync(string source, LanguageVersion version, string? threshold, BuildResult before, FuzzCoverage coverage, int maximumFixes, ImmutableArray<CodeFixProvider>? fixes = null)
    {
        ImmutableArray<CodeFixProvider> Fixes = fixes ?? Toolchain.Fixes;
        var findings = new List<Finding>();
        Diagnostic[] fixable = before.AnalyzerDiagnostics.Where(diagnostic => Fixes.Any(fix => fix.FixableDiagnosticIds.Contains(diagnostic.Id))).ToArray();
        if (fixable.Length == 0)
        {
            return findings;
        }

        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Create(),
                "FuzzSubject",
                "FuzzSubject",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true),
                parseOptions: new CSharpParseOptions(version),
                metadataReferences: References))
            .AddDocument(documentId, "Source.cs", SourceText.From(source), filePath: SourcePath);
        if (threshold is not null)
        {
            solution = solution.AddAnalyzerConfigDocument(
                DocumentId.CreateNewId(projectId),
                ".editorconfig",
                SourceText.From("root = true\n\n[*.cs]\n" + Dropout.Analyzers.KeepProbabilityLooksLikeDropRateAnalyzer.ThresholdOptionKey + " = " + threshold + "\n"),
                filePath: "/fuzz/.editorconfig");
        }

        Document document = solution.GetDocument(documentId)!;
        SyntaxTree documentTree = (await document.GetSyntaxTreeAsync())!;
        Diagnostic[] diagnostics = fixable
            .Select(diagnostic => Diagnostic.Create(diagnostic.Descriptor, Location.Create(documentTree, diagnostic.Location.SourceSpan), diagnostic.Properties))
            .ToArray();

        int applied = 0;
        foreach (Diagnostic diagnostic in diagnostics)
        {
            foreach (CodeFixProvider fix in Fixes.Where(fix => fix.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var actions = new List<CodeAction>();
                try
                {
                    await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
                }
                catch (Exception exception)
                {
                    findings.Add(new Finding(FindingKind.Fix, fix.GetType().Name + " threw registering a fix for " + diagnostic.Id + ": " + exception));
                    continue;
                }

                foreach (CodeAction action in actions.SelectMany(Flatten))
                {
                    if (applied++ >= maximumFixes)
                    {
                        return findings;
                    }

                    coverage.FixesApplied.Add(fix.GetType().Name);
                    findings.AddRange(await CheckActionAsync(action, fix.GetType().Name + " for " + diagnostic.Id + " at " + diagnostic.Location.GetLineSpan().StartLinePosition, diagnostic.Id, documentId, version, threshold, before));
                }
            }
        }

        // Fix All in the document, for a rule reported twice or more.
        foreach (IGrouping<string, Diagnostic> group in diagnostics.GroupBy(diagnostic => diagnostic.Id).Where(group => group.Count() > 1))
        {
            foreach (CodeFixProvider fix in Fixes.Where(fix => fix.FixableDiagnosticIds.Contains(group.Key)))
            {
                if (fix.GetFixAllProvider() is not { } fixAll)
                {
                    continue;
                }

                var firstActions = new List<CodeAction>();
                await fix.RegisterCodeFixesAsync(new CodeFixContext(document, group.First(), (action, _) => firstActions.Add(action), CancellationToken.None));
                if (firstActions.FirstOrDefault()?.EquivalenceKey is not { } key)
                {
                    continue;
                }

                CodeAction? fixAllAction;
                try
                {
                    var context = new FixAllContext(document, fix, FixAllScope.Document, key, [group.Key], new FixedDiagnostics(group.ToImmutableArray()), CancellationToken.None);
                    fixAllAction = await fixAll.GetFixAsync(context);
                }
                catch (Exception exception)
                {
                    findings.Add(new Finding(FindingKind.Fix, "Fix All of " + fix.GetType().Name + " threw: " + exception));
                    continue;
                }

                if (fixAllAction is not null)
                {
                    coverage.FixAllApplied.Add(fix.GetType().Name);
                    findings.AddRange(await CheckActionAsync(fixAllAction, "Fix All of " + fix.GetType().Name + " for " + group.Key, group.Key, documentId, version, threshold, before));
                }
            }
        }

        return findings;
    }

    // Issue 8 item 2: DRP001 and the generator refuse exactly the same [Dropout(p)] (valid ⟺ 2^-24 <= p <= 1). DRPG003
    // where DRP001 is silent is the analyzer's defect; DRP001 where the generator reports no error for the target and
    // generates code is the generator's.
    private static IEnumerable<Finding> KeepProbabilityVerdictsDisagree(SyntaxTree tree, ImmutableArray<Diagnostic> analyzerAndCompilerDiagnostics, ImmutableArray<Diagnostic> generatorDiagnostics, string[] generatedFiles)
    {
        // The generator reports its diagnostics at locations re-created from file path and span (its model holds no
        // syntax trees), so a location is matched by path, not by tree.
        SyntaxNode root = tree.GetRoot();
        bool InThisFile(Diagnostic diagnostic) =>
            (diagnostic.Location.SourceTree == tree || diagnostic.Location.GetLineSpan().Path == tree.FilePath)
            && diagnostic.Location.SourceSpan.End <= root.FullSpan.End;
        AttributeSyntax? AttributeAt(Diagnostic diagnostic) =>
            InThisFile(diagnostic) ? root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault() : null;

        HashSet<AttributeSyntax> refusedByAnalyzer = analyzerAndCompilerDiagnostics.Where(diagnostic => diagnostic.Id == "DRP001").Select(AttributeAt).OfType<AttributeSyntax>().ToHashSet();
        foreach (AttributeSyntax attribute in generatorDiagnostics.Where(diagnostic => diagnostic.Id == "DRPG003").Select(AttributeAt).OfType<AttributeSyntax>().Distinct())
        {
            if (!refusedByAnalyzer.Contains(attribute))
            {
                yield return new Finding(FindingKind.Analyzer, "DRPG003 refuses " + attribute + " but DRP001 does not report it");
            }
        }

        foreach (AttributeSyntax attribute in refusedByAnalyzer)
        {
            // The generator names each file after the type or method it generates for.
            SyntaxNode? target = attribute.Parent?.Parent;
            string? targetName = target switch
            {
                BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
                MethodDeclarationSyntax method => method.Identifier.ValueText,
                _ => null,
            };
            bool generatedForTarget = targetName is { Length: > 0 } && generatedFiles.Any(file => file.Contains(targetName, StringComparison.Ordinal));
            if (target is not null && generatedForTarget && !generatorDiagnostics.Any(diagnostic =>
                    diagnostic.Severity == DiagnosticSeverity.Error && InThisFile(diagnostic) && target.Span.Contains(diagnostic.Location.SourceSpan)))
            {
                yield return new Finding(FindingKind.Generator, "DRP001 reports " + attribute + " but the generator accepts it and generates code");
            }
        }
    }

    // Each diagnostic of the id as its message and the code it points at (positions move when a fix edits the file).
    private static List<string> Describe(ImmutableArray<Diagnostic> diagnostics, string id) =>
        diagnostics
            .Where(diagnostic => diagnostic.Id == id)
            .Select(diagnostic => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture) + " @ " + (diagnostic.Location.SourceTree?.GetText().ToString(diagnostic.Location.SourceSpan) ?? string.Empty))
            .ToList();

    // True when every description of `before` is still there as often in `after`: the fix removed no diagnostic.
    private static bool RemovesNone(List<string> before, List<string> after) =>
        before.GroupBy(description => description, StringComparer.Ordinal)
            .All(group => after.Count(description => description == group.Key) >= group.Count());

    private static IEnumerable<CodeAction> Flatten(CodeAction action) =>
        action.NestedActions.IsDefaultOrEmpty ? [action] : action.NestedActions.SelectMany(Flatten);

    private static async Task<List<Finding>> CheckActionAsync(CodeAction action, string what, string fixedId, DocumentId documentId, LanguageVersion version, string? threshold, BuildResult before)
    {
        string fixedSource;
        try
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
            Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            fixedSource = (await changed.GetDocument(documentId)!.GetTextAsync()).ToString();
        }
        catch (Exception exception)
        {
            return [new Finding(FindingKind.Fix, what + " threw when applied: " + exception)];
        }

        BuildResult after = await BuildAsync(fixedSource, version, threshold);
        var findings = after.Findings
            .Where(finding => finding.Kind == FindingKind.Analyzer)
            .Select(finding => finding with { Message = "in the fixed code of " + what + ": " + finding.Message })
            .ToList();

        // A fix that leaves its diagnostic in place fixed nothing (DRP003's 0.5 → 0.5 under a threshold of 0.7): every
        // diagnostic of the fixed id is still there, with the same message on the same code. A rule that reports one
        // place per method (DRP007's first unscoped run) may move on to the next place after a fix; that is progress.
        if (after.AnalyzerDiagnostics.Count(diagnostic => diagnostic.Id == fixedId) > before.AnalyzerDiagnostics.Count(diagnostic => diagnostic.Id == fixedId)
            || RemovesNone(Describe(before.AnalyzerDiagnostics, fixedId), Describe(after.AnalyzerDiagnostics, fixedId)))
        {
            findings.Add(new Finding(FindingKind.Fix, what + " leaves the diagnostic in place; fixed source:\n" + fixedSource));
        }

        string[] added = after.ErrorCounts
            .Where(error => error.Value > before.ErrorCounts.GetValueOrDefault(error.Key))
            .Select(error => error.Key + " ×" + (error.Value - before.ErrorCounts.GetValueOrDefault(error.Key)))
            .ToArray();
        if (added.Length > 0)
        {
            // New errors only in generated code mean the fix produced valid input the generator mishandles.
            FindingKind kind = added.All(error => error.StartsWith("generated ", StringComparison.Ordinal)) ? FindingKind.Generator : FindingKind.Fix;
            findings.Add(new Finding(kind, what + " adds errors (" + string.Join(", ", added) + "); fixed source:\n" + fixedSource));
        }

        return findings;
    }

    private static bool IsError(Diagnostic diagnostic) => diagnostic.Severity == DiagnosticSeverity.Error;

    private static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("; ", diagnostics.Take(5).Select(diagnostic => diagnostic.Id + " " + diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([]);

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }

    private sealed class FuzzConfigOptionsProvider(string? threshold) : AnalyzerConfigOptionsProvider
    {
        private readonly FuzzConfigOptions _options = new(threshold);

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;
    }

    private sealed class FuzzConfigOptions(string? threshold) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = key == Dropout.Analyzers.KeepProbabilityLooksLikeDropRateAnalyzer.ThresholdOptionKey ? threshold : null;
            return value is not null;
        }
    }
}

/// <summary>A build of one source: what failed, the Dropout diagnostics in the user's file, and its errors by id.</summary>
internal sealed record BuildResult(List<Finding> Findings, ImmutableArray<Diagnostic> AnalyzerDiagnostics, Dictionary<string, int> ErrorCounts);

/// <summary>What a fuzz run reached: the rules it saw reported and the fixes it applied, so that a run that exercised nothing fails.</summary>
internal sealed class FuzzCoverage
{
    public HashSet<string> RulesReported { get; } = new(StringComparer.Ordinal);

    public HashSet<string> FixesApplied { get; } = new(StringComparer.Ordinal);

    public HashSet<string> FixAllApplied { get; } = new(StringComparer.Ordinal);
}
