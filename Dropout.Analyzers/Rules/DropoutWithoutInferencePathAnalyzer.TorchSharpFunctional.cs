using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP014 for TorchSharp's <c>functional.dropout</c> told to train always (<c>training: true</c>, or the default) in a
/// layer's code that is no <c>Module</c>: there is no <c>this.training</c> for <c>eval()</c> to switch (DRP022 covers
/// module code), so the call drops units whenever the layer runs, unless something around it decides. It is reported when
/// the layer's method takes no flag, reads no flag at all (a <see langword="bool"/> or enum parameter, member or local: an
/// <c>if (DropoutRate &gt; 0)</c> on a setting fixed at construction is no flag), is named for no training or Monte Carlo
/// use, and no caller in the type's files calls it only under a condition or from training code.
/// </summary>
public sealed partial class DropoutWithoutInferencePathAnalyzer
{
    private static void RegisterTorchSharpFunctional(AnalysisContext context) =>
        context.RegisterCompilationStartAction(start =>
        {
            if (TorchSharpSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(operation => AnalyzeFunctionalDropout(operation, symbols), OperationKind.Invocation);
        });

    private static void AnalyzeFunctionalDropout(OperationAnalysisContext context, TorchSharpSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!symbols.IsFunctionalDropout(invocation.TargetMethod)
            || TorchSharpSymbols.TrainingParameter(invocation.TargetMethod) is not { HasExplicitDefaultValue: true, ExplicitDefaultValue: true } training
            || context.ContainingSymbol is not IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary, ContainingType: { } type } method
            || TorchSharpFunctionalDropout.IsInModuleInstanceCode(method, symbols)
            || symbols.IsModuleType(type)
            || TorchSharpSymbols.IsMonteCarloOptIn(method))
        {
            return;
        }

        IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, training));
        if (argument is not null && argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Value.ConstantValue is not { HasValue: true, Value: true })
        {
            return;
        }

        IOperation root = invocation.TreeRoot();
        if (!IsLayerForward(method, type)
            || method.Parameters.Any(parameter => IsFlagType(parameter.Type))
            || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(method.Name)
            || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(type.Name)
            || root.Descendants().Any(operation => operation is IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation
                && IsFlagType(operation.Type))
            || HasGuardedOrTrainingCallerBySyntax(method, type, invocation.SemanticModel!, context.CancellationToken)
            || IsSkippedByTypeTest(type, context.Compilation, context.CancellationToken))
        {
            return;
        }

        Location location = argument is { ArgumentKind: not ArgumentKind.DefaultValue } ? argument.Value.Syntax.GetLocation() : invocation.Syntax.GetLocation();
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutWithoutInferencePath, location, type.Name + "." + method.Name));
    }

    private static bool IsFlagType(ITypeSymbol? type) => type is not null && (type.SpecialType == SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum);

    // Calls of the method (or of the base method it overrides) in the type's own files: one under a condition, or from
    // training code, is an inference path from outside the method.
    private static bool HasGuardedOrTrainingCallerBySyntax(IMethodSymbol method, INamedTypeSymbol type, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var targets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod)
        {
            targets.Add(current.OriginalDefinition);
        }

        foreach (SyntaxTree tree in type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Distinct())
        {
            if (tree != semanticModel.SyntaxTree)
            {
                continue;
            }

            foreach (InvocationExpressionSyntax call in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (CalledName(call) != method.Name
                    || semanticModel.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol target
                    || !targets.Contains(target.OriginalDefinition))
                {
                    continue;
                }

                if (call.Ancestors().Any(ancestor => ancestor is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or SwitchExpressionSyntax
                        || (ancestor is BinaryExpressionSyntax binary && binary.OperatorToken.ValueText is "&&" or "||"))
                    || (semanticModel.GetEnclosingSymbol(call.SpanStart, cancellationToken) is IMethodSymbol caller && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
