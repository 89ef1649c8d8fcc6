using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP024: a module that may run dropout is run for inference while it is not known to be in evaluation mode: in an
/// evaluation or prediction method (named like Evaluate, Predict, Test, ...; configurable) before any <c>eval()</c>,
/// or, in any method, after a training loop (a loop that steps an optimizer) left it in training mode.
/// <c>torch.no_grad()</c> does not count: it does not switch dropout off. A <c>[MonteCarloDropout]</c> method, or an
/// evaluation method that calls <c>train()</c> itself (Monte Carlo sampling), is never reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpInferenceWithoutEvalAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the receiver expression the fix calls <c>eval()</c> on.</summary>
    public const string ReceiverProperty = "Receiver";

    /// <summary>The diagnostic property that says whether the fix may call <c>eval()</c> before the method's outermost statement (the receiver is a parameter, field or <c>this</c>).</summary>
    public const string OutermostProperty = "Outermost";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpInferenceWithoutEval);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (TorchSharpSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            var flow = new TorchSharpModeFlow(new TorchSharpModels(start.Compilation, symbols));
            flow.RegisterBlockAnalysis(start, (block, events, loops) => Analyze(block, events, loops, flow));
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, ImmutableArray<FlowEvent> events, ImmutableArray<ILoopOperation> loops, TorchSharpModeFlow flow)
    {
        if (context.OwningSymbol is not IMethodSymbol method || !events.Any(e => e.Kind == FlowKind.Run) || TorchSharpSymbols.IsMonteCarloOptIn(method))
        {
            return;
        }

        bool inference = flow.IsInferenceMethod(method, context.Options, context.OperationBlocks[0].Syntax.SyntaxTree);

        // Outermost loops that step an optimizer: runs inside them are training, and they leave the model training.
        ImmutableArray<ILoopOperation> stepLoops = loops
            .Where(loop => events.Any(e => e.Kind == FlowKind.Step && TorchSharpModeFlow.Contains(loop, e.Position)))
            .ToImmutableArray();
        stepLoops = stepLoops.Where(loop => !stepLoops.Any(outer => outer != loop && outer.Syntax.Span.Contains(loop.Syntax.Span))).ToImmutableArray();
        if (!inference && stepLoops.IsEmpty)
        {
            return;
        }

        State state = inference ? State.NotEval : State.Unknown;
        var applied = new HashSet<ILoopOperation>();
        var lastModeInLoop = new Dictionary<ILoopOperation, FlowKind>();
        foreach (FlowEvent e in events)
        {
            if (stepLoops.FirstOrDefault(loop => TorchSharpModeFlow.Contains(loop, e.Position)) is { } loop)
            {
                if (e.Kind is FlowKind.Eval or FlowKind.Train)
                {
                    lastModeInLoop[loop] = e.Kind;
                }

                continue;
            }

            foreach (ILoopOperation finished in stepLoops)
            {
                if (finished.Syntax.Span.End <= e.Position && applied.Add(finished) && state != State.Deliberate)
                {
                    state = lastModeInLoop.TryGetValue(finished, out FlowKind last) && last == FlowKind.Eval ? State.Eval : State.NotEval;
                }
            }

            switch (e.Kind)
            {
                case FlowKind.Eval:
                    if (state != State.Deliberate)
                    {
                        state = State.Eval;
                    }

                    break;
                case FlowKind.Train:
                    // In an evaluation method, train() is a deliberate choice (Monte Carlo dropout: the whole model, or
                    // its dropout modules only after eval()); after a training loop it is training again.
                    state = inference || state == State.Deliberate ? State.Deliberate : State.NotEval;
                    break;
                case FlowKind.Run when state == State.NotEval && !e.ViaHelper && e.Invocation is IInvocationOperation run && RunsDropout(run, flow):
                    // An evaluation helper whose callers all call eval() before calling it is right as it is.
                    // So is one that runs a model its class keeps in evaluation mode (eval() once, after loading).
                    // So is a framework hook (an override of a base type's method) whose callers switch to eval() first.
                    if (!(inference && TorchSharpModeFlow.CallersPutInEval(method, context.CancellationToken))
                        && !(inference && TorchSharpFrameworkHooks.CallersPutInEval(method, context.Compilation, context.CancellationToken))
                        && !(ReceiverMember(run) is { } member && TorchSharpModeFlow.MemberIsKeptInEval(member, context.CancellationToken)))
                    {
                        Report(context, method, run, inference);
                    }

                    return;
            }
        }
    }

    private static ISymbol? ReceiverMember(IInvocationOperation run) => run.Instance switch
    {
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    private static bool RunsDropout(IInvocationOperation run, TorchSharpModeFlow flow)
    {
        ITypeSymbol? type = run.Instance?.Type ?? run.TargetMethod.ContainingType;
        return flow.Models.MayContainDropout(type);
    }

    private static void Report(OperationBlockAnalysisContext context, IMethodSymbol method, IInvocationOperation run, bool inference)
    {
        IOperation? receiver = run.Instance;
        string receiverText = receiver is null or IInstanceReferenceOperation { IsImplicit: true } ? "this" : receiver.Syntax.ToString();
        bool outermost = receiver is null or IInstanceReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation;
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(ReceiverProperty, receiverText)
            .Add(OutermostProperty, outermost ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.TorchSharpInferenceWithoutEval,
            run.Syntax.GetLocation(),
            properties,
            method.IsImplicitlyDeclared || method.Name.StartsWith("<", StringComparison.Ordinal) ? "The top-level program" : "'" + method.Name + "'",
            receiverText,
            inference ? "for evaluation" : "after the training loop"));
    }

    private enum State
    {
        Unknown,
        NotEval,
        Eval,
        Deliberate,
    }
}
