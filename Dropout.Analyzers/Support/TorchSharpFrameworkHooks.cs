using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// A module's evaluation hook run by a training framework: an override of a method that a base type declares (a
/// Lightning-style <c>validation_step</c>), which the module itself never puts in evaluation mode because the framework
/// does so before calling it. Decided by the framework code the program shows, not by the hook's name: every call of
/// the hook in the program follows, in its method, an <c>eval()</c> (or <c>train(false)</c>) on the same receiver with no
/// <c>train()</c> in between. When the framework is not in the program (its base type is not in source) the calls cannot
/// be seen, and the hook is judged like any other method.
/// </summary>
internal static class TorchSharpFrameworkHooks
{
    /// <summary>Whether <paramref name="method"/> is a framework hook whose every caller in the program switches the module to evaluation first.</summary>
    public static bool CallersPutInEval(IMethodSymbol method, Compilation compilation, CancellationToken cancellationToken)
    {
        IMethodSymbol? declared = method.OverriddenMethod;
        while (declared?.OverriddenMethod is { } further)
        {
            declared = further;
        }

        if (declared is null
            || SymbolEqualityComparer.Default.Equals(declared.ContainingType, method.ContainingType)
            || !declared.ContainingType.Locations.Any(location => location.IsInSource))
        {
            return false;
        }

        int calls = 0;
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            SyntaxNode root = tree.GetRoot(cancellationToken);
            foreach (InvocationExpressionSyntax call in root.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (TorchSharpModels.InvokedName(call) != method.Name
                    || method.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree && reference.Span.Contains(call.Span)))
                {
                    continue;
                }

                SyntaxNode? caller = call.Ancestors().FirstOrDefault(node => node is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax);
                if (caller is null || !LastModeBeforeIsEval(caller, call))
                {
                    return false;
                }

                calls++;
            }
        }

        return calls > 0;
    }

    // The last mode switch on the call's receiver before the call in `caller` is eval() (or train(false)).
    private static bool LastModeBeforeIsEval(SyntaxNode caller, InvocationExpressionSyntax call)
    {
        string receiver = ReceiverText(call);
        bool? evaluated = null;
        foreach (InvocationExpressionSyntax earlier in caller.DescendantNodes(node => node.SpanStart < call.SpanStart).OfType<InvocationExpressionSyntax>())
        {
            if (earlier.Span.End > call.SpanStart || ReceiverText(earlier) != receiver)
            {
                continue;
            }

            if (TorchSharpModeFlow.IsEvalSyntax(earlier))
            {
                evaluated = true;
            }
            else if (TorchSharpModels.InvokedName(earlier) == "train")
            {
                evaluated = false;
            }
        }

        return evaluated == true;
    }

    private static string ReceiverText(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } => "this",
        MemberAccessExpressionSyntax access => access.Expression.ToString(),
        _ => "this",
    };
}
