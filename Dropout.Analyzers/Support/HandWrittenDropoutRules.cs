using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>What a hand-written dropout rule gets for one type: the shared facts and the means to report.</summary>
internal sealed class TypeAnalysisContext(SymbolAnalysisContext context, DropoutTypeFacts facts)
{
    public SemanticModel SemanticModel => facts.SemanticModel;

    public SyntaxTree Tree => facts.SemanticModel.SyntaxTree;

    /// <summary>Every file a declaration of the type is in (several for a partial type), the first being <see cref="Tree"/>.</summary>
    public IEnumerable<SyntaxTree> Trees => facts.Type is { } type
        ? type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Prepend(Tree).Distinct()
        : [Tree];

    /// <summary>The semantic model of the tree <paramref name="node"/> is in (a declaration of the type in another file has its own).</summary>
    public SemanticModel SemanticModelOf(SyntaxNode node) => facts.SemanticModelOf(node);

    public Compilation Compilation => context.Compilation;

    public AnalyzerOptions Options => context.Options;

    public CancellationToken CancellationToken => context.CancellationToken;

    public void ReportDiagnostic(Diagnostic diagnostic) => context.ReportDiagnostic(diagnostic);
}

/// <summary>How the hand-written dropout rules reach the shared model: once per type, after its members were analyzed.</summary>
internal static class HandWrittenDropoutRules
{
    /// <summary>
    /// Runs <paramref name="analyze"/> on the model's facts for every class, struct and record that has a hand-written
    /// dropout site. The member bodies are the operation trees the analyzer driver already built for every analyzer
    /// (collected between symbol start and end), so the model never binds a method a second time.
    /// </summary>
    public static void RegisterTypeAnalysis(AnalysisContext context, Action<TypeAnalysisContext, DropoutTypeFacts> analyze)
    {
        // A compilation in which no type passes the model's prefilter (most code, and the timing benchmark's sample) gets no
        // callback per type at all.
        context.RegisterCompilationStartAction(start =>
        {
            if (HandWrittenDropoutModel.AnyTypeMayDraw(start.Compilation, start.CancellationToken))
            {
                RegisterTypeActions(start, analyze);
            }
        });
    }

    private static void RegisterTypeActions(CompilationStartAnalysisContext context, Action<TypeAnalysisContext, DropoutTypeFacts> analyze)
    {
        context.RegisterSymbolStartAction(
            symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct)
                    || !HandWrittenDropoutModel.MayDraw(type, symbolStart.CancellationToken))
                {
                    return;
                }

                var roots = new ConcurrentQueue<IOperation>();
                symbolStart.RegisterOperationBlockAction(block =>
                {
                    foreach (IOperation operation in block.OperationBlocks)
                    {
                        roots.Enqueue(operation);
                    }
                });
                symbolStart.RegisterSymbolEndAction(symbolEnd =>
                {
                    DropoutTypeFacts? facts = HandWrittenDropoutModel.For(symbolEnd.Compilation).FactsFor(type, roots, symbolEnd.CancellationToken);
                    if (facts is not null && !facts.AllSites.IsEmpty)
                    {
                        analyze(new TypeAnalysisContext(symbolEnd, facts), facts);
                    }
                });
            },
            SymbolKind.NamedType);
    }
}
