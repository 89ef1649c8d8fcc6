using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Analyzers;

/// <summary>
/// DRP014: a hand-written dropout layer whose forward drops on every call: the site is under no condition or early return,
/// its method takes no flag, its type (and base types) has no boolean or enum state that could be a mode, and no caller in
/// the file calls it only under a condition or from training code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class DropoutWithoutInferencePathAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] LayerMethodNames = ["Forward", "FeedForward", "Apply", "Call", "Compute", "Propagate", "Process", "Run", "Activate", "Invoke", "Output"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutWithoutInferencePath);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        RegisterTorchSharpFunctional(context);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            if (facts.Type is not { } type)
            {
                return;
            }

            bool hasModeState = HasModeState(type);
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.IsGated
                    || OwningMethod(site, facts.SemanticModelOf(site.Decision.Syntax)) is not { } method
                    || !(IsLayerForward(method, type, nodeContext.Compilation) || IsNetworkForward(method, type, facts, nodeContext.CancellationToken) || IsHelperOfPublicForwards(method, type, facts, nodeContext.CancellationToken))
                    || ((hasModeState || HasReadFlagParameter(method))
                        && !FlagsOnlySelectAScale(site, method, type, facts.SemanticModelOf(site.Decision.Syntax), nodeContext.CancellationToken))
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(method.Name)
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(type.Name)
                    || HasGuardedOrTrainingCaller(method, type, facts, nodeContext.CancellationToken)
                    || IsProbabilitySwitchedAfterConstruction(site, nodeContext.Compilation, nodeContext.CancellationToken)
                    || HasSiblingInferencePath(method, type, facts)
                    || IsRedrawBesideAGatedDropout(site, method, facts)
                    || HasMasklessReaderOfMaskedState(site, method, type, facts, nodeContext.CancellationToken)
                    || IsSkippedByTypeTest(type, nodeContext.Compilation, nodeContext.CancellationToken))
                {
                    continue;
                }

                nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutWithoutInferencePath, site.Comparison.Syntax.GetLocation(), type.Name + "." + method.Name));
                return;
            }
        });
    }

    // `Forward(x, training)` drops with `_p` under `if (!training) return x;`, and `Backward(g)` draws again with the same
    // `_p`: the type's dropout already has its inference path (the gated forward), and the second draw runs in a method
    // the inference path does not take either way. Whether that redraw is a mistake is the backward's question (a fresh
    // mask where the forward's belongs, DRP013/DRP008), not a missing inference path. Decided by the probability both
    // draws share and the gate on the other one, not by the methods' names.
    private static bool IsRedrawBesideAGatedDropout(HandWrittenDropoutSite site, IMethodSymbol method, DropoutTypeFacts facts) =>
        site.ProbabilitySymbol is { } probability
        && facts.Sites.Any(other => other.IsGated
            && SymbolEqualityComparer.Default.Equals(other.ProbabilitySymbol, probability)
            && OwningMethod(other, facts.SemanticModelOf(other.Decision.Syntax)) is { } otherMethod
            && !SymbolEqualityComparer.Default.Equals(otherMethod, method));

    // `Tensor Predict(Tensor x) => x;` beside `Tensor Forward(Tensor x)`: another method of the type that takes and returns
    // what the forward does, draws nothing and does not call the forward, is the inference path (the network calls it to
    // predict). A backward has the same shape but runs after the forward, so it does not count. The comparison is over
    // the inputs: `Forward(X, out mask)` hands the mask out for the backward, an output of training only, so `Predict(X)`
    // beside it takes everything the forward takes (a MATLAB layer's `[Z, mask] = forward(X)` and `Z = predict(X)`).
    private static bool HasSiblingInferencePath(IMethodSymbol forward, INamedTypeSymbol type, DropoutTypeFacts facts)
    {
        var drawing = new HashSet<IMethodSymbol>(facts.Sites.Select(site => OwningMethod(site, facts.SemanticModelOf(site.Decision.Syntax))).OfType<IMethodSymbol>(), SymbolEqualityComparer.Default);
        // The type's receiver helpers (an extension method `PredictAtTest(this Layer layer)`) are its methods too, compared
        // without the parameter that is the instance; `out` parameters are outputs, not inputs (`Forward(x, out mask)`).
        ReceiverHelperIndex helpers = HandWrittenDropoutModel.ReceiverHelpersOf(facts.SemanticModel.Compilation, CancellationToken.None);
        ImmutableArray<IParameterSymbol> forwardInputs = InputsOf(OwnParameters(forward, type, helpers));
        foreach (IMethodSymbol sibling in type.GetMembers().OfType<IMethodSymbol>().Where(member => !member.IsStatic).Concat(helpers.HelpersOf(type)))
        {
            ImmutableArray<IParameterSymbol> siblingParameters = OwnParameters(sibling, type, helpers);
            ImmutableArray<IParameterSymbol> siblingInputs = InputsOf(siblingParameters);
            if (sibling.MethodKind != MethodKind.Ordinary || SymbolEqualityComparer.Default.Equals(sibling, forward) || drawing.Contains(sibling)
                || (sibling.IsStatic && HandWrittenDropoutModel.ForwarderOf(sibling, facts.SemanticModel) is { } forwarder && (drawing.Contains(forwarder) || SymbolEqualityComparer.Default.Equals(forwarder, forward)))
                || DropoutTypeFacts.IsBackwardName(sibling.Name)
                || !SymbolEqualityComparer.Default.Equals(sibling.ReturnType, forward.ReturnType)
                || (forward.ReturnsVoid && !IsNamedAsInferenceOf(sibling, forward))
                || siblingInputs.Length != siblingParameters.Length
                || siblingInputs.Length != forwardInputs.Length
                || siblingInputs.Zip(forwardInputs, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).Contains(false))
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

    // A method's parameters but the one that is the instance of a receiver helper of the type.
    private static ImmutableArray<IParameterSymbol> OwnParameters(IMethodSymbol method, INamedTypeSymbol type, ReceiverHelperIndex helpers) =>
        method.IsStatic && SymbolEqualityComparer.Default.Equals(helpers.ReceiverTypeOf(method), type.OriginalDefinition)
            ? method.Parameters.Where(parameter => !SymbolEqualityComparer.Default.Equals(parameter.Type.OriginalDefinition, type.OriginalDefinition)).ToImmutableArray()
            : method.Parameters;

    private static ImmutableArray<IParameterSymbol> InputsOf(ImmutableArray<IParameterSymbol> parameters) =>
        parameters.Any(parameter => parameter.RefKind == RefKind.Out) ? parameters.Where(parameter => parameter.RefKind != RefKind.Out).ToImmutableArray() : parameters;

    // A void forward writes buffers, so its signature says nothing: `void ForwardInference()` beside `void Forward()` (a GPU
    // layer launching kernels on shared buffers) is the inference path by name, the forward's name plus an inference word.
    private static readonly string[] InferenceWords = ["Inference", "Infer", "Predict", "Prediction", "Evaluate", "Eval", "Test"];

    private static bool IsNamedAsInferenceOf(IMethodSymbol sibling, IMethodSymbol forward) =>
        InferenceCode.ContainsWord(sibling.Name, forward.Name) && InferenceWords.Any(word => InferenceCode.ContainsWord(sibling.Name, word));

    // `IsTraining = isTraining; double c = IsTraining ? 1 - p : 1; ... mask[i] = u > p ? 1 : 0; x[i] *= mask[i] / c;`:
    // the forward has a flag, but the flag only chooses a number (the scale) and the draw and the zeroing run whatever
    // it says, so at inference units are still dropped. Every read of a flag in the forward (a bool or enum parameter, a
    // bool or enum member) is either copied into another flag or is the condition of a conditional whose branches are
    // numbers; none is an `if`, a loop condition, a `&&`/`||` operand or part of the draw's comparison.
    private static bool FlagsOnlySelectAScale(HandWrittenDropoutSite site, IMethodSymbol method, INamedTypeSymbol type, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (method.DeclaringSyntaxReferences.Length != 1 || method.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree)
        {
            return false;
        }

        static bool IsFlagType(ITypeSymbol? flagType) => flagType is not null && (flagType.SpecialType == SpecialType.System_Boolean || flagType.TypeKind == TypeKind.Enum);
        bool IsFlag(ISymbol? symbol) => symbol switch
        {
            IParameterSymbol parameter => IsFlagType(parameter.Type) && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method),
            IFieldSymbol { IsImplicitlyDeclared: false } field => IsFlagType(field.Type) && IsTypeOrBase(field.ContainingType, type),
            IPropertySymbol property => IsFlagType(property.Type) && IsTypeOrBase(property.ContainingType, type),
            _ => false,
        };

        SyntaxNode declaration = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        bool selectsAScale = false;
        foreach (IdentifierNameSyntax identifier in declaration.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (!IsFlag(semanticModel.GetSymbolInfo(identifier, cancellationToken).Symbol))
            {
                continue;
            }

            if (site.Comparison.Syntax.Span.Contains(identifier.Span) || site.Decision.Syntax.Span.Contains(identifier.Span) && !(identifier.Parent is AssignmentExpressionSyntax))
            {
                return false;
            }

            SyntaxNode node = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : identifier;
            if (node.Parent is AssignmentExpressionSyntax assignment)
            {
                // `IsTraining = isTraining`: the flag copied into the layer's mode, or the mode being set.
                if (assignment.Left == node || IsFlag(semanticModel.GetSymbolInfo(assignment.Left, cancellationToken).Symbol))
                {
                    continue;
                }

                return false;
            }

            if (node.Parent is ConditionalExpressionSyntax conditional && conditional.Condition == node
                && IsNumber(conditional.WhenTrue) && IsNumber(conditional.WhenFalse)
                && !conditional.Span.Contains(site.Comparison.Syntax.Span))
            {
                selectsAScale = true;
                continue;
            }

            return false;
        }

        return selectsAScale;

        bool IsNumber(ExpressionSyntax expression) =>
            semanticModel.GetTypeInfo(expression, cancellationToken).ConvertedType is { SpecialType: SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal };
    }

    // `void CreateDropMask() { mask[i] = u < p ? 0 : 1; }` fills a mask field that another member applies (`Outputs`:
    // `mask[i] == 1 ? f(outputs[i]) : 0`), while a third member reads the same state without the mask
    // (`PredictOutputs`: `f(outputs[i]) * (1 - p)`): the builder is not the forward, and the type has a path that leaves
    // the mask out, which is classic dropout's inference. Decided by which members read which state, not by their names.
    private static bool HasMasklessReaderOfMaskedState(HandWrittenDropoutSite site, IMethodSymbol builder, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        SemanticModel semanticModel = facts.SemanticModelOf(site.Decision.Syntax);
        if (site.MaskSymbol is not { Kind: SymbolKind.Field or SymbolKind.Property } mask
            || !SymbolEqualityComparer.Default.Equals(mask.ContainingType, type)
            || !builder.ReturnsVoid
            || builder.DeclaringSyntaxReferences.Length != 1
            || builder.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree)
        {
            return false;
        }

        SyntaxNode builderDeclaration = builder.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        bool IsMask(IdentifierNameSyntax identifier) =>
            identifier.Identifier.ValueText == mask.Name && SymbolEqualityComparer.Default.Equals(facts.SemanticModelOf(identifier).GetSymbolInfo(identifier, cancellationToken).Symbol, mask);

        // The builder only writes the mask: one that also applies it (`y[i] = x[i] * mask[i]`) is a forward.
        if (builderDeclaration.DescendantNodes().OfType<IdentifierNameSyntax>().Where(IsMask).Any(identifier => !IsAssignedTo(identifier) && !IsSizeRead(identifier)))
        {
            return false;
        }

        // Every declaration of the type (a partial type's members in other files too).
        var members = type.DeclaringSyntaxReferences
            .SelectMany(reference => reference.GetSyntax(cancellationToken).ChildNodes())
            .Where(node => node is MethodDeclarationSyntax or PropertyDeclarationSyntax && !node.Encloses(builderDeclaration))
            .ToList();
        var besideMask = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var maskless = new List<SyntaxNode>();
        foreach (SyntaxNode member in members)
        {
            var maskReads = member.DescendantNodes().OfType<IdentifierNameSyntax>().Where(IsMask).ToList();
            if (maskReads.Count == 0)
            {
                if (member is not MethodDeclarationSyntax { Identifier.ValueText: var name } || !DropoutTypeFacts.IsBackwardName(name))
                {
                    maskless.Add(member);
                }

                continue;
            }

            foreach (IdentifierNameSyntax read in maskReads)
            {
                SyntaxNode statement = (SyntaxNode?)read.FirstAncestorOrSelf<StatementSyntax>() ?? read.FirstAncestorOrSelf<ArrowExpressionClauseSyntax>() ?? member;
                foreach (IdentifierNameSyntax identifier in statement.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (facts.SemanticModelOf(identifier).GetSymbolInfo(identifier, cancellationToken).Symbol is { IsStatic: false, Kind: SymbolKind.Field or SymbolKind.Property } state
                        && IsTypeOrBase(state.ContainingType, type)
                        && !SymbolEqualityComparer.Default.Equals(state, mask)
                        && !SymbolEqualityComparer.Default.Equals(state, site.ProbabilitySymbol))
                    {
                        besideMask.Add(state);
                    }
                }
            }
        }

        return besideMask.Count > 0 && maskless.Any(member => member.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Any(identifier => facts.SemanticModelOf(identifier).GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol && besideMask.Contains(symbol)));
    }

    // The layer's own state, or state it inherits (`outputs` declared in a base layer).
    private static bool IsTypeOrBase(INamedTypeSymbol? candidate, INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, candidate?.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    // `mask.Length`, `mask.Count`: the mask's size, read to loop over it, does not apply it.
    private static bool IsSizeRead(IdentifierNameSyntax identifier) =>
        identifier.Parent is MemberAccessExpressionSyntax member && member.Expression == identifier && member.Parent is not InvocationExpressionSyntax;

    private static bool IsAssignedTo(IdentifierNameSyntax identifier)
    {
        SyntaxNode node = identifier.Parent is ElementAccessExpressionSyntax access && access.Expression == identifier ? access
            : identifier.Parent is MemberAccessExpressionSyntax member && member.Name == identifier ? member
            : identifier;
        return node.Parent is AssignmentExpressionSyntax assignment && assignment.Left == node;
    }

    // A network that skips the layer at inference (`if (!training && layer is DropoutLayer) continue;`, `OfType<DropoutLayer>()`)
    // gives it an inference path from outside; looked for as text, since other files cannot be bound here.
    internal static bool IsSkippedByTypeTest(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        // Used from another file at all: how it is called there cannot be seen, so it may well be called only in training.
        string typeName = type.Name;
        string[] patterns = ["is " + typeName, "is not " + typeName, "as " + typeName, "OfType<" + typeName + ">", "typeof(" + typeName + ")"];
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            string text = tree.GetText(cancellationToken).ToString();
            if (text.IndexOf(typeName, StringComparison.Ordinal) < 0)
            {
                continue;
            }

            // A name written only in comments or strings (`// members inferred from FullyConnectedLayer's overrides`) is
            // no use of the type: only a file whose code names it can call it.
            if (!tree.GetRoot(cancellationToken).DescendantTokens().Any(token => token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == typeName && !IsInNamespaceName(token)))
            {
                continue;
            }

            // A comment is no code: `// same project as DropoutLayer.cs` says nothing about how the layer is called. Nor is
            // a namespace's name: `using System.Net;` does not use a layer class named `Net`.
            text = WithoutNamespaceNames(tree, WithoutComments(tree, text, cancellationToken), cancellationToken);

            // The type's receiver helpers (its forward moved into a static class or an extension method of this file) are the
            // type's own code: their `DropoutLayer layer` parameter is the instance, no use from outside.
            text = HandWrittenDropoutModel.WithoutReceiverHelpersOf(type, tree, text, compilation, cancellationToken);
            if (patterns.Any(pattern => text.IndexOf(pattern, StringComparison.Ordinal) >= 0))
            {
                return true;
            }

            // Constructing the layer (`new DropoutLayer(rate)`, a factory returning one) says nothing about how it is called.
            // The files that declare the type (every part of a partial type) are read, so only other files count; the
            // declaration itself always mentions the name.
            if (!type.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == tree) && MentionsBeyondConstruction(text, typeName))
            {
                return true;
            }
        }

        return false;
    }

    // A token of a using directive's or a namespace declaration's name (`using System.Net;`, `namespace Trading.Net;`).
    private static bool IsInNamespaceName(SyntaxToken token) =>
        token.Parent?.AncestorsAndSelf().Any(node => node is UsingDirectiveSyntax
            || (node.Parent is BaseNamespaceDeclarationSyntax declaration && declaration.Name == node)) == true;

    private static string WithoutNamespaceNames(SyntaxTree tree, string text, CancellationToken cancellationToken)
    {
        char[]? blanked = null;
        foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax))
        {
            TextSpan? span = node switch
            {
                UsingDirectiveSyntax directive => directive.Span,
                BaseNamespaceDeclarationSyntax declaration => declaration.Name.Span,
                _ => null,
            };
            if (span is { } blank)
            {
                blanked ??= text.ToCharArray();
                for (int index = blank.Start; index < blank.End && index < blanked.Length; index++)
                {
                    blanked[index] = ' ';
                }
            }
        }

        return blanked is null ? text : new string(blanked);
    }

    private static string WithoutComments(SyntaxTree tree, string text, CancellationToken cancellationToken)
    {
        char[]? blanked = null;
        foreach (SyntaxTrivia trivia in tree.GetRoot(cancellationToken).DescendantTrivia(descendIntoTrivia: true))
        {
            if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
                || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia)
                || trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)
                || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia))
            {
                blanked ??= text.ToCharArray();
                for (int index = trivia.FullSpan.Start; index < trivia.FullSpan.End && index < blanked.Length; index++)
                {
                    blanked[index] = ' ';
                }
            }
        }

        return blanked is null ? text : new string(blanked);
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

    internal static bool IsIdentifierCharacter(char character) => char.IsLetterOrDigit(character) || character == '_';

    internal static IMethodSymbol? OwningMethod(HandWrittenDropoutSite site, SemanticModel semanticModel)
    {
        ISymbol? owner = semanticModel.GetEnclosingSymbol(site.Decision.Syntax.SpanStart);
        while (owner is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
        {
            owner = nested.ContainingSymbol;
        }

        // A private helper called from one method only (an extracted loop body) belongs to that method.
        return owner is IMethodSymbol method ? HandWrittenDropoutModel.OwnerOfHelper(method, semanticModel) : null;
    }

    // An instance method of a layer: Forward/Apply/..., or any public method of a type named for dropout or a layer.
    // A receiver helper of the type (an extension method, a static method of another class given the layer) is one of its
    // methods, its parameter the instance, when the compilation is given.
    internal static bool IsLayerForward(IMethodSymbol method, INamedTypeSymbol type, Compilation? compilation = null) =>
        (!method.IsStatic || (compilation is not null && HandWrittenDropoutModel.IsReceiverHelperOf(method, type, compilation)))
        && method.MethodKind == MethodKind.Ordinary
        && (LayerMethodNames.Any(name => method.Name.StartsWith(name, StringComparison.Ordinal))
            || type.Name.IndexOf("Dropout", StringComparison.OrdinalIgnoreCase) >= 0
            || type.Name.IndexOf("Layer", StringComparison.Ordinal) >= 0);

    // `forward_propagation(x, bool train_mode = true)` whose body never reads `train_mode` (the network passes the flag to
    // every layer, this one ignores it): a flag nothing reads cannot switch the dropout off. Any read counts (a test, a
    // copy into a field, an argument passed on); a method with no body in view (abstract, partial) is taken as reading it.
    internal static bool HasReadFlagParameter(IMethodSymbol method)
    {
        var flags = method.Parameters.Where(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean || parameter.Type.TypeKind == TypeKind.Enum).Select(parameter => parameter.Name).ToList();
        if (flags.Count == 0)
        {
            return false;
        }

        if (method.DeclaringSyntaxReferences.IsEmpty)
        {
            return true;
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode declaration = reference.GetSyntax();
            SyntaxNode? body = declaration switch
            {
                BaseMethodDeclarationSyntax member => (SyntaxNode?)member.Body ?? member.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                _ => declaration,
            };
            if (body is null || body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(identifier => flags.Contains(identifier.Identifier.ValueText)))
            {
                return true;
            }
        }

        return false;
    }

    // A boolean or enum field or property (IsTraining, Mode, Enabled) anywhere in the type or its bases may switch dropout off.
    internal static bool HasModeState(INamedTypeSymbol type)
    {
        // A struct's base (System.ValueType) carries no mode, as object does not: a struct layer is read as a class is.
        for (INamedTypeSymbol? current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
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
                if (memberType is not null && (memberType.SpecialType == SpecialType.System_Boolean || memberType.TypeKind == TypeKind.Enum)
                    && (SymbolEqualityComparer.Default.Equals(current, type) || IsReadOnTheWayDown(member, type, current)))
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

    // A base type's flag is a mode of the dropout type only if something can carry it to the site: code of the dropout type
    // or of a type between it and the base (the base's own `Call(x)`) reads it. A `training` field a base constructor sets
    // and nothing reads cannot switch the dropout off, however it is named.
    private static bool IsReadOnTheWayDown(ISymbol member, INamedTypeSymbol type, INamedTypeSymbol declaring)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax().DescendantNodes().OfType<IdentifierNameSyntax>().Any(identifier => identifier.Identifier.ValueText == member.Name && !IsAssignedOnly(identifier)))
                {
                    return true;
                }
            }

            if (SymbolEqualityComparer.Default.Equals(current, declaring))
            {
                break;
            }
        }

        return false;
    }

    // `training = true`, `this.training = false`: the left side of a plain assignment writes the flag without reading it.
    private static bool IsAssignedOnly(IdentifierNameSyntax identifier)
    {
        SyntaxNode target = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : identifier;
        return target.Parent is AssignmentExpressionSyntax assignment && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Left == target;
    }

    // Callers in this file that call the forward only under a condition, or only while training, give it an inference path;
    // so does being private with no caller in sight.
    private static bool HasGuardedOrTrainingCaller(IMethodSymbol method, INamedTypeSymbol type, DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        bool called = false;
        // Every file a declaration of the type is in: a partial type's forward may be called from its other part.
        foreach (SyntaxNode node in type.DeclaringSyntaxReferences.Select(reference => reference.SyntaxTree).Prepend(facts.SemanticModel.SyntaxTree).Distinct()
            .SelectMany(tree => tree.GetRoot(cancellationToken).DescendantNodes()))
        {
            if (node is not InvocationExpressionSyntax invocation || CalledName(invocation) != method.Name
                || facts.SemanticModelOf(invocation).GetOperation(invocation, cancellationToken) is not IInvocationOperation call
                || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
            {
                continue;
            }

            called = true;
            IOperation root = call.TreeRoot();
            IMethodSymbol? caller = facts.SemanticModelOf(invocation).GetEnclosingSymbol(invocation.SpanStart, cancellationToken) as IMethodSymbol;

            // The type's own training code running its only forward: whatever conditions that code has, prediction from
            // outside the type runs the same forward, so this call says nothing about an inference path.
            if (caller is not null && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name) && IsOwnTrainingOfTheOnlyForward(method, caller, type, facts, cancellationToken))
            {
                continue;
            }

            // An exit before the call that only checks the caller's input (`if (word.Length == 0) return false;`) lets every
            // input that passes reach the dropout: it is no inference path.
            if (HandWrittenDropoutModel.IsCallGatedBeyondInputChecks(call, root))
            {
                return true;
            }

            if (invocation.Ancestors().Any(ancestor => ancestor is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or SwitchExpressionSyntax
                    || (ancestor is BinaryExpressionSyntax binary && binary.OperatorToken.ValueText is "&&" or "||")))
            {
                return true;
            }

            if (caller is not null && HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(caller.Name))
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
