using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Analyzers;

/// <summary>
/// "Is a value drawn once and then used again in a later iteration of a loop, on some path?" answered on Roslyn's
/// <see cref="ControlFlowGraph"/> (DRP010's question about a dropout mask). A may-analysis over the graph whose state is
/// the set of stages the value can be in: fresh (drawn, or whatever it holds on entry), used in this iteration, or
/// stale — used, and then a new iteration of the loop began (its back edge was taken) with no new draw. A use that some
/// path reaches in the stale stage applies the mask of an earlier iteration, wherever that mask came from. Branches, early exits and draws placed anywhere in the source
/// (a draw in one branch only, a draw at the end of the body for the next iteration, a draw reached first through a
/// goto) are followed as the program runs them, not by their position in the source.
/// </summary>
internal static class IterationFlow
{
    private const int Fresh = 1;
    private const int Used = 2;
    private const int Stale = 4;
    private const int MaxIterations = 64;

    /// <summary>
    /// The first use in <paramref name="loop"/> (among those <paramref name="isReportedUse"/> accepts) that some path
    /// reaches with the value of an earlier iteration of <paramref name="loop"/>, or <see langword="null"/>.
    /// </summary>
    /// <param name="graph">The graph of the member (or of the lambda or local function) that holds the loop.</param>
    /// <param name="loop">The loop whose iterations must each draw anew.</param>
    /// <param name="loops">Every loop of the member: a back edge belongs to the innermost loop around both its ends.</param>
    /// <param name="draws">Whether an operation draws the value anew (or may: any write counts, to stay silent when unsure).</param>
    /// <param name="isUse">Whether an operation uses (reads) the value.</param>
    /// <param name="isReportedUse">Whether a use is one to report when it can see a stale value.</param>
    /// <param name="cancellationToken">Cancels the analysis.</param>
    public static IOperation? FirstReusedUse(
        ControlFlowGraph graph,
        ILoopOperation loop,
        IReadOnlyCollection<ILoopOperation> loops,
        Func<IOperation, bool> draws,
        Func<IOperation, bool> isUse,
        Func<IOperation, bool> isReportedUse,
        CancellationToken cancellationToken)
    {
        IOperation? found = null;
        Analyze(graph, Fresh, loop, loops, draws, isUse, isReportedUse, use => found ??= use, cancellationToken);
        return found;
    }

    private static void Analyze(
        ControlFlowGraph graph,
        int entryState,
        ILoopOperation loop,
        IReadOnlyCollection<ILoopOperation> loops,
        Func<IOperation, bool> draws,
        Func<IOperation, bool> isUse,
        Func<IOperation, bool> isReportedUse,
        Action<IOperation> report,
        CancellationToken cancellationToken)
    {
        BackEdges iterationEdges = IterationEdges(graph, loop, loops);
        int count = graph.Blocks.Length;
        var output = new int[count];
        bool changed = true;
        for (int iteration = 0; changed && iteration < MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            changed = false;
            foreach (BasicBlock block in graph.Blocks)
            {
                int state = InputState(block, output, iterationEdges, entryState);
                foreach (IOperation operation in OperationsOf(block))
                {
                    state = Transfer(operation, state, draws, isUse, isReportedUse, report: null, analyzeLambda: null);
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
            int state = InputState(block, output, iterationEdges, entryState);
            foreach (IOperation operation in OperationsOf(block))
            {
                state = Transfer(operation, state, draws, isUse, isReportedUse, report, (lambda, lambdaState) =>
                    // A lambda's body runs later, but no earlier than it is created: it starts from the state it is created in.
                    Analyze(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambdaState, loop, loops, draws, isUse, isReportedUse, report, cancellationToken));
            }
        }

        foreach (IMethodSymbol localFunction in graph.LocalFunctions)
        {
            // A local function can be called from anywhere: it starts with whatever the mask holds.
            Analyze(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), Fresh, loop, loops, draws, isUse, isReportedUse, report, cancellationToken);
        }
    }

    // The union over the incoming branches; a branch that starts a new iteration of the loop turns "used" into "stale".
    private static int InputState(BasicBlock block, int[] output, BackEdges iterationEdges, int entryState)
    {
        if (block.Kind == BasicBlockKind.Entry)
        {
            return entryState;
        }

        int state = 0;
        foreach (ControlFlowBranch predecessor in block.Predecessors)
        {
            int incoming = output[predecessor.Source.Ordinal];
            if (iterationEdges.Contains(predecessor.Source.Ordinal, block.Ordinal) && (incoming & Used) != 0)
            {
                incoming = (incoming & ~Used) | Stale;
            }

            state |= incoming;
        }

        // A block entered only by exception handling (catch, finally) is reached from any point of its try region: what
        // it does to the value does not matter here (a catch that re-draws is not a way to reuse a mask), so it starts empty.
        return state;
    }

    // Children before parents: the value written by `mask[i] = draw` is drawn after its operands are read.
    private static int Transfer(IOperation operation, int state, Func<IOperation, bool> draws, Func<IOperation, bool> isUse, Func<IOperation, bool> isReportedUse, Action<IOperation>? report, Action<IFlowAnonymousFunctionOperation, int>? analyzeLambda)
    {
        if (operation is IFlowAnonymousFunctionOperation lambda)
        {
            analyzeLambda?.Invoke(lambda, state);
            return state;
        }

        foreach (IOperation child in operation.ChildOperations)
        {
            state = Transfer(child, state, draws, isUse, isReportedUse, report, analyzeLambda);
        }

        if (state == 0)
        {
            return state;
        }

        if (draws(operation))
        {
            return Fresh;
        }

        if (isUse(operation))
        {
            if ((state & Stale) != 0 && report is not null && isReportedUse(operation))
            {
                report(operation);
            }

            if ((state & Fresh) != 0)
            {
                state = (state & ~Fresh) | Used;
            }
        }

        return state;
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

    // The branches that start a new iteration of the loop: the back edges (found by a depth-first walk from the entry)
    // whose innermost enclosing loop, judged by the source spans of both ends, is this loop.
    private static BackEdges IterationEdges(ControlFlowGraph graph, ILoopOperation loop, IReadOnlyCollection<ILoopOperation> loops)
    {
        var edges = new BackEdges();
        int count = graph.Blocks.Length;
        var state = new byte[count]; // 0 unvisited, 1 on the stack, 2 done
        var stack = new Stack<(BasicBlock Block, int Next)>();
        stack.Push((graph.Blocks[0], 0));
        state[0] = 1;
        while (stack.Count > 0)
        {
            (BasicBlock block, int next) = stack.Pop();
            BasicBlock? successor = next switch
            {
                0 => block.FallThroughSuccessor?.Destination,
                1 => block.ConditionalSuccessor?.Destination,
                _ => null,
            };
            if (next > 1)
            {
                state[block.Ordinal] = 2;
                continue;
            }

            stack.Push((block, next + 1));
            if (successor is null)
            {
                continue;
            }

            if (state[successor.Ordinal] == 1)
            {
                if (InnermostLoop(Span(block, successor), loops) == loop)
                {
                    edges.Add(block.Ordinal, successor.Ordinal);
                }
            }
            else if (state[successor.Ordinal] == 0)
            {
                state[successor.Ordinal] = 1;
                stack.Push((successor, 0));
            }
        }

        return edges;
    }

    private static TextSpan? Span(params BasicBlock[] blocks)
    {
        int start = int.MaxValue;
        int end = int.MinValue;
        foreach (BasicBlock block in blocks)
        {
            foreach (IOperation operation in OperationsOf(block))
            {
                start = Math.Min(start, operation.Syntax.SpanStart);
                end = Math.Max(end, operation.Syntax.Span.End);
            }
        }

        return start <= end ? TextSpan.FromBounds(start, end) : null;
    }

    private static ILoopOperation? InnermostLoop(TextSpan? span, IReadOnlyCollection<ILoopOperation> loops)
    {
        if (span is not { } covered)
        {
            return null;
        }

        ILoopOperation? innermost = null;
        foreach (ILoopOperation candidate in loops)
        {
            if (candidate.Syntax.Span.Contains(covered) && (innermost is null || candidate.Syntax.Span.Length < innermost.Syntax.Span.Length))
            {
                innermost = candidate;
            }
        }

        return innermost;
    }

    private sealed class BackEdges
    {
        private readonly HashSet<long> _edges = new();

        public void Add(int source, int destination) => _edges.Add(((long)source << 32) | (uint)destination);

        public bool Contains(int source, int destination) => _edges.Contains(((long)source << 32) | (uint)destination);
    }
}
