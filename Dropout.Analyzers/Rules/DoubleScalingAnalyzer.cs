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

                    // Either operand may be the scale (every product of the compilation comes here: no array per product).
                    if (IsRuntimeKeepProbability(left, runtimeKeepProbabilities, symbols) && IsActivation(right))
                    {
                        Report(operationContext, left);
                    }
                    else if (IsRuntimeKeepProbability(right, runtimeKeepProbabilities, symbols) && IsActivation(left))
                    {
                        Report(operationContext, right);
                    }
                },
                OperationKind.Binary,
                OperationKind.CompoundAssignment);
        });

        // Hand-written dropout: a site whose kept values are divided by p in training, and a multiplication of
        // activations by the same p where the site does not run.
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (typeContext, facts) =>
        {
            var reported = new HashSet<IOperation>();
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                var scales = facts.ScalesFor(site, typeContext.CancellationToken).ToList();
                if (!scales.Any(scale => scale.Kind == ScaleKind.InverseKeep && scale.Place == ScalePlace.Training))
                {
                    continue;
                }

                // A mask whose kept entries are 1/p (mask[i] = u < p ? 1 / p : 0), and a product with one of its entries divided by p again.
                if (site.MaskSymbol is { } mask
                    && scales.Any(scale => scale.Kind == ScaleKind.InverseKeep && site.Decision.Syntax.Encloses(scale.Use.Operation.Syntax) && DropoutTypeFacts.IsMaskValue(scale.Use.Factor)))
                {
                    foreach ((ScaleUse use, ScaleKind kind, ScalePlace _) in scales)
                    {
                        if (kind == ScaleKind.InverseKeep && use.Reciprocal && !site.Decision.Syntax.Encloses(use.Operation.Syntax)
                            && ReadsMaskEntryInProduct(use.Operation, mask) && reported.Add(use.Operation))
                        {
                            typeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DoubleScalingOfScaledMask, use.Operation.Syntax.GetLocation(), mask.Name, use.Factor.Syntax.ToString()));
                        }
                    }
                }

                foreach ((ScaleUse use, ScaleKind kind, ScalePlace place) in scales)
                {
                    if (kind == ScaleKind.Keep && place == ScalePlace.Inference && use.Other is { } activation && DropoutTypeFacts.IsActivation(activation) && reported.Add(use.Operation))
                    {
                        typeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DoubleScaling, use.Operation.Syntax.GetLocation(), use.Factor.Syntax.ToString()));
                    }
                }
            }
        });
    }

    // Whether the product (or quotient) chain a division belongs to also multiplies by an entry of the mask: `x[i] * mask[i] / p`.
    private static bool ReadsMaskEntryInProduct(IOperation division, ISymbol mask)
    {
        IOperation top = division;
        while (top.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } or IConversionOperation or IParenthesizedOperation)
        {
            top = top.Parent;
        }

        return Factors(top).Any(factor => HandWrittenDropoutSite.StripConversions(factor) is IArrayElementReferenceOperation element
            && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference), mask));
    }

    // The multiplied operands of a product chain (not what is inside a call or an addition).
    private static IEnumerable<IOperation> Factors(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } binary)
        {
            return Factors(binary.LeftOperand).Concat(binary.OperatorKind == BinaryOperatorKind.Multiply ? Factors(binary.RightOperand) : Enumerable.Empty<IOperation>());
        }

        return new[] { operation };
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
        && (HandWrittenDropoutModel.IsElement(value)
            || value is IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } });
}
