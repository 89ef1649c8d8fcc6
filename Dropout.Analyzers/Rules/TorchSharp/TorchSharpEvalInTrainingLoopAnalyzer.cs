using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP025: <c>eval()</c> (directly, or in a helper such as <c>Evaluate(model)</c>) inside a loop that steps an
/// optimizer, with no <c>train()</c> between it and the next <c>step()</c> around the loop, or the next iteration's run
/// of the same model: every later iteration trains with dropout off. The loop is followed around its back edge, so
/// <c>train()</c> at the top of the epoch counts.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpEvalInTrainingLoopAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpEvalInTrainingLoop);

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
            flow.RegisterBlockAnalysis(start, (block, events, loops) => Analyze(block, events, loops, flow.Models));
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, ImmutableArray<FlowEvent> events, ImmutableArray<ILoopOperation> loops, TorchSharpModels models)
    {
        if (loops.IsEmpty
            || !events.Any(e => e.Kind == FlowKind.Eval)
            || !events.Any(e => e.Kind == FlowKind.Step)
            || TorchSharpSymbols.IsMonteCarloOptIn(context.OwningSymbol))
        {
            return;
        }

        var reported = new HashSet<int>();
        foreach (FlowEvent eval in events.Where(e => e.Kind == FlowKind.Eval))
        {
            // The innermost loop around this eval() that steps an optimizer.
            ILoopOperation? loop = loops
                .Where(l => TorchSharpModeFlow.Contains(l, eval.Position) && events.Any(e => e.Kind == FlowKind.Step && TorchSharpModeFlow.Contains(l, e.Position)))
                .OrderBy(l => l.Syntax.Span.Length)
                .FirstOrDefault();
            if (loop is null || !AffectsDropout(eval.Invocation, models) || !reported.Add(eval.Position))
            {
                continue;
            }

            ImmutableArray<FlowEvent> inLoop = events.Where(e => TorchSharpModeFlow.Contains(loop, e.Position)).ToImmutableArray();
            int index = IndexOf(inLoop, eval);
            if (NextModeOrStep(inLoop, index, EvaluatedModels(eval.Invocation)) is FlowKind.Step or FlowKind.Run)
            {
                string what = eval.ViaHelper ? $"'{HelperName(eval.Invocation)}(...)', which calls eval()," : $"'{eval.Invocation.Syntax}'";
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TorchSharpEvalInTrainingLoop, eval.Invocation.Syntax.GetLocation(), what));
            }
        }
    }

    // eval() on a module whose type shows no dropout (a model class of yours without any, TorchSharp's own layers)
    // changes nothing this rule is about; for a helper, the modules passed to it are the ones it evaluates.
    private static bool AffectsDropout(IOperation call, TorchSharpModels models)
    {
        if (call is not IInvocationOperation invocation)
        {
            return true;
        }

        if (models.Symbols.ModeCall(invocation) is not null)
        {
            return invocation.Instance is null || models.HasDropout(invocation.Instance.Type) != false;
        }

        ITypeSymbol?[] modules = invocation.Arguments
            .Select(argument => argument.Value is IConversionOperation { IsImplicit: true } conversion ? conversion.Operand.Type : argument.Value.Type)
            .Where(models.Symbols.IsModuleType)
            .ToArray();
        return modules.Length == 0 || modules.Any(type => models.HasDropout(type) != false);
    }

    private static string HelperName(IOperation call) => call switch
    {
        IInvocationOperation invocation => invocation.TargetMethod.Name,
        _ => call.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax ? TorchSharpModels.InvokedName(syntax) ?? "helper" : "helper",
    };

    private static int IndexOf(ImmutableArray<FlowEvent> events, FlowEvent target)
    {
        // A helper call carries several events at one position: start after the last eval() it makes.
        int index = -1;
        for (int i = 0; i < events.Length; i++)
        {
            if (events[i].Position == target.Position && events[i].Invocation == target.Invocation && events[i].Kind == FlowKind.Eval)
            {
                index = i;
            }
        }

        return index;
    }

    // Walks on from the eval() around the loop's back edge: train() first is right; step() first is the bug, and so is
    // a run of the evaluated model in the next iteration (the training forward, computed with dropout off even when
    // train() comes before the step). Runs before the back edge are the validation pass itself.
    private static FlowKind? NextModeOrStep(ImmutableArray<FlowEvent> events, int index, ImmutableHashSet<ISymbol> evaluated)
    {
        for (int k = 1; k < events.Length; k++)
        {
            FlowEvent e = events[(index + k) % events.Length];
            if (e.Kind is FlowKind.Train or FlowKind.Step)
            {
                return e.Kind;
            }

            if (e.Kind == FlowKind.Run && index + k >= events.Length && !e.ViaHelper
                && e.Invocation is IInvocationOperation { Instance: { } receiver } && TorchSharpModeFlow.ReceiverSymbol(receiver) is { } model && evaluated.Contains(model))
            {
                return FlowKind.Run;
            }

            if (e.Kind == FlowKind.Eval && e.Invocation == events[index].Invocation)
            {
                break;
            }
        }

        return null;
    }

    // The variables that name the models an eval() switches: its receiver, or the module arguments of a helper that
    // calls eval().
    private static ImmutableHashSet<ISymbol> EvaluatedModels(IOperation call)
    {
        if (call is not IInvocationOperation invocation)
        {
            return ImmutableHashSet<ISymbol>.Empty;
        }

        IEnumerable<IOperation> receivers = invocation.TargetMethod.Name is "eval" or "train" && invocation.Instance is { } instance
            ? new[] { instance }
            : invocation.Arguments.Select(argument => argument.Value);
        return receivers.Select(TorchSharpModeFlow.ReceiverSymbol).Where(symbol => symbol is not null).ToImmutableHashSet(SymbolEqualityComparer.Default)!;
    }
}
