using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// What the TorchSharp rules need to know about the user's modules across types: whether a module type holds dropout,
/// whether a module class registers its components, and who holds whom. One instance lives for one compilation and
/// caches per type.
/// </summary>
/// <remarks>
/// Facts about the type being analyzed come from its operations (in each rule). Facts about other types come from their
/// symbols (field types) and their declarations' syntax (which factories they call, whether they call
/// <c>RegisterComponents()</c>): an analyzer may not ask the compilation for another tree's semantic model (RS1030),
/// and a module's dropout is visible in its syntax as a call of <c>Dropout(p)</c> (or <c>nn.Dropout(p)</c>).
/// </remarks>
internal sealed class TorchSharpModels
{
    private const int MaxDepth = 4;

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<ITypeSymbol, bool?> _hasDropout = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _registers = new(SymbolEqualityComparer.Default);
    private readonly Lazy<bool> _compilationMentionsDropout;
    private readonly Lazy<ImmutableArray<INamedTypeSymbol>> _sourceModuleClasses;
    private readonly Lazy<ILookup<ISymbol, INamedTypeSymbol>> _sourceSubclasses;

    public TorchSharpModels(Compilation compilation, TorchSharpSymbols symbols)
    {
        _compilation = compilation;
        Symbols = symbols;
        _compilationMentionsDropout = new Lazy<bool>(MentionsDropout);
        _sourceModuleClasses = new Lazy<ImmutableArray<INamedTypeSymbol>>(FindSourceModuleClasses);
        _sourceSubclasses = new Lazy<ILookup<ISymbol, INamedTypeSymbol>>(FindSourceSubclasses);
    }

    public TorchSharpSymbols Symbols { get; }

    /// <summary>
    /// Whether a module of static type <paramref name="type"/> may run dropout: a dropout module, a source module that
    /// creates or holds one, or a general module type (<c>Module&lt;Tensor, Tensor&gt;</c>, <c>Sequential</c>) in a program
    /// that builds dropout modules somewhere.
    /// </summary>
    public bool MayContainDropout(ITypeSymbol? type) => HasDropout(type) ?? _compilationMentionsDropout.Value;

    /// <summary>
    /// Whether a module of static type <paramref name="type"/> holds dropout: <see langword="true"/> or
    /// <see langword="false"/> when the type says, <see langword="null"/> for a general module type whose contents only
    /// its construction shows.
    /// </summary>
    public bool? HasDropout(ITypeSymbol? type) => type is null ? false : HasDropout(type, 0);

    /// <summary>Whether the declarations of <paramref name="type"/> call <c>RegisterComponents()</c>, or a base class in source does.</summary>
    public bool RegistersComponents(INamedTypeSymbol type) => _registers.GetOrAdd(type, t =>
    {
        for (INamedTypeSymbol? current = t; current is not null && current.Locations.Any(location => location.IsInSource); current = current.BaseType)
        {
            if (DeclarationsCall(current, "RegisterComponents"))
            {
                return true;
            }
        }

        return false;
    });

    /// <summary>
    /// Whether a source module class that calls <c>RegisterComponents()</c> holds <paramref name="type"/> where registration
    /// reaches it: in a field or auto-property of that type (or a <c>ModuleList</c>/<c>ModuleDict</c> of it), or by
    /// constructing it (<c>new Block()</c>) outside a <c>Sequential(...)</c>. Registering a child calls the child's own
    /// <c>RegisterComponents()</c>, so a class that forgot the call is still fine there.
    /// </summary>
    public bool IsHeldByRegisteringParent(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (INamedTypeSymbol parent in _sourceModuleClasses.Value)
        {
            if (SymbolEqualityComparer.Default.Equals(parent, type) || !RegistersComponents(parent))
            {
                continue;
            }

            foreach (ISymbol member in parent.GetMembers())
            {
                if (MemberType(member) is { } memberType && Mentions(memberType, type, registeringOnly: true))
                {
                    return true;
                }
            }

            foreach (SyntaxReference reference in parent.DeclaringSyntaxReferences)
            {
                foreach (ObjectCreationExpressionSyntax creation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
                {
                    if (SimpleName(creation.Type) == type.Name && !IsInsideCallOf(creation, "Sequential"))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="type"/> is seen used as a root model, where no registration can reach it: constructed
    /// (<c>new Net()</c>) outside every module class (in a training program, a trainer, top-level statements) or inside
    /// a <c>Sequential(...)</c> (which does not call its items' <c>RegisterComponents()</c>), or switching its own mode
    /// (<c>eval()</c>, <c>train()</c> on itself). A block that is never constructed in the compilation may be held by a
    /// registering parent elsewhere in the project, so it is not a root by this test.
    /// </summary>
    public bool IsUsedAsRoot(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            foreach (InvocationExpressionSyntax invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (InvokedName(invocation) is "eval" or "train"
                    && invocation.Expression is IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax })
                {
                    return true;
                }
            }
        }

        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            foreach (ObjectCreationExpressionSyntax creation in tree.GetRoot(cancellationToken).DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
            {
                if (SimpleName(creation.Type) != type.Name)
                {
                    continue;
                }

                if (IsInsideCallOf(creation, "Sequential") || !IsInsideModuleClass(creation))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool IsInsideModuleClass(SyntaxNode node)
    {
        foreach (TypeDeclarationSyntax declaration in node.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            // A class whose base list names a module type (Module<Tensor, Tensor>, nn.Module, a block of yours): read
            // from syntax, by the source module classes' names and TorchSharp's base names.
            if (declaration.BaseList is { } bases && bases.Types.Any(baseType => IsModuleTypeName(baseType.Type)))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsModuleTypeName(TypeSyntax type)
    {
        string? name = type switch
        {
            GenericNameSyntax generic => generic.Identifier.ValueText,
            QualifiedNameSyntax { Right: var right } => right.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            _ => null,
        };
        return name is not null
            && (name is "Module" or "ParameterLessModule" || _sourceModuleClasses.Value.Any(module => module.Name == name));
    }

    /// <summary>The type of an instance field or property, or <see langword="null"/> for any other member.</summary>
    public static ITypeSymbol? MemberType(ISymbol member) => member switch
    {
        IFieldSymbol { IsStatic: false, IsConst: false } field => field.Type,
        IPropertySymbol { IsStatic: false, IsIndexer: false } property => property.Type,
        _ => null,
    };

    /// <summary>Whether the declarations of <paramref name="type"/> call a method named <paramref name="name"/>.</summary>
    public static bool DeclarationsCall(INamedTypeSymbol type, string name)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            foreach (InvocationExpressionSyntax invocation in reference.GetSyntax().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (InvokedName(invocation) == name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The simple name an invocation calls (<c>Dropout</c> in <c>nn.Dropout(0.1)</c>).</summary>
    public static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    private static string? SimpleName(TypeSyntax type) => type switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    private static bool IsInsideCallOf(SyntaxNode node, string name)
    {
        for (SyntaxNode? current = node.Parent; current is not null and not MemberDeclarationSyntax; current = current.Parent)
        {
            if (current is InvocationExpressionSyntax invocation && InvokedName(invocation) == name)
            {
                return true;
            }
        }

        return false;
    }

    // Whether a member of type memberType holds `target` where registration reaches: directly, or as the element of a
    // ModuleList/ModuleDict (which register their items); List<>/arrays are skipped by RegisterComponents().
    private bool Mentions(ITypeSymbol memberType, INamedTypeSymbol target, bool registeringOnly)
    {
        if (SymbolEqualityComparer.Default.Equals(memberType, target))
        {
            return true;
        }

        if (memberType is INamedTypeSymbol { IsGenericType: true } generic
            && (!registeringOnly || IsRegisteringContainer(generic)))
        {
            return generic.TypeArguments.Any(argument => Mentions(argument, target, registeringOnly));
        }

        return !registeringOnly && memberType is IArrayTypeSymbol array && Mentions(array.ElementType, target, registeringOnly);
    }

    /// <summary>Whether <paramref name="type"/> is a <c>ModuleList&lt;T&gt;</c> or <c>ModuleDict&lt;T&gt;</c>, which register what they hold.</summary>
    public bool IsRegisteringContainer(ITypeSymbol type) =>
        (Symbols.ModuleList is { } list && TorchSharpSymbols.DerivesFrom(type, list))
        || (Symbols.ModuleDict is { } dict && TorchSharpSymbols.DerivesFrom(type, dict));

    private bool? HasDropout(ITypeSymbol type, int depth)
    {
        if (Symbols.IsDropoutModuleType(type))
        {
            return true;
        }

        if (depth > MaxDepth)
        {
            return false;
        }

        if (type is IArrayTypeSymbol array)
        {
            return HasDropout(array.ElementType, depth + 1);
        }

        if (type is not INamedTypeSymbol named || named.SpecialType != SpecialType.None)
        {
            return false;
        }

        if (depth == 0 && _hasDropout.TryGetValue(type, out bool? cached))
        {
            return cached;
        }

        bool? result;
        if (named.Locations.Any(location => location.IsInSource))
        {
            result = Symbols.IsModuleType(named) ? SourceModuleOrSubclassHasDropout(named, depth) : false;
        }
        else if (named.IsGenericType && !Symbols.IsModuleType(named))
        {
            // List<Module>, IEnumerable<Dropout>, (string, Module) tuples: what they hold.
            result = false;
            foreach (ITypeSymbol argument in named.TypeArguments)
            {
                bool? inner = HasDropout(argument, depth + 1);
                if (inner == true)
                {
                    result = true;
                    break;
                }

                if (inner is null)
                {
                    result = null;
                }
            }
        }
        else if (Symbols.IsModuleType(named))
        {
            // A TorchSharp module type: a ModuleList<Dropout> says; Sequential, Module<Tensor, Tensor> or ModuleList<Module> do not.
            result = named.IsGenericType && named.TypeArguments.Any(argument => HasDropout(argument, depth + 1) == true)
                ? true
                : IsLeafLibraryModule(named) ? false : null;
        }
        else
        {
            result = false;
        }

        if (depth == 0)
        {
            _hasDropout.TryAdd(type, result);
        }

        return result;
    }

    // TorchSharp's own layers (Linear, Conv2d, ReLU, BatchNorm1d, the losses, ...) never hold dropout; only its
    // containers (Sequential, ModuleList, ModuleDict) and its base module types (Module, Module<T, TResult>, IModule)
    // may, depending on what was put in them.
    private bool IsLeafLibraryModule(INamedTypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, Symbols.Assembly)
        && !(type.Name is "Module" or "IModule" or "Sequential" or "ModuleList" or "ModuleDict" or "HookableModule");

    // A variable of a source module type can hold any of its source subclasses (a trainer's `TorchSharpModel Model`
    // field holding an `MnistNet`): the type holds dropout when it or one of them does.
    private bool? SourceModuleOrSubclassHasDropout(INamedTypeSymbol type, int depth)
    {
        bool? own = SourceModuleHasDropout(type, depth);
        if (own == true || type.IsSealed || type.IsValueType)
        {
            return own;
        }

        // Only a subclass that surely holds dropout changes the answer: one that is open (a member typed
        // Module<Tensor, Tensor>) leaves it as the type itself says, so that no rule gets more to report from it.
        foreach (INamedTypeSymbol subclass in _sourceSubclasses.Value[type.OriginalDefinition])
        {
            if (SourceModuleHasDropout(subclass, depth + 1) == true)
            {
                return true;
            }
        }

        return own;
    }

    // Each source module class under every source base class it derives from (by original definition), built once.
    private ILookup<ISymbol, INamedTypeSymbol> FindSourceSubclasses() =>
        _sourceModuleClasses.Value
            .SelectMany(candidate => BaseTypesInSource(candidate).Select(baseType => (Base: (ISymbol)baseType, Subclass: candidate)))
            .ToLookup(pair => pair.Base, pair => pair.Subclass, SymbolEqualityComparer.Default);

    private static IEnumerable<INamedTypeSymbol> BaseTypesInSource(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null && current.Locations.Any(location => location.IsInSource); current = current.BaseType)
        {
            yield return current.OriginalDefinition;
        }
    }

    private bool? SourceModuleHasDropout(INamedTypeSymbol type, int depth)
    {
        bool unknown = false;
        for (INamedTypeSymbol? current = type; current is not null && current.Locations.Any(location => location.IsInSource); current = current.BaseType)
        {
            foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
            {
                foreach (InvocationExpressionSyntax invocation in reference.GetSyntax().DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (InvokedName(invocation) is { } name && TorchSharpSymbols.DropoutModuleNames.Contains(name))
                    {
                        return true;
                    }
                }
            }

            foreach (ISymbol member in current.GetMembers())
            {
                if (MemberType(member) is not { } memberType || SymbolEqualityComparer.Default.Equals(memberType, type))
                {
                    continue;
                }

                bool? inner = HasDropout(memberType, depth + 1);
                if (inner == true)
                {
                    return true;
                }

                unknown |= inner is null && memberType is not IArrayTypeSymbol;
            }
        }

        // A source module whose own declarations create no dropout and whose members are all known to hold none has
        // none; a member typed Module<Tensor, Tensor> passed in from outside leaves it open.
        return unknown ? null : false;
    }

    private bool MentionsDropout()
    {
        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            foreach (InvocationExpressionSyntax invocation in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (InvokedName(invocation) is { } name && TorchSharpSymbols.DropoutModuleNames.Contains(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private ImmutableArray<INamedTypeSymbol> FindSourceModuleClasses()
    {
        var result = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(_compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            INamespaceOrTypeSymbol current = pending.Pop();
            foreach (ISymbol member in current.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    pending.Push(ns);
                }
                else if (member is INamedTypeSymbol named)
                {
                    pending.Push(named);
                    if (Symbols.IsSourceModuleClass(named))
                    {
                        result.Add(named);
                    }
                }
            }
        }

        return result.ToImmutable();
    }
}
