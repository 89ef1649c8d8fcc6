using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP008 for hand-written code: a type whose only dropout is drawn inside a backward or derivative method and applied
/// to that method's own input (the error or gradient handed to it), with no forward of the type drawing any mask. The
/// gradient is then masked and scaled by a draw that never touched the activations: the forward the loss came from
/// dropped nothing (or dropped with another draw), so <c>grad ⊙ m / p</c> is taken with an <c>m</c> of its own.
/// </summary>
/// <remarks>
/// A backward that first uses the mask the forward stored and then draws the next forward's mask into the same member
/// (<see cref="DropoutEvidence.RedrawsForTheNextForward"/>), or draws into a member a forward of the type reads, prepares
/// a forward and is not reported. A backward that draws while a forward of the type also draws is DRP013's case.
/// A method that consumes the dropped values itself (an optimizer dropping gradient entries before its update) is not a
/// backward handing a gradient on: only a draw whose dropped values leave the method (returned, or written into a
/// parameter) counts.
/// </remarks>
internal static class DropoutDrawnOnlyInBackward
{
    /// <summary>Registers the per-type check; called by <see cref="BackwardMaskMismatchAnalyzer"/>, DRP008's one live analyzer.</summary>
    public static void Register(AnalysisContext context)
    {
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            if (!facts.IsWholeType || facts.Sites.IsEmpty)
            {
                return;
            }

            // Any site outside a backward-like method means a forward of the type draws: not this rule's shape.
            var backwardSites = new List<(HandWrittenDropoutSite Site, MethodDeclarationSyntax Method, IOperation Body)>();
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.Decision.Syntax.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
                    || !IsBackwardLike(method.Identifier.ValueText)
                    || facts.RootOf(site) is not IMethodBodyOperation body)
                {
                    return;
                }

                backwardSites.Add((site, method, body));
            }

            var forwardRoots = facts.Roots.Where(root => root.Syntax is not MethodDeclarationSyntax method || !IsBackwardLike(method.Identifier.ValueText)).ToList();
            foreach ((HandWrittenDropoutSite site, MethodDeclarationSyntax method, IOperation body) in backwardSites)
            {
                if (DropoutEvidence.RedrawsForTheNextForward(site, body)
                    || site.MaskSymbol is IFieldSymbol or IPropertySymbol && forwardRoots.Any(root => Reads(root, site.MaskSymbol))
                    || !DropsTheMethodsInput(site, body, method))
                {
                    continue;
                }

                nodeContext.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.BackwardMaskMismatch,
                    site.Comparison.Syntax.GetLocation(),
                    "'" + method.Identifier.ValueText + "' draws a fresh mask ('" + site.Comparison.Syntax + "') for the values handed to it, while no forward of '" + facts.Type?.Name + "' drew a mask"));
            }
        });
    }

    // Backward words, and "Derivative": a layer's backward is often written as the derivative it applies to the error terms.
    private static bool IsBackwardLike(string name) =>
        DropoutTypeFacts.IsBackwardName(name) || name.IndexOf("Derivative", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool Reads(IOperation root, ISymbol member) =>
        root.Descendants().Any(operation => operation is IMemberReferenceOperation reference
            && SymbolEqualityComparer.Default.Equals(reference.Member, member)
            && !(reference.Parent is IAssignmentOperation assignment && assignment.Target == reference));

    /// <summary>
    /// Whether the site decides over values the method was handed (an element of a parameter, or a lambda parameter of a
    /// query over one) and its result leaves the method: returned, or written into a parameter.
    /// </summary>
    private static bool DropsTheMethodsInput(HandWrittenDropoutSite site, IOperation body, MethodDeclarationSyntax method)
    {
        // The value kept (`u < p ? g[i] / p : 0`), or for an `if` the element zeroed and the branch that keeps it.
        IOperation[] dropped = new[] { site.KeptValue, site.ZeroedTarget, site.KeptBranch }.OfType<IOperation>().ToArray();
        if (dropped.Length == 0)
        {
            return false;
        }

        if (body.SemanticModel is not { } semanticModel || semanticModel.GetDeclaredSymbol(method) is not IMethodSymbol self)
        {
            return false;
        }

        bool fromParameter = dropped.SelectMany(HandWrittenDropoutSite.EnumerateSelfAndDescendants).Any(operation => operation is IParameterReferenceOperation parameter
            && (parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction }
                ? LambdaOverParameter(parameter.Parameter, self, semanticModel)
                : SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, self)));
        if (!fromParameter)
        {
            return false;
        }

        // Written into the parameter (in place) or returned: the method hands the dropped values back.
        if (site.ZeroedTarget is { } target && HandWrittenDropoutSite.EnumerateSelfAndDescendants(target).Any(operation => operation is IParameterReferenceOperation))
        {
            return true;
        }

        return body.Descendants().OfType<IReturnOperation>().Any(ret => ret.ReturnedValue is { } value
            && (value.Syntax.Span.Contains(site.Decision.Syntax.Span) || LocalHoldsDecision(value, site, body)));
    }

    // `inputs.Select((x, i) => ...)`: the lambda's first parameter is an element of the method's parameter.
    private static bool LambdaOverParameter(IParameterSymbol parameter, IMethodSymbol method, SemanticModel semanticModel) =>
        parameter.Ordinal == 0
        && parameter.ContainingSymbol is IMethodSymbol lambda
        && lambda.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } } } }
        && semanticModel.GetSymbolInfo(access.Expression).Symbol is IParameterSymbol source
        && SymbolEqualityComparer.Default.Equals(source.ContainingSymbol, method);

    // `var result = new double[n]; ... result[i] = u < p ? 0 : x[i] / p; return result;`
    private static bool LocalHoldsDecision(IOperation returned, HandWrittenDropoutSite site, IOperation body)
    {
        if (HandWrittenDropoutSite.StripConversions(returned) is not ILocalReferenceOperation { Local: var local })
        {
            return false;
        }

        return body.Descendants().OfType<ISimpleAssignmentOperation>().Any(assignment => (assignment.Syntax.Span.Contains(site.Decision.Syntax.Span) || site.Decision.Syntax.Span.Contains(assignment.Syntax.Span))
            && assignment.Target is IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation array }
            && SymbolEqualityComparer.Default.Equals(array.Local, local));
    }
}
