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
/// <param name="Kind">The <c>DropoutKind</c> member: "Element", "Channel", "SharedOverTime", "Alpha", "Gaussian", "DropPath" or "DropConnect".</param>
/// <param name="ShapeFirst">Channels, time steps or the sample size of a shaped kind, the inputs of DropConnect (0 otherwise).</param>
/// <param name="ShapeSecond">The spatial size or the features of a shaped kind, 1 for drop path (0 otherwise).</param>
internal sealed record DropoutSiteModel(
    TargetTypeModel Type,
    MaskSpecification Spec,
    int FixedSize,
    bool StoresMaskBits,
    DropoutMethodModel? Method,
    string Kind = "Element",
    int ShapeFirst = 0,
    int ShapeSecond = 0)
{
    /// <summary>Gets whether the site is element-wise dropout (the kind fused epilogues and the element-wise kernel run).</summary>
    public bool IsElementwise => Kind == "Element";

    /// <summary>Gets whether the site draws one decision per group of a noise shape (channel, shared-over-time, drop path).</summary>
    public bool IsShaped => Kind is "Channel" or "SharedOverTime" or "DropPath";
}

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
/// <param name="Name">The method's name as generated code spells it ('@' before a keyword).</param>
/// <param name="ElementType">"float" or "double".</param>
/// <param name="IsOutOfPlace">Whether the method takes (ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output) rather than one span.</param>
/// <param name="FirstParameterPrefix">"params ", "scoped " or empty, as the declaration has it.</param>
/// <param name="FirstParameterName">The name of the first parameter as generated code spells it.</param>
/// <param name="SecondParameterPrefix">The same for the second parameter, or empty.</param>
/// <param name="SecondParameterName">The name of the second parameter, or empty.</param>
/// <param name="ContainingTypeIsLayer">Whether the type is itself a <c>[Dropout]</c> layer, which then provides <c>DropoutContext</c>.</param>
/// <param name="Fused">The fused epilogue the method implements, or <see langword="null"/> for plain dropout.</param>
internal sealed record DropoutMethodModel(
    string Modifiers,
    string Accessibility,
    string Name,
    string ElementType,
    bool IsOutOfPlace,
    string FirstParameterPrefix,
    string FirstParameterName,
    string SecondParameterPrefix,
    string SecondParameterName,
    bool ContainingTypeIsLayer,
    FusedEpilogueModel? Fused = null,
    DropConnectModel? DropConnect = null)
{
    /// <summary>Gets the method's name without the '@' of a keyword: for field names, strings and file names.</summary>
    public string PlainName => Name.TrimStart('@');
}

/// <summary>
/// A fused epilogue method: <c>output = dropout(act(preActivation + bias)) + residual</c>. The method's first and second
/// parameter names (<see cref="DropoutMethodModel"/>) are the pre-activation and the output.
/// </summary>
/// <param name="Activation">The <c>DropoutActivation</c> member: "Identity", "ReLU", "LeakyReLU", "GeluTanh", "SiLU" or "Tanh".</param>
/// <param name="LeakySlope">The negative slope of LeakyReLU (unused otherwise).</param>
/// <param name="Parameters">The implementation's parameter list as declared, with fully qualified types.</param>
/// <param name="HasBias">Whether the method takes a <c>bias</c>.</param>
/// <param name="HasResidual">Whether the method takes a <c>residual</c>.</param>
/// <param name="BackwardTakesPreActivation">Whether the backward recomputes the derivative from the pre-activation (and bias).</param>
internal sealed record FusedEpilogueModel(string Activation, double LeakySlope, string Parameters, bool HasBias, bool HasResidual, bool BackwardTakesPreActivation);

/// <summary>
/// A DropConnect method: <c>output = input·(weights ⊙ M / p)ᵀ + bias</c>. The method's first and second parameter names
/// (<see cref="DropoutMethodModel"/>) are the input and the output.
/// </summary>
/// <param name="Parameters">The implementation's parameter list as declared, with fully qualified types.</param>
/// <param name="Weights">The weights parameter's name as generated code spells it.</param>
/// <param name="Bias">The bias parameter's name, or empty when the layer has none.</param>
internal sealed record DropConnectModel(string Parameters, string Weights, string Bias);

/// <summary>A type that holds dropout methods but is not a layer itself: it receives the <c>DropoutContext</c> property.</summary>
/// <param name="Type">The type.</param>
internal sealed record ContextHolderModel(TargetTypeModel Type);

/// <summary>
/// The implementation of a rejected dropout method that the compiler requires one of: it only throws, and exists so
/// that the build reports the generator's DRPG error alone rather than next to CS8795.
/// </summary>
/// <param name="Type">The type that declares the method.</param>
/// <param name="MethodName">The method's name (without '@').</param>
/// <param name="Signature">The implementation's signature, with fully qualified types: "public partial void M(global::System.Span&lt;float&gt; x)".</param>
internal sealed record StubModel(TargetTypeModel Type, string MethodName, string Signature);

/// <summary>What the whole compilation offers generated code: the runtime it calls, and the language version it is written in.</summary>
/// <param name="HasRuntime">Whether Dropout.Runtime is referenced (the types generated code calls resolve to it).</param>
/// <param name="LanguageVersion">The compilation's C# version, as the compiler spells it ("10.0").</param>
/// <param name="SupportsLanguageVersion">Whether that version is C# 11 or later (generated kernels are file-local classes).</param>
internal sealed record GenerationEnvironment(bool HasRuntime, string LanguageVersion, bool SupportsLanguageVersion)
{
    /// <summary>Gets whether generated code would compile here.</summary>
    public bool CanGenerate => HasRuntime && SupportsLanguageVersion;
}

/// <summary>One file to generate, with its hint name: exactly one of the three models is set.</summary>
/// <param name="Site">A dropout site (layer or method).</param>
/// <param name="Stub">The throwing body of a rejected dropout method.</param>
/// <param name="Holder">The <c>DropoutContext</c> property of a type with dropout methods.</param>
/// <param name="HintName">The file's hint name (before naming: its stem).</param>
internal sealed record NamedFile(DropoutSiteModel? Site, StubModel? Stub, ContextHolderModel? Holder, string HintName);
