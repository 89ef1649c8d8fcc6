using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

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
        foreach (SyntaxNode node in site.Decision.Syntax.DescendantNodes())
        {
            if (MultiplicativeOperands(node) is var (left, right, isDivision)
                && (Mentions(probability, right, isDivision) || (!isDivision && Mentions(probability, left, isDivision: false))))
            {
                return true;
            }
        }

        foreach (SyntaxNode declaration in declarations)
        {
            foreach (SyntaxNode node in declaration.DescendantNodes())
            {
                if (MultiplicativeOperands(node) is var (left, right, isDivision)
                    && !IsInsideAnotherDecision(node, declaration, site.Decision.Syntax)
                    && (Mentions(probability, right, isDivision) || (!isDivision && Mentions(probability, left, isDivision: false))))
                {
                    return true;
                }
            }
        }

        return false;
    }

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

    public static bool MentionsDraw(SyntaxNode condition)
    {
        foreach (SyntaxNode node in condition.DescendantNodesAndSelf())
        {
            if (node is IdentifierNameSyntax { Identifier.ValueText: "NextDouble" or "NextSingle" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The declarations of the site's containing type, or <see langword="null"/> if some lie in another file.</summary>
    public static IReadOnlyList<SyntaxNode>? ContainingTypeDeclarations(HandWrittenDropoutSite site, SemanticModel semanticModel, CancellationToken cancellationToken)
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

/// <summary>The keep probability of a site as the symbols it reads (p, dropRate) or, for a literal, its value.</summary>
internal sealed class KeepProbabilityReference
{
    private const double Tolerance = 1e-9;
    private readonly HashSet<ISymbol> _symbols = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly double? _keepProbability;
    private readonly double? _comparedValue;
    private readonly ISymbol? _keepSymbol;
    private readonly ISymbol? _dropSymbol;
    private readonly SemanticModel _semanticModel;
    private readonly CancellationToken _cancellationToken;

    public KeepProbabilityReference(HandWrittenDropoutSite site, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        _semanticModel = semanticModel;
        _cancellationToken = cancellationToken;
        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Probability))
        {
            if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && _symbols.Add(symbol))
            {
                _names.Add(symbol.Name);
            }
        }

        // The keep probability is p itself (keep symbol) or 1 - rate (drop symbol), whichever way the draw is written.
        IOperation probability = site.Probability;
        if (HandWrittenDropoutSite.ReferencedSymbol(probability) is { } comparedSymbol)
        {
            _keepSymbol = site.KeepProbabilityIsComplement ? null : comparedSymbol;
            _dropSymbol = site.KeepProbabilityIsComplement ? comparedSymbol : null;
        }
        else if (probability is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference
            && difference.LeftOperand.ConstantValue is { HasValue: true, Value: var one } && ToDouble(one) == 1
            && HandWrittenDropoutSite.ReferencedSymbol(difference.RightOperand) is { } rate)
        {
            _keepSymbol = site.KeepProbabilityIsComplement ? rate : null;
            _dropSymbol = site.KeepProbabilityIsComplement ? null : rate;
        }

        if (site.Probability.ConstantValue is { HasValue: true, Value: var constant } && ToDouble(constant) is { } compared)
        {
            _comparedValue = compared;
            _keepProbability = site.KeepProbabilityIsComplement ? 1 - compared : compared;
        }
    }

    /// <summary>Whether <paramref name="operand"/> of a multiplication or division reads the keep probability (or a scale derived from it).</summary>
    public bool IsMentionedBy(ExpressionSyntax operand, bool isDivision)
    {
        if (_keepProbability is { } keep)
        {
            if (_semanticModel.GetConstantValue(operand, _cancellationToken) is { HasValue: true, Value: var value } && ToDouble(value) is { } number)
            {
                return Near(number, keep) || Near(number, _comparedValue!.Value) || (!isDivision && (Near(number, 1 / keep) || Near(number, 1 / _comparedValue.Value)));
            }

            return NamesAScale(operand);
        }

        foreach (SyntaxNode node in operand.DescendantNodesAndSelf())
        {
            if (node is not IdentifierNameSyntax identifier)
            {
                continue;
            }

            string name = identifier.Identifier.ValueText;
            if (name.IndexOf("scale", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }

            if (_names.Contains(name) && _semanticModel.GetSymbolInfo(identifier, _cancellationToken).Symbol is { } symbol && _symbols.Contains(symbol))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="operand"/> is exactly the keep probability: <c>p</c>, or <c>1 - rate</c> for a drop rate (not 1/p).</summary>
    public bool IsExactly(ExpressionSyntax operand)
    {
        operand = Unwrap(operand);
        if (_keepProbability is { } keep)
        {
            return _semanticModel.GetConstantValue(operand, _cancellationToken) is { HasValue: true, Value: var value } && ToDouble(value) is { } number && Near(number, keep);
        }

        if (_keepSymbol is not null && Binds(operand, _keepSymbol))
        {
            return true;
        }

        return _dropSymbol is not null
            && operand is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.SubtractExpression } difference
            && _semanticModel.GetConstantValue(difference.Left, _cancellationToken) is { HasValue: true, Value: var one } && ToDouble(one) == 1
            && Binds(Unwrap(difference.Right), _dropSymbol);
    }

    private bool Binds(ExpressionSyntax expression, ISymbol symbol) =>
        expression is IdentifierNameSyntax or MemberAccessExpressionSyntax
        && SymbolEqualityComparer.Default.Equals(_semanticModel.GetSymbolInfo(expression, _cancellationToken).Symbol, symbol);

    private static ExpressionSyntax Unwrap(ExpressionSyntax operand)
    {
        while (operand is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            operand = operand is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((CastExpressionSyntax)operand).Expression;
        }

        return operand;
    }

    private static bool NamesAScale(ExpressionSyntax operand)
    {
        foreach (SyntaxNode node in operand.DescendantNodesAndSelf())
        {
            if (node is IdentifierNameSyntax identifier && identifier.Identifier.ValueText.IndexOf("scale", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Near(double a, double b) => Math.Abs(a - b) <= Tolerance * Math.Max(1, Math.Abs(b));

    public static double? ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        _ => null,
    };
}
