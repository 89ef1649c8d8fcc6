using Microsoft.CodeAnalysis;

namespace Dropout.Generators;

/// <summary>
/// The generator's own errors: <c>[Dropout]</c> used where no code can be generated. Ids are the DRPG series (the
/// analyzers' rules are the separate DRP series); each links to its section of <c>docs/generator.md</c>.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Dropout.Generators";
    private const string HelpLinkBase = "https://github.com/dropout-toolkit/Dropout.Toolkit/blob/main/docs/generator.md#";

    public static readonly DiagnosticDescriptor TypeNotPartial = Create(
        "DRPG001",
        "A [Dropout] layer type must be partial",
        "The type '{0}' must be declared 'partial' so that [Dropout] can add its generated dropout members",
        "The generator adds DropoutForward, DropoutBackward and the layer's dropout state to the type itself, which requires a partial declaration.");

    public static readonly DiagnosticDescriptor KeepProbabilityNotConstant = Create(
        "DRPG002",
        "The keep probability must be a compile-time constant",
        "The keep probability of [Dropout] on '{0}' is not a compile-time constant double",
        "The keep probability is compiled into the generated kernel's threshold and scale, so it must be known at compile time.");

    public static readonly DiagnosticDescriptor KeepProbabilityOutOfRange = Create(
        "DRPG003",
        "The keep probability must be in [2^-24, 1]",
        "The keep probability {0} of [Dropout] on '{1}' is not in [2^-24, 1] (2^-24 = 5.9604644775390625E-08); p is the probability of KEEPING an element (for a drop rate r write 1 - r)",
        "p is the probability of keeping an element: 1 keeps everything (the identity). Values above 1, at or below 0, NaN, and values below 2^-24 (the smallest p whose mask threshold and 1/p scale stay accurate and finite) are rejected, as the runtime and the DRP001 analyzer reject them.");

    public static readonly DiagnosticDescriptor InvalidMethodShape = Create(
        "DRPG004",
        "A [Dropout] method must be a partial void method over spans of float or double",
        "The method '{0}' cannot be a dropout method: {1}",
        "The generator implements a [Dropout] method as an in-place or out-of-place dropout forward: declare it 'partial void M(Span<float>)', 'partial void M(Span<double>)', 'partial void M(ReadOnlySpan<float>, Span<float>)' or 'partial void M(ReadOnlySpan<double>, Span<double>)', as an instance method without a body and without type parameters.");

    public static readonly DiagnosticDescriptor MemberNameCollision = Create(
        "DRPG005",
        "A generated dropout member name is already used",
        "[Dropout] cannot add the member '{1}' to '{0}': {2}",
        "The generator adds members with fixed names (DropoutForward, DropoutBackward, DropoutContext, DropoutStream, DropoutKeepProbability, <Method>Backward, private __dropout… and __<Method>… fields); a member of the type, a type parameter, a visible inherited member, a member another dropout site generates, or the generated members of a base type with the same name would collide or be hidden.");

    public static readonly DiagnosticDescriptor UnsupportedContainingType = Create(
        "DRPG006",
        "The type cannot hold generated dropout members",
        "[Dropout] cannot generate into '{0}': {1}",
        "Generated members are added to the declaring type and to every type that contains it, so each must be partial and not file-local; a layer must be a non-static class, struct or record and not a readonly struct (its dropout state changes on every forward call); dropout methods must be declared in a class or record class.");

    public static readonly DiagnosticDescriptor InvalidFixedSize = Create(
        "DRPG007",
        "The fixed Size must not be negative",
        "The Size {0} of [Dropout] on '{1}' is negative; use 0 to accept any length",
        "Size fixes the element count of every call so that the kernel needs no tail handling; 0 accepts any length.");

    public static readonly DiagnosticDescriptor DuplicateMethodName = Create(
        "DRPG008",
        "Dropout methods cannot be overloaded",
        "The type '{0}' declares more than one [Dropout] method named '{1}'; give each dropout site its own name",
        "Each [Dropout] method is its own dropout site whose backward method is named after it, so two sites cannot share a name.");

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = Create(
        "DRPG009",
        "Dropout.Runtime must be referenced",
        "[Dropout] needs a reference to Dropout.Runtime, which the generated code calls; '{0}' is not from it. Add the Dropout.Runtime package (or project) reference; nothing was generated.",
        "Generated dropout code calls Dropout.Runtime (DropoutContext, DropoutStream, DropoutSiteState and the GeneratedDropout support API). Without that reference (for example with a DropoutAttribute declared in the project itself) the generator reports this once and generates nothing.");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Create(
        "DRPG010",
        "[Dropout] needs C# 11 or later",
        "[Dropout] generates C# 11 code (file-local kernel classes) but this project uses C# {0}; set <LangVersion> to 11 or later (the default for .NET 7 and later); nothing was generated",
        "The generated kernels are file-local classes, a C# 11 feature. With an older language version the generator reports this once and generates nothing.");

    public static readonly DiagnosticDescriptor InvalidFusedEpilogue = Create(
        "DRPG011",
        "A fused epilogue must be a method whose parameters name its parts",
        "The fused epilogue '{0}' cannot be generated: {1}",
        "A fused epilogue ([Dropout(p, Activation = ...)] on a partial method, or a dropout method with bias or residual parameters) takes (ReadOnlySpan<T> preActivation[, ReadOnlySpan<T> bias][, ReadOnlySpan<T> residual], Span<T> output), T float or double, in that order; 'bias' and 'residual' are recognized by name. Activation applies only to dropout methods.");

    public static readonly DiagnosticDescriptor KindNeedsShape = Create(
        "DRPG012",
        "The dropout kind needs the shape it drops by",
        "Kind = {0} on '{1}' needs {2}: {3}",
        "Channel dropout needs Channels and SpatialSize ((batch, channels, spatial) layout), shared-over-time dropout needs TimeSteps and Features ((batch, timeSteps, features)), drop path needs SampleSize ((batch, sampleSize)), DropConnect needs Inputs (the columns of its (outputs, inputs) weights). Without them the generator cannot tell which elements share a keep decision.");

    public static readonly DiagnosticDescriptor ArgumentNotForKind = Create(
        "DRPG013",
        "The argument does not apply to the dropout kind",
        "{0} does not apply to Kind = {1} on '{2}': {3}",
        "Each shape argument belongs to one kind (Channels and SpatialSize to Channel, TimeSteps and Features to SharedOverTime, SampleSize to DropPath, Inputs to DropConnect); Size fixes the length of element-wise, alpha and Gaussian sites only (a shaped site's batch follows from the call's length); MaskStorage does not apply to Gaussian dropout, whose noise is never stored. An argument the kind ignores is a mistake in the declaration, so it is reported rather than ignored.");

    public static readonly DiagnosticDescriptor ShapeSizeNotPositive = Create(
        "DRPG014",
        "A dropout shape size must be positive and fit in a span",
        "{0} = {1} of [Dropout] on '{2}' {3}",
        "Channels, SpatialSize, TimeSteps, Features, SampleSize and Inputs count the elements of one sample along an axis, so each must be at least 1, and one sample (their product) must fit in a span.");

    public static readonly DiagnosticDescriptor KindCannotFuse = Create(
        "DRPG015",
        "The dropout kind cannot be fused with an activation",
        "Kind = {0} on '{1}' cannot be a fused epilogue ({2}): the fused kernel applies element-wise dropout only; apply the activation first and declare the {0} dropout as a method of its own",
        "A fused epilogue (Activation on [Dropout], or a dropout method with bias or residual parameters) draws one keep decision per element inside the activation pass. Channel, shared-over-time, alpha, Gaussian and drop-path dropout draw and apply their noise differently, so they are plain dropout methods: (Span<T>) or (ReadOnlySpan<T>, Span<T>); DropConnect is a dense layer of its own.");

    public static readonly DiagnosticDescriptor InvalidDropConnect = Create(
        "DRPG016",
        "DropConnect needs a dense layer method",
        "Kind = DropConnect cannot be generated for '{0}': {1}",
        "DropConnect drops the weights of a dense layer, so its site is a partial method (ReadOnlySpan<float> input, ReadOnlySpan<float> weights[, ReadOnlySpan<float> bias], Span<float> output) in a class, whose generated backward takes (gradOutput, input, weights, gradInput, gradWeights[, gradBias]). A layer type (DropoutForward over a span of activations) has no weights to drop, and the runtime's DropConnect kernel is single precision.");

    public static readonly DiagnosticDescriptor InternalError = Create(
        "DRPG999",
        "The Dropout generator failed",
        "The Dropout generator failed on '{0}' and generated nothing for it: {1}",
        "An unexpected input made the generator fail. It generated nothing for this declaration instead of stopping the build; please report the input.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description, HelpLinkBase + id.ToLowerInvariant());
}
