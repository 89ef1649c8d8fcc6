using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// The joins of a type's facts that look at "another type" by syntax: a receiver helper (a static method or extension
/// method of another class that reads the type through one parameter, HandWrittenDropoutModel.ReceiverHelpers.cs) is
/// one of the type's members to the model, so its body is the type's own code, not another type's.
/// </summary>
internal sealed partial class DropoutTypeFacts
{
    /// <summary>
    /// Whether <paramref name="node"/> (inside <paramref name="declaration"/>) is in a declaration of <see cref="Type"/>
    /// or in the body of one of its receiver helpers: `x * layer.Rate` in `static class LayerOps` is the layer's own
    /// code once the layer's forward moved there, not a network that rescales by the layer's rate.
    /// </summary>
    private bool IsOfTheTypeOrItsReceiverHelpers(SyntaxNode node, TypeDeclarationSyntax declaration, Compilation compilation, CancellationToken cancellationToken)
    {
        if (Type is null)
        {
            return false;
        }

        SyntaxTree tree = node.SyntaxTree;
        if (Type.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree && reference.Span.Contains(declaration.Span)))
        {
            return true;
        }

        return HandWrittenDropoutModel.ReceiverHelpersOf(compilation, cancellationToken).HelpersOf(Type)
            .Any(helper => helper.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree && reference.Span.Contains(node.Span)));
    }
}
