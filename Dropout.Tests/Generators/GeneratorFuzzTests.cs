using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace Dropout.Tests.Generators;

/// <summary>
/// A seeded fuzz test of the generator (issue 8, "make the project catch these itself"). It builds programs from valid
/// layer shapes with tricky but legal choices (keyword names with '@', names that differ only in case, names of
/// generated members and of the kernel, tiny, huge and NaN keep probabilities, type parameters, nesting, records,
/// structs, params and scoped spans, C# 8 to preview), then mutates their tokens (delete, duplicate, rename, change a
/// literal), and runs the generator. It fails on any generator exception, CS8784/CS8785, DRPG999, generated source
/// that does not parse, NaN or infinite literals, and, when the input compiled, on any error or warning that the
/// generated code brings.
/// </summary>
/// <remarks>
/// The default run takes a few seconds. <c>DROPOUT_FUZZ_ITERATIONS</c> sets the number of programs and
/// <c>DROPOUT_FUZZ_SEED</c> the seed; a failure prints both and the iteration, which reproduce it exactly.
/// </remarks>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int DefaultIterations = 120;
    private const int DefaultSeed = 20261128;

    private static readonly string[] TypeNames =
        ["Hidden", "hidden", "HIDDEN", "Layer", "Model", "@class", "@checked", "@event", "nameof", "DropoutStream", "DropoutContext", "HiddenDropoutKernel", "Validate", "Ж", "_Hidden", "Hidden2"];

    private static readonly string[] MethodNames =
        ["Drop", "drop", "DROP", "DropInput", "dropInput", "@checked", "@event", "nameof", "Dropout", "dropout", "DropoutForward", "DropBackward", "siteStream", "Validate", "__drop", "ElementName"];

    private static readonly string[] ParameterNames =
        ["x", "@in", "@out", "nameof", "siteStream", "siteOffset", "__DropStream", "value", "input", "output", "gradient", "gradInput", "@checked", "@this", "_"];

    private static readonly string[] TypeParameterNames =
        ["T", "U", "DropoutStream", "DropoutContext", "DropoutForward", "siteContext", "input", "@value", "HiddenDropoutKernel", "Validate", "TKernel"];

    private static readonly string[] KeepProbabilities =
    [
        "0.5", "0.8", "0.25", "1.0", "1", "0.9", "1e-3", "0.1", "1.0 / 3", "1.0 / 16777216", "5.9604644775390625E-08",
        "5.96e-8", "1e-39", "double.Epsilon", "0.0 / 0.0", "double.NaN", "1e308 * 10", "double.PositiveInfinity", "-0.5",
        "0.99999999999", "(float)0.1", "1 - 0.2", "0.5f", "2", "0", "double.MaxValue", "Math.Sqrt(0.5)", "\"half\"", "1e-7",
    ];

    private static readonly string[] Sizes = ["0", "64", "100", "2048", "-1", "1 << 20", "3"];

    private static readonly string[] LayerKinds =
        ["class", "sealed class", "class", "struct", "record", "sealed record", "record struct", "ref struct", "readonly struct", "static class", "abstract class"];

    private static readonly string[] Accessibilities = ["", "public ", "private ", "internal ", "protected ", "public static ", "public virtual ", "private protected "];

    private static readonly string[] ParameterLists =
    [
        "Span<float> {0}", "Span<double> {0}", "ReadOnlySpan<float> {0}, Span<float> {1}", "ReadOnlySpan<double> {0}, Span<double> {1}",
        "scoped Span<float> {0}", "params Span<float> {0}", "ReadOnlySpan<float> {0}, params Span<float> {1}", "scoped ReadOnlySpan<double> {0}, scoped Span<double> {1}",
        "Span<int> {0}", "ref Span<float> {0}", "float[] {0}", "Span<float> {0}, Span<float> {1}",
        "(int A, string B) {0}", "dynamic {0}, Span<float> {1}", "ref readonly int {0}", "out int {0}", "string? {0}", "Span<float> {0} = default",
        "in Span<float> {0}", "nint {0}, params int[] {1}",
    ];

    private static readonly string[] ReturnTypes = ["void", "void", "void", "void", "void", "void", "void", "void", "int", "string?", "(int, int)", "Span<float>"];

    private static readonly string[] Namespaces =
        ["", "namespace App;", "namespace App.Layers;", "namespace App.@class;", "namespace @event;", "namespace App.Dropout.Layers;", "namespace App.Nested {", "namespace nameof.Models {"];

    private static readonly string[] Containers =
        ["public static partial class Outer", "public partial class Outer<TOuter>", "public partial struct OuterStruct", "public partial record OuterRecord", "internal partial class @class", "public class NotPartial"];

    private static readonly LanguageVersion[] Versions =
    [
        LanguageVersion.CSharp12, LanguageVersion.CSharp12, LanguageVersion.CSharp12, LanguageVersion.CSharp12,
        LanguageVersion.CSharp11, LanguageVersion.CSharp11, LanguageVersion.Preview, LanguageVersion.Preview,
        LanguageVersion.CSharp10, LanguageVersion.CSharp9, LanguageVersion.CSharp8,
    ];

    [Fact]
    public void Generator_OnFuzzedLayerSources_NeverFails_AndGeneratesCodeThatCompiles()
    {
        int iterations = ReadSetting("DROPOUT_FUZZ_ITERATIONS", DefaultIterations);
        int seed = ReadSetting("DROPOUT_FUZZ_SEED", DefaultSeed);
        var clock = Stopwatch.StartNew();
        int compiledInputs = 0, generatedFiles = 0;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + iteration));
            (string source, LanguageVersion version) = Case(random);
            string? failure = Check(source, version, out bool inputCompiled, out int files);
            if (failure is not null)
            {
                Assert.Fail($"DROPOUT_FUZZ_SEED={seed}, iteration {iteration}, C# {version.ToDisplayString()}: {failure}\n---- source ----\n{source}");
            }

            compiledInputs += inputCompiled ? 1 : 0;
            generatedFiles += files;
        }

        output.WriteLine($"{iterations} programs (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s: {compiledInputs} compiled before generation, {generatedFiles} files generated.");
        // The fuzzer must exercise the interesting path: inputs that compile and get code generated.
        Assert.True(compiledInputs >= iterations / 8, compiledInputs + " of " + iterations + " inputs compiled");
        Assert.True(generatedFiles >= iterations / 2, generatedFiles + " files generated");
    }

    private const string U = "using System;\nusing Dropout;\n";

    /// <summary>Inputs picked by hand that the fuzzer reaches rarely: each must pass the same checks.</summary>
    public static TheoryData<string> EdgeCases() => new()
    {
        U + "namespace App; public partial interface I { [Dropout(0.5)] partial class X { } }",
        U + "namespace App; public ref partial struct R { [Dropout(0.5)] public partial class X { } }",
        U + "namespace App; [Dropout(0.5)] public ref partial struct R { }",
        U + "namespace App; [Dropout(0.5)] public partial class Hidden<T> where T : unmanaged, IComparable<T> { }",
        U + "namespace App; [Dropout(0.5)] public unsafe partial class Hidden { int* p; }",
        U + "namespace App; [Dropout(0.5)] public partial class Dropout { }",
        U + "namespace App; [Dropout(0.5)] public partial class DropoutAttribute { }",
        U + "namespace App.System; [Dropout(0.5)] public partial class Hidden { }",
        U + "namespace App; public class Span<T> { } [Dropout(0.5)] public partial class Hidden { }",
        U + "namespace App; public class DropoutKernels { } public class MaskLayout { } [Dropout(0.5)] public partial class Hidden { }",
        U + "namespace App; public partial class Model { [Dropout(0.5)] public partial void DropoutContext(Span<float> x); }",
        U + "namespace App; public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x = default); }",
        U + "namespace App; [Dropout(0.5, Size = int.MaxValue)] public partial class Hidden { }",
        U + "namespace App; [Dropout(0.5, MaskStorage = (DropoutMaskStorage)5)] public partial class Hidden { }",
        U + "namespace App; [Dropout(keepProbability: 0.5)] public partial class Hidden { }",
        U + "namespace App; [Dropout(0.5)] public partial class Hidden(int siteContext, int __dropoutMask, int input) { public int Width => siteContext + input; }",
        U + "namespace App; public partial class Model(int siteStream, int x) { [Dropout(0.5)] public partial void Drop(Span<float> y); public int W => siteStream + x; }",
        U + "namespace App; [Dropout(0.5)] public partial record Hidden(int DropoutContext);",
        U + "namespace @global; [Dropout(0.5)] public partial class Hidden { }",
        U + "namespace App; [Dropout(0.5)] public partial class @global { }",
        U + "Console.WriteLine(); [Dropout(0.5)] partial class Hidden { }",
        U + "Console.WriteLine(); public partial class Program { [Dropout(0.5)] private partial void Drop(Span<float> x); }",
        "global using DropoutContext = System.String;\nglobal using static App.Helpers;\n" + U + "namespace App; public static class Helpers { public static void Validate<T>(ReadOnlySpan<T> a, Span<T> b, string c) { } public static int siteOffset = 3; } [Dropout(0.5)] public partial class Hidden { } public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); }",
        U + "namespace App; [Dropout(0.5)] public sealed partial class Hidden { } public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); [Dropout(0.5)] private partial void Drop2(Span<float> x); }",
        U + "namespace App; public partial class Outer<T> { [Dropout(0.5)] public partial class Hidden<U> { [Dropout(0.5)] public partial void Drop(Span<float> x); } }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); } public partial class M { [Dropout(0.8)] internal partial void Drop2(Span<double> y); }",
        U + "namespace App; [Dropout(0.5)] [Dropout(0.5)] public partial class Hidden { }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); public partial void Drop(Span<float> x) { } }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public virtual partial void Drop(Span<float> x); } public partial class N : M { public override partial void Drop(Span<float> x); }",
        U + "namespace App; public abstract partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); } public sealed partial class N : M { }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); } public sealed partial class N : M { [Dropout(0.5)] public partial void Other(Span<float> x); }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); } public partial class M2 : M { public new void DropBackward(Span<float> x) { } }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); [Dropout(0.5)] public partial void drop(Span<float> x); [Dropout(0.5)] public partial void DROP(Span<float> x); }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(Span<float> x); } public partial class m { [Dropout(0.5)] public partial void Drop(Span<float> x); }",
        U + "namespace App { [Dropout(0.5)] public partial class A { } } namespace app { [Dropout(0.5)] public partial class a { } }",
        U + "namespace App; [Dropout(0.5)] public partial class Hidden { } [Dropout(0.5)] public partial class Hidden<T> { } [Dropout(0.5)] public partial class hidden<T> { }",
        U + "namespace App; public partial class Model { [Dropout(0.5)] public partial void Drop(Span<float> x); } public partial class Model<T> { [Dropout(0.5)] public partial void Drop(Span<float> x); }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(params scoped Span<float> x); [Dropout(0.5)] public partial void Drop2(ReadOnlySpan<float> a, params scoped Span<float> b); }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial void Drop(scoped ReadOnlySpan<float> a, Span<float> b); [Dropout(2.0)] public partial void Bad(params scoped Span<float> b); [Dropout(0.5)] public static partial void Bad2(scoped Span<float> b, out int c); }",
        U + "namespace App; public partial class M { [Dropout(0.5)] public partial string? Bad(Span<float> x, (int a, string b) t, dynamic d, nint n, int[]? array, ref readonly int r); }",
        U + "namespace App; public unsafe partial class M { [Dropout(0.5)] public partial void Bad(int* p, Span<float> x); }",
        U + "#nullable disable\nnamespace App; public partial class M { [Dropout(0.5)] public partial string Bad(string s, object o); }",
        U + "namespace App; [Dropout(0.5, Kind = DropoutKind.Channel, Channels = 1 << 20, SpatialSize = 1 << 20)] public partial class Conv { }",
        U + "namespace App; public partial class M { [Dropout(0.5, Kind = DropoutKind.DropConnect, Inputs = 3)] public partial void Dense(scoped ReadOnlySpan<float> siteContext, ReadOnlySpan<float> w, params scoped Span<float> y); [Dropout(1.0, Kind = DropoutKind.DropConnect, Inputs = 2)] public partial void Keep(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y); }",
        U + "namespace App; public partial class M { [Dropout(0.5, Kind = DropoutKind.DropPath, SampleSize = 4)] public partial void Drop(Span<float> siteShape); [Dropout(0.5, Kind = (DropoutKind)(-1))] public partial void Odd(Span<float> x); }",
        U + "namespace App; public partial class M { [Dropout(1.0, Kind = DropoutKind.SharedOverTime, TimeSteps = 2, Features = 3)] public partial void Keep(scoped ReadOnlySpan<double> @in, params scoped Span<double> @out); [Dropout(0.5, Kind = DropoutKind.Gaussian, Size = 8)] internal partial void G(Span<float> x); }",
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void HandPickedEdgeCase_PassesTheFuzzChecks(string source)
    {
        foreach (LanguageVersion version in new[] { LanguageVersion.CSharp12, LanguageVersion.Preview })
        {
            string? failure = Check(source, version, out _, out _);
            Assert.True(failure is null, $"C# {version.ToDisplayString()}: {failure}");
        }
    }

    /// <summary>Runs the generator on one program; returns why it failed, or null.</summary>
    internal static string? Check(string source, LanguageVersion version, out bool inputCompiled, out int generatedFiles)
    {
        CSharpCompilation input = GeneratorHarness.CreateCompilation(version, referenceRuntime: true, source);

        // CS8795 (a partial method with an access modifier needs an implementation) is what the generator supplies
        // for [Dropout] methods; on any other method it is the user's own error, and stays.
        ImmutableArray<Diagnostic> inputDiagnostics = input.GetDiagnostics();
        inputCompiled = !inputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795");
        var usersOwnCS8795 = inputDiagnostics.Where(d => d.Id == "CS8795" && !IsDropoutMethod(input, d.Location)).Select(d => d.Location.SourceSpan).ToHashSet();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(version: version)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation outputCompilation, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        generatedFiles = run.GeneratedSources.Length;

        if (run.Exception is not null)
        {
            return "the generator threw " + run.Exception;
        }

        if (diagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785" or "DRPG999") is { } crash)
        {
            return "the generator failed: " + crash;
        }

        foreach (GeneratedSourceResult generated in run.GeneratedSources)
        {
            if (generated.SyntaxTree.GetDiagnostics().FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } syntax)
            {
                return $"{generated.HintName} does not parse: {syntax}\n{generated.SourceText}";
            }

            try
            {
                GeneratorReliabilityTests.AssertOnlyFiniteLiterals(generated.SourceText.ToString());
            }
            catch (Xunit.Sdk.XunitException exception)
            {
                return $"{generated.HintName} has a non-finite literal: {exception.Message}";
            }
        }

        if (!inputCompiled)
        {
            return null;
        }

        // Without DRPG009/010 (which generate nothing), CS8795 may remain only for a method the generator rejected
        // and cannot write a body for: a generic one (DRPG004), or one in a type that cannot be reopened (DRPG006).
        bool environmentRejected = diagnostics.Any(d => d.Id is "DRPG009" or "DRPG010");
        var generatorErrorSpans = diagnostics.Where(d => d.Id is "DRPG004" or "DRPG006").Select(d => d.Location.SourceSpan).ToHashSet();
        Diagnostic[] introduced = outputCompilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true))
            .Where(d => !(d.Id == "CS8795" && (environmentRejected || generatorErrorSpans.Contains(d.Location.SourceSpan) || usersOwnCS8795.Contains(d.Location.SourceSpan))))
            .ToArray();
        if (introduced.Length > 0)
        {
            var report = new StringBuilder("the input compiled, the output does not:\n");
            foreach (Diagnostic diagnostic in introduced.Take(10))
            {
                report.Append("  ").Append(diagnostic).Append('\n');
            }

            foreach (GeneratedSourceResult generated in run.GeneratedSources.Where(g => introduced.Any(d => d.Location.SourceTree?.FilePath.EndsWith(g.HintName, StringComparison.Ordinal) == true)).Take(2))
            {
                report.Append("---- ").Append(generated.HintName).Append(" ----\n").Append(generated.SourceText).Append('\n');
            }

            return report.ToString();
        }

        return null;
    }

    private static bool IsDropoutMethod(Compilation compilation, Location location)
    {
        if (location.SourceTree is not { } tree)
        {
            return false;
        }

        SyntaxNode? node = tree.GetRoot().FindNode(location.SourceSpan).FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>();
        return node is not null
            && compilation.GetSemanticModel(tree).GetDeclaredSymbol(node) is IMethodSymbol method
            && method.GetAttributes().Any(attribute => attribute.AttributeClass?.ToDisplayString() == "Dropout.DropoutAttribute");
    }

    /// <summary>A program built from valid layer shapes with tricky choices, then token-mutated, in a random C# version.</summary>
    internal static (string Source, LanguageVersion Version) Case(Random random)
    {
        LanguageVersion version = Pick(random, Versions);
        if (random.Next(4) == 0)
        {
            // A realistic file with character-level edits: half-typed code, as an IDE sees it on every keystroke.
            string file = Pick(random, RealisticFiles);
            int edits = random.Next(4);
            for (int i = 0; i < edits; i++)
            {
                file = MutateCharacters(file, random);
            }

            return (file, version >= LanguageVersion.CSharp11 ? version : LanguageVersion.CSharp12);
        }

        string source = BuildProgram(random, version);
        int mutations = random.Next(5) switch { 0 or 1 or 2 => 0, 3 => 1, _ => random.Next(1, 4) };
        for (int i = 0; i < mutations; i++)
        {
            source = MutateToken(source, random);
        }

        return (source, version);
    }

    private static string BuildProgram(Random random, LanguageVersion version)
    {
        var text = new StringBuilder("using System;\nusing Dropout;\n");
        string ns = Pick(random, Namespaces);
        if (version < LanguageVersion.CSharp10 && ns.EndsWith(';') && random.Next(8) != 0)
        {
            // Mostly a program that compiles in its version: file-scoped namespaces are C# 10.
            ns = ns.TrimEnd(';') + " {";
        }

        text.Append(ns).Append('\n');
        int units = random.Next(1, 4);
        for (int unit = 0; unit < units; unit++)
        {
            string body = random.Next(6) switch
            {
                0 or 1 => Layer(random, withMethods: false),
                2 => Layer(random, withMethods: true),
                3 => Holder(random),
                4 => Derived(random),
                _ => CaseTwins(random),
            };
            if (version < LanguageVersion.Preview && random.Next(8) != 0)
            {
                body = body.Replace("params Span", "Span", StringComparison.Ordinal);
            }

            if (version < LanguageVersion.CSharp11 && random.Next(8) != 0)
            {
                body = body.Replace("scoped ", string.Empty, StringComparison.Ordinal);
            }

            if (version < LanguageVersion.CSharp10 && random.Next(8) != 0)
            {
                body = body.Replace("record struct", "struct", StringComparison.Ordinal).Replace("record", "class", StringComparison.Ordinal);
            }

            if (random.Next(4) == 0)
            {
                body = Pick(random, Containers) + "\n{\n" + body + "\n}";
            }

            text.Append(body).Append('\n');
        }

        if (ns.EndsWith('{'))
        {
            text.Append("}\n");
        }

        return text.ToString();
    }

    private static string Attribute(Random random)
    {
        string p = Pick(random, KeepProbabilities);
        string name = random.Next(6) switch { 0 => "global::Dropout.Dropout", 1 => "DropoutAttribute", _ => "Dropout" };
        return random.Next(6) switch
        {
            0 => "[" + name + "(" + p + ", Size = " + Pick(random, Sizes) + ")]",
            1 => "[" + name + "(" + p + ", MaskStorage = DropoutMaskStorage.Regenerate)]",
            2 => "[" + name + "(" + p + KindArguments(random) + ")]",
            _ => "[" + name + "(" + p + ")]",
        };
    }

    /// <summary>A Kind with shape arguments: mostly the ones it needs, sometimes one missing, foreign or out of range.</summary>
    private static string KindArguments(Random random)
    {
        string kind = Pick(random, KindNames);
        string[] shape = kind switch
        {
            "Channel" => ["Channels", "SpatialSize"],
            "SharedOverTime" => ["TimeSteps", "Features"],
            "DropPath" => ["SampleSize"],
            "DropConnect" => ["Inputs"],
            _ => [],
        };
        var text = new StringBuilder(", Kind = DropoutKind." + kind);
        foreach (string argument in shape)
        {
            if (random.Next(8) != 0)
            {
                text.Append(", ").Append(argument).Append(" = ").Append(Pick(random, Sizes));
            }
        }

        if (random.Next(6) == 0)
        {
            text.Append(", ").Append(Pick(random, ShapeArguments)).Append(" = ").Append(Pick(random, Sizes));
        }

        return text.ToString();
    }

    private static readonly string[] KindNames = ["Element", "Channel", "SharedOverTime", "Alpha", "Gaussian", "DropPath", "DropConnect"];

    private static readonly string[] ShapeArguments = ["Channels", "SpatialSize", "TimeSteps", "Features", "SampleSize", "Inputs"];

    private static string TypeParameters(Random random)
    {
        if (random.Next(3) != 0)
        {
            return string.Empty;
        }

        string first = Pick(random, TypeParameterNames);
        string second = Pick(random, TypeParameterNames);
        return random.Next(2) == 0 || first == second ? "<" + first + ">" : "<" + first + ", " + second + ">";
    }

    private static string Layer(Random random, bool withMethods)
    {
        string name = random.Next(2) == 0 ? "Hidden" : Pick(random, TypeNames);
        string members = Members(random, name);
        if (withMethods)
        {
            members += Methods(random, name);
        }

        return Attribute(random) + " public partial " + Pick(random, LayerKinds) + " " + name + TypeParameters(random) + " { " + members + " }";
    }

    private static string Holder(Random random)
    {
        string name = random.Next(2) == 0 ? "Model" : Pick(random, TypeNames);
        string kind = random.Next(5) == 0 ? Pick(random, LayerKinds) : "class";
        return "public partial " + kind + " " + name + TypeParameters(random) + " { " + Members(random, name) + Methods(random, name) + " }";
    }

    private static string Derived(Random random) => random.Next(3) switch
    {
        0 => Attribute(random) + " public partial class Base { } " + Attribute(random) + " public partial class Derived : Base { }",
        1 => "public partial class Base { " + Method(random) + " } public partial class Derived : Base { " + Method(random) + " }",
        _ => Attribute(random) + " public partial record BaseRecord(int Width); public partial record DerivedRecord(int Width) : BaseRecord(Width) { " + Method(random) + " }",
    };

    private static string CaseTwins(Random random)
    {
        string name = Pick(random, ["Hidden", "Layer", "Model"]);
        return random.Next(2) == 0
            ? Attribute(random) + " public partial class " + name + " { } " + Attribute(random) + " public partial class " + name.ToUpperInvariant() + " { }"
            : "public partial class " + name + " { [Dropout(0.5)] public partial void DropInput(Span<float> x); [Dropout(0.8)] public partial void dropInput(Span<float> x); }";
    }

    private static string Members(Random random, string typeName)
    {
        string plain = typeName.TrimStart('@');
        return random.Next(8) switch
        {
            0 => "public int " + plain + "DropoutKernel; ",
            1 => "public static string nameof(object o) => \"\"; ",
            2 => "public class " + plain + "DropoutKernel { } ",
            3 => "public void DropoutForward() { } ",
            4 => "private int __dropoutMask; ",
            5 => "public int Width => 3; ",
            _ => string.Empty,
        };
    }

    private static string Methods(Random random, string typeName)
    {
        _ = typeName;
        var methods = new StringBuilder();
        int count = random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            methods.Append(Method(random)).Append(' ');
        }

        return methods.ToString();
    }

    private static string Method(Random random)
    {
        string first = Pick(random, ParameterNames);
        string second = Pick(random, ParameterNames);
        if (second == first)
        {
            second = first == "y" ? "z" : "y";
        }

        string parameters = string.Format(CultureInfo.InvariantCulture, Pick(random, ParameterLists), first, second);
        string returns = Pick(random, ReturnTypes);
        string generic = random.Next(12) == 0 ? "<TMethod>" : string.Empty;
        return Attribute(random) + " " + Pick(random, Accessibilities) + "partial " + returns + " " + Pick(random, MethodNames) + generic + "(" + parameters + ");";
    }

    private static readonly string[] RealisticFiles =
    [
        """
        using System;
        using Dropout;

        namespace MyApp.Layers;

        [Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)]
        public sealed partial class Hidden<T> where T : struct
        {
            private readonly float[] _weights = new float[16];

            [Dropout(0.9)] private partial void DropMore(scoped Span<float> x);

            public void Forward(Span<float> activations)
            {
                DropoutForward(activations);
                DropMore(activations);
            }
        }

        public partial record struct Input([property: Obsolete] int Width);
        """,
        """
        using System;
        using Dropout;

        namespace MyApp
        {
            public static partial class Models
            {
                public sealed partial class Network
                {
                    [Dropout(0.8)] private partial void DropInput(Span<float> x);

                    [Dropout(1e-3, Size = 256)]
                    internal partial void DropHidden(ReadOnlySpan<double> input, Span<double> output);

                    public void Step(float[] batch) => DropInput(batch);
                }

                [Dropout(0.75)] public partial record Block(int Width);

                [Dropout(1.0)] internal partial struct Passthrough { }
            }
        }
        """,
        """
        using System;
        using Dropout;

        [Dropout(0.5)] public partial class @checked { public static string nameof(object o) => ""; }
        public partial class Model<TWeights> where TWeights : class
        {
            [Dropout(0.25)] protected internal partial void Drop(ReadOnlySpan<float> @in, Span<float> @out);
            [Dropout(0.5)] public partial void drop(Span<double> nameof);
        }
        """,
    ];

    private const string InsertedFragments = "{}()<>;,[]\"'@#.0123456789-eE\\ \n";

    private static readonly string[] Insertions =
        ["partial ", "static ", "readonly ", "[Dropout(0.5)] ", "<T>", "@", "ref ", "record ", "class ", "struct ", "0.", "-", "double.NaN", "Span<float> y", ", ", "scoped ", "params ", "public ", "private ", "override ", "abstract "];

    /// <summary>Deletes or duplicates a short span, inserts a fragment, or replaces one character.</summary>
    private static string MutateCharacters(string text, Random random)
    {
        int at = random.Next(text.Length);
        switch (random.Next(4))
        {
            case 0:
                return text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
            case 1:
                return text.Insert(at, Pick(random, Insertions));
            case 2:
                return text.Insert(at, text.Substring(at, Math.Min(random.Next(1, 30), text.Length - at)));
            default:
                return text.Remove(at, 1).Insert(at, InsertedFragments[random.Next(InsertedFragments.Length)].ToString());
        }
    }

    /// <summary>Deletes, duplicates or renames one token, or replaces a numeric literal by another keep probability.</summary>
    private static string MutateToken(string source, Random random)
    {
        SyntaxToken[] tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToArray();
        if (tokens.Length == 0)
        {
            return source;
        }

        SyntaxToken token = tokens[random.Next(tokens.Length)];
        string replacement = random.Next(5) switch
        {
            0 => string.Empty,
            1 => token.Text + " " + token.Text,
            2 when token.IsKind(SyntaxKind.IdentifierToken) => Pick(random, random.Next(2) == 0 ? TypeNames : MethodNames),
            3 => Pick(random, KeepProbabilities),
            _ => token.IsKind(SyntaxKind.IdentifierToken) ? SwapCase(token.Text, random) : token.Text,
        };
        return source.Remove(token.Span.Start, token.Span.Length).Insert(token.Span.Start, replacement);
    }

    private static string SwapCase(string text, Random random)
    {
        char[] characters = text.ToCharArray();
        int at = random.Next(characters.Length);
        characters[at] = char.IsUpper(characters[at]) ? char.ToLowerInvariant(characters[at]) : char.ToUpperInvariant(characters[at]);
        return new string(characters);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static int ReadSetting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;
}
