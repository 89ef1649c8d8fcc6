using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// A static method (or extension method) elsewhere in the compilation that reads or writes a dropout-capable type through
/// ONE parameter of that type (<c>static class LayerOps { static void Forward(Layer self, ...) }</c>, a cs231n-style
/// <c>dropout_forward(layer, x)</c> port, <c>static class Layers</c>) is a member of that type to the model: its body is
/// one of the type's blocks, its reads and writes through the parameter are the type's members, and its file is read
/// with the semantic model the analyzer driver built for it.
/// </summary>
/// <remarks>
/// The index is symbol-only (no other tree is bound): static methods of source types whose parameters hold exactly one
/// parameter of a source class or struct that passes the prefilter (<see cref="MayDraw(INamedTypeSymbol, CancellationToken)"/>).
/// A type with such helpers is analyzed at compilation end, once the driver delivered the helpers' operation blocks too
/// (<see cref="HandWrittenDropoutRules"/>); the other tree is read as a partial type's other declaration is.
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    private static readonly OncePerCompilation<ReceiverHelperIndex> ReceiverHelperIndexes = new();

    /// <summary>The compilation's receiver helpers, by the type they read (built once, from symbols only).</summary>
    public static ReceiverHelperIndex ReceiverHelpersOf(Compilation compilation, CancellationToken cancellationToken) =>
        ReceiverHelperIndexes.Get(compilation, ReceiverHelperIndex.Create, cancellationToken);

    private readonly ConcurrentDictionary<INamedTypeSymbol, DropoutTypeFacts?> _typesWithHelpers = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The facts of a type with its receiver helpers' blocks among its own, computed once at compilation end (kept apart
    /// from <see cref="FactsFor"/>, whose callers pass the type's own blocks only).
    /// </summary>
    public DropoutTypeFacts? FactsWithReceiverHelpers(INamedTypeSymbol type, IEnumerable<IOperation> blocks, CancellationToken cancellationToken) =>
        _typesWithHelpers.GetOrAdd(type, _ => DropoutTypeFacts.Create(this, type, blocks, cancellationToken));

    // The other tree of a type and one of its receiver helpers, read like the other declaration of a partial type (the
    // driver's cached model, see HandWrittenDropoutModel.PartialTypes.cs); null when the trees are not so paired. Taking the
    // model the driver delivered with the helper's blocks instead made the answer depend on which file the driver visited
    // first, as the model's caches are shared by every rule.
    private static SemanticModel? ReceiverPairedModel(SemanticModel current, SyntaxTree tree, ISymbol? symbol)
    {
        ReceiverHelperIndex index = ReceiverHelpersOf(current.Compilation, CancellationToken.None);
        if (index.IsEmpty || symbol is null)
        {
            return null;
        }

        INamedTypeSymbol? type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        if (symbol is IMethodSymbol method && index.ReceiverTypeOf(method) is { } receiverType)
        {
            type = receiverType;
        }

        if (type is null || !index.Pairs(type.OriginalDefinition, current.SyntaxTree, tree))
        {
            return null;
        }

        return For(current.Compilation).PartialTreeModel(current.Compilation, tree);
    }
}

/// <summary>The receiver helpers of one compilation (see <see cref="HandWrittenDropoutModel"/>'s ReceiverHelpers part).</summary>
internal sealed class ReceiverHelperIndex
{
    private static readonly ReceiverHelperIndex Empty = new(ImmutableDictionary<INamedTypeSymbol, ImmutableArray<IMethodSymbol>>.Empty.WithComparers(SymbolEqualityComparer.Default));

    private readonly ImmutableDictionary<INamedTypeSymbol, ImmutableArray<IMethodSymbol>> _byType;
    private readonly ImmutableDictionary<IMethodSymbol, INamedTypeSymbol> _receiverOf;
    private readonly ImmutableHashSet<INamedTypeSymbol> _containers;

    private ReceiverHelperIndex(ImmutableDictionary<INamedTypeSymbol, ImmutableArray<IMethodSymbol>> byType)
    {
        _byType = byType;
        _receiverOf = byType.SelectMany(pair => pair.Value.Select(method => new KeyValuePair<IMethodSymbol, INamedTypeSymbol>(method, pair.Key)))
            .ToImmutableDictionary<IMethodSymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default);
        _containers = byType.Values.SelectMany(methods => methods).Select(method => method.ContainingType).ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
    }

    public bool IsEmpty => _byType.IsEmpty;

    /// <summary>The helpers that read <paramref name="type"/> through a parameter.</summary>
    public ImmutableArray<IMethodSymbol> HelpersOf(INamedTypeSymbol type) =>
        _byType.TryGetValue(type.OriginalDefinition, out ImmutableArray<IMethodSymbol> helpers) ? helpers : ImmutableArray<IMethodSymbol>.Empty;

    /// <summary>The type a helper reads through its parameter, or null for any other method.</summary>
    public INamedTypeSymbol? ReceiverTypeOf(IMethodSymbol method) =>
        _receiverOf.TryGetValue(method.OriginalDefinition, out INamedTypeSymbol? type) ? type : null;

    /// <summary>Whether <paramref name="type"/> declares a helper of some other type.</summary>
    public bool ContainsHelpers(INamedTypeSymbol type) => _containers.Contains(type.OriginalDefinition);

    /// <summary>Whether one of the trees declares <paramref name="type"/> and the other one of its helpers.</summary>
    public bool Pairs(INamedTypeSymbol type, SyntaxTree first, SyntaxTree second)
    {
        if (!_byType.TryGetValue(type, out ImmutableArray<IMethodSymbol> helpers))
        {
            return false;
        }

        bool Declares(SyntaxTree tree) => type.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree);
        bool HelperIn(SyntaxTree tree) => helpers.Any(helper => helper.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree));
        return (Declares(first) && HelperIn(second)) || (Declares(second) && HelperIn(first));
    }

    // The one parameter of a source class or struct other than the holder that passes the test, or null when there are
    // none or several (a function of two layers, a copy or a comparison, is a member of neither).
    private static INamedTypeSymbol? ReceiverOf(IMethodSymbol method, INamedTypeSymbol holder, Func<INamedTypeSymbol, bool> test)
    {
        INamedTypeSymbol? receiver = null;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.RefKind == RefKind.None && parameter.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsGenericType: false } type
                && !SymbolEqualityComparer.Default.Equals(type, holder) && type.DeclaringSyntaxReferences.Length > 0 && test(type))
            {
                if (receiver is not null)
                {
                    return null;
                }

                receiver = type;
            }
        }

        return receiver;
    }

    public static ReceiverHelperIndex Create(Compilation compilation, CancellationToken cancellationToken)
    {
        if (!HandWrittenDropoutModel.AnyTypeMayDraw(compilation, cancellationToken))
        {
            return Empty;
        }

        var found = new Dictionary<INamedTypeSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(compilation.Assembly.GlobalNamespace);
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            INamespaceOrTypeSymbol container = stack.Pop();
            foreach (INamespaceOrTypeSymbol member in container.GetMembers().OfType<INamespaceOrTypeSymbol>())
            {
                stack.Push(member);
            }

            if (container is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } holder || holder.IsGenericType)
            {
                continue;
            }

            foreach (IMethodSymbol method in holder.GetMembers().OfType<IMethodSymbol>())
            {
                if (!method.IsStatic || method.MethodKind != MethodKind.Ordinary || method.IsGenericMethod || method.DeclaringSyntaxReferences.Length != 1)
                {
                    continue;
                }

                // Exactly one parameter of one dropout-capable source type other than the holder: a function of two
                // layers (a copy, a comparison) is not a member of either.
                INamedTypeSymbol? receiver = ReceiverOf(method, holder, type => HandWrittenDropoutModel.MayDraw(type, cancellationToken));

                // A helper that itself draws and decides (the layer's mask maker moved out) makes the type it reads dropout-capable.
                if (receiver is null && HandWrittenDropoutModel.MayDraw(method.DeclaringSyntaxReferences[0].SyntaxTree, method.DeclaringSyntaxReferences[0].Span, cancellationToken))
                {
                    receiver = ReceiverOf(method, holder, _ => true);
                }

                if (receiver is not null)
                {
                    if (!found.TryGetValue(receiver, out List<IMethodSymbol>? list))
                    {
                        found[receiver] = list = [];
                    }

                    list.Add(method);
                }
            }
        }

        return found.Count == 0
            ? Empty
            : new ReceiverHelperIndex(found.ToImmutableDictionary<KeyValuePair<INamedTypeSymbol, List<IMethodSymbol>>, INamedTypeSymbol, ImmutableArray<IMethodSymbol>>(pair => pair.Key, pair => pair.Value.ToImmutableArray(), SymbolEqualityComparer.Default));
    }
}
