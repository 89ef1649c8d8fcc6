using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP021: a dropout module created on every call, inside a module's <c>forward</c>, or created and run at once
/// (<c>nn.Dropout(p).forward(x)</c>) in a module's instance code. A new module starts in training mode and is not a
/// registered submodule, so <c>eval()</c> never reaches it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpDropoutCreatedInForwardAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpDropoutCreatedInForward);

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

            start.RegisterOperationAction(operation => Analyze(operation, symbols), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TorchSharpSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!symbols.IsDropoutFactory(invocation.TargetMethod)
            || context.ContainingSymbol is not IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } method
            || !symbols.IsSourceModuleClass(method.ContainingType)
            || TorchSharpSymbols.IsMonteCarloOptIn(method))
        {
            return;
        }

        if (!IsForward(method) && !IsRunAtOnce(invocation, symbols))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.TorchSharpDropoutCreatedInForward,
            invocation.Syntax.GetLocation(),
            invocation.Syntax.ToString(),
            invocation.TargetMethod.ReturnType.Name,
            method.Name));
    }

    // forward itself, or an override of it (whatever its arity: Module<T, TResult>, Module<T1, T2, TResult>, ...).
    private static bool IsForward(IMethodSymbol method) => method.Name == "forward";

    // nn.Dropout(p).forward(x) / .call(x): a module made to be run once.
    private static bool IsRunAtOnce(IInvocationOperation creation, TorchSharpSymbols symbols)
    {
        IOperation? parent = creation.Parent;
        while (parent is IConversionOperation)
        {
            parent = parent.Parent;
        }

        return parent is IInvocationOperation run && run.Instance is not null && symbols.IsModuleRun(run)
            && (run.Instance == creation || run.Instance.Descendants().Contains(creation));
    }
}
