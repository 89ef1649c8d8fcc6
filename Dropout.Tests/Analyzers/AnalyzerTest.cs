using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Runs one analyzer (and optionally its code fix) over test sources that can use Dropout.Runtime. Expected
/// diagnostics are written in the source with markup: <c>{|DRP001:0.0|}</c> marks the span of a DRP001.
/// </summary>
internal static class AnalyzerTest
{
    public static readonly MetadataReference RuntimeReference = MetadataReference.CreateFromFile(typeof(DropoutContext).Assembly.Location);

    /// <summary>Usings every test source gets, so that the sources show only what matters.</summary>
    public const string Usings = "using System;\nusing System.Linq;\nusing System.Collections.Generic;\nusing Dropout;\n";

    public static Task VerifyAsync<TAnalyzer>(string source, string? editorConfig = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test.TestState, editorConfig);
        return test.RunAsync();
    }

    public static Task VerifyFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, int? iterations = null, string? editorConfig = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        if (iterations is { } count)
        {
            test.NumberOfFixAllIterations = count;
        }

        Configure(test.TestState, editorConfig);
        Configure(test.FixedState, editorConfig);
        return test.RunAsync();
    }

    /// <summary>The repository checkout the tests run from (the directory holding Dropout.Toolkit.sln).</summary>
    public static string RepositoryRoot() => Dropout.Tests.TestSupport.RepositoryPaths.Root();

    private static void Configure(SolutionState state, string? editorConfig)
    {
        state.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        state.AdditionalReferences.Add(RuntimeReference);
        if (editorConfig is not null)
        {
            state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\n" + editorConfig));
        }
    }
}
