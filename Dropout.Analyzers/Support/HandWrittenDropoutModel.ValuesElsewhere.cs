using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The value of a field or property declared in another file, as a term of <paramref name="probabilitySymbol"/>, read
    /// from its declaration's syntax (an analyzer may not bind another file): a <c>static readonly</c> field or a get-only
    /// property whose initializer or expression body is arithmetic of literals, constants and members of its own type
    /// (<c>Scale = 1f / (1f - DropRate)</c>). <see langword="null"/> when the member can be written elsewhere or its value is
    /// anything else; an expression it cannot follow is <see cref="ProbabilityTerm.Unknown"/>, which never reports.
    /// </summary>
    private static ProbabilityTerm? ValueDeclaredElsewhere(ISymbol member, ISymbol? probabilitySymbol, SemanticModel semanticModel, int depth)
    {
        if (member.DeclaringSyntaxReferences.Length != 1 || member.DeclaringSyntaxReferences[0] is not { } reference
            || reference.SyntaxTree == semanticModel.SyntaxTree || depth > MaxDepth
            || !HandWrittenDropoutSite.IsFloatingPoint(member is IFieldSymbol or IPropertySymbol ? SymbolValues.TypeOf(member) : null))
        {
            return null;
        }

        ExpressionSyntax? value = (member, reference.GetSyntax()) switch
        {
            (IFieldSymbol { IsStatic: true, IsReadOnly: true }, VariableDeclaratorSyntax { Initializer.Value: var initializer }) => initializer,
            (IPropertySymbol { SetMethod: null }, PropertyDeclarationSyntax { ExpressionBody.Expression: var body }) => body,
            (IPropertySymbol { SetMethod: null, IsStatic: true }, PropertyDeclarationSyntax { Initializer.Value: var initializer }) => initializer,
            _ => null,
        };
        if (value is not null)
        {
            return EvaluateSyntax(value, member.ContainingType, probabilitySymbol, semanticModel, depth + 1);
        }

        // A read-only member whose value is set where this file cannot look (another type's constructor): unknown, so a
        // factor like `x * _layer.Gain` is neither a right nor a missing scale. Calling it unrelated to p reported a
        // consumer of a correct `Gain = 1 / keep` as missing its scale.
        return member is IFieldSymbol { IsReadOnly: true } or IPropertySymbol { SetMethod: null } ? ProbabilityTerm.Unknown : null;
    }

    private static ProbabilityTerm EvaluateSyntax(ExpressionSyntax expression, INamedTypeSymbol type, ISymbol? probabilitySymbol, SemanticModel semanticModel, int depth)
    {
        switch (expression)
        {
            case LiteralExpressionSyntax { Token.Value: var literal } when ProbabilityScaling.ToDouble(literal) is { } number:
                return ProbabilityTerm.Constant(number);
            case ParenthesizedExpressionSyntax parenthesized:
                return EvaluateSyntax(parenthesized.Expression, type, probabilitySymbol, semanticModel, depth);
            case CastExpressionSyntax { Type: PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.FloatKeyword or (int)SyntaxKind.DoubleKeyword } } cast:
                return EvaluateSyntax(cast.Expression, type, probabilitySymbol, semanticModel, depth);
            case BinaryExpressionSyntax binary:
                // `1 / 3` of two integer literals is integer division: not followed.
                if (binary.IsKind(SyntaxKind.DivideExpression) && IsIntegerLiteral(binary.Left) && IsIntegerLiteral(binary.Right))
                {
                    return ProbabilityTerm.Unknown;
                }

                ProbabilityTerm left = EvaluateSyntax(binary.Left, type, probabilitySymbol, semanticModel, depth);
                ProbabilityTerm right = EvaluateSyntax(binary.Right, type, probabilitySymbol, semanticModel, depth);
                return binary.Kind() switch
                {
                    SyntaxKind.MultiplyExpression => left.Multiply(right),
                    SyntaxKind.DivideExpression => left.Divide(right),
                    SyntaxKind.AddExpression => left.AddOrSubtract(right, subtract: false),
                    SyntaxKind.SubtractExpression => left.AddOrSubtract(right, subtract: true),
                    _ => ProbabilityTerm.Unknown,
                };
            case IdentifierNameSyntax identifier:
                return EvaluateMemberOf(type, identifier.Identifier.ValueText, probabilitySymbol, semanticModel, depth);
            case MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: var owner }, Name: IdentifierNameSyntax name } when owner == type.Name:
                return EvaluateMemberOf(type, name.Identifier.ValueText, probabilitySymbol, semanticModel, depth);
            default:
                return ProbabilityTerm.Unknown;
        }
    }

    private static bool IsIntegerLiteral(ExpressionSyntax expression) =>
        expression is LiteralExpressionSyntax { Token.Value: int or long or uint or ulong };

    // A member of the declaring type by name: the site's probability itself, a constant, or another value declared the same way.
    private static ProbabilityTerm EvaluateMemberOf(INamedTypeSymbol type, string name, ISymbol? probabilitySymbol, SemanticModel semanticModel, int depth)
    {
        var members = type.GetMembers(name);
        if (members.Length != 1 || members[0] is not (IFieldSymbol or IPropertySymbol) || members[0] is not { } member)
        {
            return ProbabilityTerm.Unknown;
        }

        if (probabilitySymbol is not null && SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, probabilitySymbol.OriginalDefinition))
        {
            return ProbabilityTerm.Symbol;
        }

        if (member is IFieldSymbol { HasConstantValue: true, ConstantValue: var constant } && ProbabilityScaling.ToDouble(constant) is { } number)
        {
            return ProbabilityTerm.Constant(number);
        }

        return ValueDeclaredElsewhere(member, probabilitySymbol, semanticModel, depth) ?? ProbabilityTerm.Unknown;
    }
}
