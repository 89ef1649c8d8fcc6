using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP011: a hand-written dropout mask drawn from <c>new Random()</c> or <c>Random.Shared</c>, which are seeded from
/// the environment, so no two training runs draw the same masks. Reported only when every value the generator
/// variable is given (its initializer and assignments in the same method or type) is unseeded; a parameter, or a
/// generator built anywhere with a seed, is trusted.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnseededDropoutRandomAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnseededDropoutRandom);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName("System.Random") is not { } randomType)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var draw = (IInvocationOperation)operationContext.Operation;
                    if (draw.Instance is { } generator
                        && HandWrittenDropoutSite.TryRecognize(draw) is not null
                        && IsUnseeded(generator, randomType, operationContext.CancellationToken))
                    {
                        operationContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnseededDropoutRandom, draw.Syntax.GetLocation(), generator.Syntax.ToString()));
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static bool IsUnseeded(IOperation generator, INamedTypeSymbol randomType, CancellationToken cancellationToken)
    {
        generator = HandWrittenDropoutSite.StripConversions(generator);
        if (IsUnseededValue(generator, randomType))
        {
            return true;
        }

        ISymbol? variable = HandWrittenDropoutSite.ReferencedSymbol(generator);
        SemanticModel? semanticModel = generator.SemanticModel;
        if (variable is not (ILocalSymbol or IFieldSymbol or IPropertySymbol) || semanticModel is null)
        {
            return false;
        }

        // Where the variable can be given a value: its method for a local, its type for a field or property (same file only).
        SyntaxNode? scope = variable is ILocalSymbol
            ? generator.Syntax.FirstAncestorOrSelf<MemberDeclarationSyntax>()
            : SingleDeclaration(variable.ContainingType, semanticModel.SyntaxTree, cancellationToken);
        if (scope is null)
        {
            return false;
        }

        int unseeded = 0;
        foreach (SyntaxNode node in scope.DescendantNodes())
        {
            ExpressionSyntax? value = node switch
            {
                VariableDeclaratorSyntax { Initializer.Value: var initializer } declarator
                    when declarator.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(semanticModel.GetDeclaredSymbol(declarator, cancellationToken), variable) => initializer,
                PropertyDeclarationSyntax { Initializer.Value: var initializer } property
                    when property.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(semanticModel.GetDeclaredSymbol(property, cancellationToken), variable) => initializer,
                AssignmentExpressionSyntax assignment
                    when assignment.Left.ToString().EndsWith(variable.Name, StringComparison.Ordinal) && SymbolEqualityComparer.Default.Equals(semanticModel.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, variable) => assignment.Right,
                _ => null,
            };
            if (value is null)
            {
                continue;
            }

            if (semanticModel.GetOperation(value, cancellationToken) is not { } operation || !IsUnseededValue(HandWrittenDropoutSite.StripConversions(operation), randomType))
            {
                return false;
            }

            unseeded++;
        }

        return unseeded > 0;
    }

    private static bool IsUnseededValue(IOperation value, INamedTypeSymbol randomType) => value switch
    {
        IObjectCreationOperation { Arguments.Length: 0 } creation => SymbolEqualityComparer.Default.Equals(creation.Type, randomType),
        IPropertyReferenceOperation { Property: { Name: "Shared", IsStatic: true } property } => SymbolEqualityComparer.Default.Equals(property.ContainingType, randomType),
        _ => false,
    };

    private static SyntaxNode? SingleDeclaration(INamedTypeSymbol? type, SyntaxTree tree, CancellationToken cancellationToken) =>
        type is { DeclaringSyntaxReferences.Length: 1 } && type.DeclaringSyntaxReferences[0].SyntaxTree == tree ? type.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : null;
}
