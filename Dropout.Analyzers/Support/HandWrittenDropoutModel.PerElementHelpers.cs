using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The method a private helper's work belongs to: when every call of the helper (a private method of a type declared
    /// only in this file) is in one method, that method, followed up to three helpers deep; otherwise the helper itself.
    /// A loop body moved into <c>ApplyStep</c> still runs in <c>Forward</c>, whose flags, name and callers say whether it
    /// runs at inference.
    /// </summary>
    public static IMethodSymbol OwnerOfHelper(IMethodSymbol method, SemanticModel semanticModel)
    {
        // A receiver helper the layer's method only forwards to (`Forward(x) => LayerOps.Forward(this, x)`) is that method.
        method = ForwarderOf(method, semanticModel) ?? method;
        for (int depth = 0; depth < 3; depth++)
        {
            if (method.MethodKind != MethodKind.Ordinary || SiteFinder.CallsOf(method, semanticModel) is not { IsDefaultOrEmpty: false } calls)
            {
                break;
            }

            IMethodSymbol helper = method;
            var callers = calls.Select(call => ModelOfCall(semanticModel, call, helper).GetEnclosingSymbol(call.SpanStart)).ToList();
            if (callers[0] is not IMethodSymbol { MethodKind: MethodKind.Ordinary } caller
                || callers.Any(other => !SymbolEqualityComparer.Default.Equals(other, caller)) || SymbolEqualityComparer.Default.Equals(caller, method))
            {
                break;
            }

            method = caller;
        }

        return method;
    }

    // The semantic model of a call's file: the helper's own, or another declaration of its partial type (CallsOf has
    // returned only calls in files it could read).
    private static SemanticModel ModelOfCall(SemanticModel semanticModel, SyntaxNode call, IMethodSymbol helper) =>
        SemanticModelFor(semanticModel, call.SyntaxTree, helper) ?? semanticModel;

    private sealed partial class SiteFinder
    {
        private const int PerElementCallDepth = 3;

        /// <summary>
        /// Whether every call of a private method or local function of this file runs once per element: each call sits
        /// in a loop or lambda of its caller, or in a caller that is itself called so. A decision inside such a helper is
        /// per element although the helper has no loop (<c>for (...) Apply(input, output, i);</c> with the draw in
        /// <c>Apply</c>), as code reads once a loop body is extracted into a method.
        /// </summary>
        /// <remarks>
        /// Only helpers whose every caller is visible qualify: private methods and local functions of a type declared in
        /// this file, called by name (a method group handed out makes its callers unknown). One call outside a loop is
        /// a single decision, and the helper is not per element.
        /// </remarks>
        private static bool IsCalledPerElement(IMethodSymbol method, SemanticModel? semanticModel, int depth = 0) =>
            depth < PerElementCallDepth && CallsOf(method, semanticModel) is { IsDefaultOrEmpty: false } calls
            && calls.All(call => IsInLoopOfCaller(call, ModelOfCall(semanticModel!, call, method), depth));

        /// <summary>
        /// Every call of a helper whose callers are all visible (a private method or local function of a type whose every
        /// declaration is read: this file, or the files of a partial type declared in it), or default when a caller may be unseen: a method group handed out, another file, a
        /// non-private method.
        /// </summary>
        internal static ImmutableArray<InvocationExpressionSyntax> CallsOf(IMethodSymbol method, SemanticModel? semanticModel)
        {
            if (semanticModel is null
                || !(method.MethodKind == MethodKind.LocalFunction || method is { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private })
                || method.DeclaringSyntaxReferences.Length != 1 || method.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree
                || method.ContainingType is not { } type || !AllDeclarationsReadable(type, semanticModel))
            {
                return default;
            }

            // Every declaration of the type, a partial type's other files too, each bound with its own file's model.
            ImmutableArray<InvocationExpressionSyntax>.Builder calls = ImmutableArray.CreateBuilder<InvocationExpressionSyntax>();
            foreach (SyntaxReference typeReference in type.DeclaringSyntaxReferences)
            {
                SemanticModel typeModel = SemanticModelFor(semanticModel, typeReference.SyntaxTree, type)!;
                foreach (SimpleNameSyntax name in typeReference.GetSyntax().DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    if (name.Identifier.ValueText != method.Name
                        || !SymbolEqualityComparer.Default.Equals(typeModel.GetSymbolInfo(name).Symbol?.OriginalDefinition, method.OriginalDefinition))
                    {
                        continue;
                    }

                    SyntaxNode callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                    if (callee.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee)
                    {
                        return default;
                    }

                    calls.Add(invocation);
                }
            }

            return calls.ToImmutable();
        }

        /// <summary>
        /// Whether a decision inside a private helper is gated in every caller: each call sits under an <c>if</c> that
        /// does not draw, in a switch, or after an early <c>if (!training) return</c> of its caller, the way the training
        /// flag stays with the loop when the loop body moves into a helper.
        /// </summary>
        private static bool IsHelperGatedAtEveryCall(IOperation decision, IOperation root, int depth)
        {
            if (depth >= PerElementCallDepth || root.SemanticModel is not { } semanticModel
                || semanticModel.GetEnclosingSymbol(decision.Syntax.SpanStart) is not IMethodSymbol method
                || CallsOf(method, semanticModel) is not { IsDefaultOrEmpty: false } calls)
            {
                return false;
            }

            foreach (InvocationExpressionSyntax call in calls)
            {
                SyntaxNode? callerDeclaration = call.Ancestors().FirstOrDefault(ancestor => ancestor is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);
                if (callerDeclaration is null || ModelOfCall(semanticModel, call, method).GetOperation(callerDeclaration) is not { } callerRoot
                    || callerRoot.DescendantsAndSelf().FirstOrDefault(operation => operation.Syntax == call && operation is IInvocationOperation) is not { } callOperation
                    || !(IsGatedWithin(callOperation, callerRoot) || IsHelperGatedAtEveryCall(callOperation, callerRoot, depth + 1)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The names of the members that call a private helper, and of their parameters (empty when a caller may be unseen).</summary>
        private static IEnumerable<string> CallerNames(IMethodSymbol helper, SemanticModel semanticModel)
        {
            if (CallsOf(helper, semanticModel) is not { IsDefaultOrEmpty: false } calls)
            {
                yield break;
            }

            foreach (InvocationExpressionSyntax call in calls)
            {
                if (ModelOfCall(semanticModel, call, helper).GetEnclosingSymbol(call.SpanStart) is IMethodSymbol caller)
                {
                    yield return caller.Name;
                    foreach (IParameterSymbol parameter in caller.Parameters)
                    {
                        yield return parameter.Name;
                    }
                }
            }
        }

        // A call inside a loop or lambda of the member (or local function) that makes it, or in a caller that is itself per element.
        private static bool IsInLoopOfCaller(SyntaxNode call, SemanticModel semanticModel, int depth)
        {
            foreach (SyntaxNode ancestor in call.Ancestors())
            {
                switch (ancestor)
                {
                    case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or AnonymousFunctionExpressionSyntax:
                        return true;
                    case LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax:
                        return semanticModel.GetDeclaredSymbol(ancestor) is IMethodSymbol caller && IsCalledPerElement(caller, semanticModel, depth + 1);
                    case MemberDeclarationSyntax:
                        return false;
                }
            }

            return false;
        }
    }
}
