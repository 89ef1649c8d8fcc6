using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP023: a functional dropout whose <c>training</c> parameter defaults to <see langword="false"/> (in TorchSharp 0.107
/// <c>alpha_dropout</c> and <c>feature_alpha_dropout</c>) called without it in training code (a module's instance code,
/// or a method that steps an optimizer): it is the identity. The default is read from the referenced TorchSharp, not
/// assumed, so a version that changes it changes what is reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpFunctionalDropoutNeverDropsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpFunctionalDropoutNeverDrops);

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
        IMethodSymbol method = invocation.TargetMethod;
        if (!symbols.IsFunctionalDropout(method)
            || TorchSharpSymbols.TrainingParameter(method) is not { HasExplicitDefaultValue: true, ExplicitDefaultValue: false } training
            || invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(a.Parameter, training) && a.ArgumentKind != ArgumentKind.DefaultValue))
        {
            return;
        }

        bool inModule = TorchSharpFunctionalDropout.IsInModuleInstanceCode(context.ContainingSymbol, symbols);
        if (!inModule && !StepsAnOptimizer(invocation, symbols))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.TorchSharpFunctionalDropoutNeverDrops,
            invocation.Syntax.GetLocation(),
            TorchSharpFunctionalDropout.Properties(inModule ? TorchSharpFunctionalDropout.AddArgument : null),
            method.Name));
    }

    // Training code outside a module: the method (or lambda) around the call also steps an optimizer.
    private static bool StepsAnOptimizer(IOperation operation, TorchSharpSymbols symbols)
    {
        IOperation root = operation.TreeRoot();

        return root.Descendants().OfType<IInvocationOperation>().Any(symbols.IsOptimizerStep);
    }
}
