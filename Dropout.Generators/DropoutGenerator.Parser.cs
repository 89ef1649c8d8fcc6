using System.Collections.Immutable;
using System.Globalization;
using Dropout.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>Turns an attributed declaration into a <see cref="DropoutSiteModel"/> and its diagnostics.</summary>
    internal static class Parser
    {
        /// <summary>The members a layer type receives (all must be free in the type).</summary>
        private static readonly string[] LayerMemberNames =
        [
            "DropoutKeepProbability", "DropoutContext", "DropoutStream", "DropoutForward", "DropoutBackward",
            "__dropoutContext", "__dropoutStream", "__dropoutMask", "__dropoutHasForward", "__dropoutLastLength",
            "__dropoutLastWasActive", "__dropoutLastKey", "__dropoutLastOffset",
        ];

        /// <summary>The members a type that only holds dropout methods receives.</summary>
        private static readonly string[] HolderMemberNames = ["DropoutContext", "__dropoutContext"];

        public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
            node is TypeDeclarationSyntax or MethodDeclarationSyntax or LocalFunctionStatementSyntax;

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                return context.TargetSymbol switch
                {
                    INamedTypeSymbol type when context.TargetNode is TypeDeclarationSyntax declaration => ParseLayer(context, type, declaration),
                    IMethodSymbol method when context.TargetNode is MethodDeclarationSyntax declaration => ParseMethod(context, method, declaration),
                    IMethodSymbol method when context.TargetNode is LocalFunctionStatementSyntax local => new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(new[]
                    {
                        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMethodShape, local.Identifier.GetLocation(), method.Name, "a local function cannot be a dropout site; declare a partial method of the type"),
                    })),
                    _ => Nothing,
                };
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A generator that throws stops the user's whole build; report and generate nothing instead.
                DiagnosticInfo failure = DiagnosticInfo.Create(
                    DiagnosticDescriptors.InternalError,
                    context.TargetNode.GetLocation(),
                    context.TargetSymbol.Name,
                    exception.GetType().Name + ": " + exception.Message);
                return new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(new[] { failure }));
            }
        }

        private static ParseResult Nothing => new(null, null, EquatableArray<DiagnosticInfo>.Empty);

        private static ParseResult ParseLayer(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type, TypeDeclarationSyntax declaration)
        {
            if (!HasWellFormedNames(type))
            {
                // Half-typed code: the compiler reports the syntax error; there is nothing sound to generate yet.
                return Nothing;
            }

            AttributeData? first = type.GetAttributes().FirstOrDefault(static attribute => attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName);
            if (first?.ApplicationSyntaxReference is { } reference
                && (reference.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(reference.Span)))
            {
                // [Dropout] on several partial declarations of one type (the compiler reports CS0579): generate once,
                // from the declaration that carries the first one.
                return Nothing;
            }

            var diagnostics = new List<DiagnosticInfo>();
            string typeName = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            Location nameLocation = declaration.Identifier.GetLocation();

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, nameLocation, typeName));
            }

            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "a static class has no instances to hold a layer's dropout state"));
            }
            else if (type.IsReadOnly && type.TypeKind == TypeKind.Struct)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "a readonly struct cannot hold the dropout state that every forward call updates"));
            }
            else if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "only a class, struct or record can be a dropout layer"));
            }

            if (type.IsFileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "a file-local type cannot be reopened in the generated file"));
            }

            CheckContainingTypes(type.ContainingType, nameLocation, diagnostics);
            CheckCollisions(type, LayerMemberNames, nameLocation, diagnostics);

            AttributeSettings? settings = ReadAttribute(context.Attributes, typeName, diagnostics);
            if (diagnostics.Count > 0 || settings is null)
            {
                return new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            var site = new DropoutSiteModel(DescribeType(type), settings.Spec, settings.FixedSize, settings.StoresMaskBits, Method: null);
            return new ParseResult(site, null, EquatableArray<DiagnosticInfo>.Empty);
        }

        private static ParseResult ParseMethod(GeneratorAttributeSyntaxContext context, IMethodSymbol method, MethodDeclarationSyntax declaration)
        {
            if (!HasWellFormedNames(method.ContainingType)
                || !SyntaxFacts.IsValidIdentifier(method.Name)
                || declaration.ParameterList.ContainsDiagnostics
                || method.Parameters.Any(static parameter => !SyntaxFacts.IsValidIdentifier(parameter.Name)))
            {
                // Half-typed code: the compiler reports the syntax error; there is nothing sound to generate yet.
                return Nothing;
            }

            var diagnostics = new List<DiagnosticInfo>();
            string methodName = method.Name;
            Location nameLocation = declaration.Identifier.GetLocation();
            INamedTypeSymbol type = method.ContainingType;
            string typeName = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

            void Shape(string reason) =>
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMethodShape, nameLocation, methodName, reason));

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Shape("it must be declared 'partial' without a body, so that the generator can implement it");
            }
            else if (declaration.Body is not null || declaration.ExpressionBody is not null)
            {
                Shape("the generator writes its body; declare it without one (like [GeneratedRegex] methods)");
            }
            else if (method.PartialImplementationPart is not null)
            {
                Shape("it already has an implementation; the generator writes it");
            }

            if (method.IsStatic)
            {
                Shape("it must be an instance method, because its dropout state (stream and mask) lives in the instance");
            }

            if (method.IsGenericMethod)
            {
                Shape("generic methods are not supported; declare one method per element type (float or double)");
            }

            if (!method.ReturnsVoid)
            {
                Shape("it must return void");
            }

            string? elementType = null;
            bool outOfPlace = false;
            ImmutableArray<IParameterSymbol> parameters = method.Parameters;
            if (parameters.Length == 1 && IsSpanOf(parameters[0], "System.Span`1", out elementType))
            {
                outOfPlace = false;
            }
            else if (parameters.Length == 2
                && IsSpanOf(parameters[0], "System.ReadOnlySpan`1", out string? inputType)
                && IsSpanOf(parameters[1], "System.Span`1", out string? outputType)
                && inputType == outputType)
            {
                elementType = inputType;
                outOfPlace = true;
            }
            else
            {
                elementType = null;
                Shape("its parameters must be (Span<float>), (Span<double>), (ReadOnlySpan<float>, Span<float>) or (ReadOnlySpan<double>, Span<double>), passed by value");
            }

            if (parameters.Any(static parameter => parameter.Name is "siteContext" or "siteStream" or "siteOffset"))
            {
                Shape("the parameter names 'siteContext', 'siteStream' and 'siteOffset' are used by the generated body; rename the parameter");
            }

            if (type.TypeKind == TypeKind.Struct)
            {
                // Each dropout method's state is emitted in its own file, and fields of a struct spread over several
                // partial declarations have no defined order (warning CS0282, an error under TreatWarningsAsErrors).
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "dropout methods need a class or record class (a struct's dropout state would be split across generated files, CS0282)"));
            }
            else if (type.TypeKind != TypeKind.Class)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, nameLocation, typeName, "only a class or record can hold dropout methods"));
            }

            CheckContainingTypes(type, nameLocation, diagnostics);

            int sameNamedSites = type.GetMembers(methodName).Count(member => member is IMethodSymbol other && other.MethodKind == MethodKind.Ordinary && HasDropoutAttribute(other));
            if (sameNamedSites > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateMethodName, nameLocation, typeName, methodName));
            }

            bool typeIsLayer = HasDropoutAttribute(type);
            string fieldPrefix = MethodFieldPrefix(methodName);
            var generatedNames = new List<string>
            {
                methodName + "Backward",
                fieldPrefix + "Stream", fieldPrefix + "Mask", fieldPrefix + "HasForward", fieldPrefix + "LastLength",
                fieldPrefix + "LastWasActive", fieldPrefix + "LastKey", fieldPrefix + "LastOffset",
            };
            if (!typeIsLayer)
            {
                generatedNames.AddRange(HolderMemberNames);
            }

            CheckCollisions(type, generatedNames, nameLocation, diagnostics);

            AttributeSettings? settings = ReadAttribute(context.Attributes, methodName, diagnostics);
            if (diagnostics.Count > 0 || settings is null || elementType is null)
            {
                return new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            string modifiers = string.Join(" ", declaration.Modifiers.Select(static modifier => modifier.Text));
            var methodModel = new DropoutMethodModel(
                modifiers,
                AccessibilityText(method.DeclaredAccessibility),
                EscapeIdentifier(methodName),
                elementType,
                outOfPlace,
                ScopedPrefix(parameters[0]) + EscapeIdentifier(parameters[0].Name),
                outOfPlace ? ScopedPrefix(parameters[1]) + EscapeIdentifier(parameters[1].Name) : string.Empty,
                typeIsLayer);
            TargetTypeModel target = DescribeType(type);
            var site = new DropoutSiteModel(target, settings.Spec, settings.FixedSize, settings.StoresMaskBits, methodModel);
            ContextHolderModel? holder = typeIsLayer ? null : new ContextHolderModel(target);
            return new ParseResult(site, holder, EquatableArray<DiagnosticInfo>.Empty);
        }

        // The implementation of a partial method repeats 'scoped' exactly as the declaration has it.
        private static string ScopedPrefix(IParameterSymbol parameter) =>
            parameter.ScopedKind == ScopedKind.ScopedValue ? "scoped " : string.Empty;

        /// <summary>Whether the type, its containing types, type parameters and namespaces all have real names.</summary>
        private static bool HasWellFormedNames(INamedTypeSymbol? type)
        {
            if (type is null)
            {
                return false;
            }

            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (!SyntaxFacts.IsValidIdentifier(current.Name) || current.TypeParameters.Any(static parameter => !SyntaxFacts.IsValidIdentifier(parameter.Name)))
                {
                    return false;
                }
            }

            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            {
                if (!SyntaxFacts.IsValidIdentifier(ns.Name))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The prefix of a method site's private fields: <c>DropInput</c> → <c>__dropInput</c>.</summary>
        public static string MethodFieldPrefix(string methodName) =>
            "__" + char.ToLowerInvariant(methodName[0]) + methodName.Substring(1);

        private sealed record AttributeSettings(MaskSpecification Spec, int FixedSize, bool StoresMaskBits);

        private static AttributeSettings? ReadAttribute(ImmutableArray<AttributeData> attributes, string targetName, List<DiagnosticInfo> diagnostics)
        {
            if (attributes.IsDefaultOrEmpty)
            {
                return null;
            }

            AttributeData attribute = attributes[0];
            SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax();
            Location? attributeLocation = syntax?.GetLocation();
            Location? argumentLocation = (syntax as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault()?.GetLocation() ?? attributeLocation;

            if (attribute.ConstructorArguments.Length != 1
                || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error
                || attribute.ConstructorArguments[0].Value is not double keepProbability)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KeepProbabilityNotConstant, argumentLocation, targetName));
                return null;
            }

            if (!MaskSpecification.IsValid(keepProbability))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.KeepProbabilityOutOfRange,
                    argumentLocation,
                    keepProbability.ToString("R", CultureInfo.InvariantCulture),
                    targetName));
                return null;
            }

            int fixedSize = 0;
            bool storesMaskBits = true;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                if (named.Key == "Size" && named.Value.Value is int size)
                {
                    fixedSize = size;
                }
                else if (named.Key == "MaskStorage" && named.Value.Value is int storage)
                {
                    storesMaskBits = storage == 0;
                }
            }

            if (fixedSize < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.InvalidFixedSize,
                    attributeLocation,
                    fixedSize.ToString(CultureInfo.InvariantCulture),
                    targetName));
                return null;
            }

            return new AttributeSettings(MaskSpecification.Create(keepProbability), fixedSize, storesMaskBits);
        }

        private static bool IsSpanOf(IParameterSymbol parameter, string spanMetadataName, out string? elementType)
        {
            elementType = null;
            if (parameter.RefKind != RefKind.None
                || parameter.Type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } span
                || span.ConstructedFrom.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) != "global::" + spanMetadataName.Replace("`1", "<T>"))
            {
                return false;
            }

            elementType = span.TypeArguments[0].SpecialType switch
            {
                SpecialType.System_Single => "float",
                SpecialType.System_Double => "double",
                _ => null,
            };
            return elementType is not null;
        }

        private static bool HasDropoutAttribute(ISymbol symbol) =>
            symbol.GetAttributes().Any(static attribute => attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName);

        private static void CheckContainingTypes(INamedTypeSymbol? type, Location location, List<DiagnosticInfo> diagnostics)
        {
            for (; type is not null; type = type.ContainingType)
            {
                string name = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                bool partialEverywhere = type.DeclaringSyntaxReferences.Length > 0
                    && type.DeclaringSyntaxReferences.All(static reference => reference.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!partialEverywhere)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location, name, "it must be declared 'partial' (every type that contains generated members is reopened)"));
                }
                else if (type.IsFileLocal)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location, name, "a file-local type cannot be reopened in the generated file"));
                }
            }
        }

        private static void CheckCollisions(INamedTypeSymbol type, IEnumerable<string> generatedNames, Location location, List<DiagnosticInfo> diagnostics)
        {
            string typeName = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            foreach (string name in generatedNames)
            {
                bool declared = !type.GetMembers(name).IsEmpty || type.GetTypeMembers(name).Length > 0 || type.Name == name;
                bool inherited = false;
                for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && !declared && !inherited; baseType = baseType.BaseType)
                {
                    inherited = baseType.GetMembers(name).Any(static member => member.DeclaredAccessibility != Accessibility.Private);
                }

                if (declared || inherited)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameCollision, location, typeName, name));
                }
            }
        }

        private static TargetTypeModel DescribeType(INamedTypeSymbol type)
        {
            var chain = new List<INamedTypeSymbol>();
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                chain.Insert(0, current);
            }

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing
                ? string.Join(".", containing.ToDisplayParts().Where(static part => part.Kind == SymbolDisplayPartKind.NamespaceName).Select(static part => EscapeIdentifier(part.ToString())))
                : string.Empty;
            var declarations = chain.Select(static t => new TypeDeclarationModel(
                Keyword(t),
                EscapeIdentifier(t.Name),
                t.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", t.TypeParameters.Select(static p => EscapeIdentifier(p.Name))) + ">"));
            string fullName = string.Join("+", chain.Select(static t => t.Arity == 0 ? t.Name : t.Name + "`" + t.Arity.ToString(CultureInfo.InvariantCulture)));
            return new TargetTypeModel(ns, new EquatableArray<TypeDeclarationModel>(declarations), ns.Length == 0 ? fullName : ns.Replace("@", string.Empty) + "." + fullName);
        }

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct, IsRefLikeType: true } => "ref struct",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };

        private static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.RecordKeyword
                ? "@" + name
                : name;
    }
}
