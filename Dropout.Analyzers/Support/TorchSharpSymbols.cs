using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The TorchSharp types the TorchSharp rules (the DRP02x series) look for, resolved by metadata name once per compilation.
/// <see cref="TryCreate"/> returns <see langword="null"/> when the compilation does not reference TorchSharp, so those
/// rules register nothing at all there: the analyzers have no dependency on the TorchSharp package.
/// </summary>
/// <remarks>
/// The semantics these rules rely on, as TorchSharp 0.107 implements them: <c>eval()</c> is <c>train(false)</c>;
/// <c>train(bool)</c> sets the module's own flag and recurses into <c>named_children()</c>, which is the registered
/// submodules only (<c>Sequential</c>, <c>ModuleList</c> and <c>ModuleDict</c> register what they hold); the dropout
/// modules read the flag through the <c>training</c> property; <c>functional.dropout</c>, <c>dropout1d/2d/3d</c> default
/// <c>training</c> to <see langword="true"/> while <c>alpha_dropout</c> and <c>feature_alpha_dropout</c> default it to
/// <see langword="false"/>.
/// </remarks>
internal sealed class TorchSharpSymbols
{
    /// <summary>The names of <c>torch.nn</c>'s dropout module factories, which are also the names of the module types.</summary>
    public static readonly ImmutableHashSet<string> DropoutModuleNames =
        ImmutableHashSet.Create(StringComparer.Ordinal, "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout");

    private TorchSharpSymbols(Compilation compilation, INamedTypeSymbol module)
    {
        Module = module;
        Nn = module.ContainingType;
        Functional = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+functional");
        Optimizer = compilation.GetTypeByMetadataName("TorchSharp.torch+optim+Optimizer");
        ModuleList = compilation.GetTypeByMetadataName("TorchSharp.Modules.ModuleList`1");
        ModuleDict = compilation.GetTypeByMetadataName("TorchSharp.Modules.ModuleDict`1");
        var dropoutTypes = ImmutableHashSet.CreateBuilder<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (string name in DropoutModuleNames)
        {
            if (compilation.GetTypeByMetadataName("TorchSharp.Modules." + name) is { } type)
            {
                dropoutTypes.Add(type);
            }
        }

        DropoutModuleTypes = dropoutTypes.ToImmutable();
    }

    /// <summary><c>torch.nn.Module</c>, the base of every module.</summary>
    public INamedTypeSymbol Module { get; }

    /// <summary><c>torch.nn</c>, which holds the module factories (<c>Dropout(p)</c>, <c>Sequential(...)</c>).</summary>
    public INamedTypeSymbol? Nn { get; }

    /// <summary><c>torch.nn.functional</c>.</summary>
    public INamedTypeSymbol? Functional { get; }

    /// <summary><c>torch.optim.Optimizer</c>, the base of every optimizer.</summary>
    public INamedTypeSymbol? Optimizer { get; }

    /// <summary><c>TorchSharp.Modules.ModuleList&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ModuleList { get; }

    /// <summary><c>TorchSharp.Modules.ModuleDict&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ModuleDict { get; }

    /// <summary>The dropout module types (<c>TorchSharp.Modules.Dropout</c>, <c>Dropout1d</c>, ..., <c>FeatureAlphaDropout</c>).</summary>
    public ImmutableHashSet<INamedTypeSymbol> DropoutModuleTypes { get; }

    /// <summary>The TorchSharp assembly.</summary>
    public IAssemblySymbol Assembly => Module.ContainingAssembly;

    /// <summary>Resolves the symbols, or returns <see langword="null"/> when TorchSharp is not referenced (the quick exit of every TorchSharp rule).</summary>
    public static TorchSharpSymbols? TryCreate(Compilation compilation) =>
        compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module") is { } module ? new TorchSharpSymbols(compilation, module) : null;

    /// <summary>Whether <paramref name="type"/> is a module: <c>torch.nn.Module</c> or derived from it, or one of TorchSharp's <c>IModule</c> interfaces.</summary>
    public bool IsModuleType(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            return IsModuleInterface(type);
        }

        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, Module))
            {
                return true;
            }
        }

        return type.AllInterfaces.Any(IsModuleInterface);
    }

    /// <summary>Whether <paramref name="type"/> is a module class declared in source (a user's model or block).</summary>
    public bool IsSourceModuleClass(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class } named
        && named.Locations.Any(location => location.IsInSource)
        && IsModuleType(named);

    /// <summary>
    /// Whether <paramref name="type"/> is one of TorchSharp's own types: nested in <c>torch</c> (the <c>torch.nn.Module</c>
    /// base and its generic forms) or declared in <c>TorchSharp.Modules</c>. Declared in source they are a stand-in for the
    /// package written by a project that builds without it, never a user's model.
    /// </summary>
    public bool IsTorchSharpOwnType(INamedTypeSymbol type)
    {
        INamedTypeSymbol? torch = Module.ContainingType?.ContainingType;
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, torch))
            {
                return true;
            }
        }

        INamedTypeSymbol outermost = type;
        while (outermost.ContainingType is { } containing)
        {
            outermost = containing;
        }

        return outermost.ContainingNamespace is { Name: "Modules", ContainingNamespace: { Name: "TorchSharp", ContainingNamespace.IsGlobalNamespace: true } };
    }

    /// <summary>Whether <paramref name="type"/> is one of the dropout module types.</summary>
    public bool IsDropoutModuleType(ITypeSymbol? type) => type is INamedTypeSymbol named && DropoutModuleTypes.Contains(named);

    /// <summary>Whether <paramref name="method"/> is a <c>torch.nn</c> factory of a dropout module (<c>nn.Dropout(0.1)</c>).</summary>
    public bool IsDropoutFactory(IMethodSymbol method) =>
        method.IsStatic && SymbolEqualityComparer.Default.Equals(method.ContainingType, Nn) && IsDropoutModuleType(method.ReturnType);

    /// <summary>Whether <paramref name="method"/> is a <c>torch.nn.functional</c> dropout (it has a <c>training</c> parameter).</summary>
    public bool IsFunctionalDropout(IMethodSymbol method) =>
        method.IsStatic
        && SymbolEqualityComparer.Default.Equals(method.ContainingType, Functional)
        && method.Name.IndexOf("dropout", StringComparison.Ordinal) >= 0
        && TrainingParameter(method) is not null;

    /// <summary>The <c>training</c> parameter of a functional dropout.</summary>
    public static IParameterSymbol? TrainingParameter(IMethodSymbol method) =>
        method.Parameters.FirstOrDefault(parameter => parameter.Name == "training" && parameter.Type.SpecialType == SpecialType.System_Boolean);

    /// <summary>Whether <paramref name="invocation"/> is an optimizer's <c>step()</c>.</summary>
    public bool IsOptimizerStep(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name == "step" && Optimizer is not null && DerivesFrom(invocation.Instance?.Type ?? invocation.TargetMethod.ContainingType, Optimizer);

    /// <summary>Whether <paramref name="invocation"/> runs a module: <c>module.forward(...)</c> or <c>module.call(...)</c>.</summary>
    public bool IsModuleRun(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "forward" or "call"
        && !invocation.TargetMethod.IsStatic
        && IsModuleType(invocation.Instance?.Type ?? invocation.TargetMethod.ContainingType);

    /// <summary>The mode a call sets (<c>eval()</c>, <c>train()</c>, <c>train(false)</c>), or <see langword="null"/> for any other call.</summary>
    public ModuleMode? ModeCall(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (method.IsStatic || method.Name is not ("eval" or "train") || !IsModuleType(invocation.Instance?.Type ?? method.ContainingType))
        {
            return null;
        }

        if (method.Name == "eval")
        {
            return ModuleMode.Eval;
        }

        if (invocation.Arguments.Length == 0 || invocation.Arguments[0].ArgumentKind == ArgumentKind.DefaultValue)
        {
            return ModuleMode.Train;
        }

        return invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false } ? ModuleMode.Eval : ModuleMode.Train;
    }

    /// <summary>Whether <paramref name="symbol"/> or its containing type carries an attribute named <c>MonteCarloDropout</c> (the toolkit's, or a project's own): deliberate Monte Carlo dropout.</summary>
    public static bool IsMonteCarloOptIn(ISymbol? symbol)
    {
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current.GetAttributes().Any(attribute => attribute.AttributeClass?.Name == "MonteCarloDropoutAttribute"))
            {
                return true;
            }

            if (current is INamespaceSymbol)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsModuleInterface(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && type.Name.StartsWith("IModule", StringComparison.Ordinal)
        && SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, Assembly);
}

/// <summary>The mode a <c>train</c>/<c>eval</c> call puts a module in.</summary>
internal enum ModuleMode
{
    /// <summary><c>train()</c>: dropout is on.</summary>
    Train,

    /// <summary><c>eval()</c> or <c>train(false)</c>: dropout is the identity.</summary>
    Eval,
}
