using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>What a hand-written dropout rule gets for one type: the shared facts and the means to report.</summary>
internal sealed class TypeAnalysisContext(Compilation compilation, AnalyzerOptions options, Action<Diagnostic> report, DropoutTypeFacts facts, CancellationToken cancellationToken)
{
    public TypeAnalysisContext(SymbolAnalysisContext context, DropoutTypeFacts facts)
        : this(context.Compilation, context.Options, context.ReportDiagnostic, facts, context.CancellationToken)
    {
    }

    public TypeAnalysisContext(CompilationAnalysisContext context, DropoutTypeFacts facts)
        : this(context.Compilation, context.Options, context.ReportDiagnostic, facts, context.CancellationToken)
    {
    }

    public SemanticModel SemanticModel => facts.SemanticModel;

    public SyntaxTree Tree => facts.SemanticModel.SyntaxTree;

    /// <summary>Every file a declaration of the type is in (several for a partial type), the first being <see cref="Tree"/>.</summary>
    public IEnumerable<SyntaxTree> Trees => facts.Type is { } type
        ? type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Prepend(Tree).Distinct()
        : [Tree];

    /// <summary>The semantic model of the tree <paramref name="node"/> is in (a declaration of the type in another file has its own).</summary>
    public SemanticModel SemanticModelOf(SyntaxNode node) => facts.SemanticModelOf(node);

    public Compilation Compilation => compilation;

    public AnalyzerOptions Options => options;

    public CancellationToken CancellationToken => cancellationToken;

    public void ReportDiagnostic(Diagnostic diagnostic) => report(diagnostic);
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
        HandWrittenDropoutModel model = HandWrittenDropoutModel.For(context.Compilation);
        ReceiverHelperIndex helpers = HandWrittenDropoutModel.ReceiverHelpersOf(context.Compilation, context.CancellationToken);

        // Types read by static helpers in other types are analyzed at compilation end, with the helpers' blocks.
        var deferred = new ConcurrentDictionary<INamedTypeSymbol, ConcurrentQueue<IOperation>>(SymbolEqualityComparer.Default);
        context.RegisterSymbolStartAction(
            symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                bool holdsHelpers = !helpers.IsEmpty && helpers.ContainsHelpers(type);
                bool isDeferred = !helpers.IsEmpty && !helpers.HelpersOf(type).IsEmpty;
                bool mayDraw = type.TypeKind is TypeKind.Class or TypeKind.Struct && (isDeferred || HandWrittenDropoutModel.MayDraw(type, symbolStart.CancellationToken));
                if (!mayDraw && !holdsHelpers)
                {
                    return;
                }

                ConcurrentQueue<IOperation> roots = isDeferred ? deferred.GetOrAdd(type, _ => new ConcurrentQueue<IOperation>()) : new ConcurrentQueue<IOperation>();
                symbolStart.RegisterOperationBlockAction(block =>
                {
                    // A helper's body belongs to the type it reads, not to the static class that holds it.
                    INamedTypeSymbol? receiver = holdsHelpers && block.OwningSymbol is IMethodSymbol method ? helpers.ReceiverTypeOf(method) : null;
                    ConcurrentQueue<IOperation>? target = receiver is not null ? deferred.GetOrAdd(receiver, _ => new ConcurrentQueue<IOperation>()) : mayDraw ? roots : null;
                    foreach (IOperation operation in block.OperationBlocks)
                    {
                        target?.Enqueue(operation);
                    }
                });
                if (mayDraw && !isDeferred)
                {
                    symbolStart.RegisterSymbolEndAction(symbolEnd =>
                    {
                        DropoutTypeFacts? facts = model.FactsFor(type, roots, symbolEnd.CancellationToken);
                        if (facts is not null && !facts.AllSites.IsEmpty)
                        {
                            analyze(new TypeAnalysisContext(symbolEnd, facts), facts);
                        }
                    });
                }
            },
            SymbolKind.NamedType);

        if (!helpers.IsEmpty)
        {
            context.RegisterCompilationEndAction(end =>
            {
                foreach (KeyValuePair<INamedTypeSymbol, ConcurrentQueue<IOperation>> pair in deferred.OrderBy(pair => pair.Key.ToDisplayString(), StringComparer.Ordinal))
                {
                    DropoutTypeFacts? facts = model.FactsWithReceiverHelpers(pair.Key, pair.Value, end.CancellationToken);
                    if (facts is not null && !facts.AllSites.IsEmpty)
                    {
                        analyze(new TypeAnalysisContext(end, facts), facts);
                    }
                }
            });
        }
    }
}
