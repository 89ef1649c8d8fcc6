using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class DropoutTypeFacts
{
    /// <summary>
    /// Whether the site drops the values of another type's member reached through an object (<c>row.Weights[i] = 0</c> in
    /// a static helper or extension method) and the dropping method then calls, on that same object, a method of the
    /// member's type declared in a file this analysis does not bind that rescales the member in place
    /// (<c>row.Renormalize()</c> with <c>Weights[i] = Weights[i] / total</c>): the compensation runs on the drop's path, where
    /// the model cannot weigh it, as a scale whose value cannot be seen is assumed right. Read from syntax only, and only
    /// when a site would otherwise be reported.
    /// </summary>
    private static bool IsRescaledByItsOwnerElsewhere(HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        foreach (IOperation? value in new[] { site.ZeroedTarget, site.KeptValue })
        {
            if (value is null || OtherObjectsMember(value) is not { } dropped)
            {
                continue;
            }

            foreach (IInvocationOperation call in site.Comparison.TreeRoot().Descendants().OfType<IInvocationOperation>())
            {
                if (call.Instance is { } receiver
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(receiver), dropped.Receiver)
                    && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType.OriginalDefinition, dropped.Member.ContainingType.OriginalDefinition)
                    && call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences is { Length: 1 } declarations && declarations[0] is var declaration
                    && declaration.SyntaxTree != site.Comparison.Syntax.SyntaxTree
                    && RescalesInPlace(declaration.GetSyntax(cancellationToken), dropped.Member.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // `obj.M[i]`, `obj.M` with obj a local or parameter (not `this`), M a field or property of a source type.
    private static (ISymbol Receiver, ISymbol Member)? OtherObjectsMember(IOperation value)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(value);
        if (HandWrittenDropoutModel.ElementCollection(current) is { } collection)
        {
            current = HandWrittenDropoutSite.StripConversions(collection);
        }

        (IOperation? instance, ISymbol? member) = current switch
        {
            IFieldReferenceOperation field => (field.Instance, (ISymbol)field.Field),
            IPropertyReferenceOperation { Property.IsIndexer: false } property => (property.Instance, property.Property),
            _ => (null, null),
        };
        return instance is ILocalReferenceOperation or IParameterReferenceOperation && member is { ContainingType.DeclaringSyntaxReferences.Length: > 0 }
            && HandWrittenDropoutSite.ReferencedSymbol(instance) is { } receiver
            ? (receiver, member)
            : null;
    }

    // An assignment to the type's own member (or an element of it), no other object's, that divides or multiplies it in
    // place: `M[i] = M[i] / total`, `M[i] /= total`, `M[i] *= s`.
    private static bool RescalesInPlace(SyntaxNode declaration, string member)
    {
        foreach (AssignmentExpressionSyntax assignment in declaration.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            ExpressionSyntax target = assignment.Left is ElementAccessExpressionSyntax element ? element.Expression : assignment.Left;
            if (!IsOwnMember(target, member))
            {
                continue;
            }

            if (assignment.Kind() is SyntaxKind.MultiplyAssignmentExpression or SyntaxKind.DivideAssignmentExpression)
            {
                return true;
            }

            ExpressionSyntax right = assignment.Right;
            right = HandWrittenDropoutModel.StripParenthesesAndCasts(right);

            if (assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && right is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression or (int)SyntaxKind.DivideExpression } product
                && new[] { product.Left, product.Right }.Any(operand => (operand is ElementAccessExpressionSyntax read ? read.Expression : operand) is var readTarget && IsOwnMember(readTarget, member)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOwnMember(ExpressionSyntax expression, string member) => expression switch
    {
        IdentifierNameSyntax name => name.Identifier.ValueText == member,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText == member,
        _ => false,
    };

}
