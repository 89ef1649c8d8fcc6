using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Metamorphic;

/// <summary>
/// Issue 9, generalization along program structure: the same dropout written with its parts in other places real code
/// puts them (the generator behind a static utility class in another file, fields as properties or initialized in the
/// constructor, a method moved into a static class or an extension method, members in an abstract base class, the layer
/// as a record or a struct). Each keeps the program's meaning on the code it accepts and returns null otherwise.
/// </summary>
internal static partial class CorpusRewrites
{
    // A property (not a field) so that it is built when All reads it, whatever order the partial declarations'
    // static initializers run in.
    private static ImmutableArray<Rewrite> StructureRewrites =>
    [
        new("rng-static-class", "a generator field's draws go through a static utility class in another file (`RandomUtil.NextUniform()`, `RandomUtil.RandomRange(0f, 1f)`)", RngStaticClass),
        new("field-to-property", "a field becomes an auto-property (`public float[] Mask { get; private set; }`)", FieldToProperty),
        new("field-init-in-constructor", "a field's initializer moves into the constructor", FieldInitializerInConstructor),
        new("method-to-static-class", "an instance method moves into a static class in another file that reads the layer's members (`LayerGradients.Backward(this, grad)`)", MethodToStaticClass),
        new("method-to-extension", "an instance method becomes an extension method in a static class in another file", MethodToExtension),
        new("members-to-base-class", "fields move into an abstract base class (protected), public methods become overrides of abstract ones", MembersToBaseClass),
        new("class-to-record", "the class becomes a record", ClassToRecord),
        new("class-to-struct", "a class no other code names becomes a struct", ClassToStruct),
    ];

    // ---------------------------------------------------------------- shared

    private static T? PickValue<T>(IReadOnlyList<T> items, Random random) where T : struct => items.Count == 0 ? null : items[random.Next(items.Count)];

    private static bool IsTopLevel(TypeDeclarationSyntax type) => type.Parent is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax;

    // A new file holding `body`, with the usings of `tree` and the namespace `type` is declared in.
    private static string NewFileBeside(SyntaxTree tree, TypeDeclarationSyntax type, string body)
    {
        var root = (CompilationUnitSyntax)tree.GetRoot();
        string usings = string.Join("\n", root.Usings.Select(directive => directive.ToString()));
        return type.Parent is BaseNamespaceDeclarationSyntax ns
            ? usings + "\nnamespace " + ns.Name + "\n{\n" + body + "\n}\n"
            : usings + "\n" + body + "\n";
    }

    private static bool SameSymbol(ISymbol? left, ISymbol? right) => SymbolEqualityComparer.Default.Equals(left, right);

    // True when the identifier is read as a member of `this` (no receiver written).
    private static bool IsImplicitThisMember(IdentifierNameSyntax name, ISymbol symbol, INamedTypeSymbol type)
    {
        if (symbol is not (IFieldSymbol or IPropertySymbol or IEventSymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary }) || symbol.ContainingType is null)
        {
            return false;
        }

        bool member = false;
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            member |= SameSymbol(current, symbol.ContainingType.OriginalDefinition);
        }

        return member
            && !(name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
            && name.Parent is not MemberBindingExpressionSyntax
            && !(name.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } assignment && assignment.Left == name)
            && name.Parent is not NameColonSyntax and not NameEqualsSyntax;
    }

    // Private (or implicitly private) members of the type that `used` names become internal, so that a static class
    // beside the type reads them; accessibility does not change what the program does.
    private static IEnumerable<(TextSpan Span, string Text)> OpenMembers(TypeDeclarationSyntax type, IEnumerable<ISymbol> used)
    {
        var edits = new Dictionary<int, (TextSpan, string)>();
        foreach (ISymbol symbol in used.Where(symbol => symbol.DeclaredAccessibility == Accessibility.Private))
        {
            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
            {
                SyntaxNode node = reference.GetSyntax();
                MemberDeclarationSyntax? member = node.FirstAncestorOrSelf<MemberDeclarationSyntax>();
                if (member is null || member.Parent != type)
                {
                    continue;
                }

                SyntaxToken privateToken = member.Modifiers.FirstOrDefault(modifier => modifier.IsKind(SyntaxKind.PrivateKeyword));
                if (privateToken.IsKind(SyntaxKind.PrivateKeyword))
                {
                    edits[privateToken.SpanStart] = (privateToken.Span, "internal");
                }
                else if (!member.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.ProtectedKeyword))
                {
                    int start = member.Modifiers.Count > 0 ? member.Modifiers[0].SpanStart : member.GetFirstToken().SpanStart;
                    if (member.AttributeLists.Count > 0 && member.Modifiers.Count == 0)
                    {
                        start = member.AttributeLists[^1].Span.End;
                    }

                    edits[start] = (new TextSpan(start, 0), " internal ");
                }
            }
        }

        return edits.Values;
    }

    // ---------------------------------------------------------------- the generator in a static utility class

    // A generator field used only to draw (`g.NextDouble()`, `g.NextSingle()`, `g.Next(...)`) and created with constant
    // arguments becomes a static generator of a utility class in another file; the draws call the class. One generator
    // per field as before, but shared by the type's instances: the same distribution of masks.
    private static ImmutableArray<string>? RngStaticClass(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, FieldDeclarationSyntax Declaration, IFieldSymbol Field)>();
        foreach ((SyntaxTree tree, FieldDeclarationSyntax declaration) in Nodes<FieldDeclarationSyntax>(subject))
        {
            if (declaration.Declaration.Variables.Count != 1 || declaration.AttributeLists.Count > 0
                || declaration.Declaration.Variables[0].Initializer?.Value is not BaseObjectCreationExpressionSyntax created
                || (created.ArgumentList?.Arguments.Any(argument => argument.Expression is not LiteralExpressionSyntax) ?? false)
                || created.Initializer is not null
                || subject.Model(tree).GetDeclaredSymbol(declaration.Declaration.Variables[0]) is not IFieldSymbol { Type.Name: "Random", Type.ContainingNamespace.Name: "System" } field)
            {
                continue;
            }

            candidates.Add((tree, declaration, field));
        }

        if (PickValue(candidates, random) is not { } chosen)
        {
            return null;
        }

        // Every use of the field must be a draw.
        var draws = new List<(SyntaxTree Tree, InvocationExpressionSyntax Draw, string Kind)>();
        foreach ((SyntaxTree tree, IdentifierNameSyntax name) in Nodes<IdentifierNameSyntax>(subject))
        {
            if (name.Identifier.ValueText != chosen.Field.Name || !SameSymbol(SymbolOf(subject.Model(tree), name), chosen.Field))
            {
                continue;
            }

            ExpressionSyntax receiver = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } qualified && qualified.Name == name ? qualified : name;
            if (receiver.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "NextDouble" or "NextSingle" or "Next" } access && access.Expression == receiver
                && access.Parent is InvocationExpressionSyntax invocation && invocation.Expression == access
                && (access.Name.Identifier.ValueText == "Next" ? invocation.ArgumentList.Arguments.Count <= 2 : invocation.ArgumentList.Arguments.Count == 0)
                && invocation.ArgumentList.Arguments.All(argument => argument.RefKindKeyword.IsKind(SyntaxKind.None) && argument.NameColon is null))
            {
                draws.Add((tree, invocation, access.Name.Identifier.ValueText));
                continue;
            }

            return null;
        }

        if (draws.Count == 0 || draws.Any(draw => draw.Tree != chosen.Tree))
        {
            return null;
        }

        var creation = (BaseObjectCreationExpressionSyntax)chosen.Declaration.Declaration.Variables[0].Initializer!.Value;
        string className = FreshName(subject, random.Next(2) == 0 ? "RandomUtil" : "Rng");
        bool ranges = random.Next(2) == 0;
        var members = new StringBuilder();
        members.Append("    private static readonly Random r = new Random(" + string.Join(", ", creation.ArgumentList?.Arguments.Select(argument => argument.ToString()) ?? []) + ");\n");
        var edits = new List<(TextSpan, string)>();
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach ((SyntaxTree _, InvocationExpressionSyntax draw, string kind) in draws)
        {
            string arguments = draw.ArgumentList.ToString();
            edits.Add((draw.Span, kind switch
            {
                "NextDouble" => ranges ? className + ".Range(0.0, 1.0)" : className + ".NextUniform()",
                "NextSingle" => ranges ? className + ".RandomRange(0f, 1f)" : className + ".NextUniformSingle()",
                _ => className + ".Next" + arguments,
            }));
            kinds.Add(kind == "Next" ? "Next" + draw.ArgumentList.Arguments.Count : kind);
        }

        // lo + (hi - lo) * u is exactly u for lo = 0 and hi = 1.
        foreach (string kind in kinds.Order(StringComparer.Ordinal))
        {
            members.Append(kind switch
            {
                "NextDouble" => ranges ? "    public static double Range(double lo, double hi) => lo + (hi - lo) * r.NextDouble();\n" : "    public static double NextUniform() => r.NextDouble();\n",
                "NextSingle" => ranges ? "    public static float RandomRange(float lo, float hi) => lo + (hi - lo) * r.NextSingle();\n" : "    public static float NextUniformSingle() => r.NextSingle();\n",
                "Next0" => "    public static int Next() => r.Next();\n",
                "Next1" => "    public static int Next(int maxValue) => r.Next(maxValue);\n",
                _ => "    public static int Next(int minValue, int maxValue) => r.Next(minValue, maxValue);\n",
            });
        }

        edits.Add((chosen.Declaration.FullSpan, string.Empty));
        TypeDeclarationSyntax owner = chosen.Declaration.FirstAncestorOrSelf<TypeDeclarationSyntax>()!;
        if (!IsTopLevel(owner))
        {
            return null;
        }

        string utility = "internal static class " + className + "\n{\n" + members + "}";
        return Replace(subject, chosen.Tree, edits).Add(NewFileBeside(chosen.Tree, owner, "using System;\n" + utility));
    }

    // ---------------------------------------------------------------- fields as properties

    private static bool KeepsMeaningAsProperty(ITypeSymbol type) =>
        type.IsReferenceType || type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double;

    // A field becomes an auto-property of the same type: readonly → `{ get; }`, otherwise `{ get; set; }` or a public
    // getter with a private setter. Value types other than primitives are left alone (a property returns a copy, so a
    // mutating call on it would change meaning); the compiler refuses `ref` uses.
    private static ImmutableArray<string>? FieldToProperty(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, FieldDeclarationSyntax Declaration, IFieldSymbol Field)>();
        foreach ((SyntaxTree tree, FieldDeclarationSyntax declaration) in Nodes<FieldDeclarationSyntax>(subject))
        {
            if (declaration.Declaration.Variables.Count == 1 && declaration.AttributeLists.Count == 0
                && !declaration.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.ConstKeyword or SyntaxKind.VolatileKeyword or SyntaxKind.FixedKeyword)
                && subject.Model(tree).GetDeclaredSymbol(declaration.Declaration.Variables[0]) is IFieldSymbol field
                && KeepsMeaningAsProperty(field.Type)
                && declaration.Parent is ClassDeclarationSyntax or RecordDeclarationSyntax)
            {
                candidates.Add((tree, declaration, field));
            }
        }

        List<(SyntaxTree Tree, FieldDeclarationSyntax Declaration, IFieldSymbol Field)> chosen = Some(candidates, random);
        if (chosen.Count == 0)
        {
            return null;
        }

        ImmutableArray<string> sources = subject.Sources;
        foreach (SyntaxTree tree in subject.Trees)
        {
            var edits = new List<(TextSpan, string)>();
            foreach ((SyntaxTree _, FieldDeclarationSyntax declaration, IFieldSymbol _) in chosen.Where(item => item.Tree == tree))
            {
                VariableDeclaratorSyntax variable = declaration.Declaration.Variables[0];
                bool isReadOnly = declaration.Modifiers.Any(SyntaxKind.ReadOnlyKeyword);
                bool publicGetter = !isReadOnly && random.Next(2) == 0;
                IEnumerable<string> modifiers = declaration.Modifiers.Where(modifier => !modifier.IsKind(SyntaxKind.ReadOnlyKeyword)).Select(modifier => modifier.Text);
                if (publicGetter)
                {
                    modifiers = modifiers.Where(modifier => modifier is not ("private" or "internal" or "protected" or "public")).Prepend("public");
                }

                string accessors = isReadOnly ? "{ get; }" : publicGetter ? "{ get; private set; }" : "{ get; set; }";
                string text = string.Join(" ", modifiers) + (declaration.Modifiers.Count > 0 || publicGetter ? " " : string.Empty) + declaration.Declaration.Type + " " + variable.Identifier.Text + " " + accessors
                    + (variable.Initializer is { } initializer ? " " + initializer + ";" : string.Empty);
                edits.Add((declaration.Span, text));
            }

            if (edits.Count > 0)
            {
                sources = sources.SetItem(subject.Trees.IndexOf(tree), Replace(subject, tree, edits)[subject.Trees.IndexOf(tree)]);
            }
        }

        return sources;
    }

    // An instance field's initializer moves to the start of every constructor that does not chain to another of the
    // same type (a parameterless one is added when the class declares none). Instance initializers cannot read the
    // instance, so only the order of their own side effects relative to the base constructor changes.
    private static ImmutableArray<string>? FieldInitializerInConstructor(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, FieldDeclarationSyntax Declaration, ClassDeclarationSyntax Type)>();
        foreach ((SyntaxTree tree, FieldDeclarationSyntax declaration) in Nodes<FieldDeclarationSyntax>(subject))
        {
            if (declaration.Declaration.Variables.Count == 1 && declaration.Declaration.Variables[0].Initializer is not null
                && declaration.Parent is ClassDeclarationSyntax type && !type.Modifiers.Any(SyntaxKind.PartialKeyword) && !type.Modifiers.Any(SyntaxKind.StaticKeyword)
                && type.ParameterList is null
                && !declaration.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.ConstKeyword))
            {
                candidates.Add((tree, declaration, type));
            }
        }

        if (PickValue(candidates, random) is not { } chosen)
        {
            return null;
        }

        VariableDeclaratorSyntax variable = chosen.Declaration.Declaration.Variables[0];

        // A constructor parameter or local named like something the initializer reads would capture it.
        var read = variable.Initializer!.Value.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Select(name => name.Identifier.ValueText).ToHashSet(StringComparer.Ordinal);
        if (chosen.Type.Members.OfType<ConstructorDeclarationSyntax>().Any(constructor => constructor.DescendantTokens().Any(token => token.IsKind(SyntaxKind.IdentifierToken) && read.Contains(token.ValueText)
            && token.Parent is ParameterSyntax or VariableDeclaratorSyntax or SingleVariableDesignationSyntax or ForEachStatementSyntax)))
        {
            return null;
        }

        string assignment = "\n        this." + variable.Identifier.Text + " = " + variable.Initializer!.Value + ";";
        var edits = new List<(TextSpan, string)> { (variable.Initializer.FullSpan, string.Empty) };
        var constructors = chosen.Type.Members.OfType<ConstructorDeclarationSyntax>().Where(constructor => !constructor.Modifiers.Any(SyntaxKind.StaticKeyword)).ToList();
        if (constructors.Count == 0)
        {
            edits.Add((new TextSpan(chosen.Type.OpenBraceToken.Span.End, 0), "\n    public " + chosen.Type.Identifier.Text + "()\n    {" + assignment + "\n    }\n"));
        }

        foreach (ConstructorDeclarationSyntax constructor in constructors)
        {
            if (constructor.Initializer is { ThisOrBaseKeyword.RawKind: (int)SyntaxKind.ThisKeyword })
            {
                continue;
            }

            if (constructor.Body is { } body)
            {
                edits.Add((new TextSpan(body.OpenBraceToken.Span.End, 0), assignment));
            }
            else if (constructor.ExpressionBody is { } expressionBody)
            {
                edits.Add((TextSpan.FromBounds(expressionBody.SpanStart, constructor.Span.End), "{" + assignment + "\n        " + expressionBody.Expression + ";\n    }"));
            }
        }

        return Replace(subject, chosen.Tree, edits);
    }

    // ---------------------------------------------------------------- methods out of the type

    private sealed record MovedMethod(SyntaxTree Tree, ClassDeclarationSyntax Type, INamedTypeSymbol TypeSymbol, MethodDeclarationSyntax Method, IMethodSymbol Symbol);

    // Instance methods of top-level, non-generic classes that can be moved out of the type as they are: not virtual,
    // not overriding, not implementing an interface, not generic, no overload of the same name, no `base.` access.
    private static List<MovedMethod> MovableMethods(RewriteSubject subject)
    {
        var methods = new List<MovedMethod>();
        foreach ((SyntaxTree tree, MethodDeclarationSyntax method) in Nodes<MethodDeclarationSyntax>(subject))
        {
            SemanticModel model = subject.Model(tree);
            if (method.Parent is not ClassDeclarationSyntax type || !IsTopLevel(type) || type.TypeParameterList is not null || type.Modifiers.Any(SyntaxKind.StaticKeyword)
                || method.TypeParameterList is not null || method.ExplicitInterfaceSpecifier is not null || (method.Body is null && method.ExpressionBody is null)
                || method.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.VirtualKeyword or SyntaxKind.OverrideKeyword or SyntaxKind.AbstractKeyword
                    or SyntaxKind.PartialKeyword or SyntaxKind.ExternKeyword or SyntaxKind.NewKeyword or SyntaxKind.UnsafeKeyword)
                || method.DescendantNodes().Any(node => node is BaseExpressionSyntax)
                || model.GetDeclaredSymbol(method) is not { } symbol || model.GetDeclaredSymbol(type) is not { } typeSymbol
                || typeSymbol.GetMembers(symbol.Name).Length != 1
                || typeSymbol.AllInterfaces.SelectMany(face => face.GetMembers()).Any(member => SameSymbol(typeSymbol.FindImplementationForInterfaceMember(member), symbol)))
            {
                continue;
            }

            methods.Add(new MovedMethod(tree, type, typeSymbol, method, symbol));
        }

        return methods;
    }

    private static string ReceiverName(RewriteSubject subject, MovedMethod moved, Random random) =>
        FreshName(subject, random.Next(2) == 0 ? "self" : char.ToLowerInvariant(moved.TypeSymbol.Name[0]) + moved.TypeSymbol.Name[1..]);

    private static MovedMethod? PickMethod(RewriteSubject subject, Random random)
    {
        List<MovedMethod> methods = MovableMethods(subject);

        // Methods with a backward or forward pass, or a draw, are where structure matters to the model.
        var preferred = methods.Where(method => method.Symbol.Name.Contains("Backward", StringComparison.OrdinalIgnoreCase) || method.Symbol.Name.Contains("Forward", StringComparison.OrdinalIgnoreCase)
            || method.Symbol.Name.Contains("Grad", StringComparison.OrdinalIgnoreCase) || method.Method.DescendantTokens().Any(token => token.ValueText.StartsWith("Next", StringComparison.Ordinal))).ToList();
        return Pick(preferred.Count > 0 && random.Next(4) > 0 ? preferred : methods, random);
    }

    // The method's text as a static method of another class: `this` becomes the receiver parameter, members read
    // without a receiver are read through it, static members through the type's name.
    private static (string Text, List<ISymbol> Used)? MovedText(RewriteSubject subject, MovedMethod moved, string receiver, string newName, bool extension)
    {
        SemanticModel model = subject.Model(moved.Tree);
        MethodDeclarationSyntax method = moved.Method;
        var edits = new List<(TextSpan, string)>();
        var used = new List<ISymbol>();
        foreach (SyntaxNode node in method.DescendantNodes())
        {
            if (node is ThisExpressionSyntax)
            {
                edits.Add((node.Span, receiver));
            }
            else if (node is IdentifierNameSyntax name && SymbolOf(model, name) is { } symbol)
            {
                if (symbol.Name == receiver && symbol is IParameterSymbol or ILocalSymbol)
                {
                    return null;
                }

                if (symbol is IFieldSymbol or IPropertySymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary } or IEventSymbol && SameSymbol(symbol.ContainingType?.OriginalDefinition, moved.TypeSymbol))
                {
                    used.Add(symbol);
                }

                if (IsImplicitThisMember(name, symbol, moved.TypeSymbol))
                {
                    edits.Add((new TextSpan(name.SpanStart, 0), (symbol.IsStatic ? symbol.ContainingType!.Name : receiver) + "."));
                }
            }
        }

        // The body with the edits, then the declaration around it.
        string original = method.ToString();
        var builder = new StringBuilder(original);
        foreach ((TextSpan span, string text) in edits.OrderByDescending(edit => edit.Item1.Start))
        {
            builder.Remove(span.Start - method.SpanStart, span.Length).Insert(span.Start - method.SpanStart, text);
        }

        string rewritten = builder.ToString();
        int bodyAt = (method.Body?.SpanStart ?? method.ExpressionBody!.SpanStart) - method.SpanStart;
        int shift = edits.Where(edit => edit.Item1.Start < method.SpanStart + bodyAt).Sum(edit => edit.Item2.Length - edit.Item1.Length);
        string tail = rewritten[(bodyAt + shift)..];
        string parameters = "(" + (extension ? "this " : string.Empty) + moved.TypeSymbol.Name + " " + receiver + (method.ParameterList.Parameters.Count > 0 ? ", " : string.Empty) + string.Join(", ", method.ParameterList.Parameters.Select(parameter => parameter.ToString())) + ")";
        string modifiers = string.Join(" ", method.Modifiers.Where(modifier => modifier.Kind() is SyntaxKind.AsyncKeyword).Select(modifier => modifier.Text));
        return ("    public static " + (modifiers.Length > 0 ? modifiers + " " : string.Empty) + method.ReturnType + " " + newName + parameters + " " + tail.Trim() + (method.ExpressionBody is not null && !tail.TrimEnd().EndsWith(';') ? ";" : string.Empty), used);
    }

    // An instance method moves into a static class in another file (`static class LayerGradients { public static float[]
    // Backward(DropoutLayer layer, float[] grad) ... }`); the type keeps a one-line method that forwards to it, so every
    // caller is unchanged.
    private static ImmutableArray<string>? MethodToStaticClass(RewriteSubject subject, Random random)
    {
        if (PickMethod(subject, random) is not { } moved)
        {
            return null;
        }

        // Names made of the type's own name (or `self`): a new word such as `layer` would tell the model something the
        // program did not say (a packet simulator is no layer).
        string receiver = ReceiverName(subject, moved, random);
        string className = FreshName(subject, moved.TypeSymbol.Name + (moved.Symbol.Name.Contains("Backward", StringComparison.OrdinalIgnoreCase) ? "Gradients" : "Ops"));
        if (MovedText(subject, moved, receiver, moved.Symbol.Name, extension: false) is not { } text)
        {
            return null;
        }

        MethodDeclarationSyntax method = moved.Method;
        string arguments = string.Join(", ", method.ParameterList.Parameters.Select(parameter =>
            (parameter.Modifiers.FirstOrDefault(modifier => modifier.Kind() is SyntaxKind.RefKeyword or SyntaxKind.OutKeyword or SyntaxKind.InKeyword) is { RawKind: not 0 } kind ? kind.Text + " " : string.Empty) + parameter.Identifier.Text).Prepend("this"));
        string header = method.ToString()[..((method.Body?.SpanStart ?? method.ExpressionBody!.SpanStart) - method.SpanStart)].TrimEnd();
        header = string.Join(" ", header.Split(' ').Where(word => word != "async"));
        string forwarder = header + " => " + className + "." + moved.Symbol.Name + "(" + arguments + ");";
        var edits = new List<(TextSpan, string)> { (method.Span, forwarder) };
        edits.AddRange(OpenMembers(moved.Type, text.Used));
        ImmutableArray<string> sources = Replace(subject, moved.Tree, edits);
        return sources.Add(NewFileBeside(moved.Tree, moved.Type, "internal static class " + className + "\n{\n" + text.Text + "\n}"));
    }

    // An instance method becomes an extension method on the type in a static class in another file; the type's own
    // calls without a receiver get `this.`, so every call still binds to it (the method had no overload).
    private static ImmutableArray<string>? MethodToExtension(RewriteSubject subject, Random random)
    {
        if (PickMethod(subject, random) is not { } moved || moved.Method.Modifiers.Any(SyntaxKind.ProtectedKeyword))
        {
            return null;
        }

        string receiver = ReceiverName(subject, moved, random);
        string className = FreshName(subject, moved.TypeSymbol.Name + "Extensions");
        if (MovedText(subject, moved, receiver, moved.Symbol.Name, extension: true) is not { } text)
        {
            return null;
        }

        // Calls of the method inside the type need a receiver.
        SemanticModel model = subject.Model(moved.Tree);
        var edits = new List<(TextSpan, string)> { (moved.Method.FullSpan, "\n") };
        foreach (IdentifierNameSyntax name in moved.Type.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == moved.Symbol.Name && !moved.Method.FullSpan.Contains(name.Span) && SameSymbol(SymbolOf(model, name), moved.Symbol) && IsImplicitThisMember(name, moved.Symbol, moved.TypeSymbol))
            {
                edits.Add((new TextSpan(name.SpanStart, 0), "this."));
            }
        }

        edits.AddRange(OpenMembers(moved.Type, text.Used));
        ImmutableArray<string> sources = Replace(subject, moved.Tree, edits);
        return sources.Add(NewFileBeside(moved.Tree, moved.Type, "internal static class " + className + "\n{\n" + text.Text + "\n}"));
    }

    // ---------------------------------------------------------------- an abstract base class

    // Some instance fields of a class that derives from nothing move into a new abstract base class (private → protected,
    // readonly dropped so the derived constructor still assigns them); public methods without default arguments may
    // become overrides of abstract declarations in the base. The base is in the same file or another.
    private static ImmutableArray<string>? MembersToBaseClass(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, ClassDeclarationSyntax Type, INamedTypeSymbol Symbol)>();
        foreach ((SyntaxTree tree, ClassDeclarationSyntax type) in Nodes<ClassDeclarationSyntax>(subject))
        {
            if (IsTopLevel(type) && type.TypeParameterList is null && type.ParameterList is null
                && !type.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.PartialKeyword or SyntaxKind.AbstractKeyword)
                && subject.Model(tree).GetDeclaredSymbol(type) is { BaseType.SpecialType: SpecialType.System_Object } symbol
                && type.Members.OfType<FieldDeclarationSyntax>().Any(field => !field.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.ConstKeyword)))
            {
                candidates.Add((tree, type, symbol));
            }
        }

        if (PickValue(candidates, random) is not { } chosen)
        {
            return null;
        }

        var fields = chosen.Type.Members.OfType<FieldDeclarationSyntax>()
            .Where(field => field.AttributeLists.Count == 0 && !field.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.ConstKeyword or SyntaxKind.NewKeyword))
            .ToList();
        List<FieldDeclarationSyntax> moved = Some(fields, random);
        if (moved.Count == 0)
        {
            return null;
        }

        string baseName = FreshName(subject, random.Next(2) == 0 ? chosen.Symbol.Name + "Base" : "Base" + chosen.Symbol.Name);
        var body = new StringBuilder();
        var edits = new List<(TextSpan, string)>();
        foreach (FieldDeclarationSyntax field in moved)
        {
            IEnumerable<string> modifiers = field.Modifiers.Where(modifier => modifier.Kind() is not (SyntaxKind.ReadOnlyKeyword or SyntaxKind.PrivateKeyword)).Select(modifier => modifier.Text);
            if (!field.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.ProtectedKeyword))
            {
                modifiers = modifiers.Prepend("protected");
            }

            body.Append("    " + string.Join(" ", modifiers) + " " + field.Declaration + ";\n");
            edits.Add((field.FullSpan, string.Empty));
        }

        SemanticModel model = subject.Model(chosen.Tree);
        foreach (MethodDeclarationSyntax method in chosen.Type.Members.OfType<MethodDeclarationSyntax>())
        {
            if (random.Next(2) == 0 || !method.Modifiers.Any(SyntaxKind.PublicKeyword) || method.TypeParameterList is not null || method.ExplicitInterfaceSpecifier is not null
                || method.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.VirtualKeyword or SyntaxKind.OverrideKeyword or SyntaxKind.NewKeyword or SyntaxKind.AsyncKeyword or SyntaxKind.UnsafeKeyword or SyntaxKind.PartialKeyword)
                || method.ParameterList.Parameters.Any(parameter => parameter.Default is not null)
                || model.GetDeclaredSymbol(method) is not { } symbol || chosen.Symbol.GetMembers(symbol.Name).Length != 1)
            {
                continue;
            }

            body.Append("    public abstract " + method.ReturnType + " " + method.Identifier.Text + method.ParameterList + ";\n");
            SyntaxToken publicToken = method.Modifiers.First(modifier => modifier.IsKind(SyntaxKind.PublicKeyword));
            edits.Add((publicToken.Span, "public override"));
        }

        // `: Base` after the name; the class had no base class (it may list interfaces).
        if (chosen.Type.BaseList is { } baseList)
        {
            edits.Add((new TextSpan(baseList.Types[0].SpanStart, 0), baseName + ", "));
        }
        else
        {
            edits.Add((new TextSpan(chosen.Type.Identifier.Span.End, 0), " : " + baseName));
        }

        string declaration = (chosen.Symbol.DeclaredAccessibility == Accessibility.Public ? "public" : "internal") + " abstract class " + baseName + "\n{\n" + body + "}\n";
        if (random.Next(2) == 0)
        {
            edits.Add((new TextSpan(chosen.Type.FullSpan.Start, 0), declaration + "\n"));
            return Replace(subject, chosen.Tree, edits);
        }

        return Replace(subject, chosen.Tree, edits).Add(NewFileBeside(chosen.Tree, chosen.Type, declaration));
    }

    // ---------------------------------------------------------------- record and struct

    private static readonly ImmutableHashSet<string> EqualityUses = ImmutableHashSet.Create(StringComparer.Ordinal, "Equals", "GetHashCode", "Contains", "IndexOf", "Remove", "Distinct", "ContainsKey", "TryAdd", "Add", "ToString");

    // A class that derives from nothing and is never compared, hashed, printed or put in a set becomes a record (a
    // sealed class a sealed record): what records add (value equality, ToString) is then never used.
    private static ImmutableArray<string>? ClassToRecord(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, ClassDeclarationSyntax Type, INamedTypeSymbol Symbol)>();
        foreach ((SyntaxTree tree, ClassDeclarationSyntax type) in Nodes<ClassDeclarationSyntax>(subject))
        {
            if (IsTopLevel(type) && !type.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.PartialKeyword)
                && subject.Model(tree).GetDeclaredSymbol(type) is { BaseType.SpecialType: SpecialType.System_Object } symbol
                && !type.Members.OfType<MethodDeclarationSyntax>().Any(method => EqualityUses.Contains(method.Identifier.ValueText))
                && !type.Members.OfType<OperatorDeclarationSyntax>().Any())
            {
                candidates.Add((tree, type, symbol));
            }
        }

        if (PickValue(candidates, random) is not { } chosen)
        {
            return null;
        }

        // Never compared or handed to something that compares.
        foreach (SyntaxTree tree in subject.Trees)
        {
            SemanticModel model = subject.Model(tree);
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                bool compares = node switch
                {
                    BinaryExpressionSyntax { RawKind: (int)SyntaxKind.EqualsExpression or (int)SyntaxKind.NotEqualsExpression } binary => IsOrHolds(model.GetTypeInfo(binary.Left).Type, chosen.Symbol) || IsOrHolds(model.GetTypeInfo(binary.Right).Type, chosen.Symbol),
                    InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation when EqualityUses.Contains(access.Name.Identifier.ValueText) =>
                        IsOrHolds(model.GetTypeInfo(access.Expression).Type, chosen.Symbol) || invocation.ArgumentList.Arguments.Any(argument => IsOrHolds(model.GetTypeInfo(argument.Expression).Type, chosen.Symbol)),
                    InterpolationSyntax interpolation => IsOrHolds(model.GetTypeInfo(interpolation.Expression).Type, chosen.Symbol),
                    _ => false,
                };
                if (compares)
                {
                    return null;
                }
            }
        }

        return Replace(subject, chosen.Tree, chosen.Type.Keyword.Span, "record");
    }

    private static bool IsOrHolds(ITypeSymbol? type, INamedTypeSymbol target) =>
        type is not null && (SameSymbol(type, target) || (type is IArrayTypeSymbol array && IsOrHolds(array.ElementType, target))
            || (type is INamedTypeSymbol named && named.TypeArguments.Any(argument => IsOrHolds(argument, target))));

    // A class that no other code names (so no copy of it is ever made) and that never hands `this` out becomes a struct.
    private static ImmutableArray<string>? ClassToStruct(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, ClassDeclarationSyntax Type, INamedTypeSymbol Symbol)>();
        foreach ((SyntaxTree tree, ClassDeclarationSyntax type) in Nodes<ClassDeclarationSyntax>(subject))
        {
            if (IsTopLevel(type) && type.BaseList is null
                && !type.Modifiers.Any(modifier => modifier.Kind() is SyntaxKind.StaticKeyword or SyntaxKind.PartialKeyword or SyntaxKind.AbstractKeyword)
                && subject.Model(tree).GetDeclaredSymbol(type) is { BaseType.SpecialType: SpecialType.System_Object } symbol
                && !type.DescendantNodes().OfType<ThisExpressionSyntax>().Any(expression => expression.Parent is not MemberAccessExpressionSyntax access || access.Expression != expression))
            {
                candidates.Add((tree, type, symbol));
            }
        }

        if (PickValue(candidates, random) is not { } chosen)
        {
            return null;
        }

        foreach ((SyntaxTree tree, IdentifierNameSyntax name) in Nodes<IdentifierNameSyntax>(subject))
        {
            if (name.Identifier.ValueText == chosen.Symbol.Name && (tree != chosen.Tree || !chosen.Type.Span.Contains(name.Span)))
            {
                return null;
            }
        }

        var edits = new List<(TextSpan, string)> { (chosen.Type.Keyword.Span, "struct") };
        edits.AddRange(chosen.Type.Modifiers.Where(modifier => modifier.IsKind(SyntaxKind.SealedKeyword)).Select(modifier => (modifier.Span, string.Empty)));
        return Replace(subject, chosen.Tree, edits);
    }
}
