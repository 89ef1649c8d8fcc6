using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class DropoutTypeFacts
{
    /// <summary>
    /// Whether the site drops the values of another type's member reached through an object (<c>layer.Weights[i] = 0</c> in
    /// a static helper or extension method) whose own declaration, in a file this analysis does not bind, rescales that
    /// member in place (<c>Weights[i] = Weights[i] / total</c>, <c>Output[i] *= scale</c>): the compensation then lives
    /// with the data, where the model cannot weigh it, as a scale whose value cannot be seen is assumed right. Read from
    /// syntax only, and only when a site would otherwise be reported.
    /// </summary>
    private static bool IsRescaledByItsOwnerElsewhere(HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        foreach (IOperation? value in new[] { site.ZeroedTarget, site.KeptValue })
        {
            if (value is null || OtherObjectsMember(value) is not { } member)
            {
                continue;
            }

            foreach (SyntaxReference reference in member.ContainingType.OriginalDefinition.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != site.Comparison.Syntax.SyntaxTree && RescalesInPlace(reference.GetSyntax(cancellationToken), member.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // `obj.M[i]`, `obj.M` with obj not `this`, M a field or property of a source type.
    private static ISymbol? OtherObjectsMember(IOperation value)
    {
        IOperation current = HandWrittenDropoutSite.StripConversions(value);
        if (HandWrittenDropoutModel.ElementCollection(current) is { } collection)
        {
            current = HandWrittenDropoutSite.StripConversions(collection);
        }

        return current switch
        {
            IFieldReferenceOperation { Instance: { } instance and not IInstanceReferenceOperation } field when field.Field.ContainingType.DeclaringSyntaxReferences.Length > 0 => field.Field,
            IPropertyReferenceOperation { Instance: { } instance and not IInstanceReferenceOperation, Property.IsIndexer: false } property when property.Property.ContainingType.DeclaringSyntaxReferences.Length > 0 => property.Property,
            _ => null,
        };
    }

    // An assignment to the member (or an element of it) that multiplies or divides: `M[i] = M[i] / total`, `M[i] *= s`.
    private static bool RescalesInPlace(SyntaxNode declaration, string member)
    {
        foreach (AssignmentExpressionSyntax assignment in declaration.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (!Names(assignment.Left, member))
            {
                continue;
            }

            if (assignment.Kind() is SyntaxKind.MultiplyAssignmentExpression or SyntaxKind.DivideAssignmentExpression)
            {
                return true;
            }

            ExpressionSyntax right = assignment.Right;
            while (right is ParenthesizedExpressionSyntax or CastExpressionSyntax)
            {
                right = right is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((CastExpressionSyntax)right).Expression;
            }

            if (assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && right is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression or (int)SyntaxKind.DivideExpression } product
                && Names(product, member))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Names(SyntaxNode node, string member) =>
        node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(name => name.Identifier.ValueText == member);
}
