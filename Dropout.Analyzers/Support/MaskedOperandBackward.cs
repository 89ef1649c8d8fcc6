using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that differentiates through a member the forward multiplied element-wise by the stored mask, using the
/// member alone. A method of the type that is not a backward multiplies a member mask by another member of the object
/// (<c>_mask.PointwiseMultiply(_weights)</c>, DropConnect's masked weights, or the masked input of a layer); a
/// backward-named method reads that other member but neither the mask nor a member holding the product, and calls no
/// method of the type that does: its gradient runs through the unmasked operand, so dropped weights or units pass
/// gradient as if they were kept. Decided by data flow only (which members the product reads, which the backward reads).
/// </summary>
internal static class MaskedOperandBackward
{
    private static readonly string[] ProductNames = ["PointwiseMultiply", "ElementwiseMultiply", "MultiplyElementwise", "Hadamard", "HadamardProduct", "CMul", "ElementMul", "MulElementwise"];

    /// <summary>A backward that reads the masked operand without the mask.</summary>
    public sealed class Finding(MethodDeclarationSyntax backward, string operand, string mask)
    {
        public MethodDeclarationSyntax Backward { get; } = backward;

        public string Operand { get; } = operand;

        public string Mask { get; } = mask;
    }

    public static IEnumerable<Finding> Find(DropoutTypeFacts facts, IEnumerable<HandWrittenDropoutSite> maskSites, CancellationToken cancellationToken)
    {
        var masks = new HashSet<ISymbol>(
            maskSites.Where(site => site.MaskSymbol is IFieldSymbol or IPropertySymbol).Select(site => site.MaskSymbol!.OriginalDefinition),
            SymbolEqualityComparer.Default);
        if (masks.Count == 0)
        {
            yield break;
        }

        // (mask, operand, member holding the product itself): the forward's masked products.
        var products = new List<(ISymbol Mask, ISymbol Operand, ISymbol? Holder)>();
        foreach (IOperation root in facts.Roots)
        {
            if (root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration } || DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText))
            {
                continue;
            }

            foreach (IInvocationOperation product in root.Descendants().OfType<IInvocationOperation>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Array.IndexOf(ProductNames, product.TargetMethod.Name) < 0 || product.Instance is null || product.Arguments.Length != 1)
                {
                    continue;
                }

                ISymbol? left = OwnMember(product.Instance);
                ISymbol? right = OwnMember(product.Arguments[0].Value);
                (ISymbol? mask, ISymbol? operand) = left is not null && masks.Contains(left) ? (left, right) : right is not null && masks.Contains(right) ? (right, left) : (null, null);
                if (mask is null || operand is null || masks.Contains(operand))
                {
                    continue;
                }

                // `_masked = _mask.PointwiseMultiply(_weights)`: a backward reading `_masked` reads the mask through it.
                IOperation outer = HandWrittenDropoutSite.ClimbConversions(product);
                ISymbol? holder = outer.Parent is ISimpleAssignmentOperation assignment && assignment.Value == outer ? OwnMember(assignment.Target) : null;
                products.Add((mask, operand, holder));
            }
        }

        if (products.Count == 0)
        {
            yield break;
        }

        foreach (IOperation root in facts.Roots)
        {
            if (root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration }
                || !DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)
                || facts.Sites.Any(site => declaration.Encloses(site.Decision.Syntax)))
            {
                continue;
            }

            foreach ((ISymbol mask, ISymbol operand, ISymbol? holder) in products)
            {
                var dropout = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { mask };
                if (holder is not null)
                {
                    dropout.Add(holder);
                }

                if (PreDropRecordBackward.ReadsMember(root, operand) && !PreDropRecordBackward.ReadsDropout(facts, root, dropout, depth: 2))
                {
                    yield return new Finding(declaration, operand.Name, mask.Name);
                    break;
                }
            }
        }
    }

    // A field or property of this object (`_weights`, `this.Mask`), not an element or another object's member.
    private static ISymbol? OwnMember(IOperation operation) =>
        HandWrittenDropoutSite.StripConversions(operation) is IMemberReferenceOperation member && HandWrittenDropoutModel.IsSelf(member.Instance)
            && member is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
            ? HandWrittenDropoutSite.ReferencedSymbol(member)?.OriginalDefinition
            : null;
}
