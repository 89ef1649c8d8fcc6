using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Tests.Fuzzing;

/// <summary>The fuzzer itself: reproducible, and able to fail (a fuzzer that cannot see a broken fix proves nothing).</summary>
public sealed class FuzzerSelfTests
{
    [Fact]
    public void Mutate_WithTheSameSeed_GivesTheSameMutant()
    {
        string source = FuzzSeeds.All[0];
        for (int seed = 0; seed < 20; seed++)
        {
            Assert.Equal(SourceMutator.Mutate(source, new Random(seed)), SourceMutator.Mutate(source, new Random(seed)));
        }
    }

    [Fact]
    public async Task Toolchain_ReportsAFixThatAddsACompilerError()
    {
        const string source = Dropout.Tests.Analyzers.AnalyzerTest.Usings + "[Dropout(0.2)] public sealed partial class A { }\n";
        BuildResult build = await Toolchain.BuildAsync(source, LanguageVersion.Latest, threshold: null);
        Assert.Contains(build.AnalyzerDiagnostics, diagnostic => diagnostic.Id == "DRP003");

        List<Finding> findings = await Toolchain.ApplyFixesAsync(source, LanguageVersion.Latest, null, build, new FuzzCoverage(), maximumFixes: 4, [new UndeclaredNameFix()]);

        Assert.Contains(findings, finding => finding.Kind == FindingKind.Fix && finding.Message.Contains("adds errors (CS0103", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Toolchain_ReportsAFixThatLeavesItsDiagnostic()
    {
        const string source = Dropout.Tests.Analyzers.AnalyzerTest.Usings + "[Dropout(0.2)] public sealed partial class A { }\n";
        BuildResult build = await Toolchain.BuildAsync(source, LanguageVersion.Latest, threshold: null);

        List<Finding> findings = await Toolchain.ApplyFixesAsync(source, LanguageVersion.Latest, null, build, new FuzzCoverage(), maximumFixes: 4, [new SameValueFix()]);

        Assert.Contains(findings, finding => finding.Kind == FindingKind.Fix && finding.Message.Contains("leaves the diagnostic in place", StringComparison.Ordinal));
    }

    /// <summary>A broken DRP003 fix: replaces p by a name that does not exist.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp)]
    [Shared]
    private sealed class UndeclaredNameFix : ReplacingFix
    {
        protected override ExpressionSyntax Replacement(ExpressionSyntax expression) => SyntaxFactory.IdentifierName("undeclaredKeepProbability");
    }

    /// <summary>A useless DRP003 fix: writes p again.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp)]
    [Shared]
    private sealed class SameValueFix : ReplacingFix
    {
        protected override ExpressionSyntax Replacement(ExpressionSyntax expression) => SyntaxFactory.ParseExpression("0.2");
    }

    private abstract class ReplacingFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ["DRP003"];

        public override FixAllProvider? GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var expression = (ExpressionSyntax)root.FindNode(context.Span, getInnermostNodeForTie: true);
            context.RegisterCodeFix(
                CodeAction.Create("Replace", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, Replacement(expression).WithTriviaFrom(expression)))), equivalenceKey: GetType().Name),
                context.Diagnostics);
        }

        protected abstract ExpressionSyntax Replacement(ExpressionSyntax expression);
    }
}
