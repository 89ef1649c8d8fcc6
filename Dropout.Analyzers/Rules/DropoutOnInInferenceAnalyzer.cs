using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP006: inference code that turns dropout on: it switches its context to training and then runs a model, calls
/// <c>DropoutKernels.Forward</c> unconditionally, or calls a method of the same file that does either.
/// </summary>
/// <remarks>
/// A switch back to training after the inference work (restoring the mode for the next training step) runs nothing
/// afterwards and is not reported. Monte Carlo dropout, opted into with <c>[MonteCarloDropout]</c> or entered with
/// <c>ctx.MonteCarlo()</c>, is deliberate and never reported.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropoutOnInInferenceAnalyzer : DiagnosticAnalyzer
{
    // How far a call into a method of the same file is followed.
    private const int MaxCallDepth = 3;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutOnInInference);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (InferenceCode.TryCreate(start.Compilation) is not { } inference)
            {
                return;
            }

            var callees = new ModeSwitchingCallees(start.Compilation, MaxCallDepth);

            start.RegisterOperationBlockAction(block =>
            {
                // The method is judged by its symbol and declaration first (every method of the compilation comes here, few are
                // inference code); its operation blocks are read only for inference code.
                if (block.OwningSymbol is not IMethodSymbol method
                    || InferenceCode.BodyTree(method) is not { } tree
                    || !inference.IsInferenceMethod(method, block.Options, tree)
                    || block.OperationBlocks.IsEmpty)
                {
                    return;
                }

                foreach (IOperation root in block.OperationBlocks)
                {
                    foreach ((IOperation operation, string reason) in FindDropoutForcing(root, inference, callees, depth: 0, block.CancellationToken))
                    {
                        block.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutOnInInference, operation.Syntax.GetLocation(), method.Name, reason));
                    }
                }
            });
        });
    }

    private static List<(IOperation Operation, string Reason)> FindDropoutForcing(IOperation root, InferenceCode inference, ModeSwitchingCallees callees, int depth, CancellationToken cancellationToken)
    {
        var found = new List<(IOperation, string)>();
        var trainingSwitches = new List<IOperation>();
        var runs = new List<IOperation>();
        var unguardedKernelCalls = new List<IOperation>();
        var localCalls = new List<IInvocationOperation>();
        bool readsMode = false;

        foreach (IOperation operation in root.DescendantsAndSelf())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (inference.ReadsMode(operation))
            {
                readsMode = true;
                continue;
            }

            switch (inference.SwitchedMode(operation))
            {
                case (int)InferenceCode.ModeValue.MonteCarlo:
                    // Deliberate Monte Carlo dropout: nothing in this method is an accident.
                    return found;
                case (int)InferenceCode.ModeValue.Training:
                    trainingSwitches.Add(operation);
                    continue;
                case not null:
                    continue;
            }

            if (operation is not IInvocationOperation invocation)
            {
                continue;
            }

            if (inference.IsKernelForward(invocation))
            {
                runs.Add(invocation);
                if (!IsUnderCondition(invocation, root))
                {
                    unguardedKernelCalls.Add(invocation);
                }
            }
            else
            {
                if (inference.RunsModelWithDropout(invocation))
                {
                    runs.Add(invocation);
                }

                if (IsInSameFile(invocation, root))
                {
                    localCalls.Add(invocation);
                }
            }
        }

        // One graph for all the switches of this body (it was built anew for each), and none for a body without a switch.
        ControlFlowGraph? graph = null;
        bool graphBuilt = false;
        foreach (IOperation trainingSwitch in trainingSwitches)
        {
            if (!graphBuilt)
            {
                graph = GraphOf(root, cancellationToken);
                graphBuilt = true;
            }

            if (RunsWhileTraining(graph, trainingSwitch, runs, inference, cancellationToken))
            {
                found.Add((trainingSwitch, "it switches dropout to training before running the model"));
            }
        }

        if (!readsMode)
        {
            foreach (IOperation kernelCall in unguardedKernelCalls)
            {
                found.Add((kernelCall, "it calls DropoutKernels." + ((IInvocationOperation)kernelCall).TargetMethod.Name + ", which applies dropout whatever the mode"));
            }
        }

        if (depth < MaxCallDepth)
        {
            foreach (IInvocationOperation call in localCalls)
            {
                // The callee's syntax is read first: binding it (its operation tree) is what following a call costs.
                SyntaxNode declaration = call.TargetMethod.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
                if (callees.MayTurnDropoutOn(declaration, depth + 1, cancellationToken)
                    && !inference.IsMonteCarloOptIn(call.TargetMethod)
                    && call.SemanticModel?.GetOperation(declaration, cancellationToken) is { } body
                    && FindDropoutForcing(body, inference, callees, depth + 1, cancellationToken).Count > 0)
                {
                    found.Add((call, "it calls '" + call.TargetMethod.Name + "', which turns dropout on"));
                }
            }
        }

        return found;
    }

    // The graph of the whole body the operation belongs to; none for an expression body.
    private static ControlFlowGraph? GraphOf(IOperation root, CancellationToken cancellationToken) =>
        root.TreeRoot() switch
        {
            IMethodBodyOperation methodBody => ControlFlowGraph.Create(methodBody, cancellationToken),
            IBlockOperation block => ControlFlowGraph.Create(block, cancellationToken),
            _ => null,
        };

    // Whether some path of the control-flow graph runs the model after this switch to training, before another mode is
    // entered or the training scope ends; without a graph (an expression body), whether a run follows in the source.
    private static bool RunsWhileTraining(ControlFlowGraph? graph, IOperation trainingSwitch, List<IOperation> runs, InferenceCode inference, CancellationToken cancellationToken)
    {
        if (graph is null)
        {
            return runs.Any(run => run.Syntax.SpanStart > trainingSwitch.Syntax.SpanStart);
        }

        var runSyntax = new HashSet<SyntaxNode>(runs.Select(run => run.Syntax));
        Dictionary<SyntaxNode, bool> reached = ModeFlow.SwitchedOnSomePath(
            graph,
            operation => operation.Syntax == trainingSwitch.Syntax && inference.SwitchedMode(operation) is not null,
            operation => (operation.Syntax != trainingSwitch.Syntax && inference.SwitchedMode(operation) is not null)
                || (operation is IInvocationOperation { TargetMethod.Name: "Dispose", Instance: { } instance } && HandWrittenDropoutSite.StripConversions(instance).Type?.Name == "DropoutModeScope"),
            operation => operation is IInvocationOperation && runSyntax.Contains(operation.Syntax),
            cancellationToken);
        return reached.Values.Any(isReached => isReached);
    }

    private static bool IsUnderCondition(IOperation operation, IOperation root)
    {
        for (IOperation? current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IConditionalOperation or ICoalesceOperation or IConditionalAccessOperation or ISwitchOperation or ISwitchExpressionOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInSameFile(IInvocationOperation invocation, IOperation root)
    {
        IMethodSymbol target = invocation.TargetMethod;
        // A local function declared inside this method is already part of its operations.
        return target.MethodKind is MethodKind.Ordinary or MethodKind.LocalFunction
            && target.DeclaringSyntaxReferences.Length == 1
            && target.DeclaringSyntaxReferences[0].SyntaxTree == root.Syntax.SyntaxTree
            && !root.Syntax.Span.Contains(target.DeclaringSyntaxReferences[0].Span);
    }
}
