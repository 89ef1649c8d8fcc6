using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The semantic model of <paramref name="tree"/> for another declaration of a partial <paramref name="type"/> declared
    /// in <paramref name="current"/>'s tree beside a type with dropout (the network class next to its dropout layer, whose
    /// <c>Validate</c> sits in a file of its own): unlike <see cref="SemanticModelFor"/>, the partial type need not draw
    /// itself, only share a file that may.
    /// </summary>
    public static SemanticModel? SemanticModelForPartialNeighbour(SemanticModel current, SyntaxTree tree, INamedTypeSymbol type, CancellationToken cancellationToken = default)
    {
        if (tree == current.SyntaxTree)
        {
            return current;
        }

        var references = type.OriginalDefinition.DeclaringSyntaxReferences;
        return references.Any(reference => reference.SyntaxTree == current.SyntaxTree) && references.Any(reference => reference.SyntaxTree == tree)
            && MayDraw(current.SyntaxTree, current.SyntaxTree.GetRoot(cancellationToken).FullSpan, cancellationToken)
                ? NeighbourModel(current.Compilation, tree)
                : null;
    }

    [SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1030:Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer", Justification = "Only for the other declarations of a partial type declared in a file that passes the prefilter; cached per tree like PartialTreeModel.")]
    private static SemanticModel NeighbourModel(Compilation compilation, SyntaxTree tree) =>
        For(compilation).PartialTreeModel(compilation, tree);
}
