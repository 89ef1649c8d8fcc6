using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A training step whose backward is written inline after it calls the type's inverted-dropout forward, and whose only
/// factor of the probability multiplies by the keep probability p: the forward divided the kept values by p, so the
/// derivative of <c>x·m/p</c> is <c>m/p</c>, and the step's gradient comes out a factor p² too small (the backward-method
/// form of this is DRP013's "multiplies the gradient by p"). What makes the method a backward is data flow, not its name:
/// after the forward call it tests the forward's activations against zero to find the dropped units (the mask guessed by
/// value), and the p multiplies a value computed after that call. Not judged: classic dropout (no 1/p in the forward), a
/// step with any 1/p of its own, and a method that calls no forward of the type.
/// </summary>
internal static class InlineBackwardScale
{
    public static IEnumerable<MethodDeclarationSyntax> Find(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IOperation siteRoot = facts.RootOf(site);
            if (siteRoot is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax forwardDeclaration }
                || facts.SemanticModelOf(forwardDeclaration).GetDeclaredSymbol(forwardDeclaration, cancellationToken) is not IMethodSymbol forward)
            {
                continue;
            }

            var scales = facts.ScalesFor(site, cancellationToken).ToList();
            if (!scales.Any(scale => scale.Use.Root == siteRoot && scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep))
            {
                continue;
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root == siteRoot || root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax step } || reported.Contains(step)
                    || facts.Sites.Any(other => step.Encloses(other.Decision.Syntax))
                    || root.Descendants().OfType<IInvocationOperation>().FirstOrDefault(call =>
                        SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, forward.OriginalDefinition)) is not { } forwardCall)
                {
                    continue;
                }

                var own = scales.Where(scale => scale.Use.Root == root).ToList();
                HashSet<ILocalSymbol> keepScaled = LocalsWrittenByKeepProducts(own);
                int after = forwardCall.Syntax.Span.End;
                if (!own.Any(scale => scale.Kind == ScaleKind.Keep)
                    || own.Any(scale => scale.Kind is not (ScaleKind.Keep or ScaleKind.Unknown)
                        || (scale.Kind == ScaleKind.Unknown && !(HandWrittenDropoutSite.StripConversions(scale.Use.Factor) is ILocalReferenceOperation { Local: var local } && keepScaled.Contains(local))))
                    || own.Any(scale => scale.Use.Operation.Syntax.SpanStart < after)
                    || !TestsActivationAgainstZero(root, after))
                {
                    continue;
                }

                reported.Add(step);
                yield return step;
            }
        }
    }

    // `g = g * keep; w -= lr * g;`: a local that holds a product by p is a factor derived from p (unknown to the model), but
    // it carries that same p, not a 1/p of its own.
    private static HashSet<ILocalSymbol> LocalsWrittenByKeepProducts(List<(ScaleUse Use, ScaleKind Kind, ScalePlace Place)> scales)
    {
        var locals = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (var scale in scales.Where(scale => scale.Kind == ScaleKind.Keep))
        {
            IOperation value = HandWrittenDropoutSite.ClimbConversions(scale.Use.Operation);
            switch (value)
            {
                case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target }:
                    locals.Add(target.Local);
                    break;
                case var _ when value.Parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment && assignment.Value == value:
                    locals.Add(target.Local);
                    break;
                case var _ when value.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    locals.Add(declarator.Symbol);
                    break;
            }
        }

        return locals;
    }

    // `if (h[j] == 0) continue;`, `h[j] != 0 ? ... : 0` after the forward call: the dropped units found by their value.
    private static bool TestsActivationAgainstZero(IOperation root, int after) =>
        root.Descendants().OfType<IBinaryOperation>().Any(comparison =>
            comparison.Syntax.SpanStart > after
            && comparison.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.GreaterThan
            && (HandWrittenDropoutSite.IsZero(comparison.RightOperand) || HandWrittenDropoutSite.IsZero(comparison.LeftOperand))
            && DropoutTypeFacts.IsActivation(HandWrittenDropoutSite.IsZero(comparison.RightOperand) ? comparison.LeftOperand : comparison.RightOperand));
}
