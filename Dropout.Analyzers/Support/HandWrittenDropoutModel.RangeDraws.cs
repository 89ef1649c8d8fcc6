using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A draw between two bounds written by the program itself, in any file (<c>static float RandomRange(float lo, float hi)
/// =&gt; lo + (hi - lo) * r.NextSingle();</c> in a utility class): called with the bounds 0 and 1 its value is the uniform
/// it scales, whatever the method is named. What decides is the helper's body, read from its syntax alone (no semantic
/// model of the other file), and only for a call whose arguments are the literals 0 and 1.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>Whether <paramref name="invocation"/> calls a source method returning <c>lo + (hi - lo) * u</c> (u a uniform draw) with lo = 0 and hi = 1.</summary>
    private static bool IsUnitRangeHelperCall(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod.OriginalDefinition;
        if (invocation.Arguments.Length != 2 || method.Parameters.Length != 2 || method.DeclaringSyntaxReferences.Length != 1
            || !HandWrittenDropoutSite.IsFloatingPoint(method.ReturnType)
            || !HandWrittenDropoutSite.IsFloatingPoint(method.Parameters[0].Type) || !HandWrittenDropoutSite.IsFloatingPoint(method.Parameters[1].Type))
        {
            return false;
        }

        IArgumentOperation low = invocation.Arguments.First(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, method.Parameters[0]));
        IArgumentOperation high = invocation.Arguments.First(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, method.Parameters[1]));
        if (!HandWrittenDropoutSite.IsZero(low.Value) || !HandWrittenDropoutSite.IsOne(high.Value)
            || method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
        {
            return false;
        }

        ExpressionSyntax? returned = declaration.ExpressionBody?.Expression
            ?? (declaration.Body is { Statements.Count: 1 } body && body.Statements[0] is ReturnStatementSyntax { Expression: { } value } ? value : null);
        return returned is not null && IsScaledUniform(StripParenthesesAndCasts(returned), method.Parameters[0].Name, method.Parameters[1].Name);
    }

    // `lo + (hi - lo) * u` or `(hi - lo) * u + lo`, the product in either order.
    private static bool IsScaledUniform(ExpressionSyntax expression, string low, string high)
    {
        if (expression is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum)
        {
            return false;
        }

        (ExpressionSyntax offset, ExpressionSyntax product) = IsName(StripParenthesesAndCasts(sum.Left), low) ? (sum.Left, sum.Right) : (sum.Right, sum.Left);
        return IsName(StripParenthesesAndCasts(offset), low)
            && StripParenthesesAndCasts(product) is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression } scaled
            && ((IsWidth(StripParenthesesAndCasts(scaled.Left), low, high) && IsUniformDrawSyntax(StripParenthesesAndCasts(scaled.Right)))
                || (IsWidth(StripParenthesesAndCasts(scaled.Right), low, high) && IsUniformDrawSyntax(StripParenthesesAndCasts(scaled.Left))));
    }

    private static bool IsWidth(ExpressionSyntax expression, string low, string high) =>
        expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.SubtractExpression } width && IsName(StripParenthesesAndCasts(width.Left), high) && IsName(StripParenthesesAndCasts(width.Right), low);

    private static bool IsName(ExpressionSyntax expression, string name) => expression is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == name;

    // A parameterless uniform draw (`r.NextDouble()`, `_rng.NextSingle()`, `Rand()`).
    private static bool IsUniformDrawSyntax(ExpressionSyntax expression) =>
        expression is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } call
        && call.Expression switch
        {
            MemberAccessExpressionSyntax access => IsUniformDrawName(access.Name.Identifier.ValueText),
            IdentifierNameSyntax name => IsUniformDrawName(name.Identifier.ValueText),
            _ => false,
        };

    /// <summary>The expression inside any parentheses and casts: <c>((float)(x))</c> is <c>x</c>. One syntax-level walk for
    /// every syntax check of the model that reads through them.</summary>
    internal static ExpressionSyntax StripParenthesesAndCasts(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    break;
                case CastExpressionSyntax cast:
                    expression = cast.Expression;
                    break;
                default:
                    return expression;
            }
        }
    }
}
