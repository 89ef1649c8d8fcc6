using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Metamorphic;

/// <summary>A program under rewrite: one or more source files (a class split into partial declarations has two).</summary>
internal sealed class RewriteSubject
{
    private static readonly ImmutableArray<MetadataReference> References = [.. Basic.Reference.Assemblies.Net80.References.All];
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public RewriteSubject(ImmutableArray<string> sources)
    {
        Sources = sources;
        Trees = sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: "/meta/File" + index + ".cs")).ToImmutableArray();
        Compilation = CSharpCompilation.Create(
            "MetamorphicCase",
            Trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    public ImmutableArray<string> Sources { get; }

    public ImmutableArray<SyntaxTree> Trees { get; }

    public CSharpCompilation Compilation { get; }

    /// <summary>The compiler's errors: a rewrite that adds one is not valid for the file and is skipped.</summary>
    public ImmutableArray<Diagnostic> Errors => Compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToImmutableArray();

    public SemanticModel Model(SyntaxTree tree) => Compilation.GetSemanticModel(tree);
}

/// <summary>
/// Issue 9, generalization: semantics-preserving rewrites in which real C# code differs from the corpus's. Each is
/// small and named; each picks its occurrences with the given <see cref="Random"/> (so a seed replays it) and returns
/// null when the file has no occurrence. A rewrite may produce code that does not compile (a name it cannot see is
/// taken, a type that does not convert); the test skips those. Each rewrite is written to keep the program's meaning on
/// the code it accepts: it refuses an occurrence whose meaning it cannot keep (a `for` whose body continues, a local
/// whose initializer draws), rather than relying on the compiler.
/// </summary>
internal static partial class CorpusRewrites
{
    public delegate ImmutableArray<string>? Apply(RewriteSubject subject, Random random);

    public sealed record Rewrite(string Name, string Description, Apply Run);

    public static readonly ImmutableArray<Rewrite> All =
    [
        new("rename", "rename a drop rate, keep probability, mask or generator to another name real code uses for the same thing", Rename),
        new("float-double", "float ↔ double throughout the file", FloatDouble),
        new("for-to-while", "a counted `for` becomes a `while` loop", ForToWhile),
        new("for-to-foreach", "a counted `for` over indices becomes `foreach` over `Enumerable.Range`", ForToForeach),
        new("compound-assignment", "`x[i] = x[i] * s` ↔ `x[i] *= s`, `x *= 1 / p` ↔ `x /= p`", CompoundAssignment),
        new("hoist-inverse", "`1 / p` hoisted into a local or a property", HoistInverse),
        new("if-to-conditional", "`if (c) a = x; else a = y;` → `a = c ? x : y;`", IfToConditional),
        new("conditional-to-if", "`a = c ? x : y;` → `if (c) a = x; else a = y;`", ConditionalToIf),
        new("conditional-to-multiply", "`c ? x : 0` → `x * (c ? 1 : 0)`", ConditionalToMultiply),
        new("extract-method", "a statement moved into a private helper method of the same class", ExtractMethod),
        new("extract-local-function", "a statement moved into a static local function", ExtractStaticLocalFunction),
        new("inline-local", "a local whose initializer has no side effect is inlined into its reads", InlineLocal),
        new("array-to-span", "an array parameter or local becomes a `Span<T>`", ArrayToSpan),
        new("array-to-list", "an array local becomes a `List<T>`", ArrayToList),
        new("expression-body", "`{ return e; }` ↔ `=> e;`", ExpressionBody),
        new("var-explicit", "`var` ↔ the explicit type", VarExplicit),
        new("split-partial", "the class split into two partial declarations in two files", SplitPartial),
        new("rng-wrapper", "draws go through a wrapper method (`double NextUniform() => rng.NextDouble();`)", RngWrapper),
        new("flip-comparison", "`u < p` ↔ `p > u` ↔ `!(u >= p)`", FlipComparison),
        new("draw-lambda", "a method's draws go through a lambda in a local (`Func<double> draw = () => rng.NextDouble();`)", DrawLambda),
        .. StructureRewrites,
        .. DataRewrites,
    ];

    // ---------------------------------------------------------------- helpers

    private static ImmutableArray<string> Replace(RewriteSubject subject, SyntaxTree tree, IEnumerable<(TextSpan Span, string Text)> edits)
    {
        string text = tree.GetText().ToString();
        var builder = new System.Text.StringBuilder(text);
        TextSpan? previous = null;
        foreach ((TextSpan span, string replacement) in edits.OrderByDescending(edit => edit.Span.Start).ThenByDescending(edit => edit.Span.End))
        {
            // Overlapping edits: keep the later one only.
            if (previous is { } earlier && span.End > earlier.Start)
            {
                continue;
            }

            builder.Remove(span.Start, span.Length).Insert(span.Start, replacement);
            previous = span;
        }

        int index = subject.Trees.IndexOf(tree);
        return subject.Sources.SetItem(index, builder.ToString());
    }

    private static ImmutableArray<string> Replace(RewriteSubject subject, SyntaxTree tree, TextSpan span, string text) =>
        Replace(subject, tree, [(span, text)]);

    private static T? Pick<T>(IReadOnlyList<T> items, Random random) where T : class => items.Count == 0 ? null : items[random.Next(items.Count)];

    // Every occurrence is taken with probability 1/2, at least one.
    private static List<T> Some<T>(IReadOnlyList<T> items, Random random)
    {
        var chosen = items.Where(_ => random.Next(2) == 0).ToList();
        if (chosen.Count == 0 && items.Count > 0)
        {
            chosen.Add(items[random.Next(items.Count)]);
        }

        return chosen;
    }

    private static IEnumerable<(SyntaxTree Tree, T Node)> Nodes<T>(RewriteSubject subject) where T : SyntaxNode =>
        subject.Trees.SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<T>().Select(node => (tree, node)));

    private static ISymbol? SymbolOf(SemanticModel model, SyntaxNode node) => model.GetSymbolInfo(node).Symbol;

    // True when the expression reads nothing but literals, names, member reads and operators: evaluating it twice, or
    // later, gives the same value as long as none of the names it reads is written in between.
    private static bool IsPure(ExpressionSyntax expression) =>
        expression.DescendantNodesAndSelf().All(node => node is LiteralExpressionSyntax or IdentifierNameSyntax or PredefinedTypeSyntax
            or MemberAccessExpressionSyntax or BinaryExpressionSyntax or ParenthesizedExpressionSyntax or CastExpressionSyntax
            or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.LogicalNotExpression }
            or ThisExpressionSyntax or QualifiedNameSyntax or GenericNameSyntax or TypeArgumentListSyntax or ArrayTypeSyntax
            or ArrayRankSpecifierSyntax or OmittedArraySizeExpressionSyntax);

    // Locals, parameters, fields and properties the expression reads.
    private static ImmutableHashSet<ISymbol> ReadSymbols(SemanticModel model, SyntaxNode node) =>
        node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Select(name => SymbolOf(model, name))
            .OfType<ISymbol>()
            .Where(symbol => symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol or IPropertySymbol)
            .ToImmutableHashSet<ISymbol>(SymbolEqualityComparer.Default);

    // Symbols written anywhere inside the node (assigned, incremented, passed by ref/out).
    private static ImmutableHashSet<ISymbol> WrittenSymbols(SemanticModel model, SyntaxNode node)
    {
        var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (SyntaxNode descendant in node.DescendantNodesAndSelf())
        {
            ExpressionSyntax? target = descendant switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix => prefix.Operand,
                PostfixUnaryExpressionSyntax postfix => postfix.Operand,
                ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None } argument => argument.Expression,
                _ => null,
            };
            if (target is not null && SymbolOf(model, target) is { } symbol)
            {
                written.Add(symbol);
            }
        }

        return written.ToImmutableHashSet<ISymbol>(SymbolEqualityComparer.Default);
    }

    private static string TypeText(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private static string FreshName(RewriteSubject subject, string stem)
    {
        var taken = subject.Trees.SelectMany(tree => tree.GetRoot().DescendantTokens()).Where(token => token.IsKind(SyntaxKind.IdentifierToken)).Select(token => token.ValueText).ToHashSet(StringComparer.Ordinal);
        string name = stem;
        for (int suffix = 2; taken.Contains(name); suffix++)
        {
            name = stem + suffix;
        }

        return name;
    }

    // ---------------------------------------------------------------- rename

    private static readonly string[][] NameFamilies =
    [
        ["rate", "dropRate", "dropoutRate", "p", "prob", "ratio", "level", "dropProbability"],
        ["keep", "keepProb", "retain", "keepProbability", "keepRate"],
        ["mask", "dropMask", "m", "bits"],
        ["rng", "random", "rand", "r"],
    ];

    // A drop rate stays a drop rate: only names that say unambiguously what they hold are renamed, within their
    // family, and only for symbols of the family's kind of type (a number, a mask collection, a generator).
    private static int FamilyOf(ISymbol symbol)
    {
        string name = symbol.Name.TrimStart('_');
        ITypeSymbol? type = symbol switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        if (type is null || name.Length == 0)
        {
            return -1;
        }

        bool numeric = type.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
        bool collection = type is IArrayTypeSymbol || type.Name is "List" or "Span" or "BitArray";
        bool generator = type.Name.Contains("Random", StringComparison.Ordinal);
        string lower = name.ToLowerInvariant();
        return lower switch
        {
            "rate" or "droprate" or "dropoutrate" or "dropprobability" or "dropoutprobability" when numeric => 0,
            "keep" or "keepprob" or "keepprobability" or "retain" or "keeprate" when numeric => 1,
            "mask" or "dropmask" or "dropoutmask" or "bits" when collection => 2,
            "rng" or "random" or "rand" or "randomgenerator" when generator => 3,
            _ => -1,
        };
    }

    private static ImmutableArray<string>? Rename(RewriteSubject subject, Random random)
    {
        var candidates = new List<(ISymbol Symbol, int Family)>();
        foreach (SyntaxTree tree in subject.Trees)
        {
            SemanticModel model = subject.Model(tree);
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes().Where(node => node is VariableDeclaratorSyntax or ParameterSyntax or PropertyDeclarationSyntax))
            {
                if (model.GetDeclaredSymbol(node) is { } symbol && FamilyOf(symbol) is var family and >= 0 && !candidates.Any(candidate => SymbolEqualityComparer.Default.Equals(candidate.Symbol, symbol)))
                {
                    candidates.Add((symbol, family));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (ISymbol target, int chosenFamily) = candidates[random.Next(candidates.Count)];
        string[] others = NameFamilies[chosenFamily].Where(name => !string.Equals(name, target.Name.TrimStart('_'), StringComparison.OrdinalIgnoreCase)).ToArray();
        string stem = others[random.Next(others.Length)];
        string prefix = target.Name.StartsWith('_') ? "_" : string.Empty;
        if (char.IsUpper(target.Name.TrimStart('_')[0]))
        {
            stem = char.ToUpperInvariant(stem[0]) + stem[1..];
        }

        string newName = FreshName(subject, prefix + stem);
        ImmutableArray<string> sources = subject.Sources;
        foreach (SyntaxTree tree in subject.Trees)
        {
            SemanticModel model = subject.Model(tree);
            var edits = new List<(TextSpan, string)>();
            foreach (SyntaxToken token in tree.GetRoot().DescendantTokens().Where(token => token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == target.Name))
            {
                SyntaxNode? parent = token.Parent;
                ISymbol? symbol = parent is null ? null : model.GetDeclaredSymbol(parent) ?? SymbolOf(model, parent);
                if (symbol is not null && SymbolEqualityComparer.Default.Equals(symbol.OriginalDefinition, target.OriginalDefinition))
                {
                    edits.Add((token.Span, newName));
                }
            }

            if (edits.Count > 0)
            {
                sources = sources.SetItem(subject.Trees.IndexOf(tree), Replace(subject, tree, edits)[subject.Trees.IndexOf(tree)]);
            }
        }

        return sources;
    }

    // ---------------------------------------------------------------- float ↔ double

    private static ImmutableArray<string>? FloatDouble(RewriteSubject subject, Random random)
    {
        bool toDouble = random.Next(2) == 0;
        SyntaxTree tree = subject.Trees[random.Next(subject.Trees.Length)];
        var edits = new List<(TextSpan, string)>();
        foreach (SyntaxToken token in tree.GetRoot().DescendantTokens())
        {
            if (toDouble)
            {
                if (token.IsKind(SyntaxKind.FloatKeyword))
                {
                    edits.Add((token.Span, "double"));
                }
                else if (token.IsKind(SyntaxKind.NumericLiteralToken) && token.Text.EndsWith("f", StringComparison.OrdinalIgnoreCase) && !token.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    string digits = token.Text[..^1];
                    edits.Add((token.Span, digits.Contains('.', StringComparison.Ordinal) || digits.Contains('e', StringComparison.OrdinalIgnoreCase) ? digits : digits + ".0"));
                }
                else if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText is "NextSingle")
                {
                    edits.Add((token.Span, "NextDouble"));
                }
                else if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "MathF")
                {
                    edits.Add((token.Span, "Math"));
                }
            }
            else
            {
                if (token.IsKind(SyntaxKind.DoubleKeyword))
                {
                    edits.Add((token.Span, "float"));
                }
                else if (token.IsKind(SyntaxKind.NumericLiteralToken) && token.Value is double && !token.Text.EndsWith("d", StringComparison.OrdinalIgnoreCase))
                {
                    edits.Add((token.Span, token.Text + "f"));
                }
                else if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "NextDouble" && token.Parent?.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax })
                {
                    edits.Add((token.Span, "NextSingle"));
                }
                else if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "Math" && token.Parent?.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Sqrt" or "Exp" or "Log" or "Max" or "Min" or "Abs" or "Tanh" or "Pow" or "Round" or "Floor" })
                {
                    edits.Add((token.Span, "MathF"));
                }
            }
        }

        return edits.Count == 0 ? null : Replace(subject, tree, edits);
    }

    // ---------------------------------------------------------------- loops

    private static bool ContinuesItself(StatementSyntax body) =>
        body.DescendantNodesAndSelf(node => node is not (ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax) || node == body)
            .OfType<ContinueStatementSyntax>().Any();

    private static ImmutableArray<string>? ForToWhile(RewriteSubject subject, Random random)
    {
        // `continue` would skip the incrementors, so such a loop is not rewritten.
        var loops = Nodes<ForStatementSyntax>(subject).Where(pair => pair.Node.Condition is not null && !ContinuesItself(pair.Node.Statement)).ToList();
        if (loops.Count == 0)
        {
            return null;
        }

        (SyntaxTree tree, ForStatementSyntax loop) = loops[random.Next(loops.Count)];

        string initializer = loop.Declaration is { } declaration ? declaration + ";" : string.Join(" ", loop.Initializers.Select(initializerExpression => initializerExpression + ";"));
        string incrementors = string.Join(" ", loop.Incrementors.Select(incrementor => incrementor + ";"));
        string body = loop.Statement is BlockSyntax block ? string.Join("\n", block.Statements) : loop.Statement.ToString();
        return Replace(subject, tree, loop.Span, "{ " + initializer + "\nwhile (" + loop.Condition + ")\n{\n{\n" + body + "\n}\n" + incrementors + "\n}\n}");
    }

    private static ImmutableArray<string>? ForToForeach(RewriteSubject subject, Random random)
    {
        var loops = new List<(SyntaxTree, ForStatementSyntax, string)>();
        foreach ((SyntaxTree tree, ForStatementSyntax loop) in Nodes<ForStatementSyntax>(subject))
        {
            // for (int i = a; i < n; i++) with i never written in the body, and n not written in it.
            if (loop is { Declaration: { Variables: [{ Initializer: { } start } variable] }, Condition: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression, Left: IdentifierNameSyntax index, Right: { } bound }, Incrementors: [PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax] }
                && loop.Declaration.Type.ToString() is "int" or "var"
                && index.Identifier.ValueText == variable.Identifier.ValueText
                && loop.Incrementors[0].ToString().Replace(" ", "", StringComparison.Ordinal) is var increment && (increment == index + "++" || increment == "++" + index))
            {
                SemanticModel model = subject.Model(tree);
                ImmutableHashSet<ISymbol> written = WrittenSymbols(model, loop.Statement);
                if (SymbolOf(model, index) is { } indexSymbol && !written.Contains(indexSymbol) && IsPure(bound) && !ReadSymbols(model, bound).Any(written.Contains) && IsPure(start.Value))
                {
                    loops.Add((tree, loop, "foreach (int " + index + " in System.Linq.Enumerable.Range(" + start.Value + ", (" + bound + ") - (" + start.Value + ")))"));
                }
            }
        }

        if (loops.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, ForStatementSyntax chosen, string header) = loops[random.Next(loops.Count)];
        return Replace(subject, chosenTree, TextSpan.FromBounds(chosen.SpanStart, chosen.Statement.SpanStart), header + "\n");
    }

    // ---------------------------------------------------------------- assignments

    private static ImmutableArray<string>? CompoundAssignment(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree Tree, TextSpan Span, string Text)>();
        foreach ((SyntaxTree tree, AssignmentExpressionSyntax assignment) in Nodes<AssignmentExpressionSyntax>(subject))
        {
            SemanticModel model = subject.Model(tree);
            bool floating = model.GetTypeInfo(assignment.Left).Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
            if (!floating || assignment.Parent is not ExpressionStatementSyntax || !IsPure(assignment.Left) && assignment.Left is not ElementAccessExpressionSyntax)
            {
                continue;
            }

            string left = assignment.Left.ToString();
            switch (assignment)
            {
                // x = x * s → x *= s (also / + -)
                case { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: BinaryExpressionSyntax binary }
                    when binary.Left.ToString() == left && binary.Kind() is SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
                    edits.Add((tree, assignment.Span, left + " " + binary.OperatorToken.Text + "= " + binary.Right));
                    break;
                // x *= 1 / p → x /= p
                case { RawKind: (int)SyntaxKind.MultiplyAssignmentExpression, Right: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.DivideExpression, Left: LiteralExpressionSyntax one } inverse }
                    when one.Token.Value is 1 or 1.0 or 1f && model.GetTypeInfo(inverse).Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single:
                    edits.Add((tree, assignment.Span, left + " /= " + inverse.Right));
                    break;
                // x /= p → x *= 1 / p, or x = x / p
                case { RawKind: (int)SyntaxKind.DivideAssignmentExpression }
                    when model.GetTypeInfo(assignment.Right).Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single:
                    edits.Add((tree, assignment.Span, random.Next(2) == 0 ? left + " *= 1 / (" + assignment.Right + ")" : left + " = " + left + " / (" + assignment.Right + ")"));
                    break;
                // x *= s → x = x * s
                case { RawKind: (int)SyntaxKind.MultiplyAssignmentExpression }:
                    edits.Add((tree, assignment.Span, left + " = " + left + " * (" + assignment.Right + ")"));
                    break;
            }
        }

        List<(SyntaxTree Tree, TextSpan Span, string Text)> chosen = Some(edits, random);
        if (chosen.Count == 0)
        {
            return null;
        }

        SyntaxTree target = chosen[0].Tree;
        return Replace(subject, target, chosen.Where(edit => edit.Tree == target).Select(edit => (edit.Span, edit.Text)));
    }

    // `1 / p` (p floating, read-only in the method) hoisted into a local at the top of the method, or into a property
    // when it reads only fields and properties.
    private static ImmutableArray<string>? HoistInverse(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, BinaryExpressionSyntax Inverse, BaseMethodDeclarationSyntax Method, bool MembersOnly)>();
        foreach ((SyntaxTree tree, BinaryExpressionSyntax division) in Nodes<BinaryExpressionSyntax>(subject))
        {
            if (division.Kind() != SyntaxKind.DivideExpression || division.Left is not LiteralExpressionSyntax { Token.Value: 1 or 1.0 or 1f } || !IsPure(division.Right))
            {
                continue;
            }

            SemanticModel model = subject.Model(tree);
            if (model.GetTypeInfo(division).Type?.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single)
                || division.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is not { Body: { } body } method
                || division.Ancestors().Any(ancestor => ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                continue;
            }

            ImmutableHashSet<ISymbol> reads = ReadSymbols(model, division.Right);
            if (reads.Any(WrittenSymbols(model, body).Contains) || reads.Any(symbol => symbol is ILocalSymbol))
            {
                continue;
            }

            bool membersOnly = reads.All(symbol => symbol is IFieldSymbol or IPropertySymbol) && method is not ConstructorDeclarationSyntax;
            candidates.Add((tree, division, method, membersOnly));
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, BinaryExpressionSyntax inverse, BaseMethodDeclarationSyntax chosenMethod, bool members) = candidates[random.Next(candidates.Count)];
        string type = TypeText(subject.Model(chosenTree).GetTypeInfo(inverse).Type!);
        if (members && random.Next(2) == 0)
        {
            string property = FreshName(subject, "ScaleFactor");
            bool isStatic = chosenMethod.Modifiers.Any(SyntaxKind.StaticKeyword);
            return Replace(subject, chosenTree, [
                (inverse.Span, property),
                (new TextSpan(chosenMethod.SpanStart, 0), "private " + (isStatic ? "static " : "") + type + " " + property + " => " + inverse + ";\n"),
            ]);
        }

        string local = FreshName(subject, "factor");
        return Replace(subject, chosenTree, [
            (inverse.Span, local),
            (new TextSpan(chosenMethod.Body!.OpenBraceToken.Span.End, 0), "\n" + type + " " + local + " = " + inverse + ";"),
        ]);
    }

    // ---------------------------------------------------------------- if ↔ ?: ↔ multiply

    private static ImmutableArray<string>? IfToConditional(RewriteSubject subject, Random random)
    {
        static ExpressionStatementSyntax? Single(StatementSyntax statement) => statement switch
        {
            ExpressionStatementSyntax expression => expression,
            BlockSyntax { Statements: [ExpressionStatementSyntax expression] } => expression,
            _ => null,
        };

        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach ((SyntaxTree tree, IfStatementSyntax statement) in Nodes<IfStatementSyntax>(subject))
        {
            if (Single(statement.Statement) is { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } whenTrue }
                && statement.Else is { Statement: var elseStatement } && Single(elseStatement) is { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } whenFalse }
                && whenTrue.Left.ToString() == whenFalse.Left.ToString()
                && (IsPure(whenTrue.Left) || whenTrue.Left is ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax } access && access.ArgumentList.Arguments.All(argument => IsPure(argument.Expression))))
            {
                edits.Add((tree, statement.Span, whenTrue.Left + " = (" + statement.Condition + ") ? " + whenTrue.Right + " : " + whenFalse.Right + ";"));
            }
        }

        return Choose(subject, edits, random);
    }

    private static ImmutableArray<string>? Choose(RewriteSubject subject, List<(SyntaxTree Tree, TextSpan Span, string Text)> edits, Random random)
    {
        if (edits.Count == 0)
        {
            return null;
        }

        (SyntaxTree tree, TextSpan span, string text) = edits[random.Next(edits.Count)];
        return Replace(subject, tree, span, text);
    }

    private static ImmutableArray<string>? ConditionalToIf(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach ((SyntaxTree tree, ExpressionStatementSyntax statement) in Nodes<ExpressionStatementSyntax>(subject))
        {
            if (statement.Expression is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: ConditionalExpressionSyntax conditional } assignment
                && (IsPure(assignment.Left) || assignment.Left is ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax } access && access.ArgumentList.Arguments.All(argument => IsPure(argument.Expression)))
                && statement.Parent is BlockSyntax)
            {
                edits.Add((tree, statement.Span, "if (" + conditional.Condition + ") { " + assignment.Left + " = " + conditional.WhenTrue + "; } else { " + assignment.Left + " = " + conditional.WhenFalse + "; }"));
            }
        }

        return Choose(subject, edits, random);
    }

    private static ImmutableArray<string>? ConditionalToMultiply(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach ((SyntaxTree tree, ConditionalExpressionSyntax conditional) in Nodes<ConditionalExpressionSyntax>(subject))
        {
            SemanticModel model = subject.Model(tree);
            ITypeSymbol? type = model.GetTypeInfo(conditional).Type;
            if (type?.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
            {
                continue;
            }

            string one = type.SpecialType == SpecialType.System_Single ? "1f" : "1.0";
            string zero = type.SpecialType == SpecialType.System_Single ? "0f" : "0.0";
            static bool IsZero(ExpressionSyntax expression) =>
                Unparenthesized(expression) is LiteralExpressionSyntax { Token.Value: 0 or 0.0 or 0f or 0.0m } or CastExpressionSyntax { Expression: LiteralExpressionSyntax { Token.Value: 0 or 0.0 or 0f } };
            if (IsZero(conditional.WhenFalse))
            {
                edits.Add((tree, conditional.Span, "(" + conditional.WhenTrue + ") * ((" + conditional.Condition + ") ? " + one + " : " + zero + ")"));
            }
            else if (IsZero(conditional.WhenTrue))
            {
                edits.Add((tree, conditional.Span, "(" + conditional.WhenFalse + ") * ((" + conditional.Condition + ") ? " + zero + " : " + one + ")"));
            }
        }

        return Choose(subject, edits, random);
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression) =>
        expression is ParenthesizedExpressionSyntax parenthesized ? Unparenthesized(parenthesized.Expression) : expression;

    // ---------------------------------------------------------------- extraction

    private static ImmutableArray<string>? ExtractMethod(RewriteSubject subject, Random random) => Extract(subject, random, localFunction: false);

    private static ImmutableArray<string>? ExtractStaticLocalFunction(RewriteSubject subject, Random random) => Extract(subject, random, localFunction: true);

    // A statement of a method body moves into a helper whose parameters are the locals and parameters it uses (by ref
    // when it writes them). Statements that leave (return, break, continue, yield, goto) or declare what later
    // statements read are not moved. Statements that draw are preferred: they are where the model must follow a call.
    private static ImmutableArray<string>? Extract(RewriteSubject subject, Random random, bool localFunction)
    {
        var candidates = new List<(SyntaxTree Tree, StatementSyntax Statement, bool Draws)>();
        foreach ((SyntaxTree tree, StatementSyntax statement) in Nodes<StatementSyntax>(subject))
        {
            if (statement is BlockSyntax or LocalDeclarationStatementSyntax or LocalFunctionStatementSyntax or LabeledStatementSyntax
                || statement.Parent is not BlockSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BlockSyntax or ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or IfStatementSyntax or ElseClauseSyntax }
                || statement.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is not { } enclosing || enclosing is ConstructorDeclarationSyntax
                || statement.Ancestors().Any(ancestor => ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
                || statement.DescendantNodesAndSelf().Any(node => node is ReturnStatementSyntax or YieldStatementSyntax or GotoStatementSyntax or ThrowStatementSyntax)
                || statement.DescendantNodesAndSelf(node => node is not (ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax or SwitchStatementSyntax) || node == statement)
                    .Any(node => node is BreakStatementSyntax or ContinueStatementSyntax))
            {
                continue;
            }

            bool draws = statement.DescendantTokens().Any(token => token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText.StartsWith("Next", StringComparison.Ordinal));
            candidates.Add((tree, statement, draws));
        }

        List<(SyntaxTree Tree, StatementSyntax Statement, bool Draws)> preferred = candidates.Where(candidate => candidate.Draws).ToList();
        if (preferred.Count == 0)
        {
            preferred = candidates;
        }

        if (preferred.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, StatementSyntax chosen, bool _) = preferred[random.Next(preferred.Count)];
        SemanticModel model = subject.Model(chosenTree);
        DataFlowAnalysis flow = model.AnalyzeDataFlow(chosen)!;
        if (!flow.Succeeded || flow.VariablesDeclared.Any(variable => flow.ReadOutside.Contains(variable) || flow.WrittenOutside.Contains(variable)))
        {
            return null;
        }

        var usedOutside = flow.ReadInside.Concat(flow.WrittenInside).Where(symbol => !flow.VariablesDeclared.Contains(symbol)).Distinct(SymbolEqualityComparer.Default).ToList();
        if (usedOutside.Any(symbol => symbol is IParameterSymbol { IsThis: true }) && localFunction)
        {
            return null;
        }

        var parameters = new List<string>();
        var arguments = new List<string>();
        foreach (ISymbol symbol in usedOutside)
        {
            if (symbol is IParameterSymbol { IsThis: true })
            {
                continue;
            }

            ITypeSymbol? type = symbol switch { ILocalSymbol local => local.Type, IParameterSymbol parameter => parameter.Type, _ => null };
            if (type is null)
            {
                return null;
            }

            // A ref local aliases an element (`ref float v = ref span[i]; v = ...` writes the span): the helper must get the
            // alias, not a copy of its value, or the write would be lost. A read-only alias is not moved.
            if (symbol is ILocalSymbol { RefKind: RefKind.RefReadOnly })
            {
                return null;
            }

            bool byRef = flow.WrittenInside.Contains(symbol) || symbol is ILocalSymbol { IsRef: true };
            parameters.Add((byRef ? "ref " : "") + TypeText(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)) + " " + symbol.Name);
            arguments.Add((byRef ? "ref " : "") + symbol.Name);
        }

        BaseMethodDeclarationSyntax method = chosen.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>()!;
        bool isStatic = method.Modifiers.Any(SyntaxKind.StaticKeyword);
        string name = FreshName(subject, localFunction ? "ApplyLocal" : "ApplyStep");
        string call = name + "(" + string.Join(", ", arguments) + ");";
        string declaration = (localFunction ? "static " : "private " + (isStatic ? "static " : "")) + "void " + name + "(" + string.Join(", ", parameters) + ")\n{\n" + chosen + "\n}\n";
        if (localFunction)
        {
            return Replace(subject, chosenTree, chosen.Span, call + "\n" + declaration);
        }

        return Replace(subject, chosenTree, [(chosen.Span, call), (new TextSpan(method.FullSpan.End, 0), "\n" + declaration)]);
    }

    // A local read-only after its declaration, whose initializer has no side effect and reads nothing written in the
    // method, is replaced by its initializer at each read.
    private static ImmutableArray<string>? InlineLocal(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree Tree, LocalDeclarationStatementSyntax Declaration, VariableDeclaratorSyntax Variable)>();
        foreach ((SyntaxTree tree, LocalDeclarationStatementSyntax declaration) in Nodes<LocalDeclarationStatementSyntax>(subject))
        {
            if (declaration.Declaration.Variables is not [{ Initializer.Value: { } value } variable] || !IsPure(value) || declaration.Parent is not BlockSyntax block
                || declaration.UsingKeyword.IsKind(SyntaxKind.UsingKeyword) || declaration.IsConst)
            {
                continue;
            }

            SemanticModel model = subject.Model(tree);
            ISymbol? local = model.GetDeclaredSymbol(variable);
            ImmutableHashSet<ISymbol> written = WrittenSymbols(model, block);
            if (local is null || written.Contains(local) || ReadSymbols(model, value).Any(written.Contains) || model.GetTypeInfo(value).Type is not { } valueType
                || !SymbolEqualityComparer.Default.Equals(valueType, ((ILocalSymbol)local).Type))
            {
                continue;
            }

            candidates.Add((tree, declaration, variable));
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, LocalDeclarationStatementSyntax chosen, VariableDeclaratorSyntax chosenVariable) = candidates[random.Next(candidates.Count)];
        SemanticModel chosenModel = subject.Model(chosenTree);
        ISymbol symbol = chosenModel.GetDeclaredSymbol(chosenVariable)!;
        var edits = new List<(TextSpan, string)> { (chosen.Span, string.Empty) };
        foreach (IdentifierNameSyntax name in ((BlockSyntax)chosen.Parent!).DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (SymbolEqualityComparer.Default.Equals(SymbolOf(chosenModel, name), symbol))
            {
                edits.Add((name.Span, "(" + chosenVariable.Initializer!.Value + ")"));
            }
        }

        return Replace(subject, chosenTree, edits);
    }

    // ---------------------------------------------------------------- collections

    private static ImmutableArray<string>? ArrayToSpan(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach ((SyntaxTree tree, ParameterSyntax parameter) in Nodes<ParameterSyntax>(subject))
        {
            if (parameter is { Type: ArrayTypeSyntax { RankSpecifiers: [{ Rank: 1 }] } array, Modifiers.Count: 0 } && parameter.Parent?.Parent is MethodDeclarationSyntax)
            {
                edits.Add((tree, array.Span, "Span<" + array.ElementType + ">"));
            }
        }

        foreach ((SyntaxTree tree, LocalDeclarationStatementSyntax declaration) in Nodes<LocalDeclarationStatementSyntax>(subject))
        {
            if (declaration.Declaration is { Variables: [{ Initializer.Value: ArrayCreationExpressionSyntax { Type: { RankSpecifiers: [{ Rank: 1 }] } created } }] })
            {
                edits.Add((tree, declaration.Declaration.Type.Span, "Span<" + created.ElementType + ">"));
            }
        }

        return Choose(subject, edits, random);
    }

    private static ImmutableArray<string>? ArrayToList(RewriteSubject subject, Random random)
    {
        var candidates = new List<(SyntaxTree, LocalDeclarationStatementSyntax, VariableDeclaratorSyntax, ArrayCreationExpressionSyntax)>();
        foreach ((SyntaxTree tree, LocalDeclarationStatementSyntax declaration) in Nodes<LocalDeclarationStatementSyntax>(subject))
        {
            if (declaration.Declaration is { Variables: [{ Initializer.Value: ArrayCreationExpressionSyntax { Type.RankSpecifiers: [{ Rank: 1 }] } created } variable] })
            {
                candidates.Add((tree, declaration, variable, created));
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, LocalDeclarationStatementSyntax chosen, VariableDeclaratorSyntax chosenVariable, ArrayCreationExpressionSyntax creation) = candidates[random.Next(candidates.Count)];
        SemanticModel model = subject.Model(chosenTree);
        ISymbol local = model.GetDeclaredSymbol(chosenVariable)!;
        string element = creation.Type.ElementType.ToString();
        var edits = new List<(TextSpan, string)>
        {
            (chosen.Declaration.Type.Span, "List<" + element + ">"),
            (creation.Span, "new List<" + element + ">(" + creation + ")"),
        };
        foreach (MemberAccessExpressionSyntax access in chosen.Parent!.DescendantNodes().OfType<MemberAccessExpressionSyntax>())
        {
            if (access.Name.Identifier.ValueText == "Length" && SymbolEqualityComparer.Default.Equals(SymbolOf(model, access.Expression), local))
            {
                edits.Add((access.Name.Span, "Count"));
            }
        }

        return Replace(subject, chosenTree, edits);
    }

    // ---------------------------------------------------------------- members

    private static ImmutableArray<string>? ExpressionBody(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree, TextSpan, string)>();
        foreach ((SyntaxTree tree, MethodDeclarationSyntax method) in Nodes<MethodDeclarationSyntax>(subject))
        {
            if (method.Body is { Statements: [ReturnStatementSyntax { Expression: { } returned }] } body)
            {
                edits.Add((tree, body.Span, "=> " + returned + ";"));
            }
            else if (method.Body is { Statements: [ExpressionStatementSyntax { Expression: InvocationExpressionSyntax or AssignmentExpressionSyntax } only] } voidBody && method.ReturnType.ToString() == "void")
            {
                edits.Add((tree, voidBody.Span, "=> " + only.Expression + ";"));
            }
            else if (method.ExpressionBody is { } arrow)
            {
                string statement = method.ReturnType.ToString() == "void" ? arrow.Expression + ";" : "return " + arrow.Expression + ";";
                edits.Add((tree, TextSpan.FromBounds(arrow.SpanStart, method.SemicolonToken.Span.End), "{ " + statement + " }"));
            }
        }

        return Choose(subject, edits, random);
    }

    private static ImmutableArray<string>? VarExplicit(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree Tree, TextSpan Span, string Text)>();
        foreach ((SyntaxTree tree, VariableDeclarationSyntax declaration) in Nodes<VariableDeclarationSyntax>(subject))
        {
            if (declaration.Parent is not (LocalDeclarationStatementSyntax or ForStatementSyntax) || declaration.Variables is not [{ Initializer.Value: { } value }])
            {
                continue;
            }

            SemanticModel model = subject.Model(tree);
            ITypeSymbol? type = model.GetTypeInfo(declaration.Type).Type;
            if (type is null || type is IErrorTypeSymbol || type.IsAnonymousType)
            {
                continue;
            }

            if (declaration.Type.IsVar)
            {
                edits.Add((tree, declaration.Type.Span, type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            }
            else if (value is not (LiteralExpressionSyntax or ImplicitObjectCreationExpressionSyntax or LambdaExpressionSyntax or InitializerExpressionSyntax or CollectionExpressionSyntax)
                && SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(value).Type, type))
            {
                edits.Add((tree, declaration.Type.Span, "var"));
            }
        }

        List<(SyntaxTree Tree, TextSpan Span, string Text)> chosen = Some(edits, random);
        if (chosen.Count == 0)
        {
            return null;
        }

        SyntaxTree target = chosen[0].Tree;
        return Replace(subject, target, chosen.Where(edit => edit.Tree == target).Select(edit => (edit.Span, edit.Text)));
    }

    // The class (a top-level one with two or more members) becomes partial; its members after a random cut move into a
    // second partial declaration in a second file with the same usings.
    private static ImmutableArray<string>? SplitPartial(RewriteSubject subject, Random random)
    {
        if (subject.Trees.Length > 1)
        {
            return null;
        }

        SyntaxTree tree = subject.Trees[0];
        var classes = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Where(type => type.Parent is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax && type.Members.Count >= 2)
            .ToList();
        if (Pick(classes, random) is not { } type)
        {
            return null;
        }

        int cut = random.Next(1, type.Members.Count);
        MemberDeclarationSyntax[] moved = type.Members.Skip(cut).ToArray();
        var root = (CompilationUnitSyntax)tree.GetRoot();
        string usings = string.Join("\n", root.Usings.Select(directive => directive.ToString()));
        string modifiers = string.Join(" ", type.Modifiers.Where(modifier => !modifier.IsKind(SyntaxKind.SealedKeyword) && !modifier.IsKind(SyntaxKind.AbstractKeyword) && !modifier.IsKind(SyntaxKind.PartialKeyword)).Select(modifier => modifier.Text));
        string second = usings + "\n" + (type.Parent is BaseNamespaceDeclarationSyntax ns ? "namespace " + ns.Name + " {\n" : string.Empty)
            + modifiers + " partial class " + type.Identifier + type.TypeParameterList + "\n{\n" + string.Join("\n", moved.Select(member => member.ToFullString())) + "\n}\n"
            + (type.Parent is BaseNamespaceDeclarationSyntax ? "}\n" : string.Empty);
        var edits = new List<(TextSpan, string)>
        {
            (TextSpan.FromBounds(moved[0].FullSpan.Start, moved[^1].FullSpan.End), string.Empty),
            (new TextSpan(type.Keyword.SpanStart, 0), type.Modifiers.Any(SyntaxKind.PartialKeyword) ? string.Empty : "partial "),
        };
        return Replace(subject, tree, edits).Add(second);
    }

    // Every `g.NextDouble()`/`g.NextSingle()` on a generator field of the class goes through a wrapper method.
    private static ImmutableArray<string>? RngWrapper(RewriteSubject subject, Random random)
    {
        var draws = new List<(SyntaxTree Tree, InvocationExpressionSyntax Draw, IFieldSymbol Generator, TypeDeclarationSyntax Type, bool Static)>();
        foreach ((SyntaxTree tree, InvocationExpressionSyntax invocation) in Nodes<InvocationExpressionSyntax>(subject))
        {
            SemanticModel model = subject.Model(tree);
            if (invocation is { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "NextDouble" or "NextSingle" } access, ArgumentList.Arguments.Count: 0 }
                && SymbolOf(model, access.Expression) is IFieldSymbol generator
                && invocation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type
                && SymbolEqualityComparer.Default.Equals(generator.ContainingType, model.GetDeclaredSymbol(type)))
            {
                draws.Add((tree, invocation, generator, type, generator.IsStatic));
            }
        }

        if (draws.Count == 0)
        {
            return null;
        }

        (SyntaxTree _, InvocationExpressionSyntax _, IFieldSymbol chosenGenerator, TypeDeclarationSyntax _, bool isStatic) = draws[random.Next(draws.Count)];
        var mine = draws.Where(draw => SymbolEqualityComparer.Default.Equals(draw.Generator, chosenGenerator)).ToList();
        SyntaxTree target = mine[0].Tree;
        TypeDeclarationSyntax owner = mine[0].Type;
        bool single = mine.Any(draw => ((MemberAccessExpressionSyntax)draw.Draw.Expression).Name.Identifier.ValueText == "NextSingle");
        string name = FreshName(subject, "NextUniform");
        string wrappers = "\nprivate " + (isStatic ? "static " : "") + "double " + name + "() => " + chosenGenerator.Name + ".NextDouble();\n"
            + (single ? "private " + (isStatic ? "static " : "") + "float " + name + "Single() => " + chosenGenerator.Name + ".NextSingle();\n" : string.Empty);
        var edits = mine.Where(draw => draw.Tree == target)
            .Select(draw => (draw.Draw.Span, ((MemberAccessExpressionSyntax)draw.Draw.Expression).Name.Identifier.ValueText == "NextSingle" ? name + "Single()" : name + "()"))
            .Append((new TextSpan(owner.OpenBraceToken.Span.End, 0), wrappers));
        return Replace(subject, target, edits);
    }

    private static ImmutableArray<string>? FlipComparison(RewriteSubject subject, Random random)
    {
        var edits = new List<(SyntaxTree Tree, TextSpan Span, string Text)>();
        foreach ((SyntaxTree tree, BinaryExpressionSyntax comparison) in Nodes<BinaryExpressionSyntax>(subject))
        {
            string? flipped = comparison.Kind() switch
            {
                SyntaxKind.LessThanExpression => ">",
                SyntaxKind.GreaterThanExpression => "<",
                SyntaxKind.LessThanOrEqualExpression => ">=",
                SyntaxKind.GreaterThanOrEqualExpression => "<=",
                _ => null,
            };
            string? negated = comparison.Kind() switch
            {
                SyntaxKind.LessThanExpression => ">=",
                SyntaxKind.GreaterThanExpression => "<=",
                SyntaxKind.LessThanOrEqualExpression => ">",
                SyntaxKind.GreaterThanOrEqualExpression => "<",
                _ => null,
            };
            // Only comparisons of floating values: `!(a >= b)` equals `a < b` for them except for NaN, which no draw is,
            // and loop bounds are left alone.
            SemanticModel model = subject.Model(tree);
            if (flipped is null || comparison.Parent is ForStatementSyntax
                || model.GetTypeInfo(comparison.Left).ConvertedType?.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
            {
                continue;
            }

            edits.Add((tree, comparison.Span, random.Next(2) == 0
                ? "(" + comparison.Right + " " + flipped + " " + comparison.Left + ")"
                : "!(" + comparison.Left + " " + negated + " " + comparison.Right + ")"));
        }

        List<(SyntaxTree Tree, TextSpan Span, string Text)> chosen = Some(edits, random);
        if (chosen.Count == 0)
        {
            return null;
        }

        SyntaxTree target = chosen[0].Tree;
        return Replace(subject, target, chosen.Where(edit => edit.Tree == target).Select(edit => (edit.Span, edit.Text)));
    }

    // Every `g.NextDouble()`/`g.NextSingle()` of one method (on one generator, outside nested functions) goes through a
    // lambda held in a local declared first in the method: the same generator is drawn in the same order.
    private static ImmutableArray<string>? DrawLambda(RewriteSubject subject, Random random)
    {
        var draws = new List<(SyntaxTree Tree, InvocationExpressionSyntax Draw, BaseMethodDeclarationSyntax Method, string Generator, string Kind)>();
        foreach ((SyntaxTree tree, InvocationExpressionSyntax invocation) in Nodes<InvocationExpressionSyntax>(subject))
        {
            if (invocation is { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "NextDouble" or "NextSingle" } access, ArgumentList.Arguments.Count: 0 }
                && IsPure(access.Expression)
                && subject.Model(tree).GetTypeInfo(access.Expression).Type?.Name == "Random"
                && invocation.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is { Body: not null } method
                && !invocation.Ancestors().Any(ancestor => ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                draws.Add((tree, invocation, method, access.Expression.ToString(), access.Name.Identifier.ValueText));
            }
        }

        if (draws.Count == 0)
        {
            return null;
        }

        (SyntaxTree chosenTree, InvocationExpressionSyntax _, BaseMethodDeclarationSyntax chosenMethod, string generator, string _) = draws[random.Next(draws.Count)];
        var mine = draws.Where(draw => draw.Tree == chosenTree && draw.Method == chosenMethod && draw.Generator == generator).ToList();
        // The generator expression must mean the same thing at the top of the method (a field, not a local declared later).
        SemanticModel model = subject.Model(chosenTree);
        if (mine.Any(draw => SymbolOf(model, ((MemberAccessExpressionSyntax)draw.Draw.Expression).Expression) is ILocalSymbol))
        {
            return null;
        }

        var edits = new List<(TextSpan, string)>();
        var declarations = new System.Text.StringBuilder();
        foreach (string kind in mine.Select(draw => draw.Kind).Distinct(StringComparer.Ordinal))
        {
            string name = FreshName(subject, kind == "NextSingle" ? "drawSingle" : "draw");
            declarations.Append("\nSystem.Func<" + (kind == "NextSingle" ? "float" : "double") + "> " + name + " = () => " + generator + "." + kind + "();");
            edits.AddRange(mine.Where(draw => draw.Kind == kind).Select(draw => (draw.Draw.Span, name + "()")));
        }

        edits.Add((new TextSpan(chosenMethod.Body!.OpenBraceToken.Span.End, 0), declarations.ToString()));
        return Replace(subject, chosenTree, edits);
    }
}
