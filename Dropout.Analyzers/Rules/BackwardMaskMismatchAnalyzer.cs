using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP008: a dropout backward that cannot see its forward's mask. Within one method it reports a kernel backward
/// given another mask than the forward recorded; a regenerating backward that reserves a fresh offset, reads the
/// stream's next position, draws a fresh seed, or differs from the forward's seed or offset; and a backward that
/// runs after a later forward on the same mask or layer has overwritten the mask (a second backward after two
/// forwards, or a forward loop followed by a separate backward loop).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BackwardMaskMismatchAnalyzer : DiagnosticAnalyzer
{
    // Registered once per method body: one array for all of them rather than a params array each time.
    private static readonly ImmutableArray<OperationKind> InvocationKind = ImmutableArray.Create(OperationKind.Invocation);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BackwardMaskMismatch);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);

        // Hand-written code: a dropout drawn only in a backward or derivative, for the error terms handed to it.
        DropoutDrawnOnlyInBackward.Register(context);
        context.RegisterCompilationStartAction(start =>
        {
            if (DropoutSymbols.TryCreate(start.Compilation) is not { DropoutKernels: not null } symbols)
            {
                return;
            }

            start.RegisterOperationBlockStartAction(blockStart =>
            {
                // Collected per method body; the driver visits the invocations, so nothing else is walked.
                var calls = new List<DropoutCall>();
                blockStart.RegisterOperationAction(
                    operationContext =>
                    {
                        if (DropoutCall.TryClassify((IInvocationOperation)operationContext.Operation, symbols) is { } call)
                        {
                            lock (calls)
                            {
                                calls.Add(call);
                            }
                        }
                    },
                    InvocationKind);
                blockStart.RegisterOperationBlockEndAction(blockEnd =>
                {
                    if (calls.Count < 2 && !calls.Any(call => call.Kind == DropoutCallKind.RegeneratingBackward))
                    {
                        return;
                    }

                    calls.Sort((a, b) => a.Invocation.Syntax.SpanStart.CompareTo(b.Invocation.Syntax.SpanStart));
                    HashSet<SyntaxNode>? overwritten = blockEnd.OperationBlocks.FirstOrDefault(root => root is IMethodBodyBaseOperation or IBlockOperation) is { } body
                        ? (AnyKeyForwardedAndBackwarded(calls) ? OverwrittenOnSomePath(blockEnd.GetControlFlowGraph(body), calls, blockEnd.CancellationToken) : new HashSet<SyntaxNode>())
                        : null;
                    foreach ((DropoutCall backward, string reason) in FindMismatches(calls, symbols, overwritten))
                    {
                        blockEnd.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardMaskMismatch, backward.Invocation.Syntax.GetLocation(), reason));
                    }
                });
            });
        });
    }

    private static IEnumerable<(DropoutCall, string)> FindMismatches(List<DropoutCall> calls, DropoutSymbols symbols, HashSet<SyntaxNode>? overwritten)
    {
        var recordedMasks = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (DropoutCall call in calls)
        {
            if (call.Kind == DropoutCallKind.Forward && call.IsKernel && call.Key is { } mask)
            {
                recordedMasks.Add(mask);
            }
        }

        for (int index = 0; index < calls.Count; index++)
        {
            DropoutCall call = calls[index];
            if (call.Kind == DropoutCallKind.RegeneratingBackward)
            {
                if (FreshStreamArgument(call, symbols) is { } freshReason)
                {
                    yield return (call, freshReason);
                }
                else if (PrecedingRegeneratingForward(calls, index) is { } forward && !SameStreamPosition(forward, call))
                {
                    yield return (call, "regenerates its mask from another seed or offset than the forward above used");
                }

                continue;
            }

            if (call.Kind != DropoutCallKind.Backward || call.Key is not { } key)
            {
                continue;
            }

            if (call.IsKernel && recordedMasks.Count > 0 && !recordedMasks.Contains(key) && key is ILocalSymbol or IFieldSymbol)
            {
                yield return (call, "is given the mask '" + key.Name + "', which no forward in this method recorded");
                continue;
            }

            if (OverwrittenBy(calls, index, key, overwritten) is { } reason)
            {
                yield return (call, reason);
            }
        }
    }

    private static string? OverwrittenBy(List<DropoutCall> calls, int backwardIndex, ISymbol key, HashSet<SyntaxNode>? overwritten)
    {
        DropoutCall backward = calls[backwardIndex];
        int forwardsInRun = 0;
        int backwardsInRun = 0;
        DropoutCall? lastForward = null;
        for (int index = 0; index < backwardIndex; index++)
        {
            DropoutCall call = calls[index];
            if (!SymbolEqualityComparer.Default.Equals(call.Key, key))
            {
                continue;
            }

            if (call.Kind == DropoutCallKind.Forward)
            {
                if (backwardsInRun > 0)
                {
                    forwardsInRun = 0;
                    backwardsInRun = 0;
                }

                forwardsInRun++;
                lastForward = call;
            }
            else if (call.Kind == DropoutCallKind.Backward)
            {
                backwardsInRun++;
            }
        }

        // On the control-flow graph when there is one: forwards on the two branches of an if are one forward on every path.
        if (overwritten is not null ? overwritten.Contains(backward.Invocation.Syntax) : forwardsInRun >= 2 && backwardsInRun >= 1)
        {
            return "runs after a second forward on '" + key.Name + "' replaced the mask of the first";
        }

        if (lastForward is not null
            && EnclosingLoops(lastForward.Invocation).FirstOrDefault(loop => !Contains(loop, backward.Invocation)) is not null
            && EnclosingLoops(backward.Invocation).Any(loop => !Contains(loop, lastForward.Invocation)))
        {
            return "runs in a separate loop after a forward loop on '" + key.Name + "', whose every iteration replaced the mask of the one before";
        }

        return null;
    }

    // The graph can only find an overwritten mask for a key with both a forward and a backward call: without one the state
    // never has a forward behind a backward. Two calls on different layers (a model's forward through two dropout layers)
    // or a regenerating backward alone are the common case and need no graph.
    private static bool AnyKeyForwardedAndBackwarded(List<DropoutCall> calls)
    {
        foreach (DropoutCall forward in calls)
        {
            if (forward.Kind == DropoutCallKind.Forward && forward.Key is { } key
                && calls.Exists(backward => backward.Kind == DropoutCallKind.Backward && SymbolEqualityComparer.Default.Equals(backward.Key, key)))
            {
                return true;
            }
        }

        return false;
    }

    // Per layer or mask: the set of (forwards since the last backward run, backwards in this run) states that can reach each
    // point, joined by union (some path); a backward reached with two forwards and an earlier backward in the run uses a
    // mask that the second forward overwrote.
    private static HashSet<SyntaxNode> OverwrittenOnSomePath(ControlFlowGraph graph, List<DropoutCall> calls, CancellationToken cancellationToken)
    {
        var result = new HashSet<SyntaxNode>();
        foreach (IGrouping<ISymbol, DropoutCall> group in calls.Where(call => call.Kind is DropoutCallKind.Forward or DropoutCallKind.Backward && call.Key is not null)
            .GroupBy(call => call.Key!, SymbolEqualityComparer.Default))
        {
            var kinds = new Dictionary<SyntaxNode, DropoutCallKind>();
            foreach (DropoutCall call in group)
            {
                kinds[call.Invocation.Syntax] = call.Kind;
            }

            var output = new int[graph.Blocks.Length];
            bool changed = true;
            for (int iteration = 0; changed && iteration < 64; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                changed = false;
                foreach (BasicBlock block in graph.Blocks)
                {
                    int states = FlowThrough(block, InputStates(block, output), kinds, report: null);
                    if (states != output[block.Ordinal])
                    {
                        output[block.Ordinal] = states;
                        changed = true;
                    }
                }
            }

            foreach (BasicBlock block in graph.Blocks)
            {
                FlowThrough(block, InputStates(block, output), kinds, result);
            }
        }

        return result;
    }

    private const int NoForwardState = 1;

    private static int State(int forwards, int backwards) => 1 << ((forwards * 2) + backwards);

    private static int InputStates(BasicBlock block, int[] output)
    {
        if (block.Kind == BasicBlockKind.Entry)
        {
            return NoForwardState;
        }

        int states = 0;
        foreach (ControlFlowBranch predecessor in block.Predecessors)
        {
            states |= output[predecessor.Source.Ordinal];
        }

        return states;
    }

    private static int FlowThrough(BasicBlock block, int states, Dictionary<SyntaxNode, DropoutCallKind> kinds, HashSet<SyntaxNode>? report)
    {
        IEnumerable<IOperation> operations = block.BranchValue is { } branchValue ? block.Operations.Append(branchValue) : block.Operations;
        foreach (IOperation operation in operations.SelectMany(operation => operation.DescendantsAndSelf()))
        {
            if (operation is not IInvocationOperation || !kinds.TryGetValue(operation.Syntax, out DropoutCallKind kind))
            {
                continue;
            }

            int next = 0;
            for (int forwards = 0; forwards <= 2; forwards++)
            {
                for (int backwards = 0; backwards <= 1; backwards++)
                {
                    if ((states & State(forwards, backwards)) == 0)
                    {
                        continue;
                    }

                    if (kind == DropoutCallKind.Forward)
                    {
                        next |= backwards > 0 ? State(1, 0) : State(Math.Min(forwards + 1, 2), 0);
                    }
                    else
                    {
                        if (forwards >= 2 && backwards >= 1)
                        {
                            report?.Add(operation.Syntax);
                        }

                        next |= State(forwards, 1);
                    }
                }
            }

            states = next;
        }

        return states;
    }

    private static IEnumerable<ILoopOperation> EnclosingLoops(IOperation operation)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation loop)
            {
                yield return loop;
            }
        }
    }

    private static bool Contains(IOperation ancestor, IOperation operation) => ancestor.Syntax.Encloses(operation.Syntax);

    private static string? FreshStreamArgument(DropoutCall backward, DropoutSymbols symbols)
    {
        foreach (IOperation operation in backward.Offset!.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "Reserve" } reserve && SymbolEqualityComparer.Default.Equals(reserve.TargetMethod.ContainingType, symbols.DropoutStream))
            {
                return "reserves a fresh stream offset instead of reusing the forward's (DropoutStream.LastOffset)";
            }

            if (operation is IPropertyReferenceOperation { Property.Name: "Position" } position && SymbolEqualityComparer.Default.Equals(position.Property.ContainingType, symbols.DropoutStream))
            {
                return "reads the stream's next position instead of the forward's offset (DropoutStream.LastOffset)";
            }
        }

        foreach (IOperation operation in backward.Seed!.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation { TargetMethod.ContainingType: { Name: "Random", ContainingNamespace.Name: "System" } }
                || operation is IPropertyReferenceOperation { Property.Name: "TickCount" or "TickCount64" or "Now" or "UtcNow" })
            {
                return "draws a fresh seed instead of reusing the forward's";
            }
        }

        return null;
    }

    private static DropoutCall? PrecedingRegeneratingForward(List<DropoutCall> calls, int backwardIndex)
    {
        DropoutCall? found = null;
        for (int index = 0; index < backwardIndex; index++)
        {
            if (calls[index].Kind == DropoutCallKind.RegeneratingForward)
            {
                if (found is not null)
                {
                    // Several forwards: which one this backward belongs to is not known here.
                    return null;
                }

                found = calls[index];
            }
        }

        return found;
    }

    private static bool SameStreamPosition(DropoutCall forward, DropoutCall backward) =>
        SameValue(forward.Seed!, backward.Seed!) && SameValue(forward.Offset!, backward.Offset!);

    // Same constant, same variable, or the same text; anything else is treated as the same (unknown), so only clear differences count.
    private static bool SameValue(IOperation a, IOperation b)
    {
        a = HandWrittenDropoutSite.StripConversions(a);
        b = HandWrittenDropoutSite.StripConversions(b);
        if (a.ConstantValue.HasValue && b.ConstantValue.HasValue)
        {
            return Equals(a.ConstantValue.Value, b.ConstantValue.Value);
        }

        ISymbol? symbolA = HandWrittenDropoutSite.ReferencedSymbol(a);
        ISymbol? symbolB = HandWrittenDropoutSite.ReferencedSymbol(b);
        bool aIsSimple = a.ConstantValue.HasValue || symbolA is ILocalSymbol or IParameterSymbol;
        bool bIsSimple = b.ConstantValue.HasValue || symbolB is ILocalSymbol or IParameterSymbol;
        if (aIsSimple && bIsSimple)
        {
            return symbolA is not null && SymbolEqualityComparer.Default.Equals(symbolA, symbolB);
        }

        return true;
    }

    private enum DropoutCallKind
    {
        Forward,
        Backward,
        RegeneratingForward,
        RegeneratingBackward,
    }

    /// <summary>A forward or backward call on a kernel (keyed by its mask) or on a layer (keyed by the layer variable).</summary>
    private sealed class DropoutCall
    {
        private DropoutCall(IInvocationOperation invocation, DropoutCallKind kind, ISymbol? key, bool isKernel, IOperation? seed = null, IOperation? offset = null)
        {
            Invocation = invocation;
            Kind = kind;
            Key = key;
            IsKernel = isKernel;
            Seed = seed;
            Offset = offset;
        }

        public IInvocationOperation Invocation { get; }

        public DropoutCallKind Kind { get; }

        public ISymbol? Key { get; }

        public bool IsKernel { get; }

        public IOperation? Seed { get; }

        public IOperation? Offset { get; }

        public static DropoutCall? TryClassify(IInvocationOperation invocation, DropoutSymbols symbols)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.DropoutKernels))
            {
                IOperation? mask = Argument(invocation, "mask");
                IOperation? seed = Argument(invocation, "seed");
                IOperation? offset = Argument(invocation, "offset");
                return method.Name switch
                {
                    "Forward" or "FillMask" when mask is not null => new DropoutCall(invocation, DropoutCallKind.Forward, MaskSymbol(mask), isKernel: true),
                    "Forward" when seed is not null && offset is not null => new DropoutCall(invocation, DropoutCallKind.RegeneratingForward, null, isKernel: true, seed, offset),
                    "Backward" when mask is not null => new DropoutCall(invocation, DropoutCallKind.Backward, MaskSymbol(mask), isKernel: true),
                    "Backward" when seed is not null && offset is not null => new DropoutCall(invocation, DropoutCallKind.RegeneratingBackward, null, isKernel: true, seed, offset),
                    _ => null,
                };
            }

            // The name first: this runs for every invocation of the compilation, and reading the receiver type's attributes
            // is the expensive part.
            DropoutCallKind? kind = method.Name switch
            {
                "Forward" or "DropoutForward" => DropoutCallKind.Forward,
                "Backward" or "DropoutBackward" => DropoutCallKind.Backward,
                _ => null,
            };
            if (kind is { } layerKind && invocation.Instance is { } instance && symbols.IsDropoutSiteType(instance.Type) && HandWrittenDropoutSite.ReferencedSymbol(instance) is { } layer)
            {
                return new DropoutCall(invocation, layerKind, layer, isKernel: false);
            }

            return null;
        }

        private static IOperation? Argument(IInvocationOperation invocation, string parameterName)
        {
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name == parameterName)
                {
                    return argument.Value;
                }
            }

            return null;
        }

        // The array behind a mask argument: mask, mask.AsSpan(...), or new Span<byte>(mask).
        private static ISymbol? MaskSymbol(IOperation mask)
        {
            mask = HandWrittenDropoutSite.StripConversions(mask);
            if (mask is IInvocationOperation { TargetMethod.Name: "AsSpan" or "AsMemory" } asSpan)
            {
                mask = HandWrittenDropoutSite.StripConversions(asSpan.Instance ?? (asSpan.Arguments.Length > 0 ? asSpan.Arguments[0].Value : asSpan));
            }

            return HandWrittenDropoutSite.ReferencedSymbol(mask);
        }
    }
}
