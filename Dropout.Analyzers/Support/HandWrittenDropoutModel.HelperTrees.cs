using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// Whether <paramref name="symbol"/> is a method declared in <paramref name="tree"/> (of the same compilation) whose
    /// declaration names randomness: a draw helper (<c>DecimalRandom.Next01()</c>) or a mask helper
    /// (<c>RandomOps.FillBernoulli(buffer, rng, p)</c>) of another type. Such a helper is summarized wherever it is declared:
    /// real code keeps its random utilities in a file of their own, and where a helper lives (beside its caller, in another
    /// file, in another partial declaration of the caller's type) must not change what its caller's dropout is. Only
    /// helpers that name a random word are read across files, so the cost stays with code that may draw.
    /// </summary>
    private static bool IsRandomHelperDeclaredIn(ISymbol? symbol, SyntaxTree tree, Compilation compilation) =>
        symbol is IMethodSymbol method
        && method.OriginalDefinition.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree && NamesRandomness(tree, reference.Span))
        && compilation.ContainsSyntaxTree(tree);

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
