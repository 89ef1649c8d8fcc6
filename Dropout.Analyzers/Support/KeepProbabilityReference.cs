using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

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
