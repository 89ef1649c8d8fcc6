using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The semantic model of hand-written dropout that rules 4, 5, 10, 11 and 12-16 share, one per compilation. It finds the
/// sites (a random draw that decides, per element, between an activation and zero), follows the probability and the
/// scales through locals, fields, properties and helper methods of the same file, and caches what it found per
/// method body and per type so that every rule asks the same questions once.
/// </summary>
/// <remarks>
/// Values are followed by their definitions (<see cref="SymbolValues"/>), not by position: a field written in a
/// constructor and read in <c>Forward</c> has the constructor's value. Only declarations in the file being analyzed are
/// read (an analyzer must not ask for another file's semantic model), so whatever lives in another file is unknown,
/// and unknown never produces a diagnostic.
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    private const int MaxDepth = 5;

    [ThreadStatic]
    private static HashSet<IMethodSymbol>? s_inProgress;

    private static readonly ConditionalWeakTable<Compilation, HandWrittenDropoutModel> Models = new();

    private readonly ConcurrentDictionary<SyntaxNode, ImmutableArray<HandWrittenDropoutSite>> _sitesByRoot = new();
    private readonly ConcurrentDictionary<ISymbol, SymbolValues> _memberValues = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, HelperSummary> _helpers = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, DropoutTypeFacts?> _types = new(SymbolEqualityComparer.Default);

    /// <summary>The model of <paramref name="compilation"/>, shared by every rule that analyzes it.</summary>
    public static HandWrittenDropoutModel For(Compilation compilation) => Models.GetValue(compilation, _ => new HandWrittenDropoutModel());

    /// <summary>The dropout sites in an operation tree (a method body, a lambda, an initializer), found once and cached.</summary>
    public ImmutableArray<HandWrittenDropoutSite> SitesIn(IOperation root, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        _sitesByRoot.GetOrAdd(root.Syntax, _ => new SiteFinder(this, semanticModel, cancellationToken).FindAll(root));

    /// <summary>The values of a local, field or property (see <see cref="SymbolValues"/>); member values are cached.</summary>
    public SymbolValues ValuesOf(ISymbol symbol, IOperation context, SemanticModel semanticModel, CancellationToken cancellationToken) => symbol switch
    {
        ILocalSymbol local => SymbolValues.OfLocal(local, context),
        IFieldSymbol or IPropertySymbol => _memberValues.GetOrAdd(symbol, member => SymbolValues.OfMember(member, semanticModel, cancellationToken)),
        IParameterSymbol parameter => _memberValues.GetOrAdd(symbol, _ => SymbolValues.OfParameter(parameter, semanticModel, cancellationToken)),
        _ => SymbolValues.None,
    };

    /// <summary>What a method of the compilation does with randomness, read from its body when it is in this file.</summary>
    private HelperSummary SummaryOf(IMethodSymbol method, SemanticModel semanticModel, CancellationToken cancellationToken, int depth)
    {
        method = method.OriginalDefinition;
        if (_helpers.TryGetValue(method, out HelperSummary? summary))
        {
            return summary;
        }

        // Only a method of this file whose text names a draw can be a draw or mask helper: anything else is not bound.
        if (method.DeclaringSyntaxReferences.Length != 1
            || method.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree
            || !MayDraw(method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)))
        {
            return HelperSummary.None;
        }

        // A helper that (indirectly) calls itself is summarized as doing nothing while its own summary is being computed.
        HashSet<IMethodSymbol> inProgress = s_inProgress ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        if (depth >= MaxDepth || !inProgress.Add(method))
        {
            return HelperSummary.None;
        }

        try
        {
            summary = HelperSummary.Create(this, method, semanticModel, cancellationToken, depth);
        }
        finally
        {
            inProgress.Remove(method);
        }

        return _helpers.GetOrAdd(method, summary);
    }

    /// <summary>Whether an operation sits under an <c>if</c> or <c>switch</c> that does not draw, or after an early <c>if (...) return</c>, in the tree <paramref name="root"/>.</summary>
    public static bool IsGated(IOperation operation, IOperation root) => SiteFinder.IsGatedByControl(operation, root);

    /// <summary>The model's facts about one type (its sites and every scale in it) from its members' operation trees, computed once per type for every rule.</summary>
    public DropoutTypeFacts? FactsFor(INamedTypeSymbol type, IEnumerable<IOperation> memberBlocks, CancellationToken cancellationToken) =>
        _types.GetOrAdd(type, _ => DropoutTypeFacts.Create(this, type, memberBlocks, cancellationToken));

    // ---------------------------------------------------------------------------------------------------------------
    // The prefilter. Every hand-written rule (and the helper summaries) asks MayDraw before any operation tree of a type
    // is read, so it must cost almost nothing on code without randomness, which is most code. It admits a declaration
    // when its span holds an identifier token (not a comment, not a string) that:
    //   - starts with "Next" (Next, NextDouble, NextSingle, NextBool, NextGaussian, ...), or
    //   - contains "rand", "rng", "uniform", "bernoulli" or "binomial", in any case (Random, _rng, rand_like, Uniform,
    //     Bernoulli, SampleBinomial, ThreadSafeRandom, randoms, ...).
    // The words are found in the tree's text once per tree (a plain string search), and only the few places where one
    // occurs are confirmed as identifier tokens with FindToken; a declaration then asks whether one of them lies in its
    // span. Walking every token of every type instead (what this replaced) built the red nodes of the whole compilation
    // and was most of the analyzers' time on a large compilation.
    // ---------------------------------------------------------------------------------------------------------------

    // Text fragments whose occurrence may make an identifier a random word; IsRandomWord decides on the whole token.
    private static readonly string[] RandomWordFragments = ["Next", "rand", "rng", "uniform", "bernoulli", "binomial"];

    private static readonly ConditionalWeakTable<SyntaxTree, int[]> RandomWordPositions = new();

    /// <summary>Whether a declaration (type, method) is worth analyzing: it names a draw, a random helper or a Bernoulli/Binomial (a syntactic filter, computed once per syntax tree for all rules, that keeps the model cheap on code without randomness).</summary>
    public static bool MayDraw(SyntaxNode declaration)
    {
        int[] positions = RandomWordPositions.GetValue(declaration.SyntaxTree, FindRandomWords);
        int index = Array.BinarySearch(positions, declaration.Span.Start);
        if (index < 0)
        {
            index = ~index;
        }

        return index < positions.Length && positions[index] < declaration.Span.End;
    }

    // The start of every identifier token of the tree that is a random word, in ascending order.
    private static int[] FindRandomWords(SyntaxTree tree)
    {
        string text = tree.GetText().ToString();
        SyntaxNode? root = null;
        var positions = new SortedSet<int>();
        foreach (string fragment in RandomWordFragments)
        {
            StringComparison comparison = fragment == "Next" ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            for (int at = text.IndexOf(fragment, comparison); at >= 0; at = text.IndexOf(fragment, at + fragment.Length, comparison))
            {
                root ??= tree.GetRoot();
                SyntaxToken token = root.FindToken(at);
                if (token.RawKind == (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken && token.Span.Contains(at) && IsRandomWord(token.ValueText))
                {
                    positions.Add(token.SpanStart);
                }
            }
        }

        return positions.ToArray();
    }

    private static bool IsRandomWord(string name) =>
        name.StartsWith("Next", StringComparison.Ordinal)
        || name.IndexOf("rand", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("rng", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("bernoulli", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("binomial", StringComparison.OrdinalIgnoreCase) >= 0;
}
