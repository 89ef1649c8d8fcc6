using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The files of the compilation, other than <paramref name="own"/>, whose text names one of <paramref name="names"/>:
    /// where a caller of a dropout method (a prediction that runs it, a backward that reads its mask) may sit when real code
    /// keeps the model, its layers and its training code in files of their own. A text search on the text the prefilter
    /// already holds; only the files it finds are parsed and bound (<see cref="ModelOfOtherFile"/>).
    /// </summary>
    public static IEnumerable<SyntaxTree> OtherFilesNaming(Compilation compilation, IReadOnlyCollection<string> names, IEnumerable<SyntaxTree> own)
    {
        var skipped = new HashSet<SyntaxTree>(own);
        return names.Count == 0
            ? []
            : compilation.SyntaxTrees.Where(tree => !skipped.Contains(tree) && names.Any(name => TextNames(tree, name)));
    }

    /// <summary>The semantic model of a file <see cref="OtherFilesNaming"/> found (the driver's compilation caches it).</summary>
    public static SemanticModel ModelOfOtherFile(Compilation compilation, SyntaxTree tree) => For(compilation).PartialTreeModel(compilation, tree);
}
