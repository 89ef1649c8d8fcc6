using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The bodies of the methods that call the private helper whose body is <paramref name="dropRoot"/> (every call
    /// visible: <see cref="SiteFinder.CallsOf"/>), followed up to <paramref name="depth"/> helpers up. The drop of a loop
    /// body moved into <c>ApplyStep</c> still runs in the caller's loop, and what that caller runs after the loop (a
    /// <c>Renormalize()</c> helper dividing by the total kept) is on the drop's path as much as when the loop was inline.
    /// </summary>
    private static IEnumerable<IOperation> CallersOfDropBody(IOperation dropRoot, SemanticModel semanticModel, CancellationToken cancellationToken, int depth = 2)
    {
        if (depth <= 0 || dropRoot.Syntax is not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax)
            || SemanticModelFor(semanticModel, dropRoot.Syntax.SyntaxTree, null, cancellationToken) is not { } dropModel
            || dropModel.GetDeclaredSymbol(dropRoot.Syntax, cancellationToken) is not IMethodSymbol method
            || SiteFinder.CallsOf(method, dropModel) is not { IsDefaultOrEmpty: false } calls)
        {
            yield break;
        }

        foreach (InvocationExpressionSyntax call in calls)
        {
            SyntaxNode? callerDeclaration = call.Ancestors().FirstOrDefault(node => node is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax);
            if (callerDeclaration is null
                || SemanticModelFor(dropModel, call.SyntaxTree, method, cancellationToken) is not { } callerModel
                || callerModel.GetOperation(callerDeclaration, cancellationToken) is not { } caller)
            {
                continue;
            }

            yield return caller;
            foreach (IOperation outer in CallersOfDropBody(caller, callerModel, cancellationToken, depth - 1))
            {
                yield return outer;
            }
        }
    }
}
