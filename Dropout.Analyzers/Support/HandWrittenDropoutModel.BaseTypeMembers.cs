using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// Members a dropout layer inherits (<c>abstract class Layer { protected double Rate; protected float[] Output; }</c>):
/// the base class's declaration is read, from whatever file holds it, when a type of the asking file derives from it and
/// may draw; and a protected member, which only the type and its derived types can write, has every value seen when
/// every derived type is declared where it can be read.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The model of <paramref name="tree"/>, which declares <paramref name="baseType"/>, when a type of
    /// <paramref name="current"/>'s tree that may draw derives from it; otherwise null (another file stays unknown).
    /// </summary>
    public static SemanticModel? SemanticModelForBaseType(SemanticModel current, SyntaxTree tree, INamedTypeSymbol? baseType, CancellationToken cancellationToken = default)
    {
        if (tree == current.SyntaxTree)
        {
            return current;
        }

        if (baseType is null || baseType.TypeKind != TypeKind.Class || !baseType.OriginalDefinition.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree))
        {
            return null;
        }

        foreach (SyntaxNode node in current.SyntaxTree.GetRoot(cancellationToken).DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
        {
            if (node is ClassDeclarationSyntax { BaseList: not null } declaration
                && current.GetDeclaredSymbol(declaration, cancellationToken) is { } derived
                && DerivesFrom(derived, baseType)
                && MayDraw(declaration, cancellationToken))
            {
                return BaseTypeModel(current.Compilation, tree);
            }
        }

        return null;
    }

    /// <summary>
    /// The class declarations deriving (directly or not) from <paramref name="type"/> in the compilation, found by the
    /// type's name in base lists and confirmed with <paramref name="readable"/>'s model where one is given; a declaration
    /// in a tree <paramref name="readable"/> returns null for is returned with a null model.
    /// </summary>
    public static List<(TypeDeclarationSyntax Declaration, SemanticModel? Model)> DerivedDeclarations(INamedTypeSymbol type, Compilation compilation, Func<SyntaxTree, SemanticModel?> readable, CancellationToken cancellationToken)
    {
        var found = new List<(TypeDeclarationSyntax, SemanticModel?)>();
        var names = new Queue<(string Name, INamedTypeSymbol? Symbol)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { type.Name };
        names.Enqueue((type.Name, type));
        while (names.Count > 0 && found.Count < 16)
        {
            (string name, INamedTypeSymbol? symbol) = names.Dequeue();
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.GetText(cancellationToken).ToString().IndexOf(name, StringComparison.Ordinal) < 0)
                {
                    continue;
                }

                foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
                {
                    if (node is not TypeDeclarationSyntax { BaseList: { } baseList } declaration
                        || !baseList.Types.Any(baseType => BaseListName(baseType.Type) == name))
                    {
                        continue;
                    }

                    SemanticModel? model = readable(tree);
                    if (model is not null && symbol is not null
                        && !(model.GetDeclaredSymbol(declaration, cancellationToken) is { } derived && SymbolEqualityComparer.Default.Equals(derived.BaseType?.OriginalDefinition, symbol.OriginalDefinition)))
                    {
                        continue;
                    }

                    found.Add((declaration, model));
                    if (seen.Add(declaration.Identifier.ValueText))
                    {
                        names.Enqueue((declaration.Identifier.ValueText, model?.GetDeclaredSymbol(declaration, cancellationToken)));
                    }
                }
            }
        }

        return found;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static string? BaseListName(TypeSyntax type) => type switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        QualifiedNameSyntax qualified => BaseListName(qualified.Right),
        _ => null,
    };

    [SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1030:Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer", Justification = "Only for the file declaring the base class of a type that passes the prefilter; cached per tree like PartialTreeModel.")]
    private static SemanticModel BaseTypeModel(Compilation compilation, SyntaxTree tree) =>
        For(compilation).PartialTreeModel(compilation, tree);
}
