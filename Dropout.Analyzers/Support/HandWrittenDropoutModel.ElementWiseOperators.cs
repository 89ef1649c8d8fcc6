using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A tensor type's own <c>*</c> operator whose body is in the compilation and multiplies its two operands entry by entry
/// (<c>r[i] = a.V[i] * b.V[i]</c>): a product through it applies a mask element-wise, as the loop written out would. The
/// body is read from its syntax (it may be in another file, whose semantic model this file's analysis does not take).
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class TermEvaluator
    {
        private static bool IsOperandOfElementWiseProductOperator(IOperation reference)
        {
            IOperation operand = HandWrittenDropoutSite.ClimbConversions(reference);
            while (operand.Parent is IParenthesizedOperation parenthesized)
            {
                operand = parenthesized;
            }

            return operand.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply, OperatorMethod: { Parameters.Length: 2 } method } product
                && !HandWrittenDropoutSite.IsFloatingPoint(product.LeftOperand.Type) && !HandWrittenDropoutSite.IsFloatingPoint(product.RightOperand.Type)
                && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, method.Parameters[1].Type)
                && MultipliesEntryByEntry(method);
        }

        // `a.V[i] * b.V[i]` (or `a[i] * b[i]`) in the operator's body, one factor an element reached from each parameter at the
        // same index: a matrix product's `a.V[i * n + k] * b.V[k * m + j]` pairs different entries and applies no mask.
        private static bool MultipliesEntryByEntry(IMethodSymbol method)
        {
            string first = method.Parameters[0].Name;
            string second = method.Parameters[1].Name;
            foreach (SyntaxReference declaration in method.DeclaringSyntaxReferences)
            {
                foreach (BinaryExpressionSyntax product in declaration.GetSyntax().DescendantNodes().OfType<BinaryExpressionSyntax>())
                {
                    if (product.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.MultiplyExpression)
                        && ElementOf(product.Left) is { } left && ElementOf(product.Right) is { } right
                        && (left.Parameter == first && right.Parameter == second || left.Parameter == second && right.Parameter == first)
                        && Microsoft.CodeAnalysis.CSharp.SyntaxFactory.AreEquivalent(left.Index, right.Index))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // The parameter an element access starts from, and its index: `a.V[i]` and `a[i]` are elements of `a` at `i`.
        private static (string Parameter, BracketedArgumentListSyntax Index)? ElementOf(ExpressionSyntax expression)
        {
            expression = StripParenthesesAndCasts(expression);

            if (expression is not ElementAccessExpressionSyntax access)
            {
                return null;
            }

            ExpressionSyntax receiver = access.Expression;
            while (receiver is MemberAccessExpressionSyntax member)
            {
                receiver = member.Expression;
            }

            return receiver is IdentifierNameSyntax identifier ? (identifier.Identifier.ValueText, access.ArgumentList) : null;
        }
    }
}
