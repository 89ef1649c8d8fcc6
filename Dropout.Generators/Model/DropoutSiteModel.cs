namespace Dropout.Generators.Model;

// The generator's model: records of strings, numbers and value-equatable arrays only. No ISymbol, SyntaxNode,
// Location or Compilation is kept, so two runs over an unchanged declaration produce equal models and the pipeline
// serves the emitted source from its cache.

/// <summary>One dropout site: a <c>[Dropout]</c> layer type, or a <c>[Dropout]</c> partial method.</summary>
/// <param name="Type">The type that receives the generated members.</param>
/// <param name="Spec">The keep probability compiled into its integer test.</param>
/// <param name="FixedSize">The element count every call must have, or 0 for any length.</param>
/// <param name="StoresMaskBits">Whether backward reads a recorded bit mask (<c>MaskStorage = Bits</c>) rather than regenerating it.</param>
/// <param name="Method">The partial method, for the method form; <see langword="null"/> for a layer type.</param>
internal sealed record DropoutSiteModel(
    TargetTypeModel Type,
    MaskSpecification Spec,
    int FixedSize,
    bool StoresMaskBits,
    DropoutMethodModel? Method);

/// <summary>A type to reopen as <c>partial</c>, with every type that contains it.</summary>
/// <param name="Namespace">The namespace, empty for the global namespace.</param>
/// <param name="Declarations">The type declarations from the outermost containing type to the type itself.</param>
/// <param name="FullName">A unique, file-name-safe name for hint names.</param>
internal sealed record TargetTypeModel(
    string Namespace,
    EquatableArray<TypeDeclarationModel> Declarations,
    string FullName)
{
    /// <summary>Gets the type's own declaration (the innermost).</summary>
    public TypeDeclarationModel Self => Declarations[Declarations.Count - 1];
}

/// <summary>How to reopen one type: <c>partial {Keyword} {Name}{TypeParameters}</c>.</summary>
/// <param name="Keyword">"class", "struct", "record", "record struct", "ref struct" or "interface".</param>
/// <param name="Name">The type's name.</param>
/// <param name="TypeParameters">"&lt;T, U&gt;" or empty.</param>
internal sealed record TypeDeclarationModel(string Keyword, string Name, string TypeParameters);

/// <summary>The partial method a method-form site implements.</summary>
/// <param name="Modifiers">The declaration's modifiers, repeated on the implementation (e.g. "private partial").</param>
/// <param name="Accessibility">The accessibility the generated backward method gets (e.g. "private").</param>
/// <param name="Name">The method's name.</param>
/// <param name="ElementType">"float" or "double".</param>
/// <param name="IsOutOfPlace">Whether the method takes (ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output) rather than one span.</param>
/// <param name="FirstParameterName">The name of the first parameter, after "scoped " if it is declared scoped.</param>
/// <param name="SecondParameterName">The name of the second parameter (after "scoped " if so), or empty.</param>
/// <param name="ContainingTypeIsLayer">Whether the type is itself a <c>[Dropout]</c> layer, which then provides <c>DropoutContext</c>.</param>
internal sealed record DropoutMethodModel(
    string Modifiers,
    string Accessibility,
    string Name,
    string ElementType,
    bool IsOutOfPlace,
    string FirstParameterName,
    string SecondParameterName,
    bool ContainingTypeIsLayer);

/// <summary>A type that holds dropout methods but is not a layer itself: it receives the <c>DropoutContext</c> property.</summary>
/// <param name="Type">The type.</param>
internal sealed record ContextHolderModel(TargetTypeModel Type);
