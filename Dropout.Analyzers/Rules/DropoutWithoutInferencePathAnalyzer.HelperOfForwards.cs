using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP014 for dropout in a private helper that several forwards share (a residual connection's <c>AddBranch</c>, a
/// per-element <c>DropoutUnit(v)</c>): the helper has no layer name and, called from more than one method, is not folded
/// into one owner, yet every call of it is a plain call from a public forward of the type that takes no flag. Whatever the
/// helper is named, what the type returns from outside is dropped on every call.
/// </summary>
public sealed partial class DropoutWithoutInferencePathAnalyzer
{
    /// <summary>
    /// Whether <paramref name="helper"/> is a private method of <paramref name="type"/> whose every call (at least one) sits,
    /// under no condition, in a public or internal instance method of the type that returns a value, takes no
    /// <see langword="bool"/> or enum parameter, is no training, Monte Carlo or backward method, and is itself called under
    /// no condition anywhere in the type's files.
    /// </summary>
    private static bool IsHelperOfPublicForwards(IMethodSymbol helper, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        if (helper.DeclaredAccessibility != Accessibility.Private || helper.MethodKind != MethodKind.Ordinary
            || !SymbolEqualityComparer.Default.Equals(helper.ContainingType?.OriginalDefinition, type.OriginalDefinition))
        {
            return false;
        }

        var callers = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach (SyntaxTree tree in type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Distinct())
        {
            foreach (InvocationExpressionSyntax invocation in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (CalledName(invocation) != helper.Name)
                {
                    continue;
                }

                SemanticModel semanticModel = facts.SemanticModelOf(invocation);
                if (semanticModel.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
                    || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition))
                {
                    continue;
                }

                // The call itself decided by a flag or a comparison (`training ? Drop(v) : v`) is an inference path.
                if (HandWrittenDropoutModel.IsGated(call, call.TreeRoot())
                    || invocation.Ancestors().Any(ancestor => ancestor is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or SwitchExpressionSyntax
                        || (ancestor is BinaryExpressionSyntax binary && binary.OperatorToken.ValueText is "&&" or "||")))
                {
                    return false;
                }

                // A lambda or local function inside the forward belongs to it.
                ISymbol? enclosing = semanticModel.GetEnclosingSymbol(invocation.SpanStart, cancellationToken);
                while (enclosing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
                {
                    enclosing = nested.ContainingSymbol;
                }

                if (enclosing is not IMethodSymbol caller
                    || SymbolEqualityComparer.Default.Equals(caller, helper)
                    || !IsPublicForward(caller)
                    || !SymbolEqualityComparer.Default.Equals(caller.ContainingType?.OriginalDefinition, type.OriginalDefinition)
                    || caller.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean || parameter.Type.TypeKind == TypeKind.Enum)
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name)
                    || DropoutTypeFacts.IsBackwardName(caller.Name))
                {
                    return false;
                }

                callers.Add(caller);
            }
        }

        return callers.Count > 0
            && callers.All(caller => !HasGuardedOrTrainingCaller(caller, type, facts, cancellationToken) && !HasSiblingInferencePath(caller, type, facts));
    }
}
