using Microsoft.CodeAnalysis;

namespace Dropout.Tests.Generators;

/// <summary>Each generator error is reported with its DRPG id, at the declaration it is about, and nothing is generated for it.</summary>
public sealed class GeneratorDiagnosticsTests
{
    [Theory]
    // DRPG001: the layer type is not partial.
    [InlineData("DRPG001", "Hidden", "[Dropout(0.5)] public class Hidden { }")]
    // DRPG002: the argument is not a constant (the compiler reports it too).
    [InlineData("DRPG002", "Hidden.Rate", "public partial class Hidden { public static readonly double Rate = 0.5; } [Dropout(Hidden.Rate)] public partial class Other { }")]
    [InlineData("DRPG002", "\"half\"", "[Dropout(\"half\")] public partial class Hidden { }")]
    // DRPG003: outside (0, 1], NaN, infinity.
    [InlineData("DRPG003", "0.0", "[Dropout(0.0)] public partial class Hidden { }")]
    [InlineData("DRPG003", "-0.5", "[Dropout(-0.5)] public partial class Hidden { }")]
    [InlineData("DRPG003", "1.5", "[Dropout(1.5)] public partial class Hidden { }")]
    [InlineData("DRPG003", "double.NaN", "[Dropout(double.NaN)] public partial class Hidden { }")]
    [InlineData("DRPG003", "double.PositiveInfinity", "[Dropout(double.PositiveInfinity)] public partial class Hidden { }")]
    // DRPG004: a method of the wrong shape.
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private void Drop(Span<float> x) { } }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial int Drop(Span<float> x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<int> x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(float[] x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(ref Span<float> x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> x, Span<float> y); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(ReadOnlySpan<float> x, Span<double> y); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private static partial void Drop(Span<float> x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop<T>(Span<float> x); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> x); private partial void Drop(Span<float> x) { } }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> siteStream); }")]
    [InlineData("DRPG004", "Drop", "public partial class Model { void Run() { [Dropout(0.5)] void Drop(Span<float> x) { } } }")]
    // DRPG005: a generated name is taken, declared or inherited.
    [InlineData("DRPG005", "Hidden", "[Dropout(0.5)] public partial class Hidden { public void DropoutForward(Span<float> x) { } }")]
    [InlineData("DRPG005", "Hidden", "[Dropout(0.5)] public partial class Hidden { public int DropoutContext; }")]
    [InlineData("DRPG005", "Hidden", "public class Base { public void DropoutBackward() { } } [Dropout(0.5)] public partial class Hidden : Base { }")]
    [InlineData("DRPG005", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> x); private void DropBackward() { } }")]
    [InlineData("DRPG005", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> x); public object? DropoutContext; }")]
    // DRPG006: a type that cannot hold the generated members.
    [InlineData("DRPG006", "Hidden", "public class Outer { [Dropout(0.5)] public partial class Hidden { } }")]
    [InlineData("DRPG006", "Hidden", "[Dropout(0.5)] public static partial class Hidden { }")]
    [InlineData("DRPG006", "Hidden", "[Dropout(0.5)] public readonly partial struct Hidden { }")]
    [InlineData("DRPG006", "Drop", "public class Model { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG006", "Drop", "public readonly partial struct Model { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG006", "Drop", "public partial struct Model { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG006", "Drop", "public partial record struct Model { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG006", "Hidden", "[Dropout(0.5)] file partial class Hidden { }")]
    // DRPG007: a negative Size.
    [InlineData("DRPG007", "Dropout(0.5, Size = -1)", "[Dropout(0.5, Size = -1)] public partial class Hidden { }")]
    // DRPG008: two dropout sites with one name.
    [InlineData("DRPG008", "Drop", "public partial class Model { [Dropout(0.5)] private partial void Drop(Span<float> x); [Dropout(0.5)] private partial void Drop(Span<double> x); }")]
    public void InvalidDeclaration_ReportsGeneratorError_AtItsLocation(string id, string locatedText, string declaration)
    {
        string source = "using System;\nusing Dropout;\nnamespace App;\n" + declaration + "\n";
        GeneratorOutput result = GeneratorHarness.Run(source);

        Diagnostic[] reported = result.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.NotEmpty(reported);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "DRPG999");
        AssertNoDropoutCodeGenerated(result);
        foreach (Diagnostic diagnostic in reported)
        {
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal(locatedText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Equal("User0.cs", diagnostic.Location.GetLineSpan().Path);
            Assert.Equal($"https://github.com/dropout-toolkit/Dropout.Toolkit/blob/main/docs/generator.md#{id.ToLowerInvariant()}", diagnostic.Descriptor.HelpLinkUri);
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// Nothing but, for a rejected method with an access modifier, the throwing body that keeps CS8795 away (see
    /// <see cref="RejectedMethod_WithAnAccessModifier_ReportsOnlyTheGeneratorError"/>); and nothing generated has an
    /// error of its own.
    /// </summary>
    internal static void AssertNoDropoutCodeGenerated(GeneratorOutput result)
    {
        foreach (GeneratedSourceResult generated in result.RunResult.Results.Single().GeneratedSources)
        {
            string text = generated.SourceText.ToString();
            Assert.Contains("throw new global::System.NotSupportedException(\"[Dropout] generated no code for", text, StringComparison.Ordinal);
            Assert.DoesNotContain("DropoutKernel", text, StringComparison.Ordinal);
            Assert.DoesNotContain("DropoutContext", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(result.CompilationErrors, d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("DRPG003", "public partial class Model { [Dropout(2.0)] public partial void Drop(Span<float> x); }")]
    [InlineData("DRPG003", "public partial class Model { [Dropout(1e-39)] internal partial void Drop(ReadOnlySpan<double> x, Span<double> y); }")]
    [InlineData("DRPG004", "public partial class Model { [Dropout(0.5)] private static partial void Drop(Span<float> x); }")]
    [InlineData("DRPG004", "public partial class Model { [Dropout(0.5)] public partial int Drop(Span<float> x); }")]
    [InlineData("DRPG004", "public partial class Model { [Dropout(0.5)] public partial void Drop(ref Span<float> x, out int y); }")]
    [InlineData("DRPG004", "public partial class Model { [Dropout(0.5)] protected internal partial void Drop(Span<int> x); }")]
    [InlineData("DRPG006", "public partial struct Model { [Dropout(0.5)] public partial void Drop(Span<float> x); }")]
    [InlineData("DRPG006", "public readonly partial record struct Model { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("DRPG005", "public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); public void DropBackward() { } }")]
    [InlineData("DRPG008", "public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); [Dropout(0.5)] public partial void Drop(Span<double> x); }")]
    [InlineData("DRPG001", "[Dropout(0.5)] public class Layer { } public partial class Model : Layer { [Dropout(0.5)] public partial void Drop(Span<float> x); }")]
    [InlineData("DRPG003", "[Dropout(0.0)] public partial class Layer { [Dropout(0.5)] public partial void Drop(Span<float> x); }")]
    public void RejectedMethod_WithAnAccessModifier_ReportsOnlyTheGeneratorError(string id, string declaration)
    {
        // Issue 10 §3: a rejected partial method with an access modifier has no implementation, and the compiler adds
        // CS8795 beside the DRPG error. The generator gives it a throwing body instead (the build fails on DRPG anyway).
        GeneratorOutput result = GeneratorHarness.Run("using System;\nusing Dropout;\nnamespace App;\n" + declaration + "\n");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "DRPG999");
        Assert.Empty(result.CompilationErrors);
        AssertNoDropoutCodeGenerated(result);
    }

    [Fact]
    public void ValidDeclarations_ReportNothing_AndCompileWithoutWarnings()
    {
        GeneratorOutput result = GeneratorHarness.Run("""
            using System;
            using Dropout;
            namespace App;
            [Dropout(0.5)] public partial class Hidden { [Dropout(0.9)] private partial void DropMore(Span<float> x); }
            public partial class Model { [Dropout(0.8)] public partial void Drop(ReadOnlySpan<float> input, Span<float> output); }
            public partial class Generic<T> where T : class { [Dropout(0.8)] protected internal partial void Drop(Span<double> x); [Dropout(1.0)] private partial void Keep(Span<float> x); }
            public partial class Holder { [Dropout(0.25, Size = 64)] public partial void @Drop(scoped ReadOnlySpan<float> @in, scoped Span<float> @out); }
            public partial record Record(int Width) { [Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)] internal partial void Drop(Span<float> x); }
            public abstract partial class Base { [Dropout(0.5)] public virtual partial void Drop(Span<float> x); }
            [Dropout(1.0)] public partial struct Identity { }
            [Dropout(5.9604644775390625E-08, Size = 640)] public ref partial struct Tiny { }
            [Dropout(0.9)] public sealed partial class LayerWithSites { [Dropout(0.5)] private partial void DropMore(Span<double> x); [Dropout(1.0)] private partial void KeepAll(ReadOnlySpan<float> a, Span<float> b); }
            public static partial class Outer { internal partial interface IHost { } private sealed partial class Inner<T> { [Dropout(0.75)] public sealed partial record Deep { } } }
            public static class IdentityDropoutKernel { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void InvalidSite_GeneratesNoSourceForIt_ButOtherSitesStillGenerate()
    {
        GeneratorOutput result = GeneratorHarness.Run("""
            using Dropout;
            namespace App;
            [Dropout(2.0)] public partial class Broken { }
            [Dropout(0.5)] public partial class Fine { }
            """);
        string hint = Assert.Single(result.RunResult.Results.Single().GeneratedSources).HintName;
        Assert.Equal("App.Fine.Dropout.g.cs", hint);
    }

    [Fact]
    public void AttributeOnTwoPartialDeclarations_GeneratesOnce_AndLeavesTheDuplicateToTheCompiler()
    {
        GeneratorOutput result = GeneratorHarness.Run(
            "using Dropout; namespace App; [Dropout(0.5)] public partial class Hidden { }",
            "using Dropout; namespace App; [Dropout(0.5)] public partial class Hidden { }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Single(result.RunResult.Results.Single().GeneratedSources);
        Assert.Contains(result.CompilationErrors, d => d.Id == "CS0579");
    }

    [Fact]
    public void SitesWithLookalikeNames_GetDistinctFiles()
    {
        // A.B as namespace + type, as outer + nested type, and as type + method. C# rejects a namespace and a type with
        // one name (CS0101), but the generator must not crash on the clash of file names before the user fixes it.
        GeneratorOutput result = GeneratorHarness.Run(
            "using Dropout; namespace A { [Dropout(0.5)] public partial class B { } }",
            "using Dropout; public partial class A { [Dropout(0.5)] public partial class B { } }",
            "using System; using Dropout; namespace N { public partial class A { [Dropout(0.5)] private partial void B(Span<float> x); } } namespace N.A { [Dropout(0.5)] public partial class B { } }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.All(result.CompilationErrors, error => Assert.Equal("CS0101", error.Id));
        string[] hints = result.RunResult.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["A+B.Dropout.g.cs", "A.B.Dropout.g.cs", "N.A.B().Dropout.g.cs", "N.A.B.Dropout.g.cs", "N.A.DropoutContext.g.cs"], hints);
    }

    [Fact]
    public void EveryDescriptor_HasTitleMessageDescriptionAndHelpLink()
    {
        var descriptors = typeof(Dropout.Generators.DropoutGenerator).Assembly
            .GetType("Dropout.Generators.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .ToArray();
        Assert.True(descriptors.Length >= 11);
        string docs = File.ReadAllText(Path.Combine(Dropout.Tests.TestSupport.RepositoryPaths.Root(), "docs", "generator.md"));
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.StartsWith("DRPG", descriptor.Id, StringComparison.Ordinal);
            Assert.False(descriptor.Title.ToString().EndsWith('.'), descriptor.Id + " title ends with a period");
            Assert.NotEmpty(descriptor.MessageFormat.ToString());
            Assert.NotEmpty(descriptor.Description.ToString());
            Assert.EndsWith("#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.Contains("<a id=\"" + descriptor.Id.ToLowerInvariant() + "\"></a>\n### " + descriptor.Id + ": " + descriptor.Title, docs, StringComparison.Ordinal);
        }
    }
}
