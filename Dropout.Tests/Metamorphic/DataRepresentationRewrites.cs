using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Metamorphic;

/// <summary>
/// Issue 9, generalization along the data-representation axis: the same activations, masks and outputs held the ways
/// real code holds them (a one-row batch in a rectangular or jagged array, a user matrix type with an indexer or
/// Get/Set methods, units as objects with a member per value, outputs built by <c>List&lt;T&gt;.Add</c>, a LINQ
/// <c>Select</c>/<c>Zip</c> instead of the loop). Each keeps the draws, their order, the scale and the mask reuse
/// exactly, and refuses (returns null) where it could not.
/// </summary>
internal static partial class CorpusRewrites
{
    // A property, not a field: `All` (in the other part of this class) reads it during its own initialization, and the
    // order in which static field initializers of two partial declarations run is not specified.
    private static ImmutableArray<Rewrite> DataRewrites =>
    [
        new("array-to-rows", "a 1-D array local or field becomes a one-row batch: `T[,]` read as `a[0, i]`, or jagged `T[][]` read as `a[0][i]`", ArrayToRows),
        new("array-to-matrix", "a 1-D array local or field becomes a user matrix type of the same compilation, read through its indexer `m[0, i]` or through `Get(0, i)`/`Set(0, i, v)`", ArrayToMatrix),
        new("array-to-units", "a 1-D array local or field becomes an array of unit objects whose `Value` property holds the element", ArrayToUnits),
        new("list-add-output", "an output array filled by `a[i] = e` in a counted loop becomes a `List<T>` filled by `Add(e)` and turned into the array after the loop", ListAddOutput),
        new("loop-to-linq", "a counted loop that fills a fresh array from another becomes `src.Select((v, i) => e).ToArray()` or `src.Zip(mask, (v, m) => e).ToArray()`", LoopToLinq),
    ];

    // ---------------------------------------------------------------- shared: re-representing one array

    private enum ArrayUseKind
    {
        Read,
        Write,
        CompoundWrite,
        Length,
    }

    // One use of an array symbol: its element access `a[e]` (the access node, its single index) or `.Length`.
    private sealed record ArrayUse(SyntaxTree Tree, ArrayUseKind Kind, ExpressionSyntax Node, ExpressionSyntax? Index, ExpressionSyntax? Statement);

    // An array local or field whose every use is an element access, `.Length`, or its creation `new T[n]`.
    private sealed record ArraySubject(
        ISymbol Symbol,
        IArrayTypeSymbol Type,
        ImmutableArray<(SyntaxTree Tree, TypeSyntax Type)> DeclaredTypes,
        ImmutableArray<(SyntaxTree Tree, ArrayCreationExpressionSyntax Creation)> Creations,
        ImmutableArray<ArrayUse> Uses);

    private static List<ArraySubject> RepresentableArrays(RewriteSubject subject)
    {
        var symbols = new Dictionary<ISymbol, (SyntaxTree Tree, VariableDeclaratorSyntax Declarator)>(SymbolEqualityComparer.Default);
        foreach ((SyntaxTree tree, VariableDeclaratorSyntax declarator) in Nodes<VariableDeclaratorSyntax>(subject))
        {
            if (declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: (int)SyntaxKind.None } or FieldDeclarationSyntax })
            {
                continue;
            }

            ISymbol? symbol = subject.Model(tree).GetDeclaredSymbol(declarator);
            ITypeSymbol? type = symbol switch
            {
                ILocalSymbol { RefKind: RefKind.None } local => local.Type,
                IFieldSymbol { IsConst: false, IsFixedSizeBuffer: false } field => field.Type,
                _ => null,
            };
            if (symbol is not null && type is IArrayTypeSymbol { Rank: 1, ElementType: { TypeKind: not TypeKind.Array and not TypeKind.Pointer and not TypeKind.Error } })
            {
                symbols[symbol] = (tree, declarator);
            }
        }

        // A parameter of a method nothing in the compilation calls (the layer's entry point, called from outside): its
        // callers would pass the new representation, and no caller here has to change.
        var parameters = new Dictionary<ISymbol, (SyntaxTree Tree, TypeSyntax Type)>(SymbolEqualityComparer.Default);
        foreach ((SyntaxTree tree, ParameterSyntax parameter) in Nodes<ParameterSyntax>(subject))
        {
            if (parameter is not { Type: { } declaredType, Default: null, Parent.Parent: MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method }
                || subject.Model(tree).GetDeclaredSymbol(parameter) is not IParameterSymbol { RefKind: RefKind.None, IsParams: false, Type: IArrayTypeSymbol { Rank: 1, ElementType.TypeKind: not TypeKind.Array and not TypeKind.Pointer and not TypeKind.Error }, ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Ordinary, IsOverride: false, IsVirtual: false, IsAbstract: false, IsExtensionMethod: false } owner } symbol
                || owner.ContainingType.AllInterfaces.SelectMany(type => type.GetMembers(owner.Name)).Any()
                || IsReferenced(subject, owner))
            {
                continue;
            }

            parameters[symbol] = (tree, declaredType);
        }

        if (symbols.Count == 0 && parameters.Count == 0)
        {
            return [];
        }

        var uses = symbols.Keys.Concat(parameters.Keys).ToDictionary(symbol => symbol, _ => new List<ArrayUse>(), SymbolEqualityComparer.Default);
        var creations = symbols.Keys.Concat(parameters.Keys).ToDictionary(symbol => symbol, _ => new List<(SyntaxTree, ArrayCreationExpressionSyntax)>(), SymbolEqualityComparer.Default);
        var refused = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (SyntaxTree tree in subject.Trees)
        {
            SemanticModel model = subject.Model(tree);
            foreach (IdentifierNameSyntax name in tree.GetRoot().DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (SymbolOf(model, name) is not { } symbol || !uses.ContainsKey(symbol))
                {
                    continue;
                }

                // `this.a` is the reference; `other.a` (another instance's field) is refused.
                ExpressionSyntax reference = name;
                if (name.Parent is MemberAccessExpressionSyntax member && member.Name == name)
                {
                    if (member.Expression is not ThisExpressionSyntax)
                    {
                        refused.Add(symbol);
                        continue;
                    }

                    reference = member;
                }

                if (ClassifyArrayUse(tree, reference) is { } use)
                {
                    if (use.Node is ArrayCreationExpressionSyntax creation)
                    {
                        creations[symbol].Add((tree, creation));
                    }
                    else
                    {
                        uses[symbol].Add(use);
                    }
                }
                else
                {
                    refused.Add(symbol);
                }
            }
        }

        var result = new List<ArraySubject>();
        foreach ((ISymbol symbol, (SyntaxTree tree, VariableDeclaratorSyntax declarator)) in symbols)
        {
            if (refused.Contains(symbol))
            {
                continue;
            }

            var declaredCreations = creations[symbol];
            if (declarator.Initializer is { Value: var initial })
            {
                if (!IsPlainArrayCreation(initial))
                {
                    continue;
                }

                declaredCreations.Add((tree, (ArrayCreationExpressionSyntax)initial));
            }

            if (declaredCreations.Count == 0 || uses[symbol].Count == 0)
            {
                continue;
            }

            var declaration = (VariableDeclarationSyntax)declarator.Parent!;
            ImmutableArray<(SyntaxTree, TypeSyntax)> declaredTypes = declaration.Type.IsVar ? [] : [(tree, declaration.Type)];
            result.Add(new ArraySubject(symbol, (IArrayTypeSymbol)(symbol is ILocalSymbol local ? local.Type : ((IFieldSymbol)symbol).Type), declaredTypes, [.. declaredCreations], [.. uses[symbol]]));
        }

        foreach ((ISymbol symbol, (SyntaxTree tree, TypeSyntax type)) in parameters)
        {
            if (!refused.Contains(symbol) && uses[symbol].Count > 0)
            {
                result.Add(new ArraySubject(symbol, (IArrayTypeSymbol)((IParameterSymbol)symbol).Type, [(tree, type)], [.. creations[symbol]], [.. uses[symbol]]));
            }
        }

        return result;
    }

    // True when some name in the compilation binds to the method (a call, a method group, nameof).
    private static bool IsReferenced(RewriteSubject subject, IMethodSymbol method) =>
        subject.Trees.Any(tree => tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>()
            .Any(name => name.Identifier.ValueText == method.Name && (SymbolOf(subject.Model(tree), name) is { } bound && SymbolEqualityComparer.Default.Equals(bound.OriginalDefinition, method)
                || subject.Model(tree).GetSymbolInfo(name).CandidateSymbols.Any(candidate => SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, method)))));

    // `new T[n]`: one dimension, a size, no initializer.
    private static bool IsPlainArrayCreation(ExpressionSyntax expression) =>
        expression is ArrayCreationExpressionSyntax { Initializer: null, Type.RankSpecifiers: [{ Sizes: [not OmittedArraySizeExpressionSyntax] }] };

    // What the reference is used for; a creation assigned to it comes back as a use whose Node is the creation. Null: a
    // use the representations cannot keep (passed on, compared, enumerated, aliased, taken by ref).
    private static ArrayUse? ClassifyArrayUse(SyntaxTree tree, ExpressionSyntax reference)
    {
        switch (reference.Parent)
        {
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } length when length.Expression == reference:
                return new ArrayUse(tree, ArrayUseKind.Length, length, null, null);
            case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Parent: ExpressionStatementSyntax } assignment
                when assignment.Left == reference && IsPlainArrayCreation(assignment.Right):
                return new ArrayUse(tree, ArrayUseKind.Write, assignment.Right, null, null);
            case ElementAccessExpressionSyntax { ArgumentList.Arguments: [{ RefKindKeyword.RawKind: (int)SyntaxKind.None, NameColon: null } index] } access when access.Expression == reference:
                if (index.Expression is RangeExpressionSyntax || index.Expression is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.IndexExpression })
                {
                    return null;
                }

                return access.Parent switch
                {
                    AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } store when store.Left == access =>
                        new ArrayUse(tree, ArrayUseKind.Write, access, index.Expression, store.Parent is ExpressionStatementSyntax ? store : null),
                    AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceAssignmentExpression } => null,
                    AssignmentExpressionSyntax compound when compound.Left == access =>
                        new ArrayUse(tree, ArrayUseKind.CompoundWrite, access, index.Expression, compound.Parent is ExpressionStatementSyntax ? compound : null),
                    PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => null,
                    ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None } => null,
                    RefExpressionSyntax => null,
                    MemberAccessExpressionSyntax or ConditionalAccessExpressionSyntax or ElementAccessExpressionSyntax => null,
                    _ => new ArrayUse(tree, ArrayUseKind.Read, access, index.Expression, null),
                };
            default:
                return null;
        }
    }

    // Applies edits that may span several files; `added` is appended as a new file.
    private static ImmutableArray<string> ReplaceEverywhere(RewriteSubject subject, IEnumerable<(SyntaxTree Tree, TextSpan Span, string Text)> edits, string? added = null)
    {
        ImmutableArray<string> sources = subject.Sources;
        foreach (IGrouping<SyntaxTree, (SyntaxTree Tree, TextSpan Span, string Text)> group in edits.GroupBy(edit => edit.Tree))
        {
            int index = subject.Trees.IndexOf(group.Key);
            sources = sources.SetItem(index, Replace(subject, group.Key, group.Select(edit => (edit.Span, edit.Text)))[index]);
        }

        return added is null ? sources : sources.Add(added);
    }

    // The arrays chosen for one application: one at random, and each other with probability 1/2.
    private static List<ArraySubject> ChooseArrays(RewriteSubject subject, Random random, Func<ArraySubject, bool> fits)
    {
        List<ArraySubject> candidates = RepresentableArrays(subject).Where(fits).ToList();
        return Some(candidates, random);
    }

    private static string ElementText(ArraySubject array) => TypeText(array.Type.ElementType);

    private static string Size(ArrayCreationExpressionSyntax creation) => creation.Type.RankSpecifiers[0].Sizes[0].ToString();

    // ---------------------------------------------------------------- array-to-rows

    private static ImmutableArray<string>? ArrayToRows(RewriteSubject subject, Random random)
    {
        bool jagged = random.Next(2) == 0;
        List<ArraySubject> chosen = ChooseArrays(subject, random, _ => true);
        if (chosen.Count == 0)
        {
            return null;
        }

        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach (ArraySubject array in chosen)
        {
            string element = ElementText(array);
            edits.AddRange(array.DeclaredTypes.Select(declared => (declared.Tree, declared.Type.Span, jagged ? element + "[][]" : element + "[,]")));
            edits.AddRange(array.Creations.Select(created => (created.Tree, created.Creation.Span, jagged
                ? "new " + element + "[][] { new " + element + "[" + Size(created.Creation) + "] }"
                : "new " + element + "[1, " + Size(created.Creation) + "]")));
            foreach (ArrayUse use in array.Uses)
            {
                if (use.Kind == ArrayUseKind.Length)
                {
                    // A one-row T[,] has as many elements as its row; a jagged one's row is its first element.
                    if (jagged)
                    {
                        var member = (MemberAccessExpressionSyntax)use.Node;
                        edits.Add((use.Tree, member.Expression.Span, member.Expression + "[0]"));
                    }

                    continue;
                }

                var access = (ElementAccessExpressionSyntax)use.Node;
                edits.Add((use.Tree, access.ArgumentList.Span, jagged ? "[0][" + use.Index + "]" : "[0, " + use.Index + "]"));
            }
        }

        return ReplaceEverywhere(subject, edits);
    }

    // ---------------------------------------------------------------- array-to-matrix

    private static ImmutableArray<string>? ArrayToMatrix(RewriteSubject subject, Random random)
    {
        bool methods = random.Next(2) == 0;
        string matrix = FreshName(subject, methods ? "Grid" : "Matrix");

        // Get/Set: a store or compound store must be a statement of its own (Set returns nothing), and a compound one
        // reads the index twice, so the index must be pure.
        bool Fits(ArraySubject array) => !methods || array.Uses.All(use => use.Kind is ArrayUseKind.Read or ArrayUseKind.Length
            || use.Statement is not null && (use.Kind == ArrayUseKind.Write || IsPure(use.Index!)));
        List<ArraySubject> chosen = ChooseArrays(subject, random, Fits);
        if (chosen.Count == 0)
        {
            return null;
        }

        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach (ArraySubject array in chosen)
        {
            string element = ElementText(array);
            string type = matrix + "<" + element + ">";
            edits.AddRange(array.DeclaredTypes.Select(declared => (declared.Tree, declared.Type.Span, type)));
            edits.AddRange(array.Creations.Select(created => (created.Tree, created.Creation.Span, "new " + type + "(1, " + Size(created.Creation) + ")")));
            foreach (ArrayUse use in array.Uses)
            {
                switch (use.Kind)
                {
                    case ArrayUseKind.Length:
                        edits.Add((use.Tree, ((MemberAccessExpressionSyntax)use.Node).Name.Span, "Columns"));
                        break;
                    case ArrayUseKind.Read when methods:
                        edits.Add((use.Tree, use.Node.Span, ((ElementAccessExpressionSyntax)use.Node).Expression + ".Get(0, " + use.Index + ")"));
                        break;
                    case ArrayUseKind.Write when methods:
                        {
                            var store = (AssignmentExpressionSyntax)use.Statement!;
                            edits.Add((use.Tree, store.Span, ((ElementAccessExpressionSyntax)use.Node).Expression + ".Set(0, " + use.Index + ", " + store.Right + ")"));
                            break;
                        }

                    case ArrayUseKind.CompoundWrite when methods:
                        {
                            // `a[i] op= e` is `a[i] = (T)(a[i] op (e))`.
                            var store = (AssignmentExpressionSyntax)use.Statement!;
                            string target = ((ElementAccessExpressionSyntax)use.Node).Expression.ToString();
                            string op = store.OperatorToken.Text.TrimEnd('=');
                            edits.Add((use.Tree, store.Span, target + ".Set(0, " + use.Index + ", (" + element + ")(" + target + ".Get(0, " + use.Index + ") " + op + " (" + store.Right + ")))"));
                            break;
                        }

                    default:
                        edits.Add((use.Tree, ((ElementAccessExpressionSyntax)use.Node).ArgumentList.Span, "[0, " + use.Index + "]"));
                        break;
                }
            }
        }

        string declaration = methods
            ? "public sealed class " + matrix + "<T>\n{\n    private readonly T[] _cells;\n    public " + matrix + "(int rows, int columns) { Rows = rows; Columns = columns; _cells = new T[rows * columns]; }\n    public int Rows { get; }\n    public int Columns { get; }\n    public T Get(int row, int column) => _cells[row * Columns + column];\n    public void Set(int row, int column, T value) { _cells[row * Columns + column] = value; }\n}\n"
            : "public sealed class " + matrix + "<T>\n{\n    private readonly T[] _cells;\n    public " + matrix + "(int rows, int columns) { Rows = rows; Columns = columns; _cells = new T[rows * columns]; }\n    public int Rows { get; }\n    public int Columns { get; }\n    public T this[int row, int column]\n    {\n        get => _cells[row * Columns + column];\n        set => _cells[row * Columns + column] = value;\n    }\n}\n";
        return ReplaceEverywhere(subject, edits, declaration);
    }

    // ---------------------------------------------------------------- array-to-units

    private static ImmutableArray<string>? ArrayToUnits(RewriteSubject subject, Random random)
    {
        string unit = FreshName(subject, random.Next(2) == 0 ? "Neuron" : "Unit");
        List<ArraySubject> chosen = ChooseArrays(subject, random, _ => true);
        if (chosen.Count == 0)
        {
            return null;
        }

        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach (ArraySubject array in chosen)
        {
            string type = unit + "<" + ElementText(array) + ">";
            edits.AddRange(array.DeclaredTypes.Select(declared => (declared.Tree, declared.Type.Span, type + "[]")));
            edits.AddRange(array.Creations.Select(created => (created.Tree, created.Creation.Span, type + ".Layer(" + Size(created.Creation) + ")")));
            edits.AddRange(array.Uses.Where(use => use.Kind != ArrayUseKind.Length).Select(use => (use.Tree, use.Node.Span, use.Node + ".Value")));
        }

        // Each unit is its own object (the array's elements start at default(T), as the array's did).
        string declaration = "public sealed class " + unit + "<T>\n{\n    public T Value { get; set; }\n    public static " + unit + "<T>[] Layer(int count)\n    {\n        var units = new " + unit + "<T>[count];\n        for (int k = 0; k < units.Length; k++) units[k] = new " + unit + "<T>();\n        return units;\n    }\n}\n";
        return ReplaceEverywhere(subject, edits, declaration);
    }

    // ---------------------------------------------------------------- outputs filled by one counted loop

    // A local `T[] r = new T[n];` filled by the first statement after it that mentions it: `for (int i = 0; i < b; i++)`
    // whose body stores `r[i] = e;` once per iteration as a top-level statement, with nothing else in the loop reading
    // or writing r, no jump out of an iteration, i written only by the loop, and b the same count as n.
    private sealed record FilledArray(SyntaxTree Tree, LocalDeclarationStatementSyntax Declaration, ILocalSymbol Local, ArrayCreationExpressionSyntax Creation, ForStatementSyntax Loop, ILocalSymbol Index, ExpressionStatementSyntax Store, ExpressionSyntax Value);

    private static List<FilledArray> FilledArrays(RewriteSubject subject)
    {
        var result = new List<FilledArray>();
        foreach ((SyntaxTree tree, LocalDeclarationStatementSyntax declaration) in Nodes<LocalDeclarationStatementSyntax>(subject))
        {
            if (declaration is not { Parent: BlockSyntax block, Declaration.Variables: [{ Initializer.Value: ArrayCreationExpressionSyntax creation } variable] } || !IsPlainArrayCreation(creation))
            {
                continue;
            }

            SemanticModel model = subject.Model(tree);
            if (model.GetDeclaredSymbol(variable) is not ILocalSymbol { RefKind: RefKind.None } local)
            {
                continue;
            }

            bool Mentions(SyntaxNode node) => node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(name => name.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(SymbolOf(model, name), local));
            StatementSyntax? first = block.Statements.Skip(block.Statements.IndexOf(declaration) + 1).FirstOrDefault(Mentions);
            if (first is not ForStatementSyntax { Declaration.Variables: [{ Initializer.Value: LiteralExpressionSyntax { Token.Value: 0 } } indexVariable], Condition: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression, Left: IdentifierNameSyntax indexName, Right: { } bound }, Incrementors: [var increment] } loop
                || indexName.Identifier.ValueText != indexVariable.Identifier.ValueText
                || increment.ToString().Replace(" ", "", StringComparison.Ordinal) != indexName + "++" && increment.ToString().Replace(" ", "", StringComparison.Ordinal) != "++" + indexName
                || model.GetDeclaredSymbol(indexVariable) is not ILocalSymbol index)
            {
                continue;
            }

            // The count: the creation's size, or the array's own Length.
            string size = Size(creation);
            bool sameCount = bound.ToString() == size && IsPure(bound)
                || bound is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length", Expression: IdentifierNameSyntax owner } && SymbolEqualityComparer.Default.Equals(SymbolOf(model, owner), local);
            if (!sameCount || IsPure(bound) && ReadSymbols(model, bound).Any(WrittenSymbols(model, loop.Statement).Contains))
            {
                continue;
            }

            // Exactly one statement of the body mentions r, and it is `r[i] = e;` with e not mentioning r.
            // (A plain list: a collection expression here would build a new SyntaxList whose nodes are outside the tree.)
            List<StatementSyntax> statements = loop.Statement is BlockSyntax body ? body.Statements.ToList() : new List<StatementSyntax> { loop.Statement };
            var mentioning = statements.Where(Mentions).ToList();
            if (mentioning is not [ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax stored, ArgumentList.Arguments: [{ Expression: IdentifierNameSyntax at }] }, Right: { } value } } store]
                || stored.Identifier.ValueText != local.Name || at.Identifier.ValueText != index.Name || Mentions(value)
                || WrittenSymbols(model, loop.Statement).Contains(index)
                || loop.Statement.DescendantNodesAndSelf().Any(node => node is ContinueStatementSyntax or BreakStatementSyntax or ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax))
            {
                continue;
            }

            result.Add(new FilledArray(tree, declaration, local, creation, loop, index, store, value));
        }

        return result;
    }

    private static string WithUsing(SyntaxTree tree, string text, string space) =>
        ((CompilationUnitSyntax)tree.GetRoot()).Usings.Any(directive => directive.Alias is null && directive.StaticKeyword.RawKind == (int)SyntaxKind.None && directive.Name?.ToString() == space)
            ? text
            : "using " + space + ";\n" + text;

    private static ImmutableArray<string>? ListAddOutput(RewriteSubject subject, Random random)
    {
        if (Pick(FilledArrays(subject), random) is not { } filled)
        {
            return null;
        }

        string element = TypeText(filled.Local.Type is IArrayTypeSymbol array ? array.ElementType : filled.Local.Type);
        string items = FreshName(subject, filled.Local.Name.TrimStart('_') + "Items");
        var edits = new List<(TextSpan, string)>
        {
            (filled.Declaration.Span, "var " + items + " = new List<" + element + ">();"),
            (filled.Store.Span, items + ".Add(" + filled.Value + ");"),
            (new TextSpan(filled.Loop.Span.End, 0), "\n" + element + "[] " + filled.Local.Name + " = " + items + ".ToArray();"),
        };
        if (filled.Loop.Condition is BinaryExpressionSyntax { Right: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax owner } bound } && owner.Identifier.ValueText == filled.Local.Name)
        {
            // The loop counted to the array's Length: it counts to the creation's size, which must still hold the same
            // count (pure, and nothing it reads written in the block after the creation).
            ExpressionSyntax size = filled.Creation.Type.RankSpecifiers[0].Sizes[0];
            SemanticModel model = subject.Model(filled.Tree);
            if (!IsPure(size) || ReadSymbols(model, size).Any(WrittenSymbols(model, filled.Declaration.Parent!).Contains))
            {
                return null;
            }

            edits.Add((bound.Span, "(" + size + ")"));
        }

        int index = subject.Trees.IndexOf(filled.Tree);
        ImmutableArray<string> sources = Replace(subject, filled.Tree, edits);
        return sources.SetItem(index, WithUsing(filled.Tree, sources[index], "System.Collections.Generic"));
    }

    private static ImmutableArray<string>? LoopToLinq(RewriteSubject subject, Random random)
    {
        var candidates = new List<(FilledArray Filled, ExpressionSyntax Source, string Replacement)>();
        foreach (FilledArray filled in FilledArrays(subject))
        {
            SemanticModel model = subject.Model(filled.Tree);

            // The source: an array whose Length is the count (the bound or the creation's size reads `src.Length`).
            ExpressionSyntax? count = filled.Loop.Condition is BinaryExpressionSyntax { Right: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } length } && SymbolOf(model, length.Expression) is { } owner && !SymbolEqualityComparer.Default.Equals(owner, filled.Local)
                ? length
                : filled.Creation.Type.RankSpecifiers[0].Sizes[0];
            if (count is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length", Expression: { } source } || !IsPure(source)
                || model.GetTypeInfo(source).Type is not IArrayTypeSymbol { Rank: 1 } || SymbolOf(model, source) is not { } sourceSymbol
                || filled.Value.DescendantNodesAndSelf().Any(node => node is AwaitExpressionSyntax or StackAllocArrayCreationExpressionSyntax || node is ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None })
                || WrittenSymbols(model, filled.Value).Contains(sourceSymbol))
            {
                continue;
            }

            // The body must be the store alone (other statements would run between the lambda's calls in another order),
            // and the creation, which goes away, must have had no side effect.
            if (filled.Loop.Statement is BlockSyntax { Statements.Count: > 1 } || !IsPure(filled.Creation.Type.RankSpecifiers[0].Sizes[0]))
            {
                continue;
            }

            bool IsAt(ExpressionSyntax expression, out ISymbol? array)
            {
                array = null;
                if (expression is ElementAccessExpressionSyntax { ArgumentList.Arguments: [{ Expression: IdentifierNameSyntax at }] } access
                    && at.Identifier.ValueText == filled.Index.Name && IsPure(access.Expression) && model.GetTypeInfo(access.Expression).Type is IArrayTypeSymbol { Rank: 1 })
                {
                    array = SymbolOf(model, access.Expression);
                }

                return array is not null;
            }

            var atIndex = filled.Value.DescendantNodesAndSelf().OfType<ElementAccessExpressionSyntax>().Where(access => IsAt(access, out _)).ToList();
            var fromSource = atIndex.Where(access => IsAt(access, out ISymbol? array) && SymbolEqualityComparer.Default.Equals(array, sourceSymbol) && access.Expression.ToString() == source.ToString()).ToList();
            int indexUses = filled.Value.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Count(name => SymbolEqualityComparer.Default.Equals(SymbolOf(model, name), filled.Index));
            string element = TypeText(((IArrayTypeSymbol)filled.Local.Type).ElementType);
            string value = FreshName(subject, "value");

            // Zip: the rest of the index's uses read one other array of the source's length (created as `new U[src.Length]`).
            var others = atIndex.Except(fromSource).ToList();
            if (others.Count > 0 && indexUses == atIndex.Count && others.All(access => access.Expression.ToString() == others[0].Expression.ToString())
                && SymbolOf(model, others[0].Expression) is ILocalSymbol { RefKind: RefKind.None } other && OnlyCreatedWithLength(subject, other, source.ToString())
                && !WrittenSymbols(model, filled.Value).Contains(other))
            {
                string gate = FreshName(subject, "gate");
                var edits = fromSource.Select(access => (access.Span, value)).Concat(others.Select(access => (access.Span, gate))).ToList();
                string lambda = Rewritten(filled.Value, edits);
                candidates.Add((filled, source, source + ".Zip(" + others[0].Expression + ", (" + value + ", " + gate + ") => (" + element + ")(" + lambda + ")).ToArray()"));
                continue;
            }

            // Select: the source's element is the lambda's value; the index stays the lambda's index where it is read otherwise.
            string selected = Rewritten(filled.Value, fromSource.Select(access => (access.Span, value)).ToList());
            string parameters = indexUses > fromSource.Count ? "(" + value + ", " + filled.Index.Name + ")" : value;
            candidates.Add((filled, source, source + ".Select(" + parameters + " => (" + element + ")(" + selected + ")).ToArray()"));
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (FilledArray chosen, _, string replacement) = candidates[random.Next(candidates.Count)];
        string type = chosen.Declaration.Declaration.Type.IsVar ? "var" : chosen.Declaration.Declaration.Type.ToString();
        int tree = subject.Trees.IndexOf(chosen.Tree);
        ImmutableArray<string> sources = Replace(subject, chosen.Tree, [(chosen.Declaration.Span, string.Empty), (chosen.Loop.Span, type + " " + chosen.Local.Name + " = " + replacement + ";")]);
        return sources.SetItem(tree, WithUsing(chosen.Tree, sources[tree], "System.Linq"));
    }

    // The expression's text with the given spans (inside it) replaced.
    private static string Rewritten(ExpressionSyntax expression, List<(TextSpan Span, string Text)> edits)
    {
        var text = new System.Text.StringBuilder(expression.ToString());
        foreach ((TextSpan span, string replacement) in edits.OrderByDescending(edit => edit.Span.Start))
        {
            text.Remove(span.Start - expression.SpanStart, span.Length).Insert(span.Start - expression.SpanStart, replacement);
        }

        return text.ToString();
    }

    // True when every assignment of the local (and its initializer) is `new U[<length>]`: Zip then pairs every element.
    private static bool OnlyCreatedWithLength(RewriteSubject subject, ILocalSymbol local, string length)
    {
        if (local.DeclaringSyntaxReferences is not [var reference] || reference.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: ArrayCreationExpressionSyntax created } declarator || !IsPlainArrayCreation(created) || Size(created) != length)
        {
            return false;
        }

        SyntaxTree tree = declarator.SyntaxTree;
        SemanticModel model = subject.Model(tree);
        SyntaxNode scope = declarator.Ancestors().OfType<BlockSyntax>().First();
        return !scope.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(assignment => SymbolEqualityComparer.Default.Equals(SymbolOf(model, assignment.Left), local))
            && !scope.DescendantNodes().OfType<ArgumentSyntax>().Any(argument => argument.RefKindKeyword.RawKind != (int)SyntaxKind.None && SymbolEqualityComparer.Default.Equals(SymbolOf(model, argument.Expression), local));
    }
}
