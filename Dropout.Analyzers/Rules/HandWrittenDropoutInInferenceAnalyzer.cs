using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
                if (DropoutWithoutInferencePathAnalyzer.OwningMethod(site, facts.SemanticModelOf(site.Decision.Syntax)) is not { } method || IsMonteCarlo(method))
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

            ReportTrainingSwitchedOn(nodeContext, facts, words);
            if (unconditional.Count == 0)
            {
                return;
            }

            // Inference methods of this file that run one of those methods.
            foreach (SyntaxNode node in nodeContext.Trees.SelectMany(tree => tree.GetRoot(nodeContext.CancellationToken).DescendantNodes()))
            {
                if (node is not MethodDeclarationSyntax declaration || !IsInferenceName(declaration.Identifier.ValueText, words)
                    || facts.SemanticModelOf(declaration).GetDeclaredSymbol(declaration, nodeContext.CancellationToken) is not IMethodSymbol caller || IsMonteCarlo(caller) || IsTestMethod(caller)
                    || facts.SemanticModelOf(declaration).GetOperation(declaration, nodeContext.CancellationToken) is not { } body
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

                    // Run again and again on the same input and averaged: Monte Carlo dropout, the dropout on by design.
                    if (call.Syntax is InvocationExpressionSyntax run && RepeatedAveragedRuns.IsAveragedRun(run, declaration))
                    {
                        continue;
                    }

                    // `Layer(x, keep: 1.0)` where the draw compares with that parameter: every unit is kept, unscaled.
                    if (PassesIdentityProbability(call, site))
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

    // The call passes a constant for the parameter the site's draw is compared with, and that constant makes the dropout
    // the identity: a keep probability of 1, or a drop rate of 0.
    private static bool PassesIdentityProbability(IInvocationOperation call, HandWrittenDropoutSite site)
    {
        if (HandWrittenDropoutSite.StripConversions(site.Probability) is not IParameterReferenceOperation { Parameter: var parameter }
            || ParameterOfCalledMethod(call.TargetMethod, parameter) is not { } calledParameter)
        {
            return false;
        }

        IArgumentOperation? argument = call.Arguments.FirstOrDefault(candidate => candidate.Parameter?.Ordinal == calledParameter.Ordinal);
        if (argument is null || HandWrittenDropoutSite.StripConversions(argument.Value).ConstantValue is not { HasValue: true, Value: { } value })
        {
            return false;
        }

        double passed;
        try
        {
            passed = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is InvalidCastException or FormatException)
        {
            return false;
        }

        return site.KeepProbabilityIsComplement ? passed <= 0 : passed >= 1;
    }

    // The parameter of the called method whose value reaches the draw's parameter: the same parameter when the call runs
    // the drawing method itself, or the parameter a forwarder (`M(x, keep) => Ops.M(this, x, keep)` or `=> this.M(x, keep)`:
    // the drawing code moved into a static helper or an extension method) passes on unchanged, by position.
    private static IParameterSymbol? ParameterOfCalledMethod(IMethodSymbol called, IParameterSymbol drawParameter)
    {
        if (drawParameter.ContainingSymbol is not IMethodSymbol drawing)
        {
            return null;
        }

        if (SymbolEqualityComparer.Default.Equals(called.OriginalDefinition, drawing.OriginalDefinition))
        {
            return drawParameter;
        }

        if (ForwardedInvocation(called) is not { } invocation
            || HandWrittenDropoutModel.StripParenthesesAndCasts(invocation.Expression) is not { } target
            || (target switch { MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText, SimpleNameSyntax simple => simple.Identifier.ValueText, _ => null }) != drawing.Name)
        {
            return null;
        }

        // An extension method called as `receiver.M(...)` takes the receiver as its first parameter.
        int shift = drawing.IsExtensionMethod && target is MemberAccessExpressionSyntax ? 1 : 0;
        SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
        int index = drawParameter.Ordinal - shift;
        if (arguments.Count + shift != drawing.Parameters.Length || index < 0 || arguments.Any(argument => argument.NameColon is not null)
            || HandWrittenDropoutModel.StripParenthesesAndCasts(arguments[index].Expression) is not IdentifierNameSyntax { Identifier.ValueText: var passed })
        {
            return null;
        }

        return called.Parameters.FirstOrDefault(parameter => parameter.Name == passed);
    }

    // The one invocation a method's body consists of (`=> Call(...)`, `{ return Call(...); }` or `{ Call(...); }`).
    private static InvocationExpressionSyntax? ForwardedInvocation(IMethodSymbol method)
    {
        if (method.DeclaringSyntaxReferences.Length != 1 || method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
        {
            return null;
        }

        ExpressionSyntax? body = declaration.ExpressionBody?.Expression;
        if (body is null && declaration.Body is { Statements: { Count: 1 } statements })
        {
            body = statements[0] switch
            {
                ReturnStatementSyntax { Expression: { } returned } => returned,
                ExpressionStatementSyntax { Expression: var expression } => expression,
                _ => null,
            };
        }

        return body is null ? null : HandWrittenDropoutModel.StripParenthesesAndCasts(body) as InvocationExpressionSyntax;
    }

    internal static bool IsMonteCarloName(string name) => TrainingOrMonteCarloWords.Skip(3).Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);

    internal static bool IsTrainingOrMonteCarloName(string name) => TrainingOrMonteCarloWords.Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);

    private static bool IsMonteCarlo(IMethodSymbol method) =>
        IsTrainingOrMonteCarloName(method.Name)
        || (method.ContainingType is { } type && IsTrainingOrMonteCarloName(type.Name))
        || method.GetAttributes().Any(attribute => attribute.AttributeClass?.Name == "MonteCarloDropoutAttribute")
        || method.ContainingType?.GetAttributes().Any(attribute => attribute.AttributeClass?.Name == "MonteCarloDropoutAttribute") == true
        || SamplesRepeatedRuns(method);

    // Monte Carlo dropout by data flow (RepeatedAveragedRuns): the method runs a call again and again on the same input and
    // averages the outputs, whatever it is called. Read by syntax, once per declaration.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxNode, object> SamplingDeclarations = new();

    private static bool SamplesRepeatedRuns(IMethodSymbol method)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode declaration = reference.GetSyntax();
            if (declaration is not (MethodDeclarationSyntax or LocalFunctionStatementSyntax))
            {
                continue;
            }

            object verdict = SamplingDeclarations.GetValue(declaration, node => RepeatedAveragedRuns.SamplesAnyRun(node) ? Boxed.True : Boxed.False);
            if (ReferenceEquals(verdict, Boxed.True))
            {
                return true;
            }
        }

        return false;
    }

    private static class Boxed
    {
        public static readonly object True = new();
        public static readonly object False = new();
    }

    private static bool IsTestMethod(IMethodSymbol method) =>
        method.GetAttributes().Any(attribute => attribute.AttributeClass?.Name is "FactAttribute" or "TheoryAttribute" or "TestAttribute" or "TestMethodAttribute" or "TestCaseAttribute");

    /// <summary>An inference method (by its file's configured words) that is no Monte Carlo dropout, training code or unit test.</summary>
    internal static bool IsInferenceEntry(IMethodSymbol method, AnalyzerOptions options) =>
        method.DeclaringSyntaxReferences.FirstOrDefault() is { } reference
        && IsInferenceName(method.Name, InferenceWords(options.AnalyzerConfigOptionsProvider.GetOptions(reference.SyntaxTree)))
        && !IsMonteCarlo(method) && !IsTestMethod(method);

    /// <summary>Whether a method name is an inference name by the words configured for <paramref name="tree"/>.</summary>
    internal static bool IsInferenceMethodName(string name, AnalyzerOptions options, SyntaxTree tree) =>
        IsInferenceName(name, InferenceWords(options.AnalyzerConfigOptionsProvider.GetOptions(tree)));

    internal static bool IsMonteCarloMethod(IMethodSymbol method) => IsMonteCarlo(method);

    /// <summary>A mode switch by assignment: a <see langword="bool"/> or enum member set to anything but training.</summary>
    internal static bool IsModeSwitchAssignment(ISimpleAssignmentOperation assignment) =>
        assignment.Target is IFieldReferenceOperation or IPropertyReferenceOperation
        && (assignment.Target.Type?.SpecialType == SpecialType.System_Boolean || assignment.Target.Type?.TypeKind == TypeKind.Enum)
        && !(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } flag && InferencePath.SwitchesTrainingOn(flag, assignment.Value));

    /// <summary>A call of a method named for a mode (<c>Eval()</c>, <c>SetTraining(false)</c>) that does not switch training on.</summary>
    internal static bool IsModeSwitchCall(IInvocationOperation invocation) =>
        ModeSwitchWords.Any(word => invocation.TargetMethod.Name.IndexOf(word, StringComparison.Ordinal) >= 0) && !IsTrainingOnCall(invocation);

    // `Predict`, `RunInference`, and the camel case of Java-style code (`predict`, `evaluateAccuracy`): a lower-case word
    // counts only at the start of the name, where it cannot be the inside of another word (`latest`).
    private static bool IsInferenceName(string name, string[] words) =>
        !IsTrainingOrMonteCarloName(name) && words.Any(word => name.IndexOf(word, StringComparison.Ordinal) >= 0
            || (word.Length > 1 && char.IsUpper(word[0]) && name.StartsWith(char.ToLowerInvariant(word[0]) + word.Substring(1), StringComparison.Ordinal)));

    // Assigning a boolean or enum member (IsTraining = false, Mode = Eval) or calling a mode method switches the model.
    // A call of the dropout method itself (x.WithDropout(rate)) is what is being judged, not a switch of mode, and neither is
    // switching training on (IsTraining = true, SetTraining(true)), which is the opposite.
    private static bool SwitchesMode(IOperation body, Dictionary<IMethodSymbol, HandWrittenDropoutSite> dropoutMethods) =>
        body.Descendants().Any(operation =>
            (operation is ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation } assignment
                && (assignment.Target.Type?.SpecialType == SpecialType.System_Boolean || assignment.Target.Type?.TypeKind == TypeKind.Enum)
                && !(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } flag && InferencePath.SwitchesTrainingOn(flag, assignment.Value)))
            || (operation is IInvocationOperation invocation && !dropoutMethods.ContainsKey(invocation.TargetMethod.OriginalDefinition)
                && ModeSwitchWords.Any(word => invocation.TargetMethod.Name.IndexOf(word, StringComparison.Ordinal) >= 0)
                && !IsTrainingOnCall(invocation)));

    // `SetTraining(true)`, `SetTrainingMode(true)`, `Train(true)`: a mode method named for training, passed a literal true.
    private static bool IsTrainingOnCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name.IndexOf("Train", StringComparison.Ordinal) >= 0
        && invocation.Arguments.Length == 1
        && invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: true };

    /// <summary>
    /// Prediction code that switches the dropout on itself: an inference method of the file that sets a flag gating a site
    /// to training (<c>IsTraining = true</c>, <c>layer.Training = true</c>, <c>Mode = Mode.Train</c>) or calls a mode method
    /// with a literal <see langword="true"/> (<c>SetTraining(true)</c>), and then runs something. Setting the flag back after
    /// the work (<c>IsTraining = false; y = Forward(x); IsTraining = true;</c>) runs nothing after it and is not reported.
    /// </summary>
    private static void ReportTrainingSwitchedOn(TypeAnalysisContext context, DropoutTypeFacts facts, string[] words)
    {
        var flags = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            if (site.IsGated && DropoutWithoutInferencePathAnalyzer.OwningMethod(site, facts.SemanticModelOf(site.Decision.Syntax)) is { } method && !IsMonteCarlo(method))
            {
                flags.UnionWith(InferencePath.GatingFlags(site.Decision, facts.RootOf(site)).Select(flag => flag.OriginalDefinition));
            }
        }

        if (flags.Count == 0)
        {
            return;
        }

        foreach ((MethodDeclarationSyntax declaration, SemanticModel declarationModel) in MethodsOfTheFilesAndTheirPartialTypes(context))
        {
            if (!IsInferenceName(declaration.Identifier.ValueText, words)
                || declarationModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol caller || IsMonteCarlo(caller) || IsTestMethod(caller)
                || declarationModel.GetOperation(declaration, context.CancellationToken) is not { } body
                || RepeatedAveragedRuns.SamplesAnyRun(declaration))
            {
                continue;
            }

            foreach (IOperation operation in body.Descendants())
            {
                bool switchesOn = operation switch
                {
                    ISimpleAssignmentOperation assignment => HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } flag && flags.Contains(flag.OriginalDefinition)
                        && InferencePath.SwitchesTrainingOn(flag, assignment.Value),
                    IInvocationOperation invocation => IsTrainingOnCall(invocation) && SetsAFlag(invocation.TargetMethod, flags, context),
                    _ => false,
                };
                if (switchesOn && RunsSomethingAfter(operation, body))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenDropoutSwitchedOnInInference, operation.Syntax.GetLocation(), caller.Name, operation.Syntax.ToString()));
                }
            }
        }
    }

    // The methods declared in the dropout type's files, and in the other files of a partial type declared there: the network
    // beside the layer is the same class when its `Validate` sits in a file of its own (`partial class Network`).
    private static IEnumerable<(MethodDeclarationSyntax Declaration, SemanticModel Model)> MethodsOfTheFilesAndTheirPartialTypes(TypeAnalysisContext context)
    {
        var trees = context.Trees.ToList();
        foreach (SyntaxTree tree in trees)
        {
            foreach (SyntaxNode node in tree.GetRoot(context.CancellationToken).DescendantNodes())
            {
                if (node is MethodDeclarationSyntax method)
                {
                    yield return (method, context.SemanticModelOf(method));
                }
                else if (node is TypeDeclarationSyntax typeDeclaration && typeDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword)
                    && context.SemanticModelOf(typeDeclaration).GetDeclaredSymbol(typeDeclaration, context.CancellationToken) is { DeclaringSyntaxReferences.Length: > 1 } partialType)
                {
                    foreach (SyntaxReference other in partialType.DeclaringSyntaxReferences.Where(reference => !trees.Contains(reference.SyntaxTree)))
                    {
                        if (HandWrittenDropoutModel.SemanticModelForPartialNeighbour(context.SemanticModelOf(typeDeclaration), other.SyntaxTree, partialType, context.CancellationToken) is not { } otherModel)
                        {
                            continue;
                        }

                        // Only the partial declaration's own members (its nested types are their own question).
                        foreach (MethodDeclarationSyntax otherMethod in ((TypeDeclarationSyntax)other.GetSyntax(context.CancellationToken)).Members.OfType<MethodDeclarationSyntax>())
                        {
                            yield return (otherMethod, otherModel);
                        }
                    }
                }
            }
        }
    }

    // A mode method of this file whose body assigns one of the gating flags.
    private static bool SetsAFlag(IMethodSymbol method, HashSet<ISymbol> flags, TypeAnalysisContext context) =>
        method.DeclaringSyntaxReferences.Any(reference => context.Trees.Contains(reference.SyntaxTree)
            && context.SemanticModelOf(reference.GetSyntax(context.CancellationToken)).GetOperation(reference.GetSyntax(context.CancellationToken), context.CancellationToken) is { } body
            && body.Descendants().Any(operation => operation is ISimpleAssignmentOperation assignment
                && HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } flag && flags.Contains(flag.OriginalDefinition)));

    // Whether the method calls anything after the switch (in source order): the model then runs with dropout on.
    private static bool RunsSomethingAfter(IOperation switchOperation, IOperation body) =>
        body.Descendants().Any(operation => operation is IInvocationOperation && operation.Syntax.SpanStart >= switchOperation.Syntax.Span.End);

    internal static bool IsUnderCondition(IOperation call, IOperation body)
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
