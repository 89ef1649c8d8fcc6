using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP015: hand-written dropout that prediction or evaluation code runs: a site in an inference method itself, or an
/// inference method of the same file that calls a method with an unconditional site (or passes a literal
/// <see langword="true"/> as its training flag) without switching any mode first. Inference methods are named as
/// DRP006 and DRP007 name them (<c>dropout_toolkit.inference_method_names</c>); Monte Carlo dropout is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandWrittenDropoutInInferenceAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] DefaultInferenceWords = ["Predict", "Infer", "Inference", "Evaluate", "Evaluation", "Test", "Validate", "Validation"];

    private static readonly string[] TrainingOrMonteCarloWords = ["Train", "Fit", "Learn", "MonteCarlo", "Uncertainty", "Bayes", "Ensemble", "Stochastic", "Sample"];

    // Calls that switch a model's mode before predicting (model.Eval(), SetTraining(false), DisableDropout()).
    private static readonly string[] ModeSwitchWords = ["Eval", "Train", "Mode", "Inference", "Dropout", "Disable", "Enable", "Deterministic"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.HandWrittenDropoutInInference);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            string[] words = InferenceWords(nodeContext.Options.AnalyzerConfigOptionsProvider.GetOptions(nodeContext.Tree));
            var unconditional = new Dictionary<IMethodSymbol, HandWrittenDropoutSite>(SymbolEqualityComparer.Default);
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (DropoutWithoutInferencePathAnalyzer.OwningMethod(site, facts.SemanticModel) is not { } method || IsMonteCarlo(method))
                {
                    continue;
                }

                if (IsInferenceName(method.Name, words) && !site.IsGated)
                {
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenDropoutInInference, site.Comparison.Syntax.GetLocation(), method.Name, method.Name));
                    continue;
                }

                if (!site.IsGated || method.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean))
                {
                    unconditional[method] = site;
                }
            }

            if (unconditional.Count == 0)
            {
                return;
            }

            // Inference methods of this file that run one of those methods.
            foreach (SyntaxNode node in nodeContext.Tree.GetRoot(nodeContext.CancellationToken).DescendantNodes())
            {
                if (node is not MethodDeclarationSyntax declaration || !IsInferenceName(declaration.Identifier.ValueText, words)
                    || facts.SemanticModel.GetDeclaredSymbol(declaration, nodeContext.CancellationToken) is not IMethodSymbol caller || IsMonteCarlo(caller) || IsTestMethod(caller)
                    || facts.SemanticModel.GetOperation(declaration, nodeContext.CancellationToken) is not { } body
                    || SwitchesMode(body, unconditional))
                {
                    continue;
                }

                foreach (IInvocationOperation call in body.Descendants().OfType<IInvocationOperation>())
                {
                    if (!unconditional.TryGetValue(call.TargetMethod.OriginalDefinition, out HandWrittenDropoutSite? site) || IsUnderCondition(call, body))
                    {
                        continue;
                    }

                    // A training flag: reported only when the prediction passes a literal true.
                    IArgumentOperation? flag = call.Arguments.FirstOrDefault(argument => argument.Parameter?.Type.SpecialType == SpecialType.System_Boolean);
                    if (site.IsGated && !(flag?.Value.ConstantValue is { HasValue: true, Value: true }))
                    {
                        continue;
                    }

                    if (!site.IsGated && flag is not null)
                    {
                        continue;
                    }

                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenDropoutInInference, call.Syntax.GetLocation(), caller.Name, call.TargetMethod.Name));
                }
            }
        });
    }

    internal static bool IsTrainingOrMonteCarloName(string name) => TrainingOrMonteCarloWords.Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);

    private static bool IsMonteCarlo(IMethodSymbol method) =>
        IsTrainingOrMonteCarloName(method.Name)
        || (method.ContainingType is { } type && IsTrainingOrMonteCarloName(type.Name))
        || method.GetAttributes().Any(attribute => attribute.AttributeClass?.Name == "MonteCarloDropoutAttribute")
        || method.ContainingType?.GetAttributes().Any(attribute => attribute.AttributeClass?.Name == "MonteCarloDropoutAttribute") == true;

    private static bool IsTestMethod(IMethodSymbol method) =>
        method.GetAttributes().Any(attribute => attribute.AttributeClass?.Name is "FactAttribute" or "TheoryAttribute" or "TestAttribute" or "TestMethodAttribute" or "TestCaseAttribute");

    private static bool IsInferenceName(string name, string[] words) =>
        !IsTrainingOrMonteCarloName(name) && words.Any(word => name.IndexOf(word, StringComparison.Ordinal) >= 0);

    // Assigning a boolean or enum member (IsTraining = false, Mode = Eval) or calling a mode method switches the model.
    // A call of the dropout method itself (x.WithDropout(rate)) is what is being judged, not a switch of mode.
    private static bool SwitchesMode(IOperation body, Dictionary<IMethodSymbol, HandWrittenDropoutSite> dropoutMethods) =>
        body.Descendants().Any(operation =>
            (operation is ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation } assignment
                && (assignment.Target.Type?.SpecialType == SpecialType.System_Boolean || assignment.Target.Type?.TypeKind == TypeKind.Enum))
            || (operation is IInvocationOperation invocation && !dropoutMethods.ContainsKey(invocation.TargetMethod.OriginalDefinition)
                && ModeSwitchWords.Any(word => invocation.TargetMethod.Name.IndexOf(word, StringComparison.Ordinal) >= 0)));

    private static bool IsUnderCondition(IOperation call, IOperation body)
    {
        for (IOperation? current = call.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is IConditionalOperation or ISwitchOperation or ISwitchExpressionOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static string[] InferenceWords(AnalyzerConfigOptions options) =>
        options.TryGetValue("dropout_toolkit.inference_method_names", out string? configured) && !string.IsNullOrWhiteSpace(configured)
            ? configured.Split(',').Select(word => word.Trim()).Where(word => word.Length > 0).ToArray()
            : DefaultInferenceWords;
}
