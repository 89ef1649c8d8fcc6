using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// The state of one compilation-end join: summaries added while each file is analyzed, joined once every file was.
/// </summary>
internal interface ICompilationEndJoin
{
    /// <summary>Joins the summaries and reports; runs once per compilation, after all its files were analyzed.</summary>
    void Report(CompilationAnalysisContext context);
}

/// <summary>
/// What a join takes from one admitted type: each operation block as the driver delivers it, and (when
/// <see cref="WholeType"/> is given) all of the type's blocks together at the type's symbol end.
/// </summary>
internal sealed class TypeSummarizer(Action<IOperation, OperationBlockAnalysisContext> eachBlock, Action<IEnumerable<IOperation>, SymbolAnalysisContext>? wholeType = null)
{
    /// <summary>Summarizes one operation block of the type (a member body, an initializer) in its own file.</summary>
    public Action<IOperation, OperationBlockAnalysisContext> EachBlock { get; } = eachBlock;

    /// <summary>Summarizes the type from all its blocks; the blocks are kept only when this is given.</summary>
    public Action<IEnumerable<IOperation>, SymbolAnalysisContext>? WholeType { get; } = wholeType;
}

/// <summary>
/// The registration every compilation-end join of hand-written dropout shares: a compilation-start gate (by default
/// <see cref="HandWrittenDropoutModel.AnyTypeMayDraw"/>, so a compilation with no candidate type registers nothing), one
/// join state per compilation, summaries collected from the operation trees the driver already builds for each file (an
/// analyzer may not bind another file), and the join at compilation end. Each join says only what it admits, what it
/// summarizes and how it joins.
/// </summary>
internal static class CompilationEndJoins
{
    /// <summary>
    /// Registers a join over classes and structs: <paramref name="admit"/> decides per type, from cheap checks (the
    /// model's <see cref="HandWrittenDropoutModel.MayDraw(INamedTypeSymbol, CancellationToken)"/>, a text search), whether
    /// its blocks are summarized at all, and how; a type it refuses costs the driver no callback per block.
    /// </summary>
    public static void RegisterPerType<TJoin>(
        AnalysisContext context,
        Func<TJoin> create,
        Func<TJoin, INamedTypeSymbol, SymbolStartAnalysisContext, TypeSummarizer?> admit,
        Func<Compilation, CancellationToken, bool>? mayHoldDropout = null)
        where TJoin : ICompilationEndJoin =>
        Register(context, create, mayHoldDropout, (start, join) => start.RegisterSymbolStartAction(
            symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || admit(join, type, symbolStart) is not { } summarizer)
                {
                    return;
                }

                ConcurrentQueue<IOperation>? roots = summarizer.WholeType is null ? null : new ConcurrentQueue<IOperation>();
                symbolStart.RegisterOperationBlockAction(block =>
                {
                    foreach (IOperation root in block.OperationBlocks)
                    {
                        roots?.Enqueue(root);
                        summarizer.EachBlock(root, block);
                    }
                });
                if (roots is not null)
                {
                    symbolStart.RegisterSymbolEndAction(end => summarizer.WholeType!(roots, end));
                }
            },
            SymbolKind.NamedType));

    /// <summary>
    /// Registers a join that summarizes every operation block of the compilation (its own gate is per block, on the
    /// block's syntax), in any type.
    /// </summary>
    public static void RegisterPerBlock<TJoin>(AnalysisContext context, Func<TJoin> create, Action<TJoin, OperationBlockAnalysisContext> summarize)
        where TJoin : ICompilationEndJoin =>
        Register(context, create, null, (start, join) => start.RegisterOperationBlockAction(block => summarize(join, block)));

    private static void Register<TJoin>(
        AnalysisContext context,
        Func<TJoin> create,
        Func<Compilation, CancellationToken, bool>? mayHoldDropout,
        Action<CompilationStartAnalysisContext, TJoin> collect)
        where TJoin : ICompilationEndJoin
    {
        context.RegisterCompilationStartAction(start =>
        {
            if (!(mayHoldDropout ?? HandWrittenDropoutModel.AnyTypeMayDraw)(start.Compilation, start.CancellationToken))
            {
                return;
            }

            TJoin join = create();
            collect(start, join);
            start.RegisterCompilationEndAction(join.Report);
        });
    }
}
