using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace Dropout.Tests.Generators;

/// <summary>
/// The generator never throws, whatever the input: it runs on every token prefix of realistic files and on random
/// mutations of them, and must neither fail (CS8785, an exception in the driver) nor report DRPG999, nor emit source
/// that does not parse.
/// </summary>
public sealed class GeneratorRobustnessTests(ITestOutputHelper output)
{
    private static readonly string[] RealisticFiles =
    [
        """
        using System;
        using Dropout;

        namespace MyApp.Layers;

        /// <summary>A dense layer with dropout on its activations.</summary>
        [Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)]
        public sealed partial class Hidden<T> where T : struct
        {
            private readonly float[] _weights = new float[16];

            public void Forward(Span<float> activations)
            {
                DropoutForward(activations);
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
            }
        }
        """,
        """
        using System;
        using Dropout;

        [Dropout(1.5)] public partial class TooHigh { }
        [Dropout(0.5)] public class NotPartial { }
        public class Outer { [Dropout(0.5)] public partial class Inner { public void DropoutForward() { } } }
        public partial struct Model { [Dropout(0.5)] private static partial int Drop<T>(ref Span<T> x); }
        [Dropout(0.9, Size = -3)] public readonly partial struct Frozen { }
        """,
    ];

    private static readonly string[] Insertions =
        ["partial ", "static ", "readonly ", "[Dropout(0.5)] ", "<T>", "(", ")", "{", "}", ";", ",", "\"", "@", "ref ", "record ", "class ", "0.", "-", "double.NaN", "Span<float> y", "\n#if X\n", "/*", "[", "]"];

    [Fact]
    public void Generator_OnEveryTokenPrefix_NeverFails()
    {
        int cases = 0;
        foreach (string file in RealisticFiles)
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(file);
            foreach (SyntaxToken token in tree.GetRoot().DescendantTokens())
            {
                AssertGeneratorSurvives(file[..token.Span.End]);
                AssertGeneratorSurvives(file[..token.Span.Start]);
                cases += 2;
            }
        }

        output.WriteLine($"{cases} prefixes ran without a generator failure.");
        Assert.True(cases > 500, cases + " prefixes");
    }

    [Fact]
    public void Generator_OnRandomMutations_NeverFails()
    {
        var random = new Random(20261126);
        int cases = 0;
        foreach (string file in RealisticFiles)
        {
            for (int i = 0; i < 300; i++)
            {
                AssertGeneratorSurvives(Mutate(file, random));
                cases++;
            }
        }

        output.WriteLine($"{cases} random mutations ran without a generator failure.");
        Assert.Equal(900, cases);
    }

    private static string Mutate(string text, Random random)
    {
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && text.Length > 1; e++)
        {
            int at = random.Next(text.Length);
            switch (random.Next(4))
            {
                case 0: // delete a short span
                    text = text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                    break;
                case 1: // insert a fragment that changes declarations
                    text = text.Insert(at, Insertions[random.Next(Insertions.Length)]);
                    break;
                case 2: // duplicate a short span
                    int length = Math.Min(random.Next(1, 30), text.Length - at);
                    text = text.Insert(at, text.Substring(at, length));
                    break;
                default: // replace one character
                    const string characters = "{}()<>;,[]\"'@#.0123456789-eE\\ \n";
                    text = text.Remove(at, 1).Insert(at, characters[random.Next(characters.Length)].ToString());
                    break;
            }
        }

        return text;
    }

    private static void AssertGeneratorSurvives(string source)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, $"The generator threw {result.Exception} on:\n{source}");
        Assert.DoesNotContain(diagnostics, d => d.Id is "DRPG999" or "CS8784" or "CS8785");
        foreach (GeneratedSourceResult generated in result.GeneratedSources)
        {
            Assert.True(
                !generated.SyntaxTree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error),
                $"{generated.HintName} does not parse, generated from:\n{source}\n---\n{generated.SourceText}");
        }
    }
}
