using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP010: a dropout mask that does not change between iterations. Reported for a hand-written mask applied in a
/// training loop (beyond the loop over the mask's own elements) when some path applies it in one iteration and again in
/// a later one with no draw in between — answered on the control-flow graph (<see cref="IterationFlow"/>), so a draw in
/// one branch only, or below the use in the source, is judged by the paths that run it; a hand-written mask field drawn
/// in a constructor; and <c>DropoutKernels.Forward</c>/<c>FillMask</c> called in a loop with a seed and offset that the
/// loop never changes, which regenerates the identical mask on every iteration.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MaskReusedAcrossIterationsAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] TrainingWords = ["epoch", "iter", "batch", "sample", "backward", "step", "update", "train"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.MaskReusedAcrossIterations);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? kernels = start.Compilation.GetTypeByMetadataName("Dropout.DropoutKernels");
            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (kernels is not null && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, kernels))
                    {
                        AnalyzeKernelCall(operationContext, invocation);
                    }
                    else if (HandWrittenDropoutSite.TryRecognize(invocation) is { MaskSymbol: { } mask } site)
                    {
                        AnalyzeHandWrittenMask(operationContext, site, mask);
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static void AnalyzeHandWrittenMask(OperationAnalysisContext context, HandWrittenDropoutSite site, ISymbol mask)
    {
        if (mask is IFieldSymbol && context.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor })
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.MaskReusedAcrossIterations,
                site.Comparison.Syntax.GetLocation(),
                "The mask '" + mask.Name + "' is drawn once, in the constructor, and applied on every call"));
            return;
        }

        // Cheap first: the mask's uses inside a training loop that is not the loop over the mask's own elements. Only
        // a member with such a use pays for the control-flow graph.
        IOperation body = site.Draw.TreeRoot();
        var usesByLoop = new Dictionary<ILoopOperation, HashSet<SyntaxNode>>();
        var uses = new HashSet<SyntaxNode>();
        var writes = new HashSet<SyntaxNode>();
        var drawLoops = new List<ILoopOperation>();
        var trainingLoops = new Dictionary<ILoopOperation, bool>();
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is IVariableDeclaratorOperation { Initializer: not null } declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, mask))
            {
                // `float[] mask = new float[n];` in the loop: a new array each time (the graph writes it as an assignment).
                writes.Add(declarator.Syntax);
                continue;
            }

            if (IsMaskWrite(operation, mask, out IArrayElementReferenceOperation? writtenElement))
            {
                writes.Add(operation.Syntax);
                if (writtenElement is not null && EnclosingLoops(writtenElement, body).FirstOrDefault(loop => IsLoopOverElements(loop, writtenElement)) is { } drawLoop)
                {
                    drawLoops.Add(drawLoop);
                }

                continue;
            }

            if (operation is not IArrayElementReferenceOperation element
                || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference), mask)
                || (operation.Parent is IAssignmentOperation assignment && assignment.Target == operation))
            {
                continue;
            }

            uses.Add(element.Syntax);
            foreach (ILoopOperation loop in EnclosingLoops(element, body))
            {
                if (!IsLoopOverElements(loop, element) && IsTrainingLoop(loop, trainingLoops))
                {
                    if (!usesByLoop.TryGetValue(loop, out HashSet<SyntaxNode>? inLoop))
                    {
                        usesByLoop[loop] = inLoop = new HashSet<SyntaxNode>();
                    }

                    inLoop.Add(element.Syntax);
                }
            }
        }

        if (usesByLoop.Count == 0)
        {
            return;
        }

        // Then the question on the control-flow graph: on some path, is the mask used in one iteration of the loop and
        // again in a later one with no draw in between? A loop that draws the mask element by element counts as one draw
        // as soon as it starts (its header runs): the path on which it runs zero times is one where the mask is empty.
        ControlFlowGraph graph = context.GetControlFlowGraph();
        ILoopOperation[] loops = body.Descendants().OfType<ILoopOperation>().ToArray();
        bool Draws(IOperation operation) =>
            writes.Contains(operation.Syntax) && operation is IAssignmentOperation or IIncrementOrDecrementOperation or IInvocationOperation or IObjectCreationOperation
            || drawLoops.Any(loop => InHeader(loop, operation));
        bool IsUse(IOperation operation) => operation is IArrayElementReferenceOperation && uses.Contains(operation.Syntax);
        foreach (KeyValuePair<ILoopOperation, HashSet<SyntaxNode>> pair in usesByLoop)
        {
            IOperation? reused = IterationFlow.FirstReusedUse(
                graph,
                pair.Key,
                loops,
                Draws,
                IsUse,
                operation => pair.Value.Contains(operation.Syntax),
                context.CancellationToken);
            if (reused is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MaskReusedAcrossIterations,
                    reused.Syntax.GetLocation(),
                    "The mask '" + mask.Name + "' is applied again in a later iteration of this loop with no new draw on some path"));
                return;
            }
        }
    }

    // A write of the mask or of one of its elements (mask[i] = ..., mask = ..., mask[i] *= ...), or a call that receives
    // the whole mask (FillBernoulli(mask, ...), Array.Clear(mask)): any of them may draw it anew, and a rule that must
    // not report correct code counts each as a draw.
    private static bool IsMaskWrite(IOperation operation, ISymbol mask, out IArrayElementReferenceOperation? element)
    {
        element = null;
        IOperation? target = operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            _ => null,
        };
        if (target is not null)
        {
            if (target is IArrayElementReferenceOperation written && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(written.ArrayReference), mask))
            {
                element = written;
                return true;
            }

            return SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(target), mask);
        }

        return operation is IInvocationOperation or IObjectCreationOperation
            && (operation is IInvocationOperation invocation ? invocation.Arguments : ((IObjectCreationOperation)operation).Arguments)
                .Any(argument => SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(argument.Value), mask));
    }

    // Whether the operation (of the control-flow graph, which keeps the source syntax) is part of the loop's header:
    // its initializer, condition or increment, run when the loop starts and between its iterations.
    private static bool InHeader(ILoopOperation loop, IOperation operation) =>
        loop.Syntax.Encloses(operation.Syntax) && !loop.Body.Syntax.Encloses(operation.Syntax);

    private static void AnalyzeKernelCall(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.Name is not ("Forward" or "FillMask")
            || Argument(invocation, "seed") is not { } seed
            || Argument(invocation, "offset") is not { } offset)
        {
            return;
        }

        IOperation body = invocation.TreeRoot();
        foreach (ILoopOperation loop in EnclosingLoops(invocation, body))
        {
            if (IsTrainingLoop(loop) && IsInvariantIn(seed, loop) && IsInvariantIn(offset, loop))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MaskReusedAcrossIterations,
                    invocation.Syntax.GetLocation(),
                    "DropoutKernels." + invocation.TargetMethod.Name + " is called with the same seed and offset in every iteration of this loop, which regenerates the same mask"));
                return;
            }
        }
    }

    // A value the loop cannot change: no calls (Reserve, Next), and no variable that the loop assigns or declares.
    private static bool IsInvariantIn(IOperation value, ILoopOperation loop)
    {
        var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in value.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IInvocationOperation or IIncrementOrDecrementOperation or IAssignmentOperation:
                    return false;
                case IPropertyReferenceOperation:
                    // A property can change behind the loop's back (stream.Position); not certain.
                    return false;
                default:
                    if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
                    {
                        read.Add(symbol);
                    }

                    break;
            }
        }

        if (read.Count == 0)
        {
            return true;
        }

        foreach (IOperation operation in loop.DescendantsAndSelf())
        {
            IOperation? target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };
            if (target is not null && HandWrittenDropoutSite.ReferencedSymbol(target) is { } assigned && read.Contains(assigned))
            {
                return false;
            }

            if (operation is IVariableDeclaratorOperation declarator && read.Contains(declarator.Symbol))
            {
                return false;
            }
        }

        return !loop.Locals.Any(read.Contains)
            && !(loop is IForEachLoopOperation forEach && forEach.LoopControlVariable is IVariableDeclaratorOperation control && read.Contains(control.Symbol));
    }

    // Variational ("locked") dropout shares one mask across the time steps of a sequence on purpose, so a loop only
    // counts when it is recognizably a training loop: its variable or collection speaks of epochs, iterations,
    // batches or samples, or its body runs a training step (Backward, Step, Update, Train).
    private static bool IsTrainingLoop(ILoopOperation loop, Dictionary<ILoopOperation, bool> known)
    {
        if (!known.TryGetValue(loop, out bool training))
        {
            known[loop] = training = IsTrainingLoop(loop);
        }

        return training;
    }

    private static bool IsTrainingLoop(ILoopOperation loop)
    {
        foreach (IOperation operation in loop.DescendantsAndSelf())
        {
            string? name = operation switch
            {
                IVariableDeclaratorOperation declarator when IsPartOfLoopHeader(declarator, loop) => declarator.Symbol.Name,
                ILocalReferenceOperation local when IsPartOfLoopHeader(local, loop) => local.Local.Name,
                IFieldReferenceOperation field when IsPartOfLoopHeader(field, loop) => field.Field.Name,
                IParameterReferenceOperation parameter when IsPartOfLoopHeader(parameter, loop) => parameter.Parameter.Name,
                IInvocationOperation invocation => invocation.TargetMethod.Name,
                _ => null,
            };
            if (name is not null && TrainingWords.Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
                && name.IndexOf("time", StringComparison.OrdinalIgnoreCase) < 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPartOfLoopHeader(IOperation operation, ILoopOperation loop) =>
        loop.Body is null || !loop.Body.Syntax.Encloses(operation.Syntax);

    // The loop that walks the mask's own elements: its loop variable indexes the element.
    private static bool IsLoopOverElements(ILoopOperation loop, IArrayElementReferenceOperation element)
    {
        foreach (IOperation index in element.Indices)
        {
            foreach (IOperation operation in index.DescendantsAndSelf())
            {
                if (operation is ILocalReferenceOperation local && IsLoopVariable(loop, local.Local))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // for (int i = ...; ...; i++), foreach (var i in ...), or while (...) { ...; i++; }.
    private static bool IsLoopVariable(ILoopOperation loop, ILocalSymbol local) => loop switch
    {
        _ when loop.Locals.Contains(local, SymbolEqualityComparer.Default) => true,
        IForLoopOperation forLoop => forLoop.Before.Any(before => Writes(before, local)),
        IWhileLoopOperation => loop.Body.DescendantsAndSelf().Any(operation => operation is IIncrementOrDecrementOperation increment && IsLocal(increment.Target, local)),
        _ => false,
    };

    private static bool Writes(IOperation operation, ILocalSymbol local) =>
        operation.DescendantsAndSelf().Any(descendant =>
            (descendant is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
            || (descendant is ISimpleAssignmentOperation assignment && IsLocal(assignment.Target, local)));

    private static bool IsLocal(IOperation operation, ILocalSymbol local) =>
        HandWrittenDropoutSite.ReferencedSymbol(operation) is ILocalSymbol referenced && SymbolEqualityComparer.Default.Equals(referenced, local);

    private static IEnumerable<ILoopOperation> EnclosingLoops(IOperation operation, IOperation root)
    {
        for (IOperation? current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                yield break;
            }

            if (current is ILoopOperation loop)
            {
                yield return loop;
            }
        }
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
}
