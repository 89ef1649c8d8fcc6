using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// Looks for the scale that must accompany a hand-written dropout site: a division by the keep probability p, or a
/// multiplication by p, 1/p or a value named like a scale, anywhere in the site's type. The search is deliberately
/// generous: a correct program is never reported because its scale lives in a helper of the same class, and the
/// non-inverted formulation (multiply by p at inference) counts as scaled.
/// </summary>
internal static class ProbabilityScaling
{
    /// <summary>Whether the type that contains <paramref name="site"/> scales by its keep probability somewhere. Types split over several files count as scaled: the rest of the type cannot be seen here.</summary>
    public static bool IsScaledSomewhere(HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        SemanticModel? semanticModel = site.Draw.SemanticModel;
        if (semanticModel is null || ContainingTypeDeclarations(site, semanticModel, cancellationToken) is not { } declarations)
        {
            return true;
        }

        var probability = new KeepProbabilityReference(site, semanticModel, cancellationToken);

        // Most correct code scales right where it keeps (u < p ? a / p : 0), so look there before searching the type.
        if (site.Decision.Syntax.DescendantNodes().Any(node => ScalesBy(probability, node)))
        {
            return true;
        }

        foreach (SyntaxNode declaration in declarations)
        {
            foreach (SyntaxNode node in declaration.DescendantNodes())
            {
                if (ScalesBy(probability, node) && !IsInsideAnotherDecision(node, declaration, site.Decision.Syntax))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="node"/> is a <c>*</c>, <c>/</c>, <c>*=</c> or <c>/=</c> by the keep probability (as a divisor, or either factor of a product).</summary>
    private static bool ScalesBy(KeepProbabilityReference probability, SyntaxNode node) =>
        MultiplicativeOperands(node) is var (left, right, isDivision)
        && (Mentions(probability, right, isDivision) || (!isDivision && Mentions(probability, left, isDivision: false)));

    // In `a[i] *= u < p ? 1 : 0` the p in the draw's condition is no scale; only the branches can carry one.
    private static bool Mentions(KeepProbabilityReference probability, ExpressionSyntax operand, bool isDivision)
    {
        while (operand is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            operand = operand is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((CastExpressionSyntax)operand).Expression;
        }

        if (operand is ConditionalExpressionSyntax conditional && MentionsDraw(conditional.Condition))
        {
            return Mentions(probability, conditional.WhenTrue, isDivision) || Mentions(probability, conditional.WhenFalse, isDivision);
        }

        return probability.IsMentionedBy(operand, isDivision);
    }

    // A scale inside another site's keep/drop decision belongs to that site: fixing one site must not hide the next.
    private static bool IsInsideAnotherDecision(SyntaxNode node, SyntaxNode declaration, SyntaxNode decision)
    {
        for (SyntaxNode? ancestor = node.Parent; ancestor is not null && ancestor != declaration; ancestor = ancestor.Parent)
        {
            ExpressionSyntax? condition = ancestor switch
            {
                ConditionalExpressionSyntax conditional => conditional.Condition,
                IfStatementSyntax ifStatement => ifStatement.Condition,
                _ => null,
            };
            if (condition is not null && ancestor != decision && MentionsDraw(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="condition"/> calls <c>NextDouble</c>, <c>NextSingle</c> or <c>NextFloat</c> (a syntactic check, for filtering before binding).</summary>
    public static bool MentionsDraw(SyntaxNode condition)
    {
        foreach (SyntaxNode node in condition.DescendantNodesAndSelf())
        {
            if (node is IdentifierNameSyntax identifier && HandWrittenDropoutSite.IsUniformDrawName(identifier.Identifier.ValueText))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The declarations of the site's containing type, or <see langword="null"/> if some lie in another file.</summary>
    private static IReadOnlyList<SyntaxNode>? ContainingTypeDeclarations(HandWrittenDropoutSite site, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? type = semanticModel.GetEnclosingSymbol(site.Draw.Syntax.SpanStart, cancellationToken)?.ContainingType;
        if (type is null)
        {
            return null;
        }

        var declarations = new List<SyntaxNode>();
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != semanticModel.SyntaxTree)
            {
                return null;
            }

            declarations.Add(reference.GetSyntax(cancellationToken));
        }

        return declarations;
    }

    /// <summary>The operands of a <c>*</c>, <c>/</c>, <c>*=</c> or <c>/=</c>.</summary>
    public static (ExpressionSyntax Left, ExpressionSyntax Right, bool IsDivision)? MultiplicativeOperands(SyntaxNode node) => node switch
    {
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) => (binary.Left, binary.Right, false),
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.DivideExpression) => (binary.Left, binary.Right, true),
        AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression) => (assignment.Left, assignment.Right, false),
        AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.DivideAssignmentExpression) => (assignment.Left, assignment.Right, true),
        _ => null,
    };
}
