using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// A type split over <c>partial</c> declarations in several files is one type to the model: its draw, probability,
/// scale, mask, forward, backward and inference path may each be in another declaration (another syntax tree).
/// </summary>
/// <remarks>
/// The model reads declarations through the semantic model of their own tree. For the trees of the other declarations
/// of a type that is also declared in the tree being read, and that passes the prefilter, that semantic model comes from
/// the compilation (RS1030 is suppressed here, and only here): the analyzer driver's compilation caches its semantic
/// models, so this is the model the driver already used to build the operation blocks of that declaration (the
/// symbol-start action of the type collected them all), and it is asked for only for dropout types split over files.
/// Whether a tree is readable depends only on the symbol and the two trees, never on which rule asked first, so the
/// model's caches stay deterministic.
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _partialTreeModels = new();

    /// <summary>
    /// The semantic model for a declaration of <paramref name="symbol"/> (or of its containing type) in <paramref name="tree"/>,
    /// read from <paramref name="current"/>'s tree: <paramref name="current"/> itself for the same tree, the other tree's
    /// model when the type is partial over both trees and may draw, otherwise null (another file stays unknown).
    /// </summary>
    public static SemanticModel? SemanticModelFor(SemanticModel? current, SyntaxTree tree, ISymbol? symbol, CancellationToken cancellationToken = default)
    {
        if (current is null)
        {
            return null;
        }

        if (tree == current.SyntaxTree)
        {
            return current;
        }

        INamedTypeSymbol? type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
        for (; type is not null; type = type.ContainingType)
        {
            if (IsPartialOver(type, current.SyntaxTree, tree, cancellationToken))
            {
                return For(current.Compilation).PartialTreeModel(current.Compilation, tree);
            }
        }

        // A static helper in another file that reads the type through a parameter (HandWrittenDropoutModel.ReceiverHelpers.cs).
        return ReceiverPairedModel(current, tree, symbol);
    }

    /// <summary>Whether <paramref name="type"/> is declared in both trees and one of its declarations passes the prefilter.</summary>
    public static bool IsPartialOver(INamedTypeSymbol type, SyntaxTree first, SyntaxTree second, CancellationToken cancellationToken = default)
    {
        var references = type.OriginalDefinition.DeclaringSyntaxReferences;
        return references.Length > 1
            && references.Any(reference => reference.SyntaxTree == first)
            && references.Any(reference => reference.SyntaxTree == second)
            && references.Any(reference => MayDraw(reference.SyntaxTree, reference.Span, cancellationToken));
    }

    /// <summary>Whether every declaration of <paramref name="type"/> can be read from <paramref name="current"/>'s tree.</summary>
    public static bool AllDeclarationsReadable(INamedTypeSymbol type, SemanticModel current, CancellationToken cancellationToken = default) =>
        type.OriginalDefinition.DeclaringSyntaxReferences.All(reference => SemanticModelFor(current, reference.SyntaxTree, type, cancellationToken) is not null);

    [SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1030:Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer", Justification = "Only for the other declarations of a partial type that passes the prefilter, or for a file whose text names a dropout type's public mask (OtherFilesNaming); the driver's compilation returns its cached model (see the remarks of the type).")]
    private SemanticModel PartialTreeModel(Compilation compilation, SyntaxTree tree) =>
        _partialTreeModels.GetOrAdd(tree, t => compilation.GetSemanticModel(t));
}
