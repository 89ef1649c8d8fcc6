using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Whether a module's constant <c>training: true</c> is deliberate Monte Carlo dropout, decided by how the program uses
/// the module, not by its name:
/// <list type="bullet">
/// <item>the program builds the module from a dropout module's rate (<c>m is Dropout d ? new McDropout(d.p)</c>): it
/// replaces <c>Dropout</c> modules with one that stays on, which only makes sense to sample at inference; or</item>
/// <item>the program runs a model that holds the module several times on the same input in a loop that trains nothing,
/// collects the outputs and averages them (or takes their variance): Monte Carlo prediction. A model whose composition
/// the program does not show (an abstract or general module type) counts when the module is a bare dropout layer
/// (its forward only drops its input), a layer made to be placed in such models.</item>
/// </list>
/// Only consulted for a constant <see langword="true"/> (never for an omitted argument), and only then is the program
/// scanned, once per compilation. Other files are read by syntax: an analyzer may not bind another tree (RS1030).
/// </summary>
internal sealed class TorchSharpMonteCarloUse
{
    private const int MaxDepth = 3;

    private readonly Compilation _compilation;
    private readonly TorchSharpSymbols _symbols;
    private readonly Lazy<Facts> _facts;

    public TorchSharpMonteCarloUse(Compilation compilation, TorchSharpSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
        _facts = new Lazy<Facts>(Scan);
    }

    /// <summary>Whether the constant-true <paramref name="dropout"/> in <paramref name="module"/> is deliberate Monte Carlo dropout.</summary>
    public bool IsDeliberate(INamedTypeSymbol module, IInvocationOperation dropout, ISymbol? containing)
    {
        Facts facts = _facts.Value;
        if (facts.ReplacementTypeNames.Contains(module.Name))
        {
            return true;
        }

        bool bareLayer = IsBareDropoutLayer(dropout, containing);
        foreach (string averaged in facts.AveragedModelTypeNames)
        {
            ImmutableArray<INamedTypeSymbol> types = _compilation.GetSymbolsWithName(averaged, SymbolFilter.Type).OfType<INamedTypeSymbol>().ToImmutableArray();
            if (types.Any(type => Holds(type, module, 0)))
            {
                return true;
            }

            // A model whose contents the program does not show: an abstract or interface type declared here, or a general
            // TorchSharp module type (not declared in source, e.g. Module<Tensor, Tensor> or Sequential).
            if (bareLayer && (types.IsEmpty || types.Any(type => type.IsAbstract || type.TypeKind == TypeKind.Interface)))
            {
                return true;
            }
        }

        return false;
    }

    // The module's forward does nothing but drop its input: `forward(x) => F.dropout(x, p, true)`.
    private static bool IsBareDropoutLayer(IInvocationOperation dropout, ISymbol? containing) =>
        containing is IMethodSymbol { Name: "forward", Parameters.Length: 1 } forward
        && dropout.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == 0)?.Value is IParameterReferenceOperation input
        && SymbolEqualityComparer.Default.Equals(input.Parameter, forward.Parameters[0])
        && dropout.TreeRoot().Descendants().OfType<IInvocationOperation>().Count() == 1;

    // Whether a model of `holder` runs `module`: it is the module (or derives from it), or a field or property holds it,
    // directly or as a type argument (ModuleList<M>), a few levels down through source types.
    private bool Holds(ITypeSymbol holder, INamedTypeSymbol module, int depth)
    {
        for (ITypeSymbol? current = holder; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, module))
            {
                return true;
            }
        }

        if (depth >= MaxDepth || holder is not INamedTypeSymbol named || !named.Locations.Any(location => location.IsInSource))
        {
            return holder is INamedTypeSymbol { IsGenericType: true } generic && depth < MaxDepth
                && generic.TypeArguments.Any(argument => Holds(argument, module, depth + 1));
        }

        foreach (ISymbol member in named.GetMembers())
        {
            ITypeSymbol? type = member switch
            {
                IFieldSymbol { IsStatic: false } field => field.Type,
                IPropertySymbol { IsStatic: false } property => property.Type,
                _ => null,
            };
            if (type is not null && !SymbolEqualityComparer.Default.Equals(type, holder) && (_symbols.IsModuleType(type) || type is INamedTypeSymbol { IsGenericType: true })
                && Holds(type, module, depth + 1))
            {
                return true;
            }
        }

        return false;
    }

    private Facts Scan()
    {
        var replacements = new HashSet<string>(StringComparer.Ordinal);
        var averaged = new HashSet<string>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            SyntaxNode root = tree.GetRoot();
            foreach (BaseMethodDeclarationSyntax method in root.DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
            {
                SyntaxNode? body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
                if (body is null)
                {
                    continue;
                }

                FindReplacements(method, body, replacements);
                FindAveragedRuns(method, body, averaged);
            }
        }

        return new Facts(replacements.ToImmutableHashSet(StringComparer.Ordinal), averaged.ToImmutableHashSet(StringComparer.Ordinal));
    }

    // `new M(..., d.p, ...)` where `d` is declared in the method as a TorchSharp dropout module (`m is Dropout d`, a
    // parameter, local or foreach variable of a dropout type).
    private static void FindReplacements(BaseMethodDeclarationSyntax method, SyntaxNode body, HashSet<string> replacements)
    {
        foreach (BaseObjectCreationExpressionSyntax creation in body.DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>())
        {
            if (creation is not ObjectCreationExpressionSyntax { Type: { } typeSyntax } || creation.ArgumentList is null)
            {
                continue;
            }

            bool fromDropoutRate = creation.ArgumentList.Arguments.Any(argument =>
                argument.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "p", Expression: IdentifierNameSyntax source }
                && DeclaredTypeName(method, source.Identifier.ValueText) is { } sourceType
                && TorchSharpSymbols.DropoutModuleNames.Contains(sourceType));
            if (fromDropoutRate && RightmostName(typeSyntax) is { } name)
            {
                replacements.Add(name);
            }
        }
    }

    // A model's `forward(...)` (or `call`) that the method runs repeatedly on the same inputs and averages
    // (RepeatedAveragedRuns): through a typed receiver, or the module's own `forward(x)` / `this.forward(x)`.
    private static void FindAveragedRuns(BaseMethodDeclarationSyntax method, SyntaxNode body, HashSet<string> averaged)
    {
        foreach (InvocationExpressionSyntax run in RepeatedAveragedRuns.Find(body))
        {
            string? modelType = run.Expression switch
            {
                MemberAccessExpressionSyntax { Name.Identifier.ValueText: "forward" or "call", Expression: ThisExpressionSyntax } => ContainingTypeName(method),
                MemberAccessExpressionSyntax { Name.Identifier.ValueText: "forward" or "call", Expression: { } receiver } =>
                    ReceiverName(receiver) is { } receiverName ? DeclaredTypeName(method, receiverName) : null,
                IdentifierNameSyntax { Identifier.ValueText: "forward" or "call" } => ContainingTypeName(method),
                _ => null,
            };
            if (modelType is not null)
            {
                averaged.Add(modelType);
            }
        }
    }

    private static string? ContainingTypeName(BaseMethodDeclarationSyntax method) =>
        method.Parent is TypeDeclarationSyntax type ? type.Identifier.ValueText : null;

    private static string? ReceiverName(ExpressionSyntax receiver) => receiver switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: { } name } => name.Identifier.ValueText,
        _ => null,
    };

    // The type name `name` is declared with in the method (parameter, typed local, pattern or foreach variable) or, failing
    // that, as a field or property of the method's type; null for `var` and anything not found.
    private static string? DeclaredTypeName(BaseMethodDeclarationSyntax method, string name)
    {
        foreach (ParameterSyntax parameter in method.ParameterList.Parameters)
        {
            if (parameter.Identifier.ValueText == name)
            {
                return RightmostName(parameter.Type);
            }
        }

        foreach (SyntaxNode node in method.DescendantNodes())
        {
            switch (node)
            {
                case DeclarationPatternSyntax { Designation: SingleVariableDesignationSyntax designation } pattern when designation.Identifier.ValueText == name:
                    return RightmostName(pattern.Type);
                case VariableDeclarationSyntax declaration when declaration.Variables.Any(variable => variable.Identifier.ValueText == name):
                    return RightmostName(declaration.Type);
                case ForEachStatementSyntax foreachLoop when foreachLoop.Identifier.ValueText == name:
                    return RightmostName(foreachLoop.Type);
            }
        }

        if (method.Parent is TypeDeclarationSyntax type)
        {
            foreach (MemberDeclarationSyntax member in type.Members)
            {
                switch (member)
                {
                    case FieldDeclarationSyntax field when field.Declaration.Variables.Any(variable => variable.Identifier.ValueText == name):
                        return RightmostName(field.Declaration.Type);
                    case PropertyDeclarationSyntax property when property.Identifier.ValueText == name:
                        return RightmostName(property.Type);
                }
            }
        }

        return null;
    }

    private static string? RightmostName(TypeSyntax? type) => type switch
    {
        IdentifierNameSyntax { IsVar: true } => null,
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        QualifiedNameSyntax qualified => RightmostName(qualified.Right),
        AliasQualifiedNameSyntax alias => RightmostName(alias.Name),
        NullableTypeSyntax nullable => RightmostName(nullable.ElementType),
        _ => null,
    };

    private sealed class Facts(ImmutableHashSet<string> replacementTypeNames, ImmutableHashSet<string> averagedModelTypeNames)
    {
        public ImmutableHashSet<string> ReplacementTypeNames { get; } = replacementTypeNames;

        public ImmutableHashSet<string> AveragedModelTypeNames { get; } = averagedModelTypeNames;
    }
}
