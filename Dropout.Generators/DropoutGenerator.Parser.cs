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
        internal static readonly string[] LayerMemberNames =
        [
            "DropoutKeepProbability", "DropoutContext", "DropoutStream", "DropoutForward", "DropoutBackward",
            "__dropoutContext", "__dropoutStream", "__dropoutState",
        ];

        /// <summary>
        /// The private fields of a dropout method <c>M</c> are <c>__M</c> followed by one of these. No suffix ends
        /// another, so two methods with different names never get a field name in common.
        /// </summary>
        internal static readonly string[] MethodFieldSuffixes =
            ["State"];

        /// <summary>The members a type that only holds dropout methods receives.</summary>
        private static readonly string[] HolderMemberNames = ["DropoutContext", "__dropoutContext"];

        /// <summary>The locals of a generated forward body, which a parameter of a dropout method must not shadow.</summary>
        private static readonly string[] BodyLocalNames = ["siteContext", "siteStream", "siteOffset", "siteShape"];

        private static readonly SymbolDisplayFormat SignatureTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
            node is TypeDeclarationSyntax or MethodDeclarationSyntax or LocalFunctionStatementSyntax;

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            LocationInfo? attributeLocation = LocationInfo.From(context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation());
            try
            {
                ParseResult result = context.TargetSymbol switch
                {
                    INamedTypeSymbol type when context.TargetNode is TypeDeclarationSyntax declaration => ParseLayer(context, type, declaration),
                    IMethodSymbol method when context.TargetNode is MethodDeclarationSyntax declaration => ParseMethod(context, method, declaration),
                    IMethodSymbol method when context.TargetNode is LocalFunctionStatementSyntax local => Rejected(
                        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMethodShape, local.Identifier.GetLocation(), method.Name, "a local function cannot be a dropout site; declare a partial method of the type")),
                    _ => Nothing,
                };
                return result with { AttributeLocation = attributeLocation };
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A generator that throws stops the user's whole build; report and generate nothing instead.
                DiagnosticInfo failure = DiagnosticInfo.Create(
                    DiagnosticDescriptors.InternalError,
                    context.TargetNode.GetLocation(),
                    context.TargetSymbol.Name,
                    exception.GetType().Name + ": " + exception.Message);
                return Rejected(failure) with { AttributeLocation = attributeLocation };
            }
        }

        private static ParseResult Nothing => new(null, null, EquatableArray<DiagnosticInfo>.Empty);

        private static ParseResult Rejected(params DiagnosticInfo[] diagnostics) => new(null, null, new EquatableArray<DiagnosticInfo>(diagnostics));

        private static ParseResult ParseLayer(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type, TypeDeclarationSyntax declaration)
        {
            if (!HasWellFormedNames(type))
            {
                // Half-typed code: the compiler reports the syntax error; there is nothing sound to generate yet.
                return Nothing;
            }

            AttributeData? first = FirstDropoutAttribute(type);
            if (first?.ApplicationSyntaxReference is { } reference
                && (reference.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(reference.Span)))
            {
                // [Dropout] on several partial declarations of one type (the compiler reports CS0579): generate once,
                // from the declaration that carries the first one.
                return Nothing;
            }

            var diagnostics = new List<DiagnosticInfo>();
            AttributeSettings? settings = CheckLayer(type, declaration, context.Attributes, diagnostics);
            if (diagnostics.Count > 0 || settings is null)
            {
                return new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            var site = new DropoutSiteModel(DescribeType(type), settings.Spec, settings.FixedSize, settings.StoresMaskBits, Method: null, settings.Kind, settings.ShapeFirst, settings.ShapeSecond);
            return new ParseResult(site, null, EquatableArray<DiagnosticInfo>.Empty);
        }

        /// <summary>
        /// Every reason not to generate the layer <paramref name="type"/>, added to <paramref name="diagnostics"/>;
        /// returns the attribute's settings (null when they are invalid). Dropout methods of the type ask the same
        /// question: they are generated only when their layer is.
        /// </summary>
        private static AttributeSettings? CheckLayer(INamedTypeSymbol type, TypeDeclarationSyntax declaration, ImmutableArray<AttributeData> attributes, List<DiagnosticInfo> diagnostics)
        {
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
            CheckGeneratedBaseTypes(type, nameLocation, diagnostics);
            if (ReadKind(attributes, out _) == "DropConnect")
            {
                SyntaxNode? attributeSyntax = attributes.IsDefaultOrEmpty ? null : attributes[0].ApplicationSyntaxReference?.GetSyntax();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropConnect, ArgumentLocation(attributeSyntax, "Kind"), typeName, "a layer type applies dropout to a span of activations and has no weights; declare a partial method (ReadOnlySpan<float> input, ReadOnlySpan<float> weights[, ReadOnlySpan<float> bias], Span<float> output)"));
            }

            if (ReadActivation(attributes, out _) is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFusedEpilogue, nameLocation, typeName, "Activation applies to dropout methods, whose parameters name the parts of the chain; a layer type applies plain dropout"));
            }

            return ReadAttribute(attributes, typeName, diagnostics);
        }

        /// <summary>Whether the <c>[Dropout]</c> layer <paramref name="type"/> is generated (its own parse reports why not).</summary>
        private static bool LayerIsGenerated(INamedTypeSymbol type)
        {
            AttributeData? attribute = FirstDropoutAttribute(type);
            if (attribute?.ApplicationSyntaxReference?.GetSyntax() is not { } syntax
                || syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
                || !HasWellFormedNames(type))
            {
                return false;
            }

            var diagnostics = new List<DiagnosticInfo>();
            return CheckLayer(type, declaration, ImmutableArray.Create(attribute), diagnostics) is not null && diagnostics.Count == 0;
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
            string? activation = ReadActivation(context.Attributes, out double leakySlope);
            bool hasBias = false, hasResidual = false;
            string? kind = ReadKind(context.Attributes, out _);
            SyntaxNode? kindAttributeSyntax = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken: default);
            DropConnectModel? dropConnect = null;
            if (kind == "DropConnect" && activation is null)
            {
                string? problem = DropConnectSignatureProblem(parameters, out bool hasDenseBias);
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropConnect, nameLocation, methodName, problem));
                }
                else
                {
                    elementType = "float";
                    outOfPlace = true;
                    dropConnect = new DropConnectModel(
                        string.Join(", ", parameters.Select(static parameter => ParameterPrefix(parameter) + parameter.Type.ToDisplayString(SignatureTypeFormat) + " " + EscapeIdentifier(parameter.Name))),
                        EscapeIdentifier(parameters[1].Name),
                        hasDenseBias ? EscapeIdentifier(parameters[2].Name) : string.Empty);
                }
            }
            else if (kind is not (null or "Element") && (activation is not null || parameters.Length >= 3))
            {
                // Only element-wise dropout runs inside the fused pass; the other kinds are plain dropout methods.
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.KindCannotFuse,
                    ArgumentLocation(kindAttributeSyntax, activation is not null ? "Activation" : "Kind"),
                    kind!,
                    methodName,
                    activation is not null ? "Activation = " + activation : "its parameters name a fused epilogue"));
                elementType = null;
                activation = null;
            }
            else if (activation is not null || parameters.Length >= 3)
            {
                // A fused epilogue: its parameters name the parts of the chain.
                string? problem = FusedSignatureProblem(parameters, out elementType, out hasBias, out hasResidual);
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFusedEpilogue, nameLocation, methodName, problem));
                }

                outOfPlace = true;
                activation ??= "Identity";
            }
            else if (parameters.Length == 1 && IsSpanOf(parameters[0], "System.Span`1", out elementType))
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

            if (parameters.Any(static parameter => BodyLocalNames.Contains(parameter.Name)))
            {
                Shape("the parameter names 'siteContext', 'siteStream', 'siteOffset' and 'siteShape' are used by the generated body; rename the parameter");
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
            var generatedNames = new List<string> { methodName + "Backward" };
            generatedNames.AddRange(MethodFieldSuffixes.Select(suffix => fieldPrefix + suffix));
            if (typeIsLayer)
            {
                // The layer's own generated members are not in the compilation yet: compare the names directly.
                if (generatedNames.FirstOrDefault(static name => LayerMemberNames.Contains(name)) is { } clash)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameCollision, nameLocation, typeName, clash, "the [Dropout] layer '" + typeName + "' generates a member with that name; rename the method"));
                }
            }
            else
            {
                generatedNames.AddRange(HolderMemberNames);
                CheckGeneratedBaseTypes(type, nameLocation, diagnostics);
            }

            CheckCollisions(type, generatedNames, nameLocation, diagnostics);

            AttributeSettings? settings = ReadAttribute(context.Attributes, methodName, diagnostics);
            if (activation is not null && settings is { FixedSize: > 0 })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFusedEpilogue, nameLocation, methodName, "Size is not supported on a fused epilogue (its rows are given by the bias)"));
            }

            if (diagnostics.Count > 0 || settings is null || elementType is null)
            {
                return new ParseResult(null, null, new EquatableArray<DiagnosticInfo>(diagnostics)) { Stub = DescribeStub(method, declaration) };
            }

            if (typeIsLayer && !LayerIsGenerated(type))
            {
                // The layer reports its own error; a method of a layer that is not generated would have no DropoutContext.
                return new ParseResult(null, null, EquatableArray<DiagnosticInfo>.Empty) { Stub = DescribeStub(method, declaration) };
            }

            string modifiers = string.Join(" ", declaration.Modifiers.Select(static modifier => modifier.Text));
            var methodModel = new DropoutMethodModel(
                modifiers,
                AccessibilityText(method.DeclaredAccessibility),
                EscapeIdentifier(methodName),
                elementType,
                outOfPlace,
                ParameterPrefix(parameters[0]),
                EscapeIdentifier(parameters[0].Name),
                outOfPlace ? ParameterPrefix(parameters[parameters.Length - 1]) : string.Empty,
                outOfPlace ? EscapeIdentifier(parameters[parameters.Length - 1].Name) : string.Empty,
                typeIsLayer,
                activation is null ? null : new FusedEpilogueModel(
                    activation,
                    leakySlope,
                    string.Join(", ", parameters.Select(static parameter => ParameterPrefix(parameter) + parameter.Type.ToDisplayString(SignatureTypeFormat) + " " + EscapeIdentifier(parameter.Name))),
                    hasBias,
                    hasResidual,
                    BackwardTakesPreActivation: activation is not ("Identity" or "ReLU") || (activation == "ReLU" && !settings.StoresMaskBits)),
                dropConnect);
            TargetTypeModel target = DescribeType(type);
            var site = new DropoutSiteModel(target, settings.Spec, settings.FixedSize, settings.StoresMaskBits, methodModel, settings.Kind, settings.ShapeFirst, settings.ShapeSecond);
            ContextHolderModel? holder = typeIsLayer ? null : new ContextHolderModel(target);
            return new ParseResult(site, holder, EquatableArray<DiagnosticInfo>.Empty);
        }

        // The implementation of a partial method repeats 'params' and 'scoped' exactly as the declaration has them.
        private static string ParameterPrefix(IParameterSymbol parameter) =>
            (parameter.IsParams ? "params " : string.Empty)
            + (parameter.ScopedKind == ScopedKind.ScopedValue && !parameter.IsParams ? "scoped " : string.Empty);

        /// <summary>
        /// For a rejected dropout method that the compiler requires an implementation of (it has an access modifier,
        /// a return value or out parameters), a body that throws: the DRPG error then stands alone instead of next to
        /// CS8795. The build fails on the DRPG error, so the body never runs. Null when no implementation is required
        /// or the signature cannot be repeated exactly (generic, extension, by-ref return, unresolved or pointer types).
        /// </summary>
        private static StubModel? DescribeStub(IMethodSymbol method, MethodDeclarationSyntax declaration)
        {
            INamedTypeSymbol type = method.ContainingType;
            bool requiresImplementation = declaration.Modifiers.Any(static modifier => modifier.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.InternalKeyword or SyntaxKind.VirtualKeyword or SyntaxKind.OverrideKeyword or SyntaxKind.SealedKeyword or SyntaxKind.NewKeyword)
                || !method.ReturnsVoid
                || method.Parameters.Any(static parameter => parameter.RefKind == RefKind.Out);
            if (!requiresImplementation
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
                || declaration.Modifiers.Any(SyntaxKind.ExternKeyword)
                || declaration.Body is not null
                || declaration.ExpressionBody is not null
                || method.PartialImplementationPart is not null
                || method.PartialDefinitionPart is not null
                || method.IsGenericMethod
                || method.IsExtensionMethod
                || method.IsVararg
                || method.ReturnsByRef
                || method.ReturnsByRefReadonly
                || type.TypeKind is not (TypeKind.Class or TypeKind.Struct)
                || declaration.ContainsDiagnostics
                || CannotBeSpelled(method.ReturnType)
                || method.Parameters.Any(static parameter => CannotBeSpelled(parameter.Type))
                || type.GetMembers(method.Name).Count(other => other is IMethodSymbol candidate && SameParameterTypes(candidate, method)) != 1
                || !CanReopen(type))
            {
                return null;
            }

            string parameters = string.Join(", ", method.Parameters.Select(static parameter =>
                (parameter.IsParams ? "params " : string.Empty)
                + (parameter.ScopedKind == ScopedKind.ScopedValue && !parameter.IsParams ? "scoped " : string.Empty)
                + parameter.RefKind switch
                {
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    RefKind.In => "in ",
                    RefKind.None => string.Empty,
                    _ => "ref readonly ",
                }
                + parameter.Type.ToDisplayString(SignatureTypeFormat) + " " + EscapeIdentifier(parameter.Name)));
            string modifiers = string.Join(" ", declaration.Modifiers.Select(static modifier => modifier.Text));
            string signature = modifiers + " " + method.ReturnType.ToDisplayString(SignatureTypeFormat) + " " + EscapeIdentifier(method.Name) + "(" + parameters + ")";
            return new StubModel(DescribeType(type), method.Name, signature);
        }

        private static bool SameParameterTypes(IMethodSymbol first, IMethodSymbol second) =>
            first.Parameters.Length == second.Parameters.Length
            && first.Arity == second.Arity
            && first.Parameters.Zip(second.Parameters, static (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type) && a.RefKind == b.RefKind).All(static same => same);

        // Unresolved types cannot be spelled; pointers could, but the reopened type is not declared 'unsafe'.
        private static bool CannotBeSpelled(ITypeSymbol type) => type switch
        {
            IErrorTypeSymbol => true,
            IArrayTypeSymbol array => CannotBeSpelled(array.ElementType),
            IPointerTypeSymbol => true,
            IFunctionPointerTypeSymbol => true,
            INamedTypeSymbol named => named.TypeArguments.Any(CannotBeSpelled) || (named.ContainingType is { } outer && CannotBeSpelled(outer)),
            _ => false,
        };

        /// <summary>Whether the type and every type that contains it can be reopened in a generated file.</summary>
        private static bool CanReopen(INamedTypeSymbol type)
        {
            if (!HasWellFormedNames(type))
            {
                return false;
            }

            var diagnostics = new List<DiagnosticInfo>();
            CheckContainingTypes(type, Location.None, diagnostics);
            return diagnostics.Count == 0;
        }

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

        /// <summary>
        /// The prefix of a method site's private fields: <c>DropInput</c> → <c>__DropInput</c>. The name is kept as it
        /// is (not lower-cased) so that <c>Drop</c> and <c>drop</c> get fields of their own.
        /// </summary>
        public static string MethodFieldPrefix(string methodName) => "__" + methodName;

        private sealed record AttributeSettings(MaskSpecification Spec, int FixedSize, bool StoresMaskBits, string Kind, int ShapeFirst, int ShapeSecond);

        /// <summary>The <c>DropoutKind</c> members, by value.</summary>
        private static readonly string[] KindNames = ["Element", "Channel", "SharedOverTime", "Alpha", "Gaussian", "DropPath", "DropConnect"];

        /// <summary>The shape arguments of <c>[Dropout]</c>, each used by exactly one kind.</summary>
        private static readonly string[] ShapeArgumentNames = ["Channels", "SpatialSize", "TimeSteps", "Features", "SampleSize", "Inputs"];

        /// <summary>The shape arguments <paramref name="kind"/> needs, in the order the model stores them.</summary>
        private static string[] ShapeArgumentsOf(string kind) => kind switch
        {
            "Channel" => ["Channels", "SpatialSize"],
            "SharedOverTime" => ["TimeSteps", "Features"],
            "DropPath" => ["SampleSize"],
            "DropConnect" => ["Inputs"],
            _ => [],
        };

        /// <summary>Why a kind needs its shape, for DRPG012's message.</summary>
        private static string ShapeReason(string kind) => kind switch
        {
            "Channel" => "a Channel site draws one decision per channel of each (Channels, SpatialSize) sample, and the batch is the call's length divided by that",
            "SharedOverTime" => "a SharedOverTime site draws one decision per feature of each (TimeSteps, Features) sequence, reused at every time step, and the batch is the call's length divided by that",
            "DropConnect" => "the weights are (outputs, Inputs) and the input (batch, Inputs)",
            _ => "a DropPath site draws one decision per sample of SampleSize elements, and the batch is the call's length divided by that",
        };

        /// <summary>The kind the attribute names ("Element" when unset), or null for a value that is no <c>DropoutKind</c> member.</summary>
        private static string? ReadKind(ImmutableArray<AttributeData> attributes, out int value)
        {
            value = 0;
            if (attributes.IsDefaultOrEmpty)
            {
                return "Element";
            }

            foreach (KeyValuePair<string, TypedConstant> named in attributes[0].NamedArguments)
            {
                if (named.Key == "Kind" && named.Value.Kind == TypedConstantKind.Enum && named.Value.Value is int kind)
                {
                    value = kind;
                }
            }

            return value >= 0 && value < KindNames.Length ? KindNames[value] : null;
        }

        /// <summary>Where the named argument <paramref name="name"/> of the attribute is, or the attribute itself when it has none.</summary>
        private static Location? ArgumentLocation(SyntaxNode? attributeSyntax, string name) =>
            (attributeSyntax as AttributeSyntax)?.ArgumentList?.Arguments
                .FirstOrDefault(argument => argument.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation()
            ?? attributeSyntax?.GetLocation();

        /// <summary>
        /// Checks the kind against the other arguments (DRPG012–DRPG014) and returns its shape, or false after
        /// reporting why the combination cannot be generated.
        /// </summary>
        private static bool CheckKind(
            AttributeData attribute,
            SyntaxNode? syntax,
            string targetName,
            List<DiagnosticInfo> diagnostics,
            out string kind,
            out int first,
            out int second)
        {
            first = 0;
            second = 0;
            int before = diagnostics.Count;
            string? named = ReadKind(ImmutableArray.Create(attribute), out int value);
            if (named is null)
            {
                kind = "Element";
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ArgumentNotForKind,
                    ArgumentLocation(syntax, "Kind"),
                    "The value",
                    value.ToString(CultureInfo.InvariantCulture),
                    targetName,
                    "it is not a member of DropoutKind"));
                return false;
            }

            kind = named;
            var given = new Dictionary<string, int>(StringComparer.Ordinal);
            bool sizeGiven = false, maskStorageGiven = false;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (Array.IndexOf(ShapeArgumentNames, argument.Key) >= 0 && argument.Value.Kind == TypedConstantKind.Primitive && argument.Value.Value is int size)
                {
                    given[argument.Key] = size;
                }

                sizeGiven |= argument.Key == "Size";
                maskStorageGiven |= argument.Key == "MaskStorage";
            }

            string[] needed = ShapeArgumentsOf(kind);
            foreach (KeyValuePair<string, int> argument in given.OrderBy(static pair => Array.IndexOf(ShapeArgumentNames, pair.Key)))
            {
                if (Array.IndexOf(needed, argument.Key) < 0)
                {
                    string owner = argument.Key is "Channels" or "SpatialSize" ? "Channel" : argument.Key is "TimeSteps" or "Features" ? "SharedOverTime" : argument.Key == "Inputs" ? "DropConnect" : "DropPath";
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.ArgumentNotForKind,
                        ArgumentLocation(syntax, argument.Key),
                        argument.Key,
                        kind,
                        targetName,
                        "only Kind = " + owner + " uses it; set Kind = DropoutKind." + owner + " or remove the argument"));
                }
                else if (argument.Value <= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.ShapeSizeNotPositive,
                        ArgumentLocation(syntax, argument.Key),
                        argument.Key,
                        argument.Value.ToString(CultureInfo.InvariantCulture),
                        targetName,
                        "is not positive; it counts the elements of one sample along an axis"));
                }
            }

            string[] missing = needed.Where(name => !given.ContainsKey(name)).ToArray();
            if (missing.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.KindNeedsShape,
                    ArgumentLocation(syntax, "Kind"),
                    kind,
                    targetName,
                    string.Join(" and ", missing),
                    ShapeReason(kind)));
            }

            if (sizeGiven && needed.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ArgumentNotForKind,
                    ArgumentLocation(syntax, "Size"),
                    "Size",
                    kind,
                    targetName,
                    "the shape arguments fix one sample, and the batch follows from each call's length"));
            }

            if (maskStorageGiven && kind == "Gaussian")
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ArgumentNotForKind,
                    ArgumentLocation(syntax, "MaskStorage"),
                    "MaskStorage",
                    kind,
                    targetName,
                    "Gaussian noise is never stored; backward regenerates it from the forward call's seed and offset"));
            }

            if (diagnostics.Count > before)
            {
                return false;
            }

            first = needed.Length > 0 ? given[needed[0]] : 0;
            second = needed.Length > 1 ? given[needed[1]] : needed.Length == 1 ? 1 : 0;
            if ((long)first * second > int.MaxValue)
            {
                // A sample larger than any span: a call could never have a whole number of them.
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ShapeSizeNotPositive,
                    ArgumentLocation(syntax, needed[1]),
                    needed[0] + " × " + needed[1],
                    ((long)first * second).ToString(CultureInfo.InvariantCulture),
                    targetName,
                    "is more elements per sample than a span can hold"));
                return false;
            }

            return true;
        }

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

            // Kind first: TypedConstant.Value throws for an array (a user-declared DropoutAttribute(params double[])).
            if (attribute.ConstructorArguments.Length != 1
                || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Primitive
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
                if (named.Value.Kind is not (TypedConstantKind.Primitive or TypedConstantKind.Enum))
                {
                    continue;
                }

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

            if (!CheckKind(attribute, syntax, targetName, diagnostics, out string kind, out int first, out int second))
            {
                return null;
            }

            return new AttributeSettings(MaskSpecification.Create(keepProbability), fixedSize, storesMaskBits, kind, first, second);
        }

        /// <summary>The <c>DropoutActivation</c> member named by the attribute's <c>Activation</c> argument, or null when it is not set.</summary>
        private static string? ReadActivation(ImmutableArray<AttributeData> attributes, out double leakySlope)
        {
            leakySlope = 0.01;
            string? activation = null;
            if (attributes.IsDefaultOrEmpty)
            {
                return null;
            }

            foreach (KeyValuePair<string, TypedConstant> named in attributes[0].NamedArguments)
            {
                if (named.Key == "Activation" && named.Value.Kind == TypedConstantKind.Enum && named.Value.Value is int value)
                {
                    activation = value switch
                    {
                        0 => "Identity",
                        1 => "ReLU",
                        2 => "LeakyReLU",
                        3 => "GeluTanh",
                        4 => "SiLU",
                        5 => "Tanh",
                        _ => "Identity",
                    };
                }
                else if (named.Key == "LeakyReLUSlope" && named.Value.Kind == TypedConstantKind.Primitive && named.Value.Value is double slope)
                {
                    leakySlope = slope;
                }
            }

            return activation;
        }

        /// <summary>
        /// Why <paramref name="parameters"/> is not <c>(ReadOnlySpan&lt;T&gt; preActivation[, ReadOnlySpan&lt;T&gt; bias][,
        /// ReadOnlySpan&lt;T&gt; residual], Span&lt;T&gt; output)</c>, or null when it is. The optional parts are
        /// recognized by name, because both are read-only spans like the pre-activation.
        /// </summary>
        private static string? FusedSignatureProblem(ImmutableArray<IParameterSymbol> parameters, out string? elementType, out bool hasBias, out bool hasResidual)
        {
            elementType = null;
            hasBias = false;
            hasResidual = false;
            const string Expected = "its parameters must be (ReadOnlySpan<T> preActivation[, ReadOnlySpan<T> bias][, ReadOnlySpan<T> residual], Span<T> output) with T float or double";
            if (parameters.Length < 2 || parameters.Length > 4)
            {
                return Expected + " (an in-place Span<T> would overwrite the pre-activation that backward needs)";
            }

            if (!IsSpanOf(parameters[0], "System.ReadOnlySpan`1", out string? inputType)
                || !IsSpanOf(parameters[parameters.Length - 1], "System.Span`1", out string? outputType)
                || inputType != outputType)
            {
                return Expected;
            }

            for (int i = 1; i < parameters.Length - 1; i++)
            {
                IParameterSymbol part = parameters[i];
                if (!IsSpanOf(part, "System.ReadOnlySpan`1", out string? partType) || partType != inputType)
                {
                    return "'" + part.Name + "' must be a ReadOnlySpan<" + inputType + ">, passed by value";
                }

                if (part.Name == "bias" && !hasBias && !hasResidual)
                {
                    hasBias = true;
                }
                else if (part.Name == "residual" && !hasResidual)
                {
                    hasResidual = true;
                }
                else
                {
                    return "the parameters between the pre-activation and the output are named 'bias' and then 'residual' (each optional, in that order); '" + part.Name + "' is neither";
                }
            }

            elementType = inputType;
            return null;
        }

        /// <summary>
        /// Why <paramref name="parameters"/> is not <c>(ReadOnlySpan&lt;float&gt; input, ReadOnlySpan&lt;float&gt; weights[,
        /// ReadOnlySpan&lt;float&gt; bias], Span&lt;float&gt; output)</c>, or null when it is. The parts are told apart by
        /// position, so any names work.
        /// </summary>
        private static string? DropConnectSignatureProblem(ImmutableArray<IParameterSymbol> parameters, out bool hasBias)
        {
            hasBias = parameters.Length == 4;
            const string Expected = "its parameters must be (ReadOnlySpan<float> input, ReadOnlySpan<float> weights[, ReadOnlySpan<float> bias], Span<float> output), passed by value";
            if (parameters.Length is not (3 or 4))
            {
                return Expected;
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                bool last = i == parameters.Length - 1;
                if (!IsSpanOf(parameters[i], last ? "System.Span`1" : "System.ReadOnlySpan`1", out string? element))
                {
                    return Expected;
                }

                if (element != "float")
                {
                    return "the runtime's DropConnect kernel is single precision; use spans of float";
                }
            }

            return null;
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

        private static AttributeData? FirstDropoutAttribute(ISymbol symbol) =>
            symbol.GetAttributes().FirstOrDefault(static attribute => attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName);

        private static bool HasDropoutAttribute(ISymbol symbol) => FirstDropoutAttribute(symbol) is not null;

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
                string? reason = null;
                if (type.Name == name)
                {
                    reason = "it is the name of the type itself";
                }
                else if (!type.GetMembers(name).IsEmpty || type.GetTypeMembers(name).Length > 0)
                {
                    reason = "the type declares a member with that name";
                }
                else if (type.TypeParameters.Any(parameter => parameter.Name == name))
                {
                    reason = "a type parameter of the type has that name";
                }
                else
                {
                    for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && reason is null; baseType = baseType.BaseType)
                    {
                        if (baseType.GetMembers(name).Any(static member => member.DeclaredAccessibility != Accessibility.Private))
                        {
                            reason = "it inherits a member with that name from '" + baseType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'";
                        }
                    }
                }

                if (reason is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameCollision, location, typeName, name, reason + "; rename the member"));
                }
            }
        }

        /// <summary>
        /// A type whose base type also receives generated dropout members (a <c>[Dropout]</c> layer, or a type with
        /// <c>[Dropout]</c> methods) would hide them (CS0108): those members are not in the compilation the generator
        /// sees, so the name check alone cannot find them.
        /// </summary>
        private static void CheckGeneratedBaseTypes(INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
        {
            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
            {
                if (baseType.DeclaringSyntaxReferences.IsEmpty)
                {
                    // From metadata: its generated members are real members there, which the name check finds.
                    continue;
                }

                bool isLayer = HasDropoutAttribute(baseType);
                if (isLayer || baseType.GetMembers().Any(static member => member is IMethodSymbol && HasDropoutAttribute(member)))
                {
                    string baseName = baseType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.MemberNameCollision,
                        location,
                        type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                        "DropoutContext",
                        "its base type '" + baseName + "' " + (isLayer ? "is a [Dropout] layer" : "has [Dropout] methods") + " whose generated members these would hide; use composition (a field holding the layer) instead of inheritance"));
                    return;
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

            var namespaces = new List<string>();
            for (INamespaceSymbol? current = type.ContainingNamespace; current is { IsGlobalNamespace: false }; current = current.ContainingNamespace)
            {
                namespaces.Insert(0, current.Name);
            }

            string ns = string.Join(".", namespaces.Select(EscapeIdentifier));
            var declarations = chain.Select(static t => new TypeDeclarationModel(
                Keyword(t),
                EscapeIdentifier(t.Name),
                t.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", t.TypeParameters.Select(static p => EscapeIdentifier(p.Name))) + ">"));
            string fullName = string.Join("+", chain.Select(static t => t.Arity == 0 ? t.Name : t.Name + "`" + t.Arity.ToString(CultureInfo.InvariantCulture)));
            return new TargetTypeModel(ns, new EquatableArray<TypeDeclarationModel>(declarations), namespaces.Count == 0 ? fullName : string.Join(".", namespaces) + "." + fullName);
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

        /// <summary>
        /// The identifier as generated code must spell it: with '@' when it is a keyword or a contextual keyword
        /// (<c>@checked</c>, <c>@record</c>, <c>@nameof</c>, <c>@var</c>), which is always legal and never changes the name.
        /// </summary>
        internal static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;
    }
}
