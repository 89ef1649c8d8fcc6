using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// Runs a TorchSharp rule (and optionally its code fix) over test sources compiled against TorchSharp's real managed
/// assembly (the package's lib/net8.0/TorchSharp.dll, copied beside the tests by the project file). Expected
/// diagnostics are written with markup: <c>{|DRP022:...|}</c>. The sources compile as they would in a user's project;
/// a compiler error fails the test, so every case is real TorchSharp code.
/// </summary>
internal static class TorchSharpTest
{
    /// <summary>The usings TorchSharp code is written with (as in TorchSharp's own examples).</summary>
    public const string Usings = """
        using System;
        using System.Linq;
        using System.Collections.Generic;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;
        using F = TorchSharp.torch.nn.functional;

        """;

    /// <summary>TorchSharp's managed assembly.</summary>
    public static readonly MetadataReference TorchSharpReference = MetadataReference.CreateFromFile(TorchSharpAssemblyPath());

    /// <summary>The path of TorchSharp.dll beside the test assembly.</summary>
    public static string TorchSharpAssemblyPath()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TorchSharp", "TorchSharp.dll");
        Assert.True(File.Exists(path), $"{path} is missing: the test project copies it from the TorchSharp package");
        return path;
    }

    public static Task VerifyAsync<TAnalyzer>(string source, string? editorConfig = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test.TestState, editorConfig);
        return test.RunAsync();
    }

    /// <summary>Verifies a source without TorchSharp: the rule must stay silent (and register nothing) there.</summary>
    public static Task VerifyWithoutTorchSharpAsync<TAnalyzer>(string source)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        return test.RunAsync();
    }

    public static Task VerifyFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        Configure(test.TestState, null);
        Configure(test.FixedState, null);
        return test.RunAsync();
    }

    private static void Configure(SolutionState state, string? editorConfig)
    {
        state.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        state.AdditionalReferences.Add(TorchSharpReference);
        if (editorConfig is not null)
        {
            state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\n" + editorConfig));
        }
    }
}
