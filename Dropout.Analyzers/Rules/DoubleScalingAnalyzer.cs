using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP005: activations multiplied by the keep probability p although the dropout that produced them already divided
/// by p in training. Reported for a multiplication by a runtime layer's own p (<c>layer.KeepProbability</c>,
/// <c>DropoutKeepProbability</c>), whose dropout is always inverted, and, in hand-written dropout, for a
/// multiplication of activations by p outside the training loop of a site whose kept values are already divided by p.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DoubleScalingAnalyzer : DiagnosticAnalyzer
{
    private const string GeneratedKeepProbabilityConstant = "DropoutKeepProbability";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DoubleScaling);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            DropoutSymbols? symbols = DropoutSymbols.TryCreate(start.Compilation);
            ImmutableHashSet<ISymbol> runtimeKeepProbabilities = RuntimeKeepProbabilities(start.Compilation);
            start.RegisterOperationAction(
                operationContext =>
                {
                    if (Operands(operationContext.Operation) is not var (left, right))
                    {
                        return;
                    }

                    foreach ((IOperation scale, IOperation value) in new[] { (left, right), (right, left) })
                    {
                        if (IsRuntimeKeepProbability(scale, runtimeKeepProbabilities, symbols) && IsActivation(value))
                        {
                            Report(operationContext, scale);
                            return;
                        }

                        if (IsActivation(value) && IsAlreadyInvertedHandWrittenSite(operationContext.Operation, scale, operationContext.CancellationToken))
                        {
                            Report(operationContext, scale);
                            return;
                        }
                    }
                },
                OperationKind.Binary,
                OperationKind.CompoundAssignment);
        });
    }

    private static void Report(OperationAnalysisContext context, IOperation scale) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DoubleScaling, context.Operation.Syntax.GetLocation(), scale.Syntax.ToString()));

    private static (IOperation Left, IOperation Right)? Operands(IOperation operation) => operation switch
    {
        IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } binary => (HandWrittenDropoutSite.StripConversions(binary.LeftOperand), HandWrittenDropoutSite.StripConversions(binary.RightOperand)),
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound => (compound.Target, HandWrittenDropoutSite.StripConversions(compound.Value)),
        _ => null,
    };

    private static ImmutableHashSet<ISymbol> RuntimeKeepProbabilities(Compilation compilation)
    {
        var builder = ImmutableHashSet.CreateBuilder<ISymbol>(SymbolEqualityComparer.Default);
        foreach (string typeName in new[] { "Dropout.DropoutLayer", "Dropout.DropoutMaskSpec" })
        {
            if (compilation.GetTypeByMetadataName(typeName) is { } type)
            {
                builder.UnionWith(type.GetMembers("KeepProbability"));
            }
        }

        return builder.ToImmutable();
    }

    private static bool IsRuntimeKeepProbability(IOperation operation, ImmutableHashSet<ISymbol> runtimeKeepProbabilities, DropoutSymbols? symbols) => operation switch
    {
        IPropertyReferenceOperation property => runtimeKeepProbabilities.Contains(property.Property),
        IFieldReferenceOperation { Field: { Name: GeneratedKeepProbabilityConstant, ContainingType: { } type } } => symbols is not null && DropoutSymbols.HasAttribute(type, symbols.DropoutAttribute),
        _ => false,
    };

    // An activation: a floating-point element (a[i], span[i]) or the element parameter of a LINQ lambda; never a
    // constant or a scalar variable, which may be any other quantity that happens to be multiplied by p.
    private static bool IsActivation(IOperation value) =>
        !value.ConstantValue.HasValue
        && HandWrittenDropoutSite.IsFloatingPoint(value.Type)
        && (value is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
            || value is IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } });

    private static bool IsAlreadyInvertedHandWrittenSite(IOperation multiply, IOperation scale, CancellationToken cancellationToken)
    {
        SemanticModel? semanticModel = multiply.SemanticModel;
        // Cheap checks first: the scale must look like a probability (p, 1 - rate, a constant) before the type is searched for draws.
        if (semanticModel is null || scale.Syntax is not ExpressionSyntax scaleSyntax || !CouldBeKeepProbability(scale) || IsInTrainingPath(multiply.Syntax))
        {
            return false;
        }

        if (semanticModel.GetEnclosingSymbol(multiply.Syntax.SpanStart, cancellationToken)?.ContainingType is not { DeclaringSyntaxReferences.Length: 1 } type
            || type.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree)
        {
            return false;
        }

        foreach (SyntaxNode node in type.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken).DescendantNodes())
        {
            if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax memberAccess }
                && HandWrittenDropoutSite.IsUniformDrawName(memberAccess.Name.Identifier.ValueText)
                && semanticModel.GetOperation(node, cancellationToken) is IInvocationOperation draw
                && HandWrittenDropoutSite.TryRecognize(draw) is { } site)
            {
                var keepProbability = new KeepProbabilityReference(site, semanticModel, cancellationToken);
                if (keepProbability.IsExactly(scaleSyntax) && IsInvertedAtSite(site, keepProbability))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool CouldBeKeepProbability(IOperation scale) =>
        HandWrittenDropoutSite.IsFloatingPoint(scale.Type)
        && (scale.ConstantValue.HasValue
            || HandWrittenDropoutSite.ReferencedSymbol(scale) is not null
            || scale is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract });

    // Whether the site divides its kept values by p (or multiplies them by a precomputed scale) where it keeps them.
    private static bool IsInvertedAtSite(HandWrittenDropoutSite site, KeepProbabilityReference keepProbability)
    {
        SyntaxNode? keptRegion = site.Shape switch
        {
            DropoutSiteShape.KeptOrZero => site.KeptValue?.Syntax,
            DropoutSiteShape.ZeroingIf => ((IConditionalOperation)site.Decision).WhenFalse?.Syntax,
            _ => null,
        };
        if (keptRegion is null)
        {
            return false;
        }

        foreach (SyntaxNode node in keptRegion.DescendantNodesAndSelf())
        {
            if (node is IdentifierNameSyntax identifier && identifier.Identifier.ValueText.IndexOf("scale", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }

            if (ProbabilityScaling.MultiplicativeOperands(node) is (_, var divisor, true) && keepProbability.IsMentionedBy(divisor, isDivision: true))
            {
                return true;
            }
        }

        return false;
    }

    // Inside a keep/drop decision, or in a loop or lambda that draws: that is the training path, not inference.
    private static bool IsInTrainingPath(SyntaxNode node)
    {
        for (SyntaxNode? ancestor = node.Parent; ancestor is not null and not MemberDeclarationSyntax; ancestor = ancestor.Parent)
        {
            SyntaxNode? drawingPart = ancestor switch
            {
                ConditionalExpressionSyntax conditional => conditional.Condition,
                IfStatementSyntax ifStatement => ifStatement.Condition,
                ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or AnonymousFunctionExpressionSyntax => ancestor,
                _ => null,
            };
            if (drawingPart is not null && ProbabilityScaling.MentionsDraw(drawingPart))
            {
                return true;
            }
        }

        return false;
    }
}
