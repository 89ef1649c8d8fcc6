using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

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

    /// <summary>
    /// Whether <paramref name="method"/> is a receiver helper of <paramref name="type"/> (a static or extension method of
    /// another class that reads it through one parameter): to the rules that ask for an instance method of the type, such a
    /// helper is one, its parameter the instance.
    /// </summary>
    public static bool IsReceiverHelperOf(IMethodSymbol method, INamedTypeSymbol type, Compilation compilation) =>
        method.IsStatic
        && ReceiverHelpersOf(compilation, CancellationToken.None) is { IsEmpty: false } index
        && SymbolEqualityComparer.Default.Equals(index.ReceiverTypeOf(method), type.OriginalDefinition);

    /// <summary>
    /// Whether <paramref name="instance"/>, the receiver of a member access or a call, is the object whose members the
    /// code reads: none (an implicit <c>this</c> or a static member), <c>this</c>, or the parameter of a receiver helper
    /// that holds the layer (<c>self</c> in <c>static void Backward(Layer self, ...)</c>, the <c>this</c> parameter of an
    /// extension method). The checks for "this object's field" read <c>self.Mask</c> in the moved body as <c>Mask</c>.
    /// </summary>
    public static bool IsSelf(IOperation? instance)
    {
        if (instance is null)
        {
            return true;
        }

        return instance is IInstanceReferenceOperation
            || (instance is IParameterReferenceOperation { Parameter: { ContainingSymbol: IMethodSymbol { IsStatic: true } method } parameter }
                && instance.SemanticModel is { } semanticModel
                && ReceiverHelpersOf(semanticModel.Compilation, CancellationToken.None) is { IsEmpty: false } index
                && index.ReceiverTypeOf(method) is { } receiverType
                && SymbolEqualityComparer.Default.Equals(parameter.Type.OriginalDefinition, receiverType));
    }

    /// <summary>Whether <paramref name="operation"/> is a member reference whose receiver <see cref="IsSelf"/>.</summary>
    public static bool IsSelfMember(IOperation? operation) =>
        operation is IMemberReferenceOperation member && IsSelf(member.Instance);

    /// <summary>
    /// <paramref name="text"/> (the text of <paramref name="tree"/>, same length) with the declarations of
    /// <paramref name="type"/>'s receiver helpers in that tree blanked: the rules that read other files as text for uses of
    /// the type from outside (a network's <c>is DropoutLayer</c>, a trainer's call) read the helpers as the type's own code.
    /// </summary>
    public static string WithoutReceiverHelpersOf(INamedTypeSymbol type, SyntaxTree tree, string text, Compilation compilation, CancellationToken cancellationToken)
    {
        ImmutableArray<IMethodSymbol> helpers = ReceiverHelpersOf(compilation, cancellationToken).HelpersOf(type);
        if (helpers.IsEmpty)
        {
            return text;
        }

        char[]? blanked = null;
        foreach (SyntaxReference reference in helpers.SelectMany(helper => helper.DeclaringSyntaxReferences))
        {
            if (reference.SyntaxTree == tree && reference.Span.End <= text.Length)
            {
                blanked ??= text.ToCharArray();
                for (int index = reference.Span.Start; index < reference.Span.End; index++)
                {
                    blanked[index] = blanked[index] is '\n' or '\r' ? blanked[index] : ' ';
                }
            }
        }

        return blanked is null ? text : new string(blanked);
    }

    /// <summary>
    /// The instance method of the type a receiver helper reads that does nothing but call the helper with <c>this</c>
    /// (<c>public double[] Forward(double[] x) => LayerOps.Forward(this, x);</c>): the layer's method whose body moved into
    /// a static class of another file. Null for any other method, for a helper no such method forwards to, and for a
    /// helper several methods forward to (then none of them is the one the helper stands for).
    /// </summary>
    public static IMethodSymbol? ForwarderOf(IMethodSymbol helper, SemanticModel semanticModel, CancellationToken cancellationToken = default)
    {
        if (!helper.IsStatic || ReceiverHelpersOf(semanticModel.Compilation, cancellationToken) is not { IsEmpty: false } index
            || index.ReceiverTypeOf(helper) is not { } type)
        {
            return null;
        }

        IMethodSymbol? forwarder = null;
        foreach (IMethodSymbol candidate in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (candidate.IsStatic || candidate.MethodKind != MethodKind.Ordinary || candidate.DeclaringSyntaxReferences.Length != 1
                || candidate.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
                || OnlyCall(declaration) is not { } invocation
                || SemanticModelFor(semanticModel, declaration.SyntaxTree, helper, cancellationToken) is not { } model
                || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
                || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition)
                || !call.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is IInstanceReferenceOperation))
            {
                continue;
            }

            if (forwarder is not null)
            {
                return null;
            }

            forwarder = candidate;
        }

        return forwarder;

        static InvocationExpressionSyntax? OnlyCall(MethodDeclarationSyntax declaration) =>
            (declaration.ExpressionBody?.Expression ?? (declaration.Body is { Statements.Count: 1 } body
                ? body.Statements[0] switch
                {
                    ReturnStatementSyntax { Expression: { } returned } => returned,
                    ExpressionStatementSyntax { Expression: { } expression } => expression,
                    _ => null,
                }
                : null)) as InvocationExpressionSyntax;
    }

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
        // Static methods of a holder that read no dropout-capable type, kept to be asked again once the drawing helpers made
        // their receivers capable; and those receivers.
        var others = new List<(IMethodSymbol Method, INamedTypeSymbol Holder)>();
        var madeCapable = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
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
                    if (receiver is not null)
                    {
                        madeCapable.Add(receiver);
                    }
                }
                else if (receiver is null)
                {
                    others.Add((method, holder));
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

        // `layer_forward(Layer layer, Mat x)` beside `layer_generate_dropout_mask(Layer layer)`, which draws: the layer (a
        // plain struct of a C port) is dropout-capable through its mask maker, so the other functions of it are its members
        // too (the forward that applies the mask, the inference branch that scales by the keep probability).
        if (madeCapable.Count > 0)
        {
            foreach ((IMethodSymbol method, INamedTypeSymbol holder) in others)
            {
                if (ReceiverOf(method, holder, madeCapable.Contains) is { } receiver && found.TryGetValue(receiver, out List<IMethodSymbol>? list))
                {
                    list.Add(method);
                }
            }
        }

        return found.Count == 0
            ? Empty
            : new ReceiverHelperIndex(found.ToImmutableDictionary<KeyValuePair<INamedTypeSymbol, List<IMethodSymbol>>, INamedTypeSymbol, ImmutableArray<IMethodSymbol>>(pair => pair.Key, pair => pair.Value.ToImmutableArray(), SymbolEqualityComparer.Default));
    }
}
