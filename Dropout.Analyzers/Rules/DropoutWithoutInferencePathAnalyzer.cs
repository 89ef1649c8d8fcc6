using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP014: a hand-written dropout layer whose forward drops on every call: the site is under no condition or early return,
/// its method takes no flag, its type (and base types) has no boolean or enum state that could be a mode, and no caller in
/// the file calls it only under a condition or from training code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropoutWithoutInferencePathAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] LayerMethodNames = ["Forward", "FeedForward", "Apply", "Call", "Compute", "Propagate", "Process", "Run", "Activate", "Invoke", "Output"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutWithoutInferencePath);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            if (facts.Type is not { } type || HasModeState(type))
            {
                return;
            }

            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.IsGated
                    || OwningMethod(site, facts.SemanticModel) is not { } method
                    || !IsLayerForward(method, type)
                    || method.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean || parameter.Type.TypeKind == TypeKind.Enum)
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(method.Name)
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(type.Name)
                    || HasGuardedOrTrainingCaller(method, nodeContext.Tree, facts.SemanticModel, nodeContext.CancellationToken)
                    || HasSiblingInferencePath(method, type, facts)
                    || IsSkippedByTypeTest(type.Name, nodeContext.Compilation, nodeContext.CancellationToken))
                {
                    continue;
                }

                nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutWithoutInferencePath, site.Comparison.Syntax.GetLocation(), type.Name + "." + method.Name));
                return;
            }
        });
    }

    // `Tensor Predict(Tensor x) => x;` beside `Tensor Forward(Tensor x)`: another method of the type that takes and returns
    // what the forward does, draws nothing and does not call the forward, is the inference path (the network calls it to
    // predict). A backward has the same shape but runs after the forward, so it does not count.
    private static bool HasSiblingInferencePath(IMethodSymbol forward, INamedTypeSymbol type, DropoutTypeFacts facts)
    {
        var drawing = new HashSet<IMethodSymbol>(facts.Sites.Select(site => OwningMethod(site, facts.SemanticModel)).OfType<IMethodSymbol>(), SymbolEqualityComparer.Default);
        foreach (IMethodSymbol sibling in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (sibling.MethodKind != MethodKind.Ordinary || sibling.IsStatic || SymbolEqualityComparer.Default.Equals(sibling, forward) || drawing.Contains(sibling)
                || DropoutTypeFacts.IsBackwardName(sibling.Name)
                || !SymbolEqualityComparer.Default.Equals(sibling.ReturnType, forward.ReturnType) || forward.ReturnsVoid
                || sibling.Parameters.Length != forward.Parameters.Length
                || sibling.Parameters.Zip(forward.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).Contains(false))
            {
                continue;
            }

            bool callsForward = sibling.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax().DescendantNodes().OfType<InvocationExpressionSyntax>().Any(invocation => CalledName(invocation) == forward.Name));
            if (!callsForward && !sibling.DeclaringSyntaxReferences.IsEmpty)
            {
                return true;
            }
        }

        return false;
    }

    // A network that skips the layer at inference (`if (!training && layer is DropoutLayer) continue;`, `OfType<DropoutLayer>()`)
    // gives it an inference path from outside; looked for as text, since other files cannot be bound here.
    private static bool IsSkippedByTypeTest(string typeName, Compilation compilation, CancellationToken cancellationToken)
    {
        // Used from another file at all: how it is called there cannot be seen, so it may well be called only in training.
        string[] patterns = ["is " + typeName, "is not " + typeName, "as " + typeName, "OfType<" + typeName + ">", "typeof(" + typeName + ")"];
        bool declaredInOneTree = false;
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            string text = tree.GetText(cancellationToken).ToString();
            if (patterns.Any(pattern => text.IndexOf(pattern, StringComparison.Ordinal) >= 0))
            {
                return true;
            }

            // Constructing the layer (`new DropoutLayer(rate)`, a factory returning one) says nothing about how it is called.
            if (MentionsBeyondConstruction(text, typeName))
            {
                if (declaredInOneTree)
                {
                    return true;
                }

                declaredInOneTree = true;
            }
        }

        return false;
    }

    private static bool MentionsBeyondConstruction(string text, string typeName)
    {
        // A type whose name is missing (`class (double rate)` while it is being typed) is mentioned nowhere; searching for
        // the empty string would find it at every position without advancing.
        if (typeName.Length == 0)
        {
            return false;
        }

        for (int index = text.IndexOf(typeName, StringComparison.Ordinal); index >= 0; index = text.IndexOf(typeName, index + typeName.Length, StringComparison.Ordinal))
        {
            bool wholeWord = (index == 0 || !IsIdentifierCharacter(text[index - 1]))
                && (index + typeName.Length == text.Length || !IsIdentifierCharacter(text[index + typeName.Length]));
            if (!wholeWord)
            {
                continue;
            }

            string before = text.Substring(0, index).TrimEnd();
            string after = text.Substring(index + typeName.Length).TrimStart();
            bool creation = before.EndsWith("new", StringComparison.Ordinal) && after.StartsWith("(", StringComparison.Ordinal);
            bool factoryReturnType = (before.EndsWith("public", StringComparison.Ordinal) || before.EndsWith("static", StringComparison.Ordinal) || before.EndsWith("internal", StringComparison.Ordinal))
                && System.Text.RegularExpressions.Regex.IsMatch(after, @"^[A-Za-z_][A-Za-z0-9_]*\s*\(");
            if (!creation && !factoryReturnType)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIdentifierCharacter(char character) => char.IsLetterOrDigit(character) || character == '_';

    internal static IMethodSymbol? OwningMethod(HandWrittenDropoutSite site, SemanticModel semanticModel)
    {
        ISymbol? owner = semanticModel.GetEnclosingSymbol(site.Decision.Syntax.SpanStart);
        while (owner is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
        {
            owner = nested.ContainingSymbol;
        }

        return owner as IMethodSymbol;
    }

    // An instance method of a layer: Forward/Apply/..., or any public method of a type named for dropout or a layer.
    private static bool IsLayerForward(IMethodSymbol method, INamedTypeSymbol type) =>
        !method.IsStatic
        && method.MethodKind == MethodKind.Ordinary
        && (LayerMethodNames.Any(name => method.Name.StartsWith(name, StringComparison.Ordinal))
            || type.Name.IndexOf("Dropout", StringComparison.OrdinalIgnoreCase) >= 0
            || type.Name.IndexOf("Layer", StringComparison.Ordinal) >= 0);

    // A boolean or enum field or property (IsTraining, Mode, Enabled) anywhere in the type or its bases may switch dropout off.
    private static bool HasModeState(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.DeclaringSyntaxReferences.IsEmpty && !SymbolEqualityComparer.Default.Equals(current, type))
            {
                // A base type from a library (a framework's Layer) may carry the mode.
                return true;
            }

            foreach (ISymbol member in current.GetMembers())
            {
                ITypeSymbol? memberType = member switch
                {
                    IFieldSymbol { IsImplicitlyDeclared: false } field => field.Type,
                    IPropertySymbol property => property.Type,
                    _ => null,
                };
                if (memberType is not null && (memberType.SpecialType == SpecialType.System_Boolean || memberType.TypeKind == TypeKind.Enum))
                {
                    return true;
                }

                // `SetTrainingMode(bool training) { if (training) mask = new bool[n]; else mask = null; }`: a method that
                // branches on a flag it is given switches the layer's state between modes.
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && !method.IsStatic
                    && method.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean)
                    && method.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax().DescendantNodes().OfType<IfStatementSyntax>().Any(statement =>
                        statement.Condition is IdentifierNameSyntax { Identifier.ValueText: var tested } && method.Parameters.Any(parameter => parameter.Name == tested && parameter.Type.SpecialType == SpecialType.System_Boolean))))
                {
                    return true;
                }
            }
        }

        return type.Interfaces.Any(@interface => @interface.GetMembers().OfType<IPropertySymbol>().Any(property => property.Type.SpecialType == SpecialType.System_Boolean));
    }

    // Callers in this file that call the forward only under a condition, or only while training, give it an inference path;
    // so does being private with no caller in sight.
    private static bool HasGuardedOrTrainingCaller(IMethodSymbol method, SyntaxTree tree, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        bool called = false;
        foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes())
        {
            if (node is not InvocationExpressionSyntax invocation || CalledName(invocation) != method.Name
                || semanticModel.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
                || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
            {
                continue;
            }

            called = true;
            IOperation root = call;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            if (HandWrittenDropoutModel.IsGated(call, root))
            {
                return true;
            }

            if (invocation.Ancestors().Any(ancestor => ancestor is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or SwitchExpressionSyntax
                    || (ancestor is BinaryExpressionSyntax binary && binary.OperatorToken.ValueText is "&&" or "||")))
            {
                return true;
            }

            if (semanticModel.GetEnclosingSymbol(invocation.SpanStart, cancellationToken) is IMethodSymbol caller && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name))
            {
                return true;
            }
        }

        return !called && method.DeclaredAccessibility == Accessibility.Private;
    }

    internal static string? CalledName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };
}
