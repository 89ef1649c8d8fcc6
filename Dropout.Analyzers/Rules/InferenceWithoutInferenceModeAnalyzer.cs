using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP007: inference code that runs a model with dropout layers where, on some path, no mode has been entered: the run
/// comes before the <c>using (ctx.Inference())</c>, after its scope ended, or on the branch of an <c>if</c> that the scope
/// or the <c>ctx.Mode = ...</c> does not cover. Paths are followed on the control-flow graph (<see cref="ModeFlow"/>).
/// Code that reads the mode is mode-aware and left alone. Reported once per method, on the first such run.
/// </summary>
/// <remarks>
/// A call to a method that is itself inference code (<c>model.Predict(x)</c> from <c>Evaluate</c>) is that method's
/// responsibility and is not reported here.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InferenceWithoutInferenceModeAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] ModeParameterWords = ["train", "infer", "mode", "dropout", "eval", "stochastic"];

    /// <summary>Diagnostic property: the C# expression of the model's <c>DropoutContext</c>, when it is certain; the code fix needs it.</summary>
    public const string ContextExpressionProperty = "ContextExpression";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.InferenceWithoutInferenceMode);

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

            INamedTypeSymbol? scopeType = start.Compilation.GetTypeByMetadataName("Dropout.DropoutModeScope");

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

                var runs = new List<IInvocationOperation>();
                foreach (IOperation root in block.OperationBlocks)
                {
                    foreach (IOperation operation in root.DescendantsAndSelf())
                    {
                        if (inference.ReadsMode(operation))
                        {
                            // The method looks at the mode itself; DRP006 judges what it does with it.
                            return;
                        }

                        if (operation is IInvocationOperation invocation
                            && inference.RunsModelWithDropout(invocation)
                            && !inference.IsInferenceMethod(invocation.TargetMethod, block.Options, operation.Syntax.SyntaxTree)
                            && !inference.IsMonteCarloOptIn(invocation.TargetMethod)
                            && !PassesModeExplicitly(invocation))
                        {
                            runs.Add(invocation);
                        }
                    }
                }

                if (runs.Count == 0 || block.OperationBlocks.FirstOrDefault(root => root is IMethodBodyBaseOperation or IBlockOperation) is not { } body)
                {
                    return;
                }

                // The common shape, every run inside `using (ctx.Inference()) { ... }` with nothing in the block that could end
                // the scope early or make a run unreachable, is switched on every path by construction: the graph (built for
                // this rule alone in most compilations) is only needed for the others.
                var plainScopes = new Dictionary<IUsingOperation, bool>();
                if (runs.TrueForAll(run => IsInsidePlainSwitchingUsing(run, inference, plainScopes)))
                {
                    return;
                }

                // Any mode switch counts as handling the mode here (a switch to training is DRP006's to report); the end of a
                // scope's using block restores the mode the method started with.
                var runSyntax = new HashSet<SyntaxNode>(runs.Select(run => run.Syntax));
                Dictionary<SyntaxNode, bool> switched = ModeFlow.SwitchedOnEveryPath(
                    block.GetControlFlowGraph(body),
                    operation => inference.SwitchedMode(operation) is not null,
                    operation => IsScopeDispose(operation, scopeType),
                    operation => operation is IInvocationOperation && runSyntax.Contains(operation.Syntax),
                    block.CancellationToken);
                IInvocationOperation? firstRun = runs
                    .OrderBy(run => run.Syntax.SpanStart)
                    .FirstOrDefault(run => switched.TryGetValue(run.Syntax, out bool isSwitched) && !isSwitched);
                if (firstRun is null)
                {
                    return;
                }

                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
                if (ContextExpression(firstRun, method, inference.Symbols, block.CancellationToken) is { } contextExpression)
                {
                    properties = properties.Add(ContextExpressionProperty, contextExpression);
                }

                block.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InferenceWithoutInferenceMode,
                    firstRun.Syntax.GetLocation(),
                    properties,
                    method.Name,
                    firstRun.Instance?.Type?.Name ?? firstRun.TargetMethod.Name));
            });
        });
    }

    // Whether the nearest `using` around the run (not across a lambda or local function) has the run in its block, a
    // resource that is exactly a mode switch, and a block that the graph would show switched on every path: nothing in it
    // can leave or restore the scope early (a nested using, try, jump, return, throw, Dispose), no loop is endless and no
    // condition is a constant (either could make a run unreachable, which the graph reports as not switched), and no
    // lambda or local function in it (a local function starts with nothing known). Anything else is left to the graph.
    private static bool IsInsidePlainSwitchingUsing(IInvocationOperation run, InferenceCode inference, Dictionary<IUsingOperation, bool> known)
    {
        IOperation child = run;
        for (IOperation? current = run.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
                case IUsingOperation usingOperation:
                    if (child != usingOperation.Body)
                    {
                        return false;
                    }

                    if (!known.TryGetValue(usingOperation, out bool plain))
                    {
                        plain = IsPlainSwitchingUsing(usingOperation, inference);
                        known[usingOperation] = plain;
                    }

                    return plain;
            }
        }

        return false;
    }

    private static bool IsPlainSwitchingUsing(IUsingOperation usingOperation, InferenceCode inference)
    {
        IOperation? resource = usingOperation.Resources;
        if (resource is IVariableDeclarationGroupOperation group)
        {
            // netstandard2.0 has no System.Index, so no list patterns here.
            resource = group.Declarations.Length == 1 && group.Declarations[0].Declarators.Length == 1
                ? group.Declarations[0].Declarators[0].Initializer?.Value
                : null;
        }

        if (resource is null
            || HandWrittenDropoutSite.StripConversions(resource) is not IInvocationOperation switchCall
            || inference.SwitchedMode(switchCall) is null
            || switchCall.Descendants().Any(operation => operation is IInvocationOperation { TargetMethod.Name: "Dispose" }))
        {
            return false;
        }

        foreach (IOperation operation in usingOperation.Body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IUsingOperation or IUsingDeclarationOperation or ITryOperation or IBranchOperation or IReturnOperation or IThrowOperation or ILabeledOperation
                    or IAnonymousFunctionOperation or ILocalFunctionOperation or IInvocationOperation { TargetMethod.Name: "Dispose" }
                    or IForLoopOperation { Condition: null }:
                    return false;
            }

            if (operation.ConstantValue is { HasValue: true, Value: bool or null })
            {
                return false;
            }
        }

        return true;
    }

    // scope.Dispose(), explicit or the one that ends `using (ctx.Inference())`.
    private static bool IsScopeDispose(IOperation operation, INamedTypeSymbol? scopeType) =>
        scopeType is not null
        && operation is IInvocationOperation { TargetMethod.Name: "Dispose" } dispose
        && dispose.Instance is { } instance
        && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.StripConversions(instance).Type, scopeType);

    // model.Forward(x, training: false) or model.Forward(x, DropoutMode.Inference): the caller chooses the mode per call.
    private static bool PassesModeExplicitly(IInvocationOperation invocation)
    {
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter
                && (parameter.Type.SpecialType == SpecialType.System_Boolean || parameter.Type.TypeKind == TypeKind.Enum)
                && ModeParameterWords.Any(word => parameter.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return true;
            }
        }

        return false;
    }

    // The model's context as source text, only where there is exactly one candidate: the layer's own Context, the
    // model's one DropoutContext member, the method's one DropoutContext parameter, or its type's one DropoutContext member.
    private static string? ContextExpression(IInvocationOperation run, IMethodSymbol method, DropoutSymbols symbols, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? contextType = symbols.DropoutContext;
        SemanticModel? semanticModel = run.SemanticModel;
        if (contextType is null || semanticModel is null)
        {
            return null;
        }

        int position = run.Syntax.SpanStart;
        if (run.Instance is { } instance && ReceiverText(instance) is { } receiver)
        {
            if (SymbolEqualityComparer.Default.Equals(instance.Type, symbols.DropoutLayer))
            {
                return receiver.Length == 0 ? "Context" : receiver + ".Context";
            }

            if (instance.Type is { } modelType && SingleContextMember(modelType, contextType, semanticModel, position, staticOnly: false) is { } member)
            {
                return receiver.Length == 0 ? member : receiver + "." + member;
            }
        }

        IParameterSymbol[] contextParameters = method.Parameters.Where(parameter => SymbolEqualityComparer.Default.Equals(parameter.Type, contextType)).ToArray();
        if (contextParameters.Length == 1)
        {
            return contextParameters[0].Name;
        }

        return contextParameters.Length == 0 && method.ContainingType is { } containingType
            ? SingleContextMember(containingType, contextType, semanticModel, position, staticOnly: method.IsStatic)
            : null;
    }

    private static string? SingleContextMember(ITypeSymbol type, INamedTypeSymbol contextType, SemanticModel semanticModel, int position, bool staticOnly)
    {
        string? name = null;
        foreach (ISymbol member in type.GetMembers())
        {
            ITypeSymbol? memberType = member switch
            {
                IFieldSymbol { IsImplicitlyDeclared: false } field => field.Type,
                IPropertySymbol { IsIndexer: false } property => property.Type,
                _ => null,
            };
            if (memberType is null || !SymbolEqualityComparer.Default.Equals(memberType, contextType) || !semanticModel.IsAccessible(position, member))
            {
                continue;
            }

            if (name is not null || member.IsStatic != staticOnly)
            {
                // Two candidates, or one that cannot be reached from here: not certain.
                return null;
            }

            name = member.Name;
        }

        return name;
    }

    // A receiver that can be evaluated again without side effects: x, this.x, a.b.c, or the implicit this ("").
    private static string? ReceiverText(IOperation instance)
    {
        if (instance is IInstanceReferenceOperation { IsImplicit: true })
        {
            return string.Empty;
        }

        ExpressionSyntax? expression = instance.Syntax as ExpressionSyntax;
        for (ExpressionSyntax? current = expression; current is not null;)
        {
            switch (current)
            {
                case IdentifierNameSyntax or ThisExpressionSyntax:
                    return expression!.ToString();
                case MemberAccessExpressionSyntax memberAccess:
                    current = memberAccess.Expression;
                    break;
                default:
                    return null;
            }
        }

        return null;
    }
}
