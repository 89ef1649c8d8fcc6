using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// DRP014 for a network that drops inside its own forward: a public method that returns the network's output, that the
/// type's own training code runs as its forward pass (<c>TrainNetwork</c> calling <c>calcNet</c>), and that nothing else in
/// the type replaces when predicting. Code outside the type (the agent choosing an action, an application predicting) has
/// no other way to get an output, so the training caller does not make the forward training-only.
/// </summary>
public sealed partial class DropoutWithoutInferencePathAnalyzer
{
    /// <summary>
    /// A public or internal instance method returning a value that a training method of its own type calls: the network's
    /// forward, whatever it is named (<c>calcNet</c>, <c>Query</c>, <c>GetOutputs</c>).
    /// </summary>
    private static bool IsNetworkForward(IMethodSymbol method, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken) =>
        IsPublicForward(method)
        && MethodsOf(type, cancellationToken).Any(member => member.Symbol is { } caller
            && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name)
            && !HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloName(caller.Name)
            && Calls(member.Declaration, method, facts, cancellationToken));

    private static bool IsPublicForward(IMethodSymbol method) =>
        !method.IsStatic && method.MethodKind == MethodKind.Ordinary && !method.ReturnsVoid
        && method.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal;

    /// <summary>
    /// Whether <paramref name="caller"/> is the type's own training code calling its public forward, while no other method of
    /// the type computes an output from the forward's weights: then prediction from outside runs the same forward, and the
    /// training caller is no inference path.
    /// </summary>
    private static bool IsOwnTrainingOfTheOnlyForward(IMethodSymbol forward, IMethodSymbol caller, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        if (!IsPublicForward(forward) || !SymbolEqualityComparer.Default.Equals(caller.ContainingType?.OriginalDefinition, type.OriginalDefinition)
            || HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloName(caller.Name))
        {
            return false;
        }

        var members = MethodsOf(type, cancellationToken).ToList();
        var forwardPart = new HashSet<SyntaxNode>(members.Where(member => SymbolEqualityComparer.Default.Equals(member.Symbol, forward)).Select(member => member.Declaration));
        if (forwardPart.Count == 0)
        {
            return false;
        }

        // The forward's own helpers (a batch-norm step, an activation) are part of it.
        foreach ((SyntaxNode declaration, IMethodSymbol? symbol) in members)
        {
            if (symbol is not null && !forwardPart.Contains(declaration) && forwardPart.ToList().Any(part => Calls(part, symbol, facts, cancellationToken)))
            {
                forwardPart.Add(declaration);
            }
        }

        // The weights: fields and properties of the type that the forward multiplies by.
        var weights = new HashSet<ISymbol>(forwardPart.SelectMany(part => MultipliedMembers(part, type, facts, cancellationToken)), SymbolEqualityComparer.Default);
        if (weights.Count == 0)
        {
            return false;
        }

        // Another method that multiplies by them (a Predict written out again without dropout) is an output path of its own.
        // A backward multiplies by the weights to pass the gradient, training code to update them: neither predicts.
        return !members.Any(member => member.Symbol is { } other
            && !forwardPart.Contains(member.Declaration)
            && !DropoutTypeFacts.IsBackwardName(other.Name)
            && !(HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(other.Name) && !HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloName(other.Name))
            && other.Name.IndexOf("Update", StringComparison.Ordinal) < 0
            && MultipliedMembers(member.Declaration, type, facts, cancellationToken).Any(weights.Contains));
    }

    private static IEnumerable<(SyntaxNode Declaration, IMethodSymbol? Symbol)> MethodsOf(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences
            .SelectMany(reference => reference.GetSyntax(cancellationToken).ChildNodes())
            .OfType<MethodDeclarationSyntax>()
            .Select(declaration => ((SyntaxNode)declaration, (IMethodSymbol?)type.GetMembers(declaration.Identifier.ValueText).OfType<IMethodSymbol>()
                .FirstOrDefault(method => method.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(cancellationToken) == declaration))));

    private static bool Calls(SyntaxNode declaration, IMethodSymbol method, DropoutTypeFacts facts, CancellationToken cancellationToken) =>
        declaration.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(invocation => CalledName(invocation) == method.Name
            && SymbolEqualityComparer.Default.Equals((facts.SemanticModelOf(invocation).GetSymbolInfo(invocation, cancellationToken).Symbol as IMethodSymbol)?.OriginalDefinition, method.OriginalDefinition));

    // `x[i] * weights[l][i, j]`, `h *= _gamma[j]`: members of the type that are a factor of a product.
    private static IEnumerable<ISymbol> MultipliedMembers(SyntaxNode declaration, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        foreach (SyntaxNode node in declaration.DescendantNodes())
        {
            ExpressionSyntax[] operands = node switch
            {
                BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) => [binary.Left, binary.Right],
                AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression) => [assignment.Right],
                _ => [],
            };
            foreach (ExpressionSyntax operand in operands)
            {
                ExpressionSyntax collection = operand;
                while (collection is ElementAccessExpressionSyntax access)
                {
                    collection = access.Expression;
                }

                if (collection is IdentifierNameSyntax or MemberAccessExpressionSyntax
                    && facts.SemanticModelOf(collection).GetSymbolInfo(collection, cancellationToken).Symbol is { Kind: SymbolKind.Field or SymbolKind.Property, IsStatic: false } member
                    && IsTypeOrBase(member.ContainingType, type))
                {
                    yield return member;
                }
            }
        }
    }

    // `_dropRate = 0` in `ChooseAction` before predicting: a rate that code writes outside construction is switched off at
    // inference by that code, which is an inference path (the rule cannot tell which calls see which value, so it is silent).
    private static bool IsProbabilitySwitchedAfterConstruction(HandWrittenDropoutSite site, Compilation compilation, CancellationToken cancellationToken) =>
        site.ProbabilitySymbol is { Kind: SymbolKind.Field or SymbolKind.Property } probability
        && SettingConditions.IsWrittenOutsideConstruction(compilation, probability.Name, cancellationToken);
}
