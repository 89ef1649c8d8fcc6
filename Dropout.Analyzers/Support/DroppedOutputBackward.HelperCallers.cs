using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A dropout helper of one type (a static <c>utils.Dropout(x, rate)</c>) that returns only its dropped, 1/p-scaled copy and
/// keeps no mask, called from the forward of a model of another type in the same file (<c>h = utils.Dropout(h,
/// this.Dropout)</c>) whose backward-named method then carries the gradient to what that forward used before the call
/// (its layers, its weights) while reading nothing the call's rate or gate came from (the model's rate member, a flag)
/// and dividing by no probability: nothing of the decision survived the call, so that backward misses m/p. Not judged: a
/// helper that hands its mask back, classic dropout, a forward that drops its own parameter (the network's input), and a
/// backward that reads the rate or the flag (or calls a method of the model that does).
/// </summary>
internal static partial class DroppedOutputBackward
{
    public static IEnumerable<BackwardFinding> FindForHelperCallersInOtherTypes(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        if (facts.Type is not { } helperType)
        {
            yield break;
        }

        var reported = new HashSet<SyntaxNode>();
        var helperDeclarations = helperType.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)).ToList();
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax siteDeclaration } siteRoot
                || facts.SemanticModelOf(siteDeclaration).GetDeclaredSymbol(siteDeclaration, cancellationToken) is not IMethodSymbol { DeclaredAccessibility: not Accessibility.Private } helper
                || helper.Parameters.Any(parameter => parameter.RefKind != RefKind.None)
                || site.MaskSymbol is not (null or ILocalSymbol)
                || !facts.ScalesFor(site, cancellationToken).Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep))
            {
                continue;
            }

            ILocalSymbol? returned = DroppedHolders(site, siteRoot).Select(RootLocal)
                .FirstOrDefault(local => local is not null && Returns(siteRoot, local));
            if (returned is null || (site.MaskSymbol is ILocalSymbol mask && !SymbolEqualityComparer.Default.Equals(mask, returned) && Returns(siteRoot, mask)))
            {
                continue;
            }

            // The helper's scalar parameters the decision, the probability or a gate of its own reads: the rate, the flag.
            var decidingParameters = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
            foreach (IOperation source in new[] { site.Probability, site.Decision }.Concat(EnclosingConditions(site.Decision, siteRoot)).Concat(GuardsBefore(site.Decision, siteRoot)))
            {
                foreach (IParameterReferenceOperation reference in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source).OfType<IParameterReferenceOperation>())
                {
                    if (PreDropRecordBackward.IsScalarParameter(reference.Parameter) && SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, helper))
                    {
                        decidingParameters.Add(reference.Parameter.OriginalDefinition);
                    }
                }
            }

            foreach (MethodDeclarationSyntax forwardDeclaration in helperDeclarations.Select(declaration => declaration.SyntaxTree).Distinct()
                .SelectMany(tree => tree.GetRoot(cancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>()))
            {
                if (forwardDeclaration.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } owner
                    || helperDeclarations.Contains(owner)
                    || DropoutTypeFacts.IsBackwardName(forwardDeclaration.Identifier.ValueText)
                    || !forwardDeclaration.DescendantTokens().Any(token => token.ValueText == helper.Name))
                {
                    continue;
                }

                SemanticModel semanticModel = facts.SemanticModelOf(forwardDeclaration);
                if (semanticModel.GetDeclaredSymbol(forwardDeclaration, cancellationToken) is not IMethodSymbol { IsStatic: false, ContainingType: { } model }
                    || semanticModel.GetOperation(forwardDeclaration, cancellationToken) is not { } forwardRoot)
                {
                    continue;
                }

                foreach (IInvocationOperation call in forwardRoot.Descendants().OfType<IInvocationOperation>())
                {
                    if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition)
                        || call.Arguments.Any(argument => argument.Parameter is { } parameter && !PreDropRecordBackward.IsScalarParameter(parameter)
                            && HandWrittenDropoutSite.StripConversions(argument.Value) is IParameterReferenceOperation))
                    {
                        continue;
                    }

                    // What decides at this call: the model's scalar members handed to the rate or the flag, and the flags or
                    // probabilities tested around the call (`if (_training)`, `if (_rate > 0)`; a layer count in `if (i <
                    // NLayers - 1)` only picks the layers that get dropout, and every backward loops over it).
                    var state = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                    foreach (IOperation part in call.Arguments.Where(argument => argument.Parameter is { } parameter && decidingParameters.Contains(parameter.OriginalDefinition))
                        .SelectMany(argument => HandWrittenDropoutSite.EnumerateSelfAndDescendants(argument.Value)))
                    {
                        if (part is IMemberReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(part) is { } member && PreDropRecordBackward.IsScalar(member)
                            && member.Name is not ("Length" or "Count"))
                        {
                            state.Add(member.OriginalDefinition);
                        }
                    }

                    foreach (IOperation part in EnclosingConditions(call, forwardRoot).SelectMany(HandWrittenDropoutSite.EnumerateSelfAndDescendants))
                    {
                        if (part is IMemberReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(part) is { } member
                            && SymbolValues.TypeOf(member) is { } memberType
                            && (memberType.SpecialType is SpecialType.System_Boolean or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal || memberType.TypeKind == TypeKind.Enum))
                        {
                            state.Add(member.OriginalDefinition);
                        }
                    }

                    // What the forward used before the call: the layers or weights the backward's gradient reaches.
                    var below = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                    foreach (IOperation operation in forwardRoot.Descendants())
                    {
                        if (operation.Syntax.Span.End <= call.Syntax.SpanStart
                            && HandWrittenDropoutModel.IsSelfMember(operation)
                            && HandWrittenDropoutSite.ReferencedSymbol(operation) is IFieldSymbol or IPropertySymbol
                            && HandWrittenDropoutSite.ReferencedSymbol(operation) is { IsStatic: false } member
                            && !state.Contains(member.OriginalDefinition) && !PreDropRecordBackward.IsScalar(member))
                        {
                            below.Add(member.OriginalDefinition);
                        }
                    }

                    if (state.Count == 0 || below.Count == 0)
                    {
                        continue;
                    }

                    foreach (MethodDeclarationSyntax backward in owner.Members.OfType<MethodDeclarationSyntax>())
                    {
                        if (!DropoutTypeFacts.IsBackwardName(backward.Identifier.ValueText) || reported.Contains(backward)
                            || semanticModel.GetOperation(backward, cancellationToken) is not { } backwardRoot
                            || !below.Any(member => PreDropRecordBackward.ReadsMember(backwardRoot, member))
                            || ReadsAnyOf(backwardRoot, state, owner, semanticModel, depth: 2, cancellationToken)
                            || DividesByScalarParameter(backwardRoot)
                            || facts.ScalesInOtherBody(backwardRoot, site, cancellationToken).Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Keep))
                        {
                            continue;
                        }

                        reported.Add(backward);
                        yield return new BackwardFinding(backward, "what '" + forwardDeclaration.Identifier.ValueText + "' dropped with '" + helper.Name + "' (inverted, its mask not kept),");
                    }
                }
            }
        }
    }

    // Whether a body, or a method of the same type declaration it calls (a few levels deep), reads one of the members.
    private static bool ReadsAnyOf(IOperation body, HashSet<ISymbol> members, TypeDeclarationSyntax owner, SemanticModel semanticModel, int depth, CancellationToken cancellationToken)
    {
        if (body.Descendants().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && members.Contains(symbol.OriginalDefinition)))
        {
            return true;
        }

        if (depth == 0)
        {
            return false;
        }

        foreach (IInvocationOperation call in body.Descendants().OfType<IInvocationOperation>())
        {
            foreach (SyntaxReference reference in call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax callee && owner.Members.Contains(callee)
                    && semanticModel.GetOperation(callee, cancellationToken) is { } calleeRoot
                    && ReadsAnyOf(calleeRoot, members, owner, semanticModel, depth - 1, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
