using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// "Is the mode switched on every path?" answered on Roslyn's <see cref="ControlFlowGraph"/>, the way CA1416 answers
/// "guarded on all paths": a forward must-analysis whose state is true after an operation that switches the mode and
/// false after one that restores it (the <c>Dispose</c> that ends a <c>using</c> scope), met with AND where paths join.
/// Branches, early returns, loops and the end of a <c>using</c> block are therefore followed exactly, not by source order.
/// </summary>
internal static class ModeFlow
{
    private const int MaxIterations = 64;

    /// <summary>For every operation <paramref name="isOfInterest"/> accepts, whether the mode is switched before it on every path (keyed by syntax, which survives the graph's lowering).</summary>
    public static Dictionary<SyntaxNode, bool> SwitchedOnEveryPath(
        ControlFlowGraph graph,
        Func<IOperation, bool> switches,
        Func<IOperation, bool> restores,
        Func<IOperation, bool> isOfInterest,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<SyntaxNode, bool>();
        Analyze(graph, entryState: false, may: false, switches, restores, isOfInterest, results, cancellationToken);
        foreach (IMethodSymbol localFunction in graph.LocalFunctions)
        {
            // A local function can be called from anywhere: nothing is known on entry.
            Analyze(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), entryState: false, may: false, switches, restores, isOfInterest, results, cancellationToken);
        }

        return results;
    }

    /// <summary>For every operation <paramref name="isOfInterest"/> accepts, whether some path reaches it after <paramref name="switches"/> with no <paramref name="restores"/> in between (the may-analysis: OR where paths join).</summary>
    public static Dictionary<SyntaxNode, bool> SwitchedOnSomePath(
        ControlFlowGraph graph,
        Func<IOperation, bool> switches,
        Func<IOperation, bool> restores,
        Func<IOperation, bool> isOfInterest,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<SyntaxNode, bool>();
        Analyze(graph, entryState: false, may: true, switches, restores, isOfInterest, results, cancellationToken);
        return results;
    }

    private static void Analyze(
        ControlFlowGraph graph,
        bool entryState,
        bool may,
        Func<IOperation, bool> switches,
        Func<IOperation, bool> restores,
        Func<IOperation, bool> isOfInterest,
        Dictionary<SyntaxNode, bool> results,
        CancellationToken cancellationToken)
    {
        int count = graph.Blocks.Length;
        // A branch that leaves a try region runs its finally regions on the way (the Dispose that ends a using block).
        var finallyRestores = new bool[count];
        foreach (BasicBlock block in graph.Blocks)
        {
            finallyRestores[block.Ordinal] = OperationsOf(block).Any(operation => operation.DescendantsAndSelf().Any(restores));
        }

        var output = new bool[count];
        for (int index = 0; index < count; index++)
        {
            output[index] = !may;
        }

        bool changed = true;
        for (int iteration = 0; changed && iteration < MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            changed = false;
            foreach (BasicBlock block in graph.Blocks)
            {
                bool state = InputState(block, output, finallyRestores, entryState, may);
                foreach (IOperation operation in OperationsOf(block))
                {
                    state = Transfer(operation, state, may, switches, restores, isOfInterest, results: null, graph, cancellationToken);
                }

                if (output[block.Ordinal] != state)
                {
                    output[block.Ordinal] = state;
                    changed = true;
                }
            }
        }

        foreach (BasicBlock block in graph.Blocks)
        {
            bool state = InputState(block, output, finallyRestores, entryState, may);
            foreach (IOperation operation in OperationsOf(block))
            {
                state = Transfer(operation, state, may, switches, restores, isOfInterest, results, graph, cancellationToken);
            }
        }
    }

    private static bool InputState(BasicBlock block, bool[] output, bool[] finallyRestores, bool entryState, bool may)
    {
        if (block.Kind == BasicBlockKind.Entry)
        {
            return entryState;
        }

        if (may)
        {
            bool reached = false;
            foreach (ControlFlowBranch predecessor in block.Predecessors)
            {
                bool restoredOnTheWay = predecessor.FinallyRegions.Any(region => Enumerable.Range(region.FirstBlockOrdinal, region.LastBlockOrdinal - region.FirstBlockOrdinal + 1).Any(ordinal => finallyRestores[ordinal]));
                reached |= output[predecessor.Source.Ordinal] && !restoredOnTheWay;
            }

            return reached;
        }

        bool state = true;
        bool any = false;
        foreach (ControlFlowBranch predecessor in block.Predecessors)
        {
            bool restoredOnTheWay = predecessor.FinallyRegions.Any(region => Enumerable.Range(region.FirstBlockOrdinal, region.LastBlockOrdinal - region.FirstBlockOrdinal + 1).Any(ordinal => finallyRestores[ordinal]));
            state &= output[predecessor.Source.Ordinal] && !restoredOnTheWay;
            any = true;
        }

        // A block entered only by exception handling (catch, finally) is reached from any point of its try region.
        return any ? state : block.EnclosingRegion.Kind is ControlFlowRegionKind.Catch or ControlFlowRegionKind.Filter or ControlFlowRegionKind.Finally ? false : state && block.IsReachable;
    }

    private static IEnumerable<IOperation> OperationsOf(BasicBlock block)
    {
        foreach (IOperation operation in block.Operations)
        {
            yield return operation;
        }

        if (block.BranchValue is { } branchValue)
        {
            yield return branchValue;
        }
    }

    // Children before parents: an argument is evaluated before the call that receives it.
    private static bool Transfer(IOperation operation, bool state, bool may, Func<IOperation, bool> switches, Func<IOperation, bool> restores, Func<IOperation, bool> isOfInterest, Dictionary<SyntaxNode, bool>? results, ControlFlowGraph graph, CancellationToken cancellationToken)
    {
        if (operation is IFlowAnonymousFunctionOperation lambda)
        {
            if (results is not null)
            {
                // A lambda's body runs later, but no earlier than it is created: it starts from the state it is created in.
                Analyze(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), state, may, switches, restores, isOfInterest, results, cancellationToken);
            }

            return state;
        }

        foreach (IOperation child in operation.ChildOperations)
        {
            state = Transfer(child, state, may, switches, restores, isOfInterest, results, graph, cancellationToken);
        }

        if (results is not null && isOfInterest(operation))
        {
            // Must: true only if true wherever the operation appears; may: true if true anywhere.
            results[operation.Syntax] = results.TryGetValue(operation.Syntax, out bool earlier) ? (may ? earlier || state : earlier && state) : state;
        }

        if (switches(operation))
        {
            return true;
        }

        return !restores(operation) && state;
    }
}
