using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// The Dropout.Runtime types the analyzers look for, resolved once per compilation. <see cref="TryCreate"/> returns
/// <see langword="null"/> when the compilation does not reference the runtime, so analyzers of runtime usage register
/// nothing at all there.
/// </summary>
internal sealed class DropoutSymbols
{
    private DropoutSymbols(Compilation compilation, INamedTypeSymbol dropoutAttribute)
    {
        DropoutAttribute = dropoutAttribute;
        InferenceAttribute = compilation.GetTypeByMetadataName("Dropout.InferenceAttribute");
        MonteCarloDropoutAttribute = compilation.GetTypeByMetadataName("Dropout.MonteCarloDropoutAttribute");
        DropoutContext = compilation.GetTypeByMetadataName("Dropout.DropoutContext");
        DropoutMode = compilation.GetTypeByMetadataName("Dropout.DropoutMode");
        DropoutStream = compilation.GetTypeByMetadataName("Dropout.DropoutStream");
        DropoutLayer = compilation.GetTypeByMetadataName("Dropout.DropoutLayer");
        DropoutKernels = compilation.GetTypeByMetadataName("Dropout.DropoutKernels");
    }

    public INamedTypeSymbol DropoutAttribute { get; }

    public INamedTypeSymbol? InferenceAttribute { get; }

    public INamedTypeSymbol? MonteCarloDropoutAttribute { get; }

    public INamedTypeSymbol? DropoutContext { get; }

    public INamedTypeSymbol? DropoutMode { get; }

    public INamedTypeSymbol? DropoutStream { get; }

    public INamedTypeSymbol? DropoutLayer { get; }

    public INamedTypeSymbol? DropoutKernels { get; }

    /// <summary>The runtime assembly: methods declared in it take their keep probability as a <c>keepProbability</c> parameter.</summary>
    public IAssemblySymbol RuntimeAssembly => DropoutAttribute.ContainingAssembly;

    // Resolved once per compilation for all the rules (each asked for the same eight types at its compilation start).
    private static readonly OncePerCompilation<DropoutSymbols?> Shared = new();

    public static DropoutSymbols? TryCreate(Compilation compilation) =>
        Shared.Get(compilation, static (c, _) => c.GetTypeByMetadataName("Dropout.DropoutAttribute") is { } attribute ? new DropoutSymbols(c, attribute) : null, CancellationToken.None);

    /// <summary>Whether <paramref name="type"/> is a dropout site: a <see cref="DropoutLayer"/> or a type marked <c>[Dropout]</c>.</summary>
    public bool IsDropoutSiteType(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type, DropoutLayer))
        {
            return true;
        }

        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, DropoutAttribute))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsKernelMethod(IMethodSymbol method, string name) =>
        method.Name == name && SymbolEqualityComparer.Default.Equals(method.ContainingType, DropoutKernels);

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attributeType)
    {
        if (attributeType is null)
        {
            return false;
        }

        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return true;
            }
        }

        return false;
    }
}
