using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// The last check a fix passes before it is offered: the rewritten member compiles with no error it did not have
/// before. Syntax-level rules (scopes, definite assignment, a goto past a using declaration, a name taken further down)
/// are many and easy to miss; the compiler knows all of them, so a fix that it would reject is not offered at all.
/// </summary>
internal static class FixVerification
{
    /// <summary>
    /// Replaces <paramref name="member"/> by <paramref name="newMember"/> and returns the new document, or
    /// <see langword="null"/> when the new member has an error (by id and count) that the old one did not have.
    /// </summary>
    public static async Task<Document?> ReplaceIfItAddsNoErrorsAsync(Document document, SyntaxNode member, SyntaxNode newMember, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return null;
        }

        var marker = new SyntaxAnnotation();
        Document newDocument = document.WithSyntaxRoot(root.ReplaceNode(member, newMember.WithAdditionalAnnotations(marker)));
        SyntaxNode? newRoot = await newDocument.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? newSemanticModel = await newDocument.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (newRoot is null || newSemanticModel is null || newRoot.GetAnnotatedNodes(marker).FirstOrDefault() is not { } placed)
        {
            return null;
        }

        Dictionary<string, int> before = ErrorCounts(semanticModel, member, cancellationToken);
        foreach (KeyValuePair<string, int> after in ErrorCounts(newSemanticModel, placed, cancellationToken))
        {
            if (!before.TryGetValue(after.Key, out int count) || after.Value > count)
            {
                return null;
            }
        }

        return newDocument;
    }

    /// <summary>The member whose errors a fix of <paramref name="node"/> is judged by: the nearest enclosing non-type member, else the type.</summary>
    public static SyntaxNode EnclosingMember(SyntaxNode node) =>
        node.AncestorsAndSelf().FirstOrDefault(ancestor => ancestor is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax)
        ?? node.AncestorsAndSelf().FirstOrDefault(ancestor => ancestor is MemberDeclarationSyntax)
        ?? node.SyntaxTree.GetRoot();

    private static Dictionary<string, int> ErrorCounts(SemanticModel semanticModel, SyntaxNode node, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Diagnostic diagnostic in semanticModel.GetDiagnostics(node.FullSpan, cancellationToken))
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                counts[diagnostic.Id] = counts.TryGetValue(diagnostic.Id, out int count) ? count + 1 : 1;
            }
        }

        return counts;
    }
}
