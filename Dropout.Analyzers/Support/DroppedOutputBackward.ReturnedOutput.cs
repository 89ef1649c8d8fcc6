using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A layer whose forward returns the output of an INVERTED dropout it applied itself and keeps no mask: the decision zeroes
/// (or scales by 1/p) the elements of a local the forward then returns, the mask is no member, no out parameter and no
/// second return value, and the dropped values are stored in no member. Nothing of the decision survives the call, so no
/// code can apply <c>m/p</c> to the gradient of that output. A backward-named method of the same type that carries the
/// gradient below the dropout (it reads the weights, the units, a list of layers: what the forward read before the drop)
/// and, with the methods of the type it calls, reads nothing the dropout depends on (the rate, the flag) and divides by no
/// probability parameter of its own, is therefore the backward of that output and misses at least the 1/p (and, for every
/// activation but a ReLU, the mask too). Not judged: classic dropout (no training scale), a forward that records the mask
/// or the dropped output in a member (the other checks of this class), a forward with nothing trainable read before the
/// drop (dropout on the input), and a backward that reads the rate or the flag anywhere.
/// </summary>
internal static partial class DroppedOutputBackward
{
    public static IEnumerable<BackwardFinding> FindForReturnedOutput(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        INamedTypeSymbol? type = facts.Type?.OriginalDefinition;
        if (type is null)
        {
            yield break;
        }

        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax forwardDeclaration } forwardRoot
                || DropoutTypeFacts.IsBackwardName(forwardDeclaration.Identifier.ValueText)
                || facts.SemanticModelOf(forwardDeclaration).GetDeclaredSymbol(forwardDeclaration, cancellationToken) is not IMethodSymbol { IsStatic: false, ReturnsVoid: false } forward
                || !SymbolEqualityComparer.Default.Equals(forward.ContainingType?.OriginalDefinition, type)
                || forward.Parameters.Any(parameter => parameter.RefKind is RefKind.Out or RefKind.Ref)
                || site.MaskSymbol is not (null or ILocalSymbol)
                || !facts.ScalesFor(site, cancellationToken).Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep))
            {
                continue;
            }

            // The forward returns the local the decision zeroed, and neither that local nor a mask local reaches a member.
            ILocalSymbol? returned = DroppedHolders(site, forwardRoot).Select(holder => (HandWrittenDropoutSite.StripConversions(holder) as ILocalReferenceOperation)?.Local)
                .FirstOrDefault(local => local is not null && Returns(forwardRoot, local));
            if (returned is null
                || StoredInto(forwardRoot, returned).Any()
                || (site.MaskSymbol is ILocalSymbol mask && !SymbolEqualityComparer.Default.Equals(mask, returned) && (Returns(forwardRoot, mask) || StoredInto(forwardRoot, mask).Any())))
            {
                continue;
            }

            var places = new List<(IOperation Root, IOperation At)> { (forwardRoot, site.Decision) };
            HashSet<ISymbol> state = State(site, forwardRoot, places, type);

            // What the forward read before the drop (weights, units, layers): the backward's gradient reaches it.
            HashSet<ISymbol> below = MembersReadBefore(places, state, member => member.IsStatic || member.Name is "Length" or "Count");

            if (below.Count == 0)
            {
                continue;
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root == forwardRoot
                    || root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration }
                    || !DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)
                    || reported.Contains(declaration)
                    || facts.Sites.Any(other => declaration.Encloses(other.Decision.Syntax))
                    || !OwesTheForwardsMaskAndScale(facts, site, root, below, state, cancellationToken))
                {
                    continue;
                }

                reported.Add(declaration);
                yield return new BackwardFinding(declaration, "the output '" + forward.Name + "' returns from an inverted dropout that keeps no mask,");
            }
        }
    }
}
