using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dropout.Tests.Generators;

/// <summary>
/// Regression tests for the generator defects of issue 8 (items 2, 5-8) and issue 10 §3: every legal input either
/// generates code that compiles or gets one clear DRPG error and no dropout code; the generator itself never fails.
/// </summary>
public sealed class GeneratorReliabilityTests
{
    private const string Usings = "using System;\nusing Dropout;\nnamespace App;\n";

    // ---------------------------------------------------------------- issue 8 item 5: hint names

    [Fact]
    public void SitesWhoseNamesDifferOnlyInCase_GetDistinctFiles_AndCompile()
    {
        // Hidden/HIDDEN (layers), DropInput/dropInput (methods) and Model/MODEL (context holders): CS8785 before.
        string source = Usings + """
            [Dropout(0.5)] public partial class Hidden { }
            [Dropout(0.8)] public partial class HIDDEN { }
            public partial class Model
            {
                [Dropout(0.8)] public partial void DropInput(Span<float> x);
                [Dropout(0.5)] public partial void dropInput(Span<float> x);
            }
            public partial class MODEL { [Dropout(0.5)] public partial void Drop(Span<float> x); }
            [Dropout(0.5)] public partial class Unrelated { }
            """;
        GeneratorOutput result = GeneratorHarness.Run(source);
        GeneratorRunResult run = result.RunResult.Results.Single();
        Assert.Null(run.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        string[] hints = run.GeneratedSources.Select(s => s.HintName).ToArray();
        Assert.Equal(8, hints.Length);
        Assert.Equal(hints.Length, hints.Distinct(StringComparer.OrdinalIgnoreCase).Count());

        // Names without a clash stay as they were; the clashing ones keep their name and gain a suffix.
        Assert.Contains("App.Unrelated.Dropout.g.cs", hints);
        Assert.Single(hints, h => h.StartsWith("App.Hidden.Dropout-", StringComparison.Ordinal));
        Assert.Single(hints, h => h.StartsWith("App.HIDDEN.Dropout-", StringComparison.Ordinal));
        Assert.Single(hints, h => h.StartsWith("App.Model.DropInput().Dropout-", StringComparison.Ordinal));
        Assert.Single(hints, h => h.StartsWith("App.Model.dropInput().Dropout-", StringComparison.Ordinal));
        Assert.Single(hints, h => h.StartsWith("App.Model.DropoutContext-", StringComparison.Ordinal));
        Assert.Single(hints, h => h.StartsWith("App.MODEL.DropoutContext-", StringComparison.Ordinal));

        // Deterministic: another run, with the declarations in another order, gives the same names.
        string reordered = Usings + """
            [Dropout(0.5)] public partial class Unrelated { }
            public partial class MODEL { [Dropout(0.5)] public partial void Drop(Span<float> x); }
            public partial class Model
            {
                [Dropout(0.5)] public partial void dropInput(Span<float> x);
                [Dropout(0.8)] public partial void DropInput(Span<float> x);
            }
            [Dropout(0.8)] public partial class HIDDEN { }
            [Dropout(0.5)] public partial class Hidden { }
            """;
        string[] again = GeneratorHarness.Run(reordered).RunResult.Results.Single().GeneratedSources.Select(s => s.HintName).ToArray();
        Assert.Equal(hints.Order(StringComparer.Ordinal), again.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MethodsWhoseNamesDifferOnlyInCase_AreIndependentSites_AtRunTime()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(Usings + """
            public partial class Model
            {
                [Dropout(0.5)] public partial void DropInput(Span<float> x);
                [Dropout(0.5)] public partial void dropInput(Span<float> x);
            }
            public static class Probe
            {
                public static float[][] Run(ulong seed)
                {
                    var model = new Model { DropoutContext = new DropoutContext(seed) };
                    float[] first = Ones(300), second = Ones(300), g1 = Ones(300), g2 = Ones(300);
                    model.DropInput(first);
                    model.dropInput(second);
                    model.DropInputBackward(g1);
                    model.dropInputBackward(g2);
                    return new[] { first, second, g1, g2 };
                }

                private static float[] Ones(int n) { var a = new float[n]; Array.Fill(a, 1f); return a; }
            }
            """);
        var result = (float[][])GeneratorHarness.Invoke(assembly, "App.Probe", "Run", 9UL)!;
        for (int site = 0; site < 2; site++)
        {
            float[] expected = new float[300];
            DropoutKernels.Forward(Enumerable.Repeat(1f, 300).ToArray(), expected, 0.5, DropoutContext.DeriveSiteKey(9, (ulong)site), 0);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expected, result[site], "forward of site " + site);
            GeneratedLayerBitIdentityTests.AssertBitIdentical(expected, result[site + 2], "backward of site " + site);
        }
    }

    // ---------------------------------------------------------------- issue 8 item 6: legal user names

    public static TheoryData<string, string> LegalNames() => new()
    {
        { "a member named like the kernel", "[Dropout(0.5)] public partial class Hidden { public int HiddenDropoutKernel; public void Run(Span<float> x) { DropoutForward(x); DropoutBackward(x); } }" },
        { "a nested type named like the kernel", "[Dropout(0.5)] public partial class Hidden { public class HiddenDropoutKernel { } }" },
        { "a method named nameof in a layer", "[Dropout(0.5)] public partial class Hidden { public static string nameof(object value) => \"user\"; }" },
        { "a method named nameof beside a dropout method", "public partial class Model { public static string nameof(object value) => \"user\"; [Dropout(0.5)] public partial void Drop(ReadOnlySpan<float> input, Span<float> output); }" },
        { "a parameter named nameof", "public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> nameof); }" },
        { "a dropout method named nameof", "public partial class Model { [Dropout(0.5)] public partial void nameof(Span<float> x); }" },
        { "verbatim identifiers", "public partial class @checked { [Dropout(0.5)] public partial void @event(ReadOnlySpan<double> @in, Span<double> @out); [Dropout(0.25)] internal partial void @record(Span<float> @var); }" },
        { "keyword type and namespace names", "public static partial class @class { [Dropout(0.5)] public partial class @Hidden<@value, @T> { } }" },
        { "a parameter named like a generated field", "public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> __DropLastLength); }" },
        { "a parameter named like the layer's field", "[Dropout(0.5)] public partial class Hidden { [Dropout(0.8)] private partial void Drop(ReadOnlySpan<float> __dropoutMask, Span<float> __dropoutLastKey); }" },
        { "type parameters named like the generated locals and parameters", "[Dropout(0.5)] public partial class Hidden<siteContext, siteStream, input, output, gradient> { }" },
        { "type parameters named like the kernel's helpers", "public partial class Model<T, Validate, ElementName> { [Dropout(0.8)] protected partial void Drop(Span<double> x); }" },
        { "a method named dropout in a plain class", "public partial class Model { [Dropout(0.5)] public partial void dropout(Span<float> x); }" },
        { "a method named Dropout in a plain class", "public partial class Model { [Dropout(0.5)] public partial void Dropout(Span<float> x); }" },
    };

    [Theory]
    [MemberData(nameof(LegalNames))]
    public void LegalNames_GenerateCodeThatCompilesWithoutWarnings(string what, string declaration)
    {
        _ = what;
        GeneratorOutput result = GeneratorHarness.Run(Usings + declaration + "\n");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void VerbatimAndNameofNames_StillRunTheGeneratedDropout()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(Usings + """
            public partial class @checked
            {
                public static string nameof(object value) => "user";
                [Dropout(0.5)] public partial void @event(ReadOnlySpan<float> @in, Span<float> nameof);
            }
            public static class Probe
            {
                public static string Run()
                {
                    var layer = new @checked { DropoutContext = new DropoutContext(5) };
                    float[] x = new float[10], y = new float[11];
                    try { layer.@event(x, y); return "no exception"; }
                    catch (ArgumentException e) { return e.ParamName!; }
                }
            }
            """);
        // The generated validation names the user's parameter (not what a user method called nameof returns).
        Assert.Equal("nameof", GeneratorHarness.Invoke(assembly, "App.Probe", "Run"));
    }

    [Fact]
    public void ParamsSpanParameter_IsRepeated_AndTheMethodRuns()
    {
        // params Span<T> is C# 13 (LanguageVersion.Preview in the 4.11 compiler the tests use).
        Assembly assembly = GeneratorHarness.CompileAndLoad(LanguageVersion.Preview, Usings + """
            public partial class Model
            {
                [Dropout(0.5)] public partial void Drop(params Span<float> values);
                [Dropout(0.5)] public partial void DropInto(ReadOnlySpan<double> input, params Span<double> output);
            }
            public static class Probe
            {
                public static int Run()
                {
                    var model = new Model { DropoutContext = new DropoutContext(1) };
                    model.Drop(1f, 2f, 3f);
                    model.Drop(new float[70]);
                    model.DropBackward(new float[70]);
                    model.DropInto(new double[2], 0.0, 0.0);
                    return 1;
                }
            }
            """);
        Assert.Equal(1, GeneratorHarness.Invoke(assembly, "App.Probe", "Run"));
    }

    [Theory]
    // A type parameter cannot share a member's name (CS0102): DRPG005 names it.
    [InlineData("[Dropout(0.5)] public partial class Hidden<DropoutStream> { }", "Hidden", "DropoutStream")]
    [InlineData("public partial class Model<DropBackward> { [Dropout(0.5)] public partial void Drop(Span<float> x); }", "Drop", "DropBackward")]
    [InlineData("public partial class Model<DropoutContext> { [Dropout(0.5)] private partial void Drop(Span<float> x); }", "Drop", "DropoutContext")]
    // A dropout method named Dropout inside a layer would generate a second DropoutBackward(Span<float>).
    [InlineData("[Dropout(0.5)] public partial class Hidden { [Dropout(0.8)] private partial void Dropout(Span<float> x); }", "Dropout", "DropoutBackward")]
    // ... and one named dropout, the layer's private fields.
    [InlineData("[Dropout(0.5)] public partial class Hidden { [Dropout(0.8)] private partial void dropout(Span<float> x); }", "dropout", "__dropoutState")]
    // A method's backward that is another's name.
    [InlineData("public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); [Dropout(0.5)] public partial void DropBackward(Span<float> x); }", "Drop", "DropBackward")]
    public void NamesThatCannotBeGenerated_GetDrpg005_NamingTheMember(string declaration, string locatedText, string member)
    {
        string source = Usings + declaration + "\n";
        GeneratorOutput result = GeneratorHarness.Run(source);
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics, d => d.Id == "DRPG005");
        Assert.Equal(locatedText, source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
        Assert.Contains("'" + member + "'", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "DRPG999");
        // Whatever else was generated (the layer, another site) compiles.
        Assert.Empty(result.CompilationErrors);
    }

    // ---------------------------------------------------------------- issue 8 item 7: attributes, runtime, C# version

    [Fact]
    public void UserDeclaredAttributeWithParamsArray_IsDrpg002_NotAGeneratorFailure()
    {
        GeneratorOutput result = GeneratorHarness.Run(
            "namespace Dropout { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(params double[] p) { } } }",
            Usings + "[Dropout(0.5)] public partial class Hidden { }\n[Dropout(0.5, 0.25)] public partial class Other { }\n[Dropout] public partial class Third { }\n");
        Assert.Null(result.RunResult.Results.Single().Exception);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "DRPG999");
        Assert.Equal(3, result.GeneratorDiagnostics.Count(d => d.Id == "DRPG002"));
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("namespace Dropout { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } public int Size { get; set; } } }")]
    [InlineData("namespace Dropout { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } public class DropoutContext { } public class DropoutStream { } public static class DropoutKernels { } public static class MaskLayout { } public enum DropoutMaskStorage { Bits } }")]
    public void FakeAttributeWithoutTheRuntime_IsOneDrpg009_AndNothingGenerated(string fake)
    {
        string sites = Usings + """
            [Dropout(0.5)] public partial class Hidden { }
            [Dropout(0.8)] public partial class Input { }
            public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); [Dropout(2.0)] public partial void Bad(Span<float> x); }
            """;
        GeneratorOutput result = GeneratorHarness.Run(LanguageVersion.CSharp12, referenceRuntime: false, fake, sites);
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DRPG009", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("Dropout.Runtime", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // At the first [Dropout] in source order.
        Assert.Equal("User1.cs", error.Location.GetLineSpan().Path);
        Assert.Equal("Dropout(0.5)", sites.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
        Assert.Empty(result.GeneratedSources);
        // The method with an access modifier and no body is the compiler's CS8795 now: there is no runtime to generate against.
        Assert.All(result.CompilationErrors, d => Assert.Equal("CS8795", d.Id));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp10)]
    [InlineData(LanguageVersion.CSharp9)]
    [InlineData(LanguageVersion.CSharp8)]
    public void LanguageVersionBelow11_IsOneDrpg010_AndNothingGenerated(LanguageVersion version)
    {
        string source = "using System;\nusing Dropout;\nnamespace App\n{\n[Dropout(0.5)] public partial class Hidden { }\n[Dropout(0.8)] public partial class Input { }\n}\n";
        GeneratorOutput result = GeneratorHarness.Run(version, referenceRuntime: true, source);
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DRPG010", error.Id);
        Assert.Contains("C# " + version.ToDisplayString(), error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("Dropout(0.5)", source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
        Assert.Empty(result.GeneratedSources);
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void CSharp11_GeneratedLayerAndMethodsCompileAndMatchTheRuntime()
    {
        string source = "using System;\nusing Dropout;\nnamespace Probes;\n[Dropout(0.75)] public partial class Hidden { [Dropout(0.5)] public partial void DropMore(scoped Span<float> x); }\n"
            + GeneratedLayerBitIdentityTests.ProbeSource("Hidden", "new Hidden()");
        Assembly assembly = GeneratorHarness.CompileAndLoad(LanguageVersion.CSharp11, source);
        GeneratedLayerBitIdentityTests.AssertProbeMatchesReference(assembly, "Probes.ProbeHidden", 0.75, [0, 5, 64, 300, 2100]);
    }

    // ---------------------------------------------------------------- issue 8 item 8: methods of a rejected layer

    [Theory]
    [InlineData("DRPG005", "[Dropout(0.5)] public partial class Hidden { public void DropoutForward() { } [Dropout(0.8)] private partial void DropMore(Span<float> x); }")]
    [InlineData("DRPG003", "[Dropout(1.5)] public partial class Hidden { [Dropout(0.8)] partial void DropMore(Span<float> x); [Dropout(0.8)] public partial void DropLess(ReadOnlySpan<float> x, Span<float> y); }")]
    [InlineData("DRPG006", "[Dropout(0.5)] public readonly partial struct Hidden { [Dropout(0.8)] partial void DropMore(Span<float> x); }")]
    [InlineData("DRPG005", "[Dropout(0.5)] public partial class Base { } [Dropout(0.5)] public partial class Hidden : Base { [Dropout(0.8)] partial void DropMore(Span<float> x); }")]
    public void MethodsOfARejectedLayer_AreNotGenerated(string id, string declaration)
    {
        GeneratorOutput result = GeneratorHarness.Run(Usings + declaration + "\n");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.DoesNotContain(result.GeneratedSources, text => text.Contains("DropMore", StringComparison.Ordinal) && !text.Contains("NotSupportedException", StringComparison.Ordinal));
        Assert.DoesNotContain(result.GeneratedSources, text => text.Contains("DropLess", StringComparison.Ordinal) && !text.Contains("NotSupportedException", StringComparison.Ordinal));
        Assert.DoesNotContain(result.CompilationErrors, d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(result.CompilationErrors, d => d.Id is "CS0103" or "CS0117" or "CS1061" or "CS8795");
    }

    // ---------------------------------------------------------------- issue 8 item 2: the smallest p

    [Theory]
    [InlineData("1e-39")]
    [InlineData("double.Epsilon")]
    [InlineData("1e-9")]
    [InlineData("5.96e-8")]
    [InlineData("1.0 / 16777217")]
    [InlineData("-double.Epsilon")]
    [InlineData("0.0 / 0.0")]
    [InlineData("double.MaxValue")]
    [InlineData("1e308 * 10")]
    [InlineData("(float)1e-39")]
    public void KeepProbabilityOutsideTheSupportedRange_IsDrpg003_StatingTheRange(string p)
    {
        string source = Usings + "[Dropout(" + p + ")] public partial class Hidden { }\npublic partial class Model { [Dropout(" + p + ")] public partial void Drop(Span<float> x); }\n";
        GeneratorOutput result = GeneratorHarness.Run(source);
        Diagnostic[] errors = result.GeneratorDiagnostics.Where(d => d.Id == "DRPG003").ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, error => Assert.Contains("[2^-24, 1]", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal(2, result.GeneratorDiagnostics.Length);
        Assert.Empty(result.CompilationErrors);
        Assert.All(result.GeneratedSources, AssertOnlyFiniteLiterals);
    }

    [Theory]
    [InlineData("1.0 / 16777216", "5.960464477539063E-08", "16777216F")]
    [InlineData("5.9604644775390625E-08", "5.960464477539063E-08", "16777216F")]
    [InlineData("1e-7", "1E-07", "10000000F")]
    [InlineData("0.1", "0.1", "10F")]
    [InlineData("1.0 / 3", "0.3333333333333333", "3F")]
    public void KeepProbabilityInRange_EmitsFiniteRoundTripLiterals(string p, string keepLiteral, string singleScaleLiteral)
    {
        GeneratorOutput result = GeneratorHarness.Run(Usings + "[Dropout(" + p + ")] public partial class Hidden { }\n");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);
        string text = Assert.Single(result.GeneratedSources);
        Assert.Contains("public const double DropoutKeepProbability = " + keepLiteral + ";", text, StringComparison.Ordinal);
        Assert.Contains("float global::Dropout.IDropoutEpilogue<float>.Scale => " + singleScaleLiteral + ";", text, StringComparison.Ordinal);
        AssertOnlyFiniteLiterals(text);
    }

    [Theory]
    [InlineData("class C { const double S = 1e400; }")]
    [InlineData("class C { const float S = 1e39F; }")]
    [InlineData("class C { const double S = double.PositiveInfinity; }")]
    [InlineData("class C { const float S = global::System.Single.NaN; }")]
    public void FiniteLiteralCheck_CatchesWhatItLooksFor(string code) =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertOnlyFiniteLiterals(code));

    [Fact]
    public void FiniteLiteralCheck_AcceptsNamesThatMerelyReadNaN() =>
        AssertOnlyFiniteLiterals("namespace App.NaN { class PositiveInfinity { const double S = 16777216.0; const float F = 1.6777216E+07F; } }");

    /// <summary>Every numeric literal of the generated code is finite, and no code names NaN or an infinity.</summary>
    internal static void AssertOnlyFiniteLiterals(string generated)
    {
        foreach (SyntaxToken token in CSharpSyntaxTree.ParseText(generated).GetRoot().DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.NumericLiteralToken))
            {
                Assert.True(token.Value is not (double.NaN or double.PositiveInfinity or double.NegativeInfinity or float.NaN or float.PositiveInfinity or float.NegativeInfinity), token.Text);
                Assert.DoesNotContain("Infinity", token.Text, StringComparison.OrdinalIgnoreCase);
            }
            else if (token.IsKind(SyntaxKind.IdentifierToken)
                && token.ValueText is "NaN" or "PositiveInfinity" or "NegativeInfinity"
                && token.Parent?.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access)
            {
                // double.NaN, float.PositiveInfinity, global::System.Double.NegativeInfinity (a user's namespace or
                // type may well be named NaN: that is not a literal).
                string owner = access.Expression.ToString().Replace("global::", string.Empty, StringComparison.Ordinal);
                Assert.False(owner is "double" or "float" or "System.Double" or "System.Single" or "Double" or "Single", access.ToString());
            }
        }
    }

    // ---------------------------------------------------------------- issue 10 §3: docs claims

    [Theory]
    // With the using at the top of the file, [Dropout] binds to the attribute even inside a namespace with a Dropout segment.
    [InlineData("using System;\nusing Dropout;\nnamespace MyApp.Dropout.Layers;\n[Dropout(0.5)] public partial class Hidden { }\n", true)]
    [InlineData("using System;\nusing Dropout;\nnamespace MyApp.Dropout.Layers\n{\n    [Dropout(0.5)] public partial class Hidden { }\n}\n", true)]
    // With the using inside the namespace, or none, Dropout is the enclosing namespace MyApp.Dropout (CS0616 or CS0246).
    [InlineData("namespace MyApp.Dropout.Layers\n{\n    using Dropout;\n    [Dropout(0.5)] public partial class Hidden { }\n}\n", false)]
    [InlineData("namespace MyApp.Dropout.Layers;\n[Dropout(0.5)] public partial class Hidden { }\n", false)]
    // The documented ways out.
    [InlineData("namespace MyApp.Dropout.Layers\n{\n    [global::Dropout.Dropout(0.5)] public partial class Hidden { }\n}\n", true)]
    [InlineData("namespace MyApp.Dropout.Layers\n{\n    using DropoutAttribute = global::Dropout.DropoutAttribute;\n    [Dropout(0.5)] public partial class Hidden { }\n}\n", true)]
    public void NamespaceSegmentNamedDropout_BehavesAsDocumented(string source, bool compiles)
    {
        GeneratorOutput result = GeneratorHarness.Run(source);
        Assert.Equal(compiles, !result.CompilationErrors.Any());
        Assert.Equal(compiles, result.GeneratedSources.Length == 1);
    }

    // ---------------------------------------------------------------- issue 10 §3: derived layers

    [Theory]
    [InlineData("[Dropout(0.5)] public partial class Base { } [Dropout(0.8)] public partial class Derived : Base { }")]
    [InlineData("[Dropout(0.5)] public partial class Base { } public partial class Middle : Base { } [Dropout(0.8)] public sealed partial class Derived : Middle { }")]
    [InlineData("[Dropout(0.5)] public partial class Base { } public partial class Derived : Base { [Dropout(0.5)] private partial void Drop(Span<float> x); }")]
    [InlineData("public partial class Base { [Dropout(0.5)] private partial void Drop(Span<float> x); } public partial class Derived : Base { [Dropout(0.5)] private partial void DropMore(Span<float> x); }")]
    [InlineData("public partial class Base { [Dropout(0.5)] private partial void Drop(Span<float> x); } [Dropout(0.8)] public partial class Derived : Base { }")]
    [InlineData("[Dropout(0.5)] public partial record Base(int Width); [Dropout(0.8)] public partial record Derived(int Width) : Base(Width);")]
    public void TypeDerivedFromAGeneratedType_IsDrpg005_AndNoCS0108(string declaration)
    {
        string source = Usings + declaration + "\n";
        GeneratorOutput result = GeneratorHarness.Run(source);
        Diagnostic error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("DRPG005", error.Id);
        Assert.Contains("'Base'", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("composition", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // The base is still generated, and nothing hides anything (CS0108 is a warning, an error under warnings-as-errors).
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
