using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP022: <c>functional.dropout</c> (or a 1d/2d/3d form) inside a module's instance code that leaves <c>training</c>
/// at its default <see langword="true"/> or passes a constant <see langword="true"/>: <c>eval()</c> cannot switch it
/// off. The fix passes <c>training: this.training</c>. Not reported: a call reached only while the module trains
/// (<see cref="TorchSharpTrainingGuard"/>), and a constant <see langword="true"/> the program uses as Monte Carlo dropout
/// (<see cref="TorchSharpMonteCarloUse"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpFunctionalDropoutIgnoresTrainingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpFunctionalDropoutIgnoresTraining);

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

            var monteCarlo = new TorchSharpMonteCarloUse(start.Compilation, symbols);
            start.RegisterOperationAction(operation => Analyze(operation, symbols, monteCarlo), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TorchSharpSymbols symbols, TorchSharpMonteCarloUse monteCarlo)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (!symbols.IsFunctionalDropout(method)
            || TorchSharpSymbols.TrainingParameter(method) is not { HasExplicitDefaultValue: true, ExplicitDefaultValue: true } training
            || !TorchSharpFunctionalDropout.IsInModuleInstanceCode(context.ContainingSymbol, symbols)
            || TorchSharpSymbols.IsMonteCarloOptIn(context.ContainingSymbol)
            || TorchSharpTrainingGuard.IsReachedOnlyWhenTraining(invocation, symbols))
        {
            return;
        }

        IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, training));
        if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.TorchSharpFunctionalDropoutIgnoresTraining,
                invocation.Syntax.GetLocation(),
                TorchSharpFunctionalDropout.Properties(TorchSharpFunctionalDropout.AddArgument),
                method.Name,
                "is called without training, which defaults to true"));
        }
        else if (argument.Value.ConstantValue is { HasValue: true, Value: true }
            && !(context.ContainingSymbol?.ContainingType is { } module && monteCarlo.IsDeliberate(module, invocation, context.ContainingSymbol)))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.TorchSharpFunctionalDropoutIgnoresTraining,
                argument.Value.Syntax.GetLocation(),
                TorchSharpFunctionalDropout.Properties(TorchSharpFunctionalDropout.ReplaceArgument),
                method.Name,
                "passes a constant true for training"));
        }
    }
}
