using Dropout.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9 (cost): the syntactic prefilter that decides which types the hand-written dropout model reads. It must reject
/// the randomness of ordinary training code (shuffles, weight initialization, index sampling) so that the model costs
/// nothing there, and it must never hide a type in which the model finds a dropout site.
/// </summary>
public sealed class HandWrittenDropoutPrefilterTests(ITestOutputHelper output)
{
    private static bool Admits(string members, string typeName = "C")
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText("using System; using System.Linq; using System.Collections.Generic;\n" + members);
        TypeDeclarationSyntax type = tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>().First(t => t.Identifier.ValueText == typeName);
        return HandWrittenDropoutModel.MayDraw(type);
    }

    [Theory]
    [InlineData("class C { void Shuffle(int[] order, Random random) { random.Shuffle(order); } }")]
    [InlineData("class C { void Shuffle(int[] a, Random rng) { for (int i = a.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (a[i], a[j]) = (a[j], a[i]); } } }")]
    [InlineData("class C { float[] w = new float[10]; C(Random random) { double std = Math.Sqrt(2.0 / 10); for (int i = 0; i < w.Length; i++) w[i] = (float)(std * Gaussian(random)); } static double Gaussian(Random random) { double u1 = 1.0 - random.NextDouble(); double u2 = random.NextDouble(); return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2); } }")]
    [InlineData("class C { int Pick(int[] data, Random rng) { var x = data[rng.Next(data.Length)]; if (x > 3) return x; return 0; } }")]
    [InlineData("class L { public L(int n, Random r) { } } class C { L a; Random _rng; C(Random random) { _rng = random; a = new L(3, random); if (_rng == null) throw new Exception(); } }")]
    [InlineData("class C { int[] order = new int[4]; void Split(Random random) { random.Shuffle(order); for (int i = 0; i < order.Length; i++) { if (i < 2) Console.WriteLine(order[i]); } } }")]
    [InlineData("/// <param name=\"random\">A random source; dropout if u < p.</param>\nclass C { string S = \"rng.NextDouble() < p\"; float F(float[] x, float p) => x[0] < p ? 0 : x[0]; }")]
    [InlineData("class C { void Init(float[] w, Random rng) { for (int i = 0; i < w.Length; i++) w[i] = (float)rng.NextDouble() * 0.2f - 0.1f; } }")]
    [InlineData("class C { void Init(double[] w, Random rng) { for (int i = 0; i < w.Length; i++) w[i] = (rng.Next(2) * 2 - 1) * 0.01; } }")]
    [InlineData("class C { void Permute(float[] x, float[] y, Random rng) { var order = new int[x.Length]; for (int i = order.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); } for (int k = 0; k < x.Length; k++) y[k] = x[order[k]]; } }")]
    [InlineData("class C { static int Bucket(uint h) => (int)(h / 4294967296.0 * 16); }")]
    [InlineData("class C { const long Max = 4294967296; bool F(long x) => x < Max; }")]
    [InlineData("class R { public void FillUniform(float[] b) { } } class C { R rng = new(); float[] w = new float[8]; void Init() { rng.FillUniform(w); Normalize(w); } void Normalize(float[] v) { } }")]
    [InlineData("class R { public void FillUniform(float[] b) { } } class C { R rng = new(); float[] u = new float[8]; Action<int, float[]> _kernel; void F(int n) { rng.FillUniform(u); _kernel(n, new float[8]); } }")]
    [InlineData("class C { double Mean(double[] data, Random rng) { for (int i = data.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (data[i], data[j]) = (data[j], data[i]); } double s = 0; for (int i = 0; i < 10; i++) s += data[i]; return s / 10; } }")]
    [InlineData("class C { int Pick(int[] data, Random rng) { var x = data[rng.Next(data.Length)]; return x + 1; } }")]
    [InlineData("class C { double Scaled(double[] data, Random rng) { var x = data[rng.Next(data.Length)]; return x * 2.0; } }")]
    public void RandomnessThatDecidesNoElement_IsNotAnalyzed(string source) =>
        Assert.False(Admits(source));

    [Theory]
    [InlineData("class C { Random rng = new(); void F(float[] x, float p) { for (int i = 0; i < x.Length; i++) if (rng.NextDouble() < p) x[i] /= p; else x[i] = 0; } }")]
    [InlineData("class C { Random rng = new(); void F(float[] x, float ratio) { for (int i = 0; i < x.Length; i++) { var r = rng.NextDouble(); if (r < ratio) x[i] = 0; } } }")]
    [InlineData("class C { Random rng = new(); float[] u = new float[8]; void Sample() { for (int i = 0; i < u.Length; i++) u[i] = (float)rng.NextDouble(); } void F(float[] x, float p) { for (int i = 0; i < x.Length; i++) x[i] = u[i] < p ? x[i] / p : 0; } }")]
    [InlineData("class C { static readonly Random Shared = new(); static double Draw() => Shared.NextDouble(); void F(float[] x, double p) { for (int i = 0; i < x.Length; i++) { double v = Draw(); if (v >= p) x[i] = 0; } } }")]
    [InlineData("class C { Random rng = new(); double U => rng.NextDouble(); void F(float[] x, double p) { for (int i = 0; i < x.Length; i++) x[i] = U > p ? 0 : x[i]; } }")]
    [InlineData("class C { void F(float[] x, float[] m, double p) { for (int i = 0; i < x.Length; i++) { m[i] = Bernoulli(p); x[i] *= m[i]; } } float Bernoulli(double p) => 0; }")]
    [InlineData("class C { Random random; void F(float[] x, double drop) { for (int i = 0; i < x.Length; i++) if (random?.NextDouble() >= drop) x[i] = 0; } }")]
    [InlineData("class C { Random rng = new(); void F(float[] x) { for (int i = 0; i < x.Length; i++) if (rng.Next(2) == 0) x[i] = 0; } }")]
    [InlineData("class C { Random rng = new(); void F(float[] x, double p) { for (int i = 0; i < x.Length; i++) if (rng.NextDouble() is < 0.5) x[i] = 0; } }")]
    [InlineData("class C { static void Kernel(int index, float[] data, float[] randoms, float p) { data[index] = randoms[index] < p ? data[index] / p : 0; } }")]
    [InlineData("class T { public T lt(double p) => this; } class C { T rand_like(T x) => x; T F(T x, double p) => rand_like(x).lt(p); }")]
    [InlineData("class C { Random rng = new(); bool[] mask; void F(float[] x, double p) { mask = x.Select(_ => rng.NextDouble() < p).ToArray(); } }")]
    [InlineData("class C { Random rng = new(); void F(float[] x) { for (int i = 0; i < x.Length; i++) if (rng.NextBoolean()) x[i] = 0; } bool NextBoolean() => true; }")]
    [InlineData("class C { Random rng = new(); void F(float[] h) { for (int i = 0; i < h.Length; i++) h[i] *= rng.Next(2); } }")]
    [InlineData("class C { Random rng = new(); int[] m = new int[8]; void F(double[] h) { for (int i = 0; i < h.Length; i++) { m[i] = rng.Next(0, 2); h[i] = h[i] * m[i]; } } }")]
    [InlineData("interface IOps { bool LessThan(double a, double b); double From(double v); } class C { IOps ops; Random rng = new(); void F(double[] x, double keep) { for (int i = 0; i < x.Length; i++) { var u = ops.From(rng.NextDouble()); if (!ops.LessThan(u, keep)) x[i] = 0; } } }")]
    [InlineData("class C { Random rng = new(); void F(float[] x, int drop) { var order = new int[x.Length]; for (int i = order.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); } for (int k = 0; k < drop; k++) x[order[k]] = 0; } }")]
    [InlineData("class C { Random rng = new(); void F(double[] h, int count) { int[] order = Enumerable.Range(0, h.Length).OrderBy(_ => rng.Next()).ToArray(); for (int k = 0; k < count; k++) h[order[k]] = 0; } }")]
    [InlineData("class C { static void K(int i, float[] x, float keep, uint seed) { uint h = seed * 2654435761u ^ (uint)i; float u = (h >> 8) / 16777216f; x[i] = u < keep ? x[i] / keep : 0f; } }")]
    [InlineData("class C { static void K(int i, double[] x, double keep, ulong bits) { double u = (bits >> 11) * (1.0 / 9007199254740992.0); if (u >= keep) x[i] = 0; } }")]
    [InlineData("class R { public void FillUniform(object s, float[] b) { } } class C { R Rng = new(); float[] noise = new float[8]; Action<int, float[], float> _forwardKernel; void Forward(int n, float rate) { Rng.FillUniform(null, noise); _forwardKernel(n, noise, rate); } }")]
    [InlineData("class C { Random random = new(); float[] keeps = new float[8]; void Feed(float[] x, float[] y) { for (int i = 0; i < x.Length - 1; i++) { var j = random.Next(i, x.Length); var k = keeps[j]; keeps[j] = keeps[i]; keeps[i] = k; y[i] = x[i] * k; } } }")]
    [InlineData("class C { Random rng = new(); void F(double[] h, double[] gate) { rng.Shuffle(gate); for (int i = 0; i < h.Length; i++) h[i] *= gate[i]; } }")]
    [InlineData("class C { Random rng = new(); double[] F(double[] x, double[] m) { m = m.OrderBy(_ => rng.Next()).ToArray(); var y = new double[x.Length]; for (int i = 0; i < x.Length; i++) y[i] = x[i] * m[i]; return y; } }")]
    public void DrawThatDecidesAnElement_IsAnalyzed(string source) =>
        Assert.True(Admits(source));

    [Fact]
    public void GeneratorPassedToAMaskHelperOfTheFile_IsAnalyzed() =>
        Assert.True(Admits(
            "static class M { public static float[] ZeroOnes(int n, float keep, Random random) { var m = new float[n]; for (int i = 0; i < n; i++) m[i] = random.NextSingle() < keep ? 1f : 0f; return m; } }\n" +
            "class C { Random _random = new(); float[] F(float[] x, float keep) { var m = M.ZeroOnes(x.Length, keep, _random); for (int i = 0; i < x.Length; i++) x[i] *= m[i]; return x; } }"));

    [Fact]
    public void Sample_NoTypeOfTheSampleIsAnalyzed()
    {
        // The sample shuffles batches and initializes weights with System.Random but has no hand-written dropout; it is the
        // compilation benchmarks/analyzer-timing.sh copies 20 times.
        string directory = Path.Combine(AnalyzerTest.RepositoryRoot(), "Dropout.Samples");
        var admitted = new List<string>();
        int typesWithRandomWords = 0;
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: file);
            foreach (TypeDeclarationSyntax type in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                typesWithRandomWords += HandWrittenDropoutModel.NamesRandomness(type) ? 1 : 0;
                if (HandWrittenDropoutModel.MayDraw(type))
                {
                    admitted.Add(Path.GetFileName(file) + ": " + type.Identifier.ValueText);
                }
            }
        }

        // The filter is only worth something if the sample has randomness to reject.
        Assert.True(typesWithRandomWords >= 3, $"{typesWithRandomWords} types of the sample name randomness");
        Assert.Empty(admitted);
    }

    [Fact]
    public void CompilationGate_IsClosedForTheSample_AndOpensForOneDropoutType()
    {
        // Without a candidate type the hand-written rules register nothing for the compilation; one dropout layer opens it.
        string directory = Path.Combine(AnalyzerTest.RepositoryRoot(), "Dropout.Samples");
        List<SyntaxTree> trees = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f))
            .ToList();
        CSharpCompilation sample = CSharpCompilation.Create("Sample", trees, Basic.Reference.Assemblies.Net80.References.All);
        Assert.False(HandWrittenDropoutModel.AnyTypeMayDraw(sample, CancellationToken.None));

        SyntaxTree layer = CSharpSyntaxTree.ParseText(
            "class Layer { System.Random rng = new(); void F(float[] x, float p) { for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() < p ? x[i] / p : 0; } }");
        Assert.True(HandWrittenDropoutModel.AnyTypeMayDraw(sample.AddSyntaxTrees(layer), CancellationToken.None));
    }

    [Fact]
    public void Corpus_EveryTypeWithADropoutSiteIsAnalyzed()
    {
        // The model's sites, found with the prefilter bypassed (every member body of every type), must all lie in types the
        // prefilter admits: the prefilter may only save work, never hide a site.
        string directory = Path.Combine(AnalyzerTest.RepositoryRoot(), "Dropout.Tests", "Analyzers", "Corpus");
        var hidden = new List<string>();
        int typesWithSites = 0, rejected = 0;
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs.txt").Order(StringComparer.Ordinal))
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), new CSharpParseOptions(LanguageVersion.Latest));
            CSharpCompilation compilation = CSharpCompilation.Create(
                "PrefilterCase",
                [tree],
                Basic.Reference.Assemblies.Net80.References.All,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            SemanticModel semanticModel = compilation.GetSemanticModel(tree);
            HandWrittenDropoutModel model = HandWrittenDropoutModel.For(compilation);
            foreach (TypeDeclarationSyntax type in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                var bodies = new List<SyntaxNode>();
                foreach (MemberDeclarationSyntax member in type.Members)
                {
                    switch (member)
                    {
                        case BaseMethodDeclarationSyntax method:
                            bodies.Add(method);
                            break;
                        case PropertyDeclarationSyntax property:
                            bodies.AddRange(property.AccessorList?.Accessors ?? []);
                            bodies.AddRange(property.ExpressionBody is { } body ? [body] : []);
                            break;
                        case FieldDeclarationSyntax field:
                            bodies.AddRange(field.Declaration.Variables.Select(variable => variable.Initializer?.Value).OfType<SyntaxNode>());
                            break;
                    }
                }

                bool hasSite = bodies
                    .Select(body => semanticModel.GetOperation(body))
                    .Any(operation => operation is not null && !model.SitesIn(operation, semanticModel, CancellationToken.None).IsEmpty);
                bool admitted = HandWrittenDropoutModel.MayDraw(type);
                rejected += admitted ? 0 : 1;
                if (hasSite)
                {
                    typesWithSites++;
                    if (!admitted)
                    {
                        hidden.Add(Path.GetFileName(file) + ": " + type.Identifier.ValueText);
                    }
                }
            }
        }

        output.WriteLine($"{typesWithSites} corpus types have a site; the prefilter rejects {rejected} types");
        Assert.True(typesWithSites >= 20, $"only {typesWithSites} corpus types have a site");
        Assert.Empty(hidden);
    }
}
