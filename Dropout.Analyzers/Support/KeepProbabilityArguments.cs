using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>A keep probability that is a compile-time constant: the value and the expression that spells it.</summary>
internal readonly struct KeepProbabilityArgument
{
    public KeepProbabilityArgument(double value, ExpressionSyntax expression)
    {
        Value = value;
        Expression = expression;
    }

    public double Value { get; }

    public ExpressionSyntax Expression { get; }
}

/// <summary>
/// Finds every constant keep probability a compilation passes to Dropout.Runtime: the argument of
/// <c>[Dropout(p)]</c>, and any <c>keepProbability</c> argument of a runtime constructor or method
/// (<c>new DropoutLayer(p)</c>, <c>DropoutKernels.Forward(..., p, ...)</c>, <c>DropoutMaskSpec.Create(p)</c>).
/// Rules 1, 2 and 3 judge the value; this type only finds it.
/// </summary>
internal static class KeepProbabilityArguments
{
    private const string KeepProbabilityParameterName = "keepProbability";

    /// <summary>Registers, for a compilation that references the runtime, actions that call <paramref name="onConstant"/> for each constant keep probability.</summary>
    public static void Register(CompilationStartAnalysisContext context, Action<KeepProbabilityArgument, Action<Diagnostic>, AnalyzerOptions> onConstant)
    {
        if (DropoutSymbols.TryCreate(context.Compilation) is not { } symbols)
        {
            return;
        }

        // Binding an attribute builds a semantic model for it, so only attributes that can be [Dropout] are bound: those
        // spelled Dropout or DropoutAttribute, or by a using alias (a global one of any file, or one of the attribute's own
        // file and namespaces); only using directives are read to know the aliases, never the rest of a file.
        HashSet<string> globalAliases = SharedGlobalAliases.Get(context.Compilation, GlobalUsingAliases, context.CancellationToken);
        context.RegisterSyntaxNodeAction(
            nodeContext =>
            {
                var attribute = (AttributeSyntax)nodeContext.Node;
                // No generated-code check here: the generator writes no [Dropout], and Roslyn counts the user's own
                // attribute on a partial method as generated (the implementation part the generator writes carries
                // [GeneratedCode] and the parts' attributes merge).
                if (attribute.ArgumentList is not { Arguments.Count: > 0 }
                    || RightmostName(attribute.Name) is not { } name
                    || (name is not ("Dropout" or "DropoutAttribute") && !globalAliases.Contains(name) && !IsLocalAlias(attribute, name)))
                {
                    return;
                }

                if (!FromDeclaredAttribute(attribute, nodeContext.ContainingSymbol, symbols, out KeepProbabilityArgument? argument))
                {
                    argument = FromAttribute(attribute, nodeContext.SemanticModel, symbols, nodeContext.CancellationToken);
                }

                if (argument is { } found)
                {
                    onConstant(found, nodeContext.ReportDiagnostic, nodeContext.Options);
                }
            },
            SyntaxKind.Attribute);

        context.RegisterOperationAction(
            operationContext =>
            {
                // Only calls into the runtime from the user's own code are looked at; their arguments are checked one by one.
                if (operationContext.IsGeneratedCode)
                {
                    return;
                }

                (IMethodSymbol? target, ImmutableArray<IArgumentOperation> arguments) = operationContext.Operation switch
                {
                    IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments),
                    IObjectCreationOperation creation => (creation.Constructor, creation.Arguments),
                    _ => (null, ImmutableArray<IArgumentOperation>.Empty),
                };
                if (target is null || !SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, symbols.RuntimeAssembly))
                {
                    return;
                }

                foreach (IArgumentOperation operation in arguments)
                {
                    if (FromRuntimeCall(operation, symbols) is { } argument)
                    {
                        onConstant(argument, operationContext.ReportDiagnostic, operationContext.Options);
                    }
                }
            },
            OperationKind.Invocation,
            OperationKind.ObjectCreation);
    }

    // Rules 1, 2 and 3 each register these actions: the compilation's global aliases are collected once for the three.
    private static readonly OncePerCompilation<HashSet<string>> SharedGlobalAliases = new();

    // The attribute as its declaration bound it (the symbol's attributes, which the compiler binds anyway), so that rules 1,
    // 2 and 3 need not each bind it again in a semantic model of its own (with its nullable analysis). Decides only when
    // the symbol holds this very attribute with a resolved constructor and the argument is a plain numeric literal (whose
    // constant is its token's value); anything else (an attribute with errors, a constant expression, an attribute the
    // containing symbol does not hold) returns false and is bound as before.
    private static bool FromDeclaredAttribute(AttributeSyntax attribute, ISymbol? containingSymbol, DropoutSymbols symbols, out KeepProbabilityArgument? argument)
    {
        argument = null;
        if (containingSymbol is null)
        {
            return false;
        }

        foreach (AttributeData data in containingSymbol.GetAttributes())
        {
            if (data.ApplicationSyntaxReference is not { } reference
                || reference.SyntaxTree != attribute.SyntaxTree
                || reference.Span != attribute.Span)
            {
                continue;
            }

            if (!SymbolEqualityComparer.Default.Equals(data.AttributeClass, symbols.DropoutAttribute))
            {
                // Bound to another attribute type (the binding a semantic model would find too): not a keep probability.
                return data.AttributeClass is { TypeKind: not TypeKind.Error };
            }

            if (data.AttributeConstructor is null || attribute.ArgumentList is not { Arguments.Count: > 0 } arguments)
            {
                return false;
            }

            foreach (AttributeArgumentSyntax syntax in arguments.Arguments)
            {
                bool isPositional = syntax.NameEquals is null && (syntax.NameColon is null || syntax.NameColon.Name.Identifier.ValueText == KeepProbabilityParameterName);
                if (isPositional)
                {
                    if (syntax.Expression is not LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal)
                    {
                        return false;
                    }

                    argument = FromConstant(new Optional<object?>(literal.Token.Value), literal);
                    return true;
                }
            }

            return true;
        }

        return false;
    }

    private static string? RightmostName(NameSyntax name) => name switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        _ => null,
    };

    // The names of the global using aliases of the compilation (global usings are only allowed before anything else in a file).
    private static HashSet<string> GlobalUsingAliases(Compilation compilation, CancellationToken cancellationToken)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.GetRoot(cancellationToken) is CompilationUnitSyntax unit)
            {
                foreach (UsingDirectiveSyntax directive in unit.Usings)
                {
                    if (directive.Alias is { } alias && !directive.GlobalKeyword.IsKind(SyntaxKind.None))
                    {
                        aliases.Add(alias.Name.Identifier.ValueText);
                    }
                }
            }
        }

        return aliases;
    }

    // Whether `name` is a using alias of the attribute's file or of a namespace around it.
    private static bool IsLocalAlias(AttributeSyntax attribute, string name)
    {
        foreach (SyntaxNode ancestor in attribute.Ancestors())
        {
            SyntaxList<UsingDirectiveSyntax> usings = ancestor switch
            {
                BaseNamespaceDeclarationSyntax ns => ns.Usings,
                CompilationUnitSyntax unit => unit.Usings,
                _ => default,
            };
            foreach (UsingDirectiveSyntax directive in usings)
            {
                if (directive.Alias?.Name.Identifier.ValueText == name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static KeepProbabilityArgument? FromAttribute(AttributeSyntax attribute, SemanticModel semanticModel, DropoutSymbols symbols, CancellationToken cancellationToken)
    {
        if (attribute.ArgumentList is not { Arguments.Count: > 0 } arguments)
        {
            return null;
        }

        if (semanticModel.GetSymbolInfo(attribute, cancellationToken).Symbol is not IMethodSymbol { ContainingType: { } attributeType }
            || !SymbolEqualityComparer.Default.Equals(attributeType, symbols.DropoutAttribute))
        {
            return null;
        }

        foreach (AttributeArgumentSyntax argument in arguments.Arguments)
        {
            bool isPositional = argument.NameEquals is null && (argument.NameColon is null || argument.NameColon.Name.Identifier.ValueText == KeepProbabilityParameterName);
            if (isPositional)
            {
                return FromConstant(semanticModel.GetConstantValue(argument.Expression, cancellationToken), argument.Expression);
            }
        }

        return null;
    }

    private static KeepProbabilityArgument? FromRuntimeCall(IOperation operation, DropoutSymbols symbols)
    {
        if (operation is not IArgumentOperation { Parameter: { Name: KeepProbabilityParameterName, Type.SpecialType: SpecialType.System_Double } parameter } argument
            || argument.ArgumentKind != ArgumentKind.Explicit
            || !SymbolEqualityComparer.Default.Equals(parameter.ContainingAssembly, symbols.RuntimeAssembly)
            || parameter.ContainingSymbol.DeclaredAccessibility != Accessibility.Public
            || argument.Value.Syntax is not ExpressionSyntax expression
            || expression.Parent is AttributeArgumentSyntax)
        {
            // Attribute arguments (which newer compilers also expose as operations) are handled on the syntax path; the
            // runtime's own non-public helpers (the identity spec is built with p = 1) are not user calls.
            return null;
        }

        return FromConstant(argument.Value.ConstantValue, expression);
    }

    private static KeepProbabilityArgument? FromConstant(Optional<object?> constant, ExpressionSyntax expression)
    {
        if (!constant.HasValue)
        {
            return null;
        }

        double? value = constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            decimal m => (double)m,
            _ => null,
        };

        return value is { } keepProbability ? new KeepProbabilityArgument(keepProbability, expression) : null;
    }
}
