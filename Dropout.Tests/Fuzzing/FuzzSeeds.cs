using System.Text.RegularExpressions;
using Dropout.Tests.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Tests.Fuzzing;

/// <summary>
/// The sources the fuzzer mutates: every C# source written in the analyzer and generator tests (their raw string
/// literals, with the test markup removed), the analyzer robustness sources, and a few written here for the shapes
/// the code fixes once broke (issue 8 items 9 and 10). Together they make every DRP rule fire, so every analyzer and
/// every fix is exercised; <see cref="MutationFuzzTests"/> checks that they do.
/// </summary>
internal static partial class FuzzSeeds
{
    /// <summary>Sources written for the fuzzer: each rule's fix in the shapes that break naive rewrites.</summary>
    private static readonly string[] Written =
    [
        """
        public static class Serving
        {
            [Inference]
            public static float Serve(object candidate, DropoutLayer fallback, DropoutContext @checked, float[] x)
            {
                if (candidate is DropoutLayer d) d.Forward(x);
                foreach (var layer in new[] { fallback }) layer.Forward(x);
                float total = Score();
                fallback.Forward(x);
                float first = x[0];
                return total + first + Score();

                float Score() => x.Sum();
            }

            public static float PredictAll(Pair @class, DropoutContext @checked, float[][] batch)
            {
                float sum = 0;
                foreach (float[] x in batch)
                {
                    @class.Forward(x);
                    sum += x[0];
                }

                return sum;
            }
        }

        public sealed class Pair(DropoutLayer first, DropoutLayer second)
        {
            public void Forward(float[] x) { first.Forward(x); second.Forward(x); }
        }
        """,
        """
        public static class Net
        {
            public static void Forward(float[] h, double[] g, decimal keepDecimal, Half keepHalf, float keepSingle, double dropRate, Random rng)
            {
                for (int i = 0; i < h.Length; i++)
                {
                    h[i] = rng.NextDouble() < (double)keepDecimal ? h[i] : 0f;
                    if (rng.NextSingle() >= (float)keepHalf) h[i] = 0f;
                    h[i] *= rng.NextSingle() < keepSingle ? 1 : 0;
                    g[i] = rng.NextDouble() < dropRate ? 0.0 : g[i];
                    if (rng.NextDouble() < dropRate)
                    {
                        g[i] = 0;
                    }
                }
            }
        }
        """,
        """
        [Dropout(0.2)] public sealed partial class A { }
        [Dropout(0.5f)] public sealed partial class B { }
        [Dropout(1e-39)] public sealed partial class C { }
        [Dropout(double.Epsilon)] public sealed partial class D { }
        [Dropout(1.0 / 16777216.0)] public sealed partial class E { }

        public static class Model
        {
            private const double DropRate = 0.3;
            private const float Tiny = float.Epsilon;

            public static DropoutLayer Build() => new DropoutLayer(DropRate);
            public static DropoutLayer BuildHalf() => new DropoutLayer(DropRate / 2);
            public static DropoutLayer BuildTiny() => new DropoutLayer(Tiny);
            public static DropoutMaskSpec Spec() => DropoutMaskSpec.Create(0.45);
        }
        """,
    ];

    /// <summary>How many seeds, at the start of <see cref="All"/>, are run unmutated first: the ones written here and the robustness sources.</summary>
    public static int Unmutated => Written.Length + AnalyzerRobustnessTests.RealisticSources.Length;

    /// <summary>Every seed, each a complete compilation unit (with the usings the analyzer tests add).</summary>
    public static IReadOnlyList<string> All { get; } = Load();

    private static List<string> Load()
    {
        var seeds = new List<string>();
        seeds.AddRange(Written.Select(source => AnalyzerTest.Usings + source));
        seeds.AddRange(AnalyzerRobustnessTests.RealisticSources);
        string root = AnalyzerTest.RepositoryRoot();
        foreach (string folder in new[] { "Analyzers", "Generators" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "Dropout.Tests", folder), "*.cs").Order(StringComparer.Ordinal))
            {
                seeds.AddRange(RawStringSources(File.ReadAllText(file)));
            }
        }

        return seeds.Distinct(StringComparer.Ordinal).ToList();
    }

    // The raw string literals of a test file that hold C# declarations. Interpolated ones ($$"""...{{p}}""") are
    // filled with a keep probability. Sources that use the shared inference models get them appended.
    private static IEnumerable<string> RawStringSources(string testFile)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(testFile).GetRoot();
        foreach (SyntaxNode node in root.DescendantNodes())
        {
            string? text = node switch
            {
                LiteralExpressionSyntax literal when literal.Token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) => literal.Token.ValueText,
                InterpolatedStringExpressionSyntax interpolated when interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken) =>
                    string.Concat(interpolated.Contents.Select(content => content is InterpolatedStringTextSyntax part ? part.TextToken.ValueText : "0.3")),
                _ => null,
            };
            if (text is null || !(text.Contains("class ", StringComparison.Ordinal) || text.Contains("struct ", StringComparison.Ordinal)))
            {
                continue;
            }

            string source = WithoutMarkup(text);
            if (!source.Contains("using ", StringComparison.Ordinal))
            {
                source = AnalyzerTest.Usings + source;
            }

            if (source.Contains("Mlp", StringComparison.Ordinal) && !source.Contains("class Mlp", StringComparison.Ordinal))
            {
                source += InferenceModels.Mlp;
            }

            yield return source;
        }
    }

    // {|DRP001:0.0|} and [|x|] are the testing library's markup for expected diagnostics.
    private static string WithoutMarkup(string text) => Markup().Replace(text, string.Empty);

    [GeneratedRegex(@"\{\|[A-Za-z0-9]+:|\|\}|\[\||\|\]")]
    private static partial Regex Markup();
}
