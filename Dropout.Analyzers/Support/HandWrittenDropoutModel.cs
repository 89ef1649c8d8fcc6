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
/// constructor and read in <c>Forward</c> has the constructor's value. Only declarations in the file being analyzed and
/// in the other files of a partial type declared in it are read (see <c>HandWrittenDropoutModel.PartialTypes.cs</c>), so
/// whatever else lives in another file is unknown, and unknown never produces a diagnostic.
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    private const int MaxDepth = 5;

    [ThreadStatic]
    private static HashSet<IMethodSymbol>? s_inProgress;

    private static readonly ConditionalWeakTable<Compilation, HandWrittenDropoutModel> Models = new();

    private readonly ConcurrentDictionary<SyntaxNode, ImmutableArray<HandWrittenDropoutSite>> _sitesByRoot = new();
    // Keyed by the asking tree too: what a member's declarations give depends on whether the asking file may read them
    // (another file's type is unknown), so an answer computed for one file must not be handed to another; one shared
    // entry made the result depend on which file the analyzer driver happened to visit first.
    private readonly ConcurrentDictionary<(ISymbol Member, SyntaxTree AskingTree), SymbolValues> _memberValues = new(MemberInTreeComparer.Instance);
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
        IFieldSymbol or IPropertySymbol => _memberValues.GetOrAdd((symbol, semanticModel.SyntaxTree), key => SymbolValues.OfMember(key.Member, semanticModel, cancellationToken)),
        IParameterSymbol parameter => _memberValues.GetOrAdd((symbol, semanticModel.SyntaxTree), _ => SymbolValues.OfParameter(parameter, semanticModel, cancellationToken)),
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
        // A method of another declaration of a partial dropout type is read with its own tree's model.
        if (method.DeclaringSyntaxReferences.Length != 1
            || SemanticModelFor(semanticModel, method.DeclaringSyntaxReferences[0].SyntaxTree, method, cancellationToken) is not { } methodModel
            || !NamesRandomness(method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)))
        {
            return HelperSummary.None;
        }

        semanticModel = methodModel;

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

    /// <summary>Whether a call of a forward is gated by more than exits that check the calling method's input (see <see cref="InputChecks"/>).</summary>
    public static bool IsCallGatedBeyondInputChecks(IOperation call, IOperation root) => SiteFinder.IsCallGatedBeyondInputChecks(call, root);

    /// <summary>The model's facts about one type (its sites and every scale in it) from its members' operation trees, computed once per type for every rule.</summary>
    public DropoutTypeFacts? FactsFor(INamedTypeSymbol type, IEnumerable<IOperation> memberBlocks, CancellationToken cancellationToken) =>
        _types.GetOrAdd(type, _ => DropoutTypeFacts.Create(this, type, memberBlocks, cancellationToken));

    private sealed class MemberInTreeComparer : IEqualityComparer<(ISymbol Member, SyntaxTree AskingTree)>
    {
        public static readonly MemberInTreeComparer Instance = new();

        public bool Equals((ISymbol Member, SyntaxTree AskingTree) x, (ISymbol Member, SyntaxTree AskingTree) y) =>
            x.AskingTree == y.AskingTree && SymbolEqualityComparer.Default.Equals(x.Member, y.Member);

        public int GetHashCode((ISymbol Member, SyntaxTree AskingTree) key) =>
            (SymbolEqualityComparer.Default.GetHashCode(key.Member) * 397) ^ key.AskingTree.GetHashCode();
    }
}
