using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of C# source, chosen to reach the corners the toolkit's generator, analyzers and fixes must
/// survive: legal but tricky names (keywords with @, contextual keywords, names of the runtime's and the generator's
/// own types, case variants), keep probabilities at and past the supported range and behind casts, broken token
/// streams, duplicated, deleted and swapped statements, statements moved into if/foreach/using/lambda/local-function
/// bodies and pattern variables, and types duplicated under a name that differs only in case. The same seed and
/// source always give the same mutant.
/// </summary>
internal static class SourceMutator
{
    private static readonly string[] TrickyNames =
    [
        "@checked", "@class", "@event", "@this", "@operator", "var", "nameof", "value", "async", "await", "dynamic",
        "record", "file", "scoped", "global", "_", "__", "DropoutStream", "DropoutContext", "DropoutKernels", "Dropout",
        "DropoutLayer", "HiddenDropoutKernel", "Context", "Inference", "Span", "Random", "Forward", "Backward", "p", "keep",
        "\u00C4lpha", "x\u0301",
    ];

    private static readonly string[] Literals =
    [
        "0", "1", "-1", "2", "0.0", "1.0", "0.5", "0.2", "0.8", "0.3f", "0.45", "1e-39", "1e-39f", "1e-8", "1e308", "-0.0",
        "double.Epsilon", "float.Epsilon", "double.NaN", "float.NaN", "double.PositiveInfinity", "double.MaxValue",
        "5.9604644775390625E-08", "5.9604644775390618E-08", "1.0 / 16777216.0", "1.0 / (1 << 25)", "(double)0.3m",
        "(float)0.2", "(double)(Half)0.5", "(float)(1e-39)", "0.99999999999999999", "0x1", "1_0", "int.MaxValue",
        "(double)(object)0.5", "unchecked((int)1)", "0.1m", "'a'", "\"0.5\"", "default", "null",
    ];

    private static readonly LanguageVersion[] LanguageVersions =
    [
        LanguageVersion.CSharp7_3, LanguageVersion.CSharp8, LanguageVersion.CSharp9, LanguageVersion.CSharp10,
        LanguageVersion.CSharp11, LanguageVersion.CSharp12, LanguageVersion.Latest, LanguageVersion.Latest, LanguageVersion.Latest,
    ];

    private delegate string? Mutation(string source, SyntaxNode root, Random random);

    private static readonly (string Name, Mutation Apply)[] Mutations =
    [
        ("rename", RenameIdentifier),
        ("rename", RenameIdentifier),
        ("literal", ReplaceLiteral),
        ("literal", ReplaceLiteral),
        ("delete-token", DeleteToken),
        ("duplicate-token", DuplicateToken),
        ("swap-tokens", SwapTokens),
        ("delete-statement", DeleteStatement),
        ("duplicate-statement", DuplicateStatement),
        ("swap-statements", SwapStatements),
        ("wrap-statement", WrapStatement),
        ("wrap-statement", WrapStatement),
        ("pattern-receiver", BindReceiverInStatement),
        ("pattern-receiver", BindReceiverInStatement),
        ("case-twin-type", DuplicateTypeWithCaseVariantName),
        ("text-noise", TextNoise),
        ("fake-attribute", DeclareOwnDropoutAttribute),
        ("params-span", MakeSpanParameterParams),
        ("crlf", (source, _, _) => source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal)),
    ];

    /// <summary>Applies one to three mutations and picks a language version; returns the mutant and what was done.</summary>
    public static (string Source, LanguageVersion Version, string Description) Mutate(string source, Random random)
    {
        var applied = new List<string>();
        int count = random.Next(1, 4);
        for (int step = 0; step < count; step++)
        {
            (string name, Mutation apply) = Mutations[random.Next(Mutations.Length)];
            SyntaxNode root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot();
            if (apply(source, root, random) is { } mutated && mutated != source)
            {
                source = mutated;
                applied.Add(name);
            }
        }

        LanguageVersion version = LanguageVersions[random.Next(LanguageVersions.Length)];
        return (source, version, string.Join(", ", applied) + " @ " + version.ToDisplayString());
    }

    private static T? Pick<T>(IReadOnlyList<T> items, Random random) where T : class => items.Count == 0 ? null : items[random.Next(items.Count)];

    private static string Replace(string source, TextSpan span, string text) => source.Remove(span.Start, span.Length).Insert(span.Start, text);

    // Every identifier token with the chosen name gets the new one, so the program stays mostly consistent.
    private static string? RenameIdentifier(string source, SyntaxNode root, Random random)
    {
        SyntaxToken[] identifiers = root.DescendantTokens().Where(token => token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText.Length > 0).ToArray();
        if (identifiers.Length == 0)
        {
            return null;
        }

        string name = identifiers[random.Next(identifiers.Length)].ValueText;
        string newName = random.Next(4) switch
        {
            0 => char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : char.ToUpperInvariant(name[0]) + name[1..],
            1 => "@" + name,
            _ => TrickyNames[random.Next(TrickyNames.Length)],
        };
        var text = new System.Text.StringBuilder(source);
        foreach (SyntaxToken token in identifiers.Where(token => token.ValueText == name).OrderByDescending(token => token.SpanStart))
        {
            text.Remove(token.SpanStart, token.Span.Length).Insert(token.SpanStart, newName);
        }

        return text.ToString();
    }

    private static string? ReplaceLiteral(string source, SyntaxNode root, Random random)
    {
        SyntaxToken[] literals = root.DescendantTokens().Where(token => token.IsKind(SyntaxKind.NumericLiteralToken)).ToArray();
        return literals.Length == 0 ? null : Replace(source, literals[random.Next(literals.Length)].Span, Literals[random.Next(Literals.Length)]);
    }

    private static string? DeleteToken(string source, SyntaxNode root, Random random)
    {
        SyntaxToken[] tokens = root.DescendantTokens().Where(token => token.Span.Length > 0).ToArray();
        return tokens.Length == 0 ? null : Replace(source, tokens[random.Next(tokens.Length)].Span, string.Empty);
    }

    private static string? DuplicateToken(string source, SyntaxNode root, Random random)
    {
        SyntaxToken[] tokens = root.DescendantTokens().Where(token => token.Span.Length > 0).ToArray();
        if (tokens.Length == 0)
        {
            return null;
        }

        SyntaxToken token = tokens[random.Next(tokens.Length)];
        return source.Insert(token.Span.End, " " + token.Text);
    }

    private static string? SwapTokens(string source, SyntaxNode root, Random random)
    {
        SyntaxToken[] tokens = root.DescendantTokens().Where(token => token.Span.Length > 0).ToArray();
        if (tokens.Length < 2)
        {
            return null;
        }

        int first = random.Next(tokens.Length - 1);
        int second = random.Next(2) == 0 ? first + 1 : random.Next(first + 1, tokens.Length);
        (SyntaxToken a, SyntaxToken b) = (tokens[first], tokens[second]);
        return Replace(Replace(source, b.Span, a.Text), a.Span, b.Text);
    }

    private static StatementSyntax[] StatementsInBlocks(SyntaxNode root) =>
        root.DescendantNodes().OfType<StatementSyntax>().Where(statement => statement is not BlockSyntax && statement.Parent is BlockSyntax).ToArray();

    private static string? DeleteStatement(string source, SyntaxNode root, Random random) =>
        Pick(StatementsInBlocks(root), random) is { } statement ? Replace(source, statement.Span, string.Empty) : null;

    private static string? DuplicateStatement(string source, SyntaxNode root, Random random) =>
        Pick(StatementsInBlocks(root), random) is { } statement ? source.Insert(statement.Span.End, " " + statement) : null;

    private static string? SwapStatements(string source, SyntaxNode root, Random random)
    {
        StatementSyntax[] candidates = StatementsInBlocks(root).Where(statement => ((BlockSyntax)statement.Parent!).Statements.Last() != statement).ToArray();
        if (Pick(candidates, random) is not { } statement)
        {
            return null;
        }

        SyntaxList<StatementSyntax> statements = ((BlockSyntax)statement.Parent!).Statements;
        StatementSyntax next = statements[statements.IndexOf(statement) + 1];
        return Replace(Replace(source, next.Span, statement.ToString()), statement.Span, next.ToString());
    }

    // The statement moves into a body that changes the scope of what it declares.
    private static string? WrapStatement(string source, SyntaxNode root, Random random)
    {
        if (Pick(StatementsInBlocks(root), random) is not { } statement)
        {
            return null;
        }

        string body = statement.ToString();
        string wrapped = random.Next(15) switch
        {
            10 => "switch (DateTime.Now.Second) { case 0: " + body + " break; default: " + body + " break; }",
            11 => "goto fuzzSkip; fuzzSkip: " + body,
            12 => "// a comment that belongs to the statement\n#if true\n" + body + "\n#endif\n",
            13 => "checked { " + body + " }",
            14 => "for (int fuzzI = 0; fuzzI < 1; fuzzI++) " + body,
            0 => "if (DateTime.Now.Ticks > 0) " + body,
            1 => "if (DateTime.Now.Ticks > 0) { " + body + " } else { }",
            2 => "foreach (var fuzzItem in new int[1]) " + body,
            3 => "using (var fuzzStream = new System.IO.MemoryStream()) " + body,
            4 => "{ " + body + " }",
            5 => "void FuzzLocal() { " + body + " } FuzzLocal();",
            6 => "((Action)(() => { " + body + " }))();",
            7 => "lock (new object()) " + body,
            8 => "try { " + body + " } finally { }",
            _ => "fuzzLabel: " + body,
        };
        return Replace(source, statement.Span, wrapped);
    }

    // `r.M(args);` becomes a statement that declares its own variable for r (a pattern, a foreach or a switch), the
    // shapes in which a scope opened before the statement cannot see the variable.
    private static string? BindReceiverInStatement(string source, SyntaxNode root, Random random)
    {
        ExpressionStatementSyntax[] calls = root.DescendantNodes().OfType<ExpressionStatementSyntax>()
            .Where(statement => statement.Expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax } })
            .ToArray();
        if (Pick(calls, random) is not { } call)
        {
            return null;
        }

        var invocation = (InvocationExpressionSyntax)call.Expression;
        var access = (MemberAccessExpressionSyntax)invocation.Expression;
        string receiver = access.Expression.ToString();
        string rest = "." + access.Name + invocation.ArgumentList;
        string bound = random.Next(5) switch
        {
            0 => "if (" + receiver + " is var fuzzBound) fuzzBound" + rest + ";",
            1 => "if ((object)" + receiver + " is { } fuzzBound) ((dynamic)fuzzBound)" + rest + ";",
            2 => "foreach (var fuzzBound in new[] { " + receiver + " }) fuzzBound" + rest + ";",
            3 => "switch (" + receiver + ") { case var fuzzBound: fuzzBound" + rest + "; break; }",
            _ => "if (" + receiver + " is var @checked) { @checked" + rest + "; }",
        };
        return Replace(source, call.Span, bound);
    }

    // Issue 8 item 5: two types (or sites) whose names differ only in case.
    private static string? DuplicateTypeWithCaseVariantName(string source, SyntaxNode root, Random random)
    {
        TypeDeclarationSyntax[] types = root.DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(type => type.Parent is not TypeDeclarationSyntax && type.Identifier.ValueText.Length > 0)
            .ToArray();
        if (Pick(types, random) is not { } type)
        {
            return null;
        }

        string name = type.Identifier.ValueText;
        string twin = char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : char.ToUpperInvariant(name[0]) + name[1..];
        string copy = type.ToFullString();
        SyntaxNode copyRoot = CSharpSyntaxTree.ParseText(copy).GetRoot();
        foreach (SyntaxToken token in copyRoot.DescendantTokens().Where(token => token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name).OrderByDescending(token => token.SpanStart))
        {
            copy = Replace(copy, token.Span, twin);
        }

        return source.Insert(type.FullSpan.End, "\n" + copy);
    }

    // Issue 8 item 7: a user-declared Dropout.DropoutAttribute that shadows the runtime's, with another shape.
    private static string? DeclareOwnDropoutAttribute(string source, SyntaxNode root, Random random) =>
        source + (random.Next(2) == 0
            ? "\nnamespace Dropout { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(params double[] keepProbabilities) { } public int Size { get; set; } } }\n"
            : "\nnamespace Dropout { public sealed class DropoutAttribute(double keepProbability) : System.Attribute { public double KeepProbability => keepProbability; } }\n");

    // Issue 8 item 6: `params Span<float>` (C# 13 params collections) on a dropout method.
    private static string? MakeSpanParameterParams(string source, SyntaxNode root, Random random)
    {
        ParameterSyntax[] spans = root.DescendantNodes().OfType<ParameterSyntax>()
            .Where(parameter => parameter.Type?.ToString().Contains("Span<", StringComparison.Ordinal) == true && parameter.Modifiers.Count == 0)
            .ToArray();
        return Pick(spans, random) is { Type: { } type } ? source.Insert(type.SpanStart, "params ") : null;
    }

    private static string? TextNoise(string source, SyntaxNode root, Random random)
    {
        if (source.Length == 0)
        {
            return null;
        }

        int position = random.Next(source.Length);
        return random.Next(2) == 0
            ? source.Remove(position, Math.Min(random.Next(1, 12), source.Length - position))
            : source.Insert(position, "{}();.,<>=!?:[]@".Substring(random.Next(16), 1));
    }
}
