using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Analyzers;

/// <summary>
/// The prefilter of the hand-written dropout model: the one place that decides, from syntax alone, which declarations the
/// model reads. Every hand-written rule asks it before any operation tree of a type is read, so it must cost almost nothing
/// on the code it rejects, which is most code.
/// </summary>
/// <remarks>
/// <para>
/// <b>Random words.</b> An identifier token (not a comment, not a string) that starts with <c>Next</c> (Next, NextDouble,
/// NextSingle, NextBool, ...) or contains <c>rand</c>, <c>rng</c>, <c>uniform</c>, <c>bernoulli</c> or <c>binomial</c> in any
/// case (Random, _rng, rand_like, Uniform, Bernoulli, SampleBinomial, randoms, ...). They are found once per syntax tree by a
/// plain search of its text, each occurrence confirmed with <c>FindToken</c>: walking every token of every type instead built
/// the red nodes of the whole compilation and was most of the analyzers' time on a large compilation. A numeric literal
/// 2^24, 2^31, 2^32 or 2^53 written in decimal (<c>16777216f</c>, <c>4294967296.0</c>) is indexed with them: it is the divisor
/// that makes a uniform of hash bits in GPU-style kernels, which draw without a generator.
/// </para>
/// <para>
/// <b>Helpers</b> (<see cref="NamesRandomness"/>): a method is worth summarizing as a draw or mask helper when it names a
/// random word (or holds a 2^k literal) anywhere (<c>double Draw() =&gt; _rng.NextDouble();</c> decides nothing itself).
/// </para>
/// <para>
/// <b>Types</b> (<see cref="MayDraw"/>): dropout decides, per element, between a value and zero, so a type is analyzed only
/// when a random word in it reaches a decision. Starting from each random word and climbing its expression, it admits:
/// <list type="bullet">
/// <item>a Bernoulli or Binomial draw, or a boolean draw (<c>Bernoulli(p)</c>, <c>SampleBinomial</c>, <c>NextBool()</c>, <c>RandomBool()</c>);</item>
/// <item>a comparison with a draw: <c>&lt; &gt; &lt;= &gt;= == !=</c> (not with <c>null</c>), a relational pattern (<c>is &lt; 0.5</c>), or a
///   comparison method (<c>.lt(p)</c>, <c>gt</c>, <c>le</c>, <c>ge</c>, <c>LessThan</c>, <c>GreaterThan</c>, <c>CompareTo</c>);</item>
/// <item>a draw used as the condition of a <c>?:</c>, <c>if</c>, <c>while</c>, <c>do</c> or <c>for</c>;</item>
/// <item>any of these reached through up to three names: a local or field initialized or assigned with a draw
///   (<c>var r = rng.NextDouble(); if (r &lt; p)</c>), a buffer whose elements are assigned draws and compared later in any
///   member (<c>u[i] = rng.NextDouble()</c> ... <c>u[i] &lt; p</c>), or a method or property returning a draw
///   (<c>double Draw() =&gt; _rng.NextDouble();</c> ... <c>Draw() &lt; p</c>).</item>
/// </list>
/// The climb goes through casts, parentheses, member access, calls that take the draw as an argument
/// (<c>Math.Abs(u)</c>), lambdas, conditional access and arithmetic with a literal or a <c>const</c> field of the enclosing type (<c>1.0 - rng.NextDouble()</c>, <c>rand() / RAND_MAX</c>,
/// <c>rng.NextDouble() * 100</c>). It stops, admitting nothing, at arithmetic with another variable
/// (<c>std * Gaussian(rng)</c>: weight initialization), at a generator passed to a call or constructor
/// (<c>new Layer(n, m, random)</c>, <c>Gaussian(random)</c>) unless the call is to a method of the same file whose own
/// body passes this test (a mask helper: <c>Matrix.ZeroOnes(x, keep, rng)</c>), at an index (<c>order[rng.Next(n)]</c>), at
/// <c>.Length</c>/<c>.Count</c>, at a statement that discards the value (<c>random.Shuffle(order)</c>), and at a
/// <c>switch</c>. So a type that only shuffles, samples an index or initializes weights is never read.
/// </para>
/// <para>
/// <b>Decisions without a comparison of the draw</b>, admitted as well (the shapes the model recognizes):
/// <list type="bullet">
/// <item>a 0/1 integer coin, <c>rng.Next(2)</c> or <c>rng.Next(0, 2)</c> (kept through parentheses, casts and a coin array
///   <c>mask[i]</c>), that multiplies a variable: <c>h[i] *= rng.Next(2)</c>, <c>h[i] * mask[i]</c>. Arithmetic with a literal
///   ends the coin (<c>rng.Next(2) * 2 - 1</c> is a sign);</item>
/// <item>a draw passed to a comparison method: <c>ops.LessThan(u, keep)</c> (generic math);</item>
/// <item>exact-count dropout, where the decision is on the index: an element assigned zero (<c>h[order[k]] = 0</c>, or a
///   <c>?:</c> with a zero branch) at an index that is a draw, or an entry of a permutation: an array indexed by a draw
///   (the swap of Fisher–Yates) or a name holding a draw (<c>OrderBy(_ =&gt; rng.Next()).ToArray()</c>). A permutation's
///   other uses (reading, copying, <c>.Length</c>) admit nothing;</item>
/// <item>a uniform of hash bits: a 2^k literal as the divisor (<c>(h &amp; 0xFFFFFF) / 16777216f</c>) or inside a constant
///   factor (<c>bits * (1.0 / 9007199254740992.0)</c>); the division or product is then climbed as a draw. A literal
///   that divides nothing (<c>const long Max = 4294967296</c>) starts nothing.</item>
/// <item>a kernel fed uniforms by its launcher: a call named with <c>uniform</c> whose value is discarded (it fills its
///   argument: <c>rng.FillUniform(stream, Mask.View)</c>), followed in the same block by a launch of a delegate (a field or
///   local, not a method of this file) that is passed the same argument (<c>_kernel(n, inputs, Mask.View)</c>): the kernel
///   stored in the delegate compares the buffer. Filling weights and handing them to a method (<c>Normalize(w)</c>) or
///   filling a buffer nobody launches admits nothing.</item>
/// <item>a mask filled with uniforms by a call on it: a call named for random numbers with exactly the literal bounds 0 and
///   1, whose value is discarded (<c>mask.InitialiseRandom(0.0f, 1.0f)</c>), followed in the same block by a comparison of
///   an element of that receiver or of its member (<c>mask.values[i, j, 0] &gt; chance</c>). Another range
///   (<c>w.Randomize(-1f, 1f)</c>) or a fill whose elements are only read admits nothing.</item>
/// </list>
/// </para>
/// <para>
/// <b>Compilations</b> (<see cref="AnyTypeMayDraw"/>): when no type of the compilation passes, the hand-written rules
/// register nothing for it, so most code gets no callback per type from them.
/// </para>
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    // Text fragments whose occurrence may make an identifier a random word; IsRandomWord decides on the whole token.
    private static readonly string[] RandomWordFragments = ["Next", "rand", "rng", "uniform", "bernoulli", "binomial"];

    // 2^24, 2^31, 2^32 and 2^53 written in decimal: the divisors that turn hash or generator bits into a uniform in [0, 1)
    // (GPU-style kernels draw without a generator object). IsUniformDivisor confirms the literal's value.
    private static readonly string[] UniformDivisorFragments = ["16777216", "2147483648", "4294967296", "9007199254740992"];

    // Names of methods that compare element-wise (TorchSharp's lt/gt/le/ge, System.Numerics.Tensors' LessThan, ...).
    private static readonly HashSet<string> ComparisonMethodNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "lt", "gt", "le", "ge", "lt_", "gt_", "le_", "ge_", "less", "greater", "less_equal", "greater_equal", "LessThan", "GreaterThan",
        "LessThanOrEqual", "GreaterThanOrEqual", "LessThanAll", "GreaterThanAll", "LessThanAny", "GreaterThanAny", "CompareTo",
    };

    // How many names a draw may flow through (draw -> wrapper -> local -> comparison) before the search gives up.
    private const int MaxNameHops = 3;

    private static readonly ConditionalWeakTable<SyntaxTree, TreeIndex> Trees = new();

    // Asked by a dozen analyzers at compilation start at once: computed by one of them, the others wait (not all scanning).
    private static readonly OncePerCompilation<bool> CompilationsWithCandidates = new();

    /// <summary>Whether any type declaration of the compilation passes <see cref="MayDraw(SyntaxNode, CancellationToken)"/>; when none does, the hand-written rules register nothing for the compilation (no callback per type).</summary>
    public static bool AnyTypeMayDraw(Compilation compilation, CancellationToken cancellationToken) =>
        CompilationsWithCandidates.Get(compilation, SearchCandidates, cancellationToken);

    /// <summary>Whether any declaration of <paramref name="type"/> (every part of a partial type) may draw a dropout mask; the per-type gate of the summaries joined at compilation end.</summary>
    public static bool MayDraw(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(reference => MayDraw(reference.SyntaxTree, reference.Span, cancellationToken));

    private static bool SearchCandidates(Compilation compilation, CancellationToken cancellationToken)
    {
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            TreeIndex index = Trees.GetValue(tree, TreeIndex.Create);
            if (index.AnyTypeDecides(cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a method or other declaration names a random word (see the remarks of the type); enough to be worth summarizing as a draw helper.</summary>
    public static bool NamesRandomness(SyntaxNode declaration) => Trees.GetValue(declaration.SyntaxTree, TreeIndex.Create).AnyWordIn(declaration.Span);

    /// <summary>Whether the declaration at <paramref name="span"/> of <paramref name="tree"/> names a random word (asked with a symbol's declaring reference, without looking up its node).</summary>
    public static bool NamesRandomness(SyntaxTree tree, TextSpan span) => Trees.GetValue(tree, TreeIndex.Create).AnyWordIn(span);

    /// <summary>Whether a type declaration may hold hand-written dropout: a random word in it reaches a decision (see the remarks of the type).</summary>
    public static bool MayDraw(SyntaxNode declaration, CancellationToken cancellationToken = default) =>
        MayDraw(declaration.SyntaxTree, declaration.Span, cancellationToken);

    /// <summary>Whether the type declared at <paramref name="span"/> of <paramref name="tree"/> may hold hand-written dropout (asked with a symbol's declaring reference, so that the declaration's node is not looked up for the many types that name no random word).</summary>
    public static bool MayDraw(SyntaxTree tree, TextSpan span, CancellationToken cancellationToken = default)
    {
        TreeIndex index = Trees.GetValue(tree, TreeIndex.Create);
        return index.AnyWordIn(span) && index.Decides(span, cancellationToken);
    }

    private static bool IsRandomWord(string name) =>
        name.StartsWith("Next", StringComparison.Ordinal)
        || name.IndexOf("rand", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("rng", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("bernoulli", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("binomial", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool IsUniformDivisor(SyntaxToken token) =>
        token.IsKind(SyntaxKind.NumericLiteralToken) && token.Value is { } number
        && ProbabilityScaling.ToDouble(number) is 16777216d or 2147483648d or 4294967296d or 9007199254740992d;

    // A draw that is itself a 0/1 or true/false decision.
    private static bool IsDecidingDrawWord(string name) =>
        name.IndexOf("bernoulli", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("binomial", StringComparison.OrdinalIgnoreCase) >= 0
        || name.StartsWith("NextBool", StringComparison.Ordinal)
        || name.IndexOf("RandomBool", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// Whether the text of <paramref name="tree"/> contains <paramref name="word"/> (ordinal), from the text the prefilter
    /// already holds: a cheap test before a file of the compilation is parsed for calls of a named method.
    /// </summary>
    public static bool TextNames(SyntaxTree tree, string word) => Trees.GetValue(tree, TreeIndex.Create).TextContains(word);

    /// <summary>The random words of one syntax tree and the answers already given for its declarations.</summary>
    private sealed class TreeIndex
    {
        private readonly SyntaxTree _tree;
        private readonly string _text;
        private readonly int[] _positions;
        // Keyed by the declaration's start (no two type declarations of a tree start at the same position); int keys and a
        // list rather than TextSpan keys and a SortedSet keep the generic instantiations to those the runtime ships compiled.
        private readonly ConcurrentDictionary<int, bool> _decides = new();

        private TreeIndex(SyntaxTree tree, string text, int[] positions)
        {
            _tree = tree;
            _text = text;
            _positions = positions;
        }

        public bool TextContains(string word) => _text.IndexOf(word, StringComparison.Ordinal) >= 0;

        public static TreeIndex Create(SyntaxTree tree)
        {
            string text = tree.GetText().ToString();
            SyntaxNode? root = null;
            var positions = new List<int>();
            foreach (string fragment in RandomWordFragments)
            {
                StringComparison comparison = fragment == "Next" ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
                for (int at = text.IndexOf(fragment, comparison); at >= 0; at = text.IndexOf(fragment, at + fragment.Length, comparison))
                {
                    root ??= tree.GetRoot();
                    SyntaxToken token = root.FindToken(at);
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.Span.Contains(at) && IsRandomWord(token.ValueText))
                    {
                        positions.Add(token.SpanStart);
                    }
                }
            }

            foreach (string fragment in UniformDivisorFragments)
            {
                for (int at = text.IndexOf(fragment, StringComparison.Ordinal); at >= 0; at = text.IndexOf(fragment, at + fragment.Length, StringComparison.Ordinal))
                {
                    root ??= tree.GetRoot();
                    SyntaxToken token = root.FindToken(at);
                    if (token.SpanStart == at && IsUniformDivisor(token))
                    {
                        positions.Add(token.SpanStart);
                    }
                }
            }

            positions.Sort();
            return new TreeIndex(tree, text, positions.Distinct().ToArray());
        }

        // Whether a type declaration around one of the tree's random words passes the decision test.
        public bool AnyTypeDecides(CancellationToken cancellationToken)
        {
            if (_positions.Length == 0)
            {
                return false;
            }

            SyntaxNode root = _tree.GetRoot(cancellationToken);
            var asked = new HashSet<int>();
            foreach (int position in _positions)
            {
                for (SyntaxNode? node = root.FindToken(position).Parent; node is not null; node = node.Parent)
                {
                    if (node is TypeDeclarationSyntax type && asked.Add(type.SpanStart) && Decides(type.Span, cancellationToken))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public bool AnyWordIn(TextSpan span)
        {
            int first = FirstWordAtOrAfter(span.Start);
            return first < _positions.Length && _positions[first] < span.End;
        }

        public bool Decides(TextSpan span, CancellationToken cancellationToken)
        {
            if (!_decides.TryGetValue(span.Start, out bool decides))
            {
                decides = Search(span, followHelpers: true, cancellationToken);
                _decides.TryAdd(span.Start, decides);
            }

            return decides;
        }

        private int FirstWordAtOrAfter(int position)
        {
            int index = Array.BinarySearch(_positions, position);
            return index < 0 ? ~index : index;
        }

        private bool Search(TextSpan span, bool followHelpers, CancellationToken cancellationToken)
        {
            SyntaxNode root = _tree.GetRoot(cancellationToken);
            var pending = new List<(SyntaxToken Token, Held Held)>();
            for (int i = FirstWordAtOrAfter(span.Start); i < _positions.Length && _positions[i] < span.End; i++)
            {
                pending.Add((root.FindToken(_positions[i]), Held.Draw));
            }

            // Keyed by kind and name as one string (no tuple instantiation, as for the index above).
            var tainted = new HashSet<string>(StringComparer.Ordinal);
            for (int hop = 0; hop <= MaxNameHops && pending.Count > 0; hop++)
            {
                var sinks = new List<(string Name, Held Held)>();
                foreach ((SyntaxToken token, Held held) in pending)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (hop == 0 && IsDecidingDrawWord(token.ValueText) && token.Parent is SimpleNameSyntax)
                    {
                        return true;
                    }

                    bool decides = held == Held.Permutation
                        ? ClimbPermutation(token) || (EntryOfNamedArray(token) is { } entry
                            && entry.ArgumentList.Arguments.Count == 1 && EntryMultiplies(entry, sinks))
                        : held == Held.PermutationEntry
                        ? token.Parent is IdentifierNameSyntax entryName && EntryMultiplies(entryName, sinks: null)
                        : token.IsKind(SyntaxKind.NumericLiteralToken)
                            ? UniformFromBits(token) is { } uniform && Climb(uniform, coin: false, sinks, followHelpers, cancellationToken)
                            : token.Parent is SimpleNameSyntax name && Climb(name, held == Held.Coin, sinks, followHelpers, cancellationToken);
                    if (decides)
                    {
                        return true;
                    }
                }

                pending.Clear();
                foreach ((string name, Held held) in sinks)
                {
                    if (tainted.Add((char)('0' + (int)held) + name))
                    {
                        AddUses(root, name, held, span, pending);
                    }
                }
            }

            return false;
        }

        // Every identifier token spelling `name` in the span: a plain text search, confirmed token by token.
        private void AddUses(SyntaxNode root, string name, Held held, TextSpan span, List<(SyntaxToken, Held)> uses)
        {
            // A missing identifier of broken code (`buffer[i] ] = draw`) has an empty name, which the text search would
            // find at the same position forever.
            if (name.Length == 0)
            {
                return;
            }

            for (int at = _text.IndexOf(name, span.Start, span.Length, StringComparison.Ordinal); at >= 0 && at + name.Length <= span.End;
                 at = at + name.Length < span.End ? _text.IndexOf(name, at + name.Length, span.End - at - name.Length, StringComparison.Ordinal) : -1)
            {
                SyntaxToken token = root.FindToken(at);
                if (token.SpanStart == at && token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name && token.Parent is SimpleNameSyntax)
                {
                    uses.Add((token, held));
                }
            }
        }

        // Climbs from a random word (or a name holding a draw) through the expression that uses it. True when the value
        // reaches a decision; otherwise adds the names it is stored in (a local, a field, an array, a returning member).
        // `coin` says the value is a 0/1 integer draw (rng.Next(2)), which decides as soon as it multiplies an activation.
        private bool Climb(ExpressionSyntax start, bool coin, List<(string Name, Held Held)> sinks, bool followHelpers, CancellationToken cancellationToken)
        {
            SyntaxNode current = start;
            // Set once the draw is the key of an OrderBy: what the climb then reaches is a permutation as well as a draw.
            bool ordered = false;
            while (current.Parent is { } parent)
            {
                // Only parentheses, casts and an element of a coin array (mask[i]) keep a coin a coin (rng.Next(2) * 2 - 1 is a
                // sign, not a 0/1 factor).
                bool keepsCoin = parent is ParenthesizedExpressionSyntax or CastExpressionSyntax
                    || parent is ElementAccessExpressionSyntax coins && coins.Expression == current;
                switch (parent)
                {
                    case BinaryExpressionSyntax binary when IsComparison(binary.Kind()):
                        return !binary.Left.IsKind(SyntaxKind.NullLiteralExpression) && !binary.Right.IsKind(SyntaxKind.NullLiteralExpression);
                    case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) || binary.IsKind(SyntaxKind.DivideExpression)
                        || binary.IsKind(SyntaxKind.AddExpression) || binary.IsKind(SyntaxKind.SubtractExpression):
                        // 1.0 - u or u * 100 is still a draw; std * Gaussian(rng) is a weight, not a decision; h * rng.Next(2)
                        // keeps or zeroes h.
                        if (!IsLiteral(binary.Left == current ? binary.Right : binary.Left))
                        {
                            return coin && binary.IsKind(SyntaxKind.MultiplyExpression);
                        }

                        break;
                    case IsPatternExpressionSyntax:
                        return true;
                    case ConditionalExpressionSyntax conditional:
                        if (conditional.Condition == current)
                        {
                            return true;
                        }

                        break;
                    case IfStatementSyntax ifStatement:
                        return ifStatement.Condition == current;
                    case WhileStatementSyntax whileStatement:
                        return whileStatement.Condition == current;
                    case DoStatementSyntax doStatement:
                        return doStatement.Condition == current;
                    case ForStatementSyntax forStatement:
                        return forStatement.Condition == current;
                    case MemberAccessExpressionSyntax access when access.Expression == current
                        && access.Name.Identifier.ValueText is "Length" or "Count" or "LongLength" or "Rank":
                        return false;
                    case MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax map } access when access.Expression == current
                        && access.Name.Identifier.ValueText is "Map" or "MapInplace" or "MapInPlace" or "Apply" or "ApplyInPlace" or "Transform"
                        && map.ArgumentList.Arguments.FirstOrDefault()?.Expression is SimpleLambdaExpressionSyntax { Body: ExpressionSyntax mapped } mapLambda
                        && mapped.DescendantNodesAndSelf().OfType<BinaryExpressionSyntax>().Any(comparison => IsComparison(comparison.Kind())
                            && (IsParameterNamed(comparison.Left, mapLambda.Parameter) || IsParameterNamed(comparison.Right, mapLambda.Parameter))):
                        // Mask.MapInplace(x => x > keep ? 0 : 1) over a matrix of draws compares each draw.
                        return true;
                    case InvocationExpressionSyntax invocation when invocation.Expression is MemberAccessExpressionSyntax { Name: var method }
                        && ComparisonMethodNames.Contains(method.Identifier.ValueText)
                        && (invocation.Expression == current || invocation.ArgumentList.Arguments.Any(argument => argument == current)):
                        return true;
                    case ArgumentSyntax argument:
                        // A generator handed to a call or constructor (Gaussian(random), new Layer(n, random)) is not a draw; a
                        // draw handed to a call (Math.Abs(u), Where(u < p, ...)) goes on into the call's value.
                        if (argument.Parent is TupleExpressionSyntax)
                        {
                            break;
                        }

                        if (argument.Parent is BracketedArgumentListSyntax { Parent: ElementAccessExpressionSyntax element })
                        {
                            // An index (order[rng.Next(n)]) picks an element; it decides nothing about its value, unless the
                            // element it picks is zeroed (exact-count dropout) or the indexed array is a permutation.
                            return IndexDecides(element, sinks);
                        }

                        if (argument.Parent is not ArgumentListSyntax { Parent: InvocationExpressionSyntax call })
                        {
                            return false;
                        }

                        if (InvokedName(call) is { } invoked && ComparisonMethodNames.Contains(invoked))
                        {
                            // A comparison called with the draw as an argument (ops.LessThan(u, keep)), as generic math writes it.
                            return true;
                        }

                        if (IsGenerator(argument.Expression) && call.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var shuffleName, Expression: var shuffledReceiver }
                            && string.Equals(shuffleName, "Shuffle", StringComparison.OrdinalIgnoreCase))
                        {
                            // mask.shuffle(rng) (a ported SliceRandom::shuffle, an extension method) permutes its receiver with
                            // the generator: the receiver is a permutation, as rng.Shuffle(mask)'s argument is.
                            AddAssignedNames(shuffledReceiver, Held.Permutation, sinks);
                            return false;
                        }

                        if (IsGenerator(argument.Expression))
                        {
                            // Unless the call is to a helper of this file that decides with it (Matrix.ZeroOnes(x, keep, rng)).
                            return followHelpers && CallsDecidingHelper(call, cancellationToken);
                        }

                        ordered |= argument.Expression is LambdaExpressionSyntax && InvokedName(call) is "OrderBy" or "OrderByDescending";
                        break;
                    case ArgumentListSyntax:
                        break;
                    case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax:
                        return false;
                    case BracketedArgumentListSyntax:
                        return false;
                    case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }:
                        sinks.Add((declarator.Identifier.ValueText, coin ? Held.Coin : Held.Draw));
                        if (ordered)
                        {
                            sinks.Add((declarator.Identifier.ValueText, Held.Permutation));
                        }

                        return false;
                    case AssignmentExpressionSyntax assignment:
                        if (assignment.Right == current)
                        {
                            if (coin && assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression))
                            {
                                // hidden[i] *= rng.Next(2): a 0/1 factor.
                                return true;
                            }

                            AddAssignedNames(assignment.Left, coin ? Held.Coin : Held.Draw, sinks);
                            if (ordered)
                            {
                                AddAssignedNames(assignment.Left, Held.Permutation, sinks);
                            }
                        }

                        return false;
                    case ArrowExpressionClauseSyntax arrow:
                        AddMemberName(arrow.Parent, sinks);
                        return false;
                    case ReturnStatementSyntax returnStatement:
                        if (returnStatement.FirstAncestorOrSelf<SyntaxNode>(node => node is AnonymousFunctionExpressionSyntax or MemberDeclarationSyntax or LocalFunctionStatementSyntax) is AnonymousFunctionExpressionSyntax lambda)
                        {
                            // A lambda's result flows into the call that takes it (x.Select(_ => { ... return u; })).
                            current = lambda;
                            continue;
                        }

                        AddMemberName(returnStatement.FirstAncestorOrSelf<SyntaxNode>(node => node is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax), sinks);
                        return false;
                    case ExpressionSyntax:
                        break;
                    case ExpressionStatementSyntax when current is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Shuffle" } receiver } shuffle
                        && receiver.Expression.Span.Contains(start.Span):
                        // rng.Shuffle(mask) permutes its argument in place (System.Random's Shuffle): the argument is a permutation.
                        foreach (ArgumentSyntax shuffled in shuffle.ArgumentList.Arguments)
                        {
                            AddAssignedNames(shuffled.Expression, Held.Permutation, sinks);
                        }

                        return false;
                    case ExpressionStatementSyntax statement when current is InvocationExpressionSyntax fill && IsUniformFill(fill):
                        // rng.FillUniform(stream, Mask.View) fills its argument; the buffer decides only where a kernel stored
                        // as a delegate is launched with it afterwards (_kernel(n, ..., Mask.View)) and compares it there.
                        return LaunchesFilledBuffer(statement, fill, cancellationToken);
                    case ExpressionStatementSyntax statement when current is InvocationExpressionSyntax fill && IsReceiverFilledWithUnitUniforms(fill, out ExpressionSyntax? receiver):
                        // mask.InitialiseRandom(0f, 1f) fills its receiver with uniforms; they decide where a later statement
                        // of the block compares an element of that receiver (if (mask.values[i, j, 0] > rate) ...).
                        return ComparesElementOfLater(statement, receiver!);
                    default:
                        return false;
                }

                current = parent;
                coin = keepsCoin && coin || current is InvocationExpressionSyntax drawCall && IsIntegerCoin(drawCall);
            }

            return false;
        }

        // An element picked with a draw (or with an entry of a permutation): zeroing it is the decision of exact-count dropout
        // (y[order[k]] = 0, y[index[k]] = k < drop ? 0f : x[index[k]]); otherwise the indexed array is remembered as a
        // permutation (a Fisher–Yates swap a[j] with j = rng.Next(i + 1)), whose own entries may index such a zeroing.
        private static bool IndexDecides(ElementAccessExpressionSyntax element, List<(string Name, Held Held)> sinks)
        {
            if (element.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
                && assignment.Left == element && WritesZero(assignment.Right))
            {
                return true;
            }

            switch (element.Expression)
            {
                case IdentifierNameSyntax identifier:
                    sinks.Add((identifier.Identifier.ValueText, Held.Permutation));
                    break;
                case MemberAccessExpressionSyntax access:
                    sinks.Add((access.Name.Identifier.ValueText, Held.Permutation));
                    break;
            }

            return false;
        }

        // A use of a permutation decides only as the index of a zeroed element (h[order[k]] = 0).
        private static bool ClimbPermutation(SyntaxToken token) =>
            EntryOfNamedArray(token) is { } entry
            && entry.Parent is ArgumentSyntax { Parent: BracketedArgumentListSyntax { Parent: ElementAccessExpressionSyntax element } }
            && element.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
            && assignment.Left == element && WritesZero(assignment.Right);

        private static bool IsParameterNamed(ExpressionSyntax operand, ParameterSyntax parameter) =>
            operand is IdentifierNameSyntax { Identifier.ValueText: var name } && name == parameter.Identifier.ValueText;

        // The element access `name[...]` (also `this.name[...]`, `owner.name[...]`) whose collection is the token's name.
        private static ElementAccessExpressionSyntax? EntryOfNamedArray(SyntaxToken token)
        {
            if (token.Parent is not IdentifierNameSyntax name)
            {
                return null;
            }

            ExpressionSyntax collection = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
            return collection.Parent is ElementAccessExpressionSyntax entry && entry.Expression == collection ? entry : null;
        }

        // An entry of a permutation used as a number (a shuffled 0/1 mask of exact-count dropout): it decides only as a
        // factor of a variable, or as the condition of an `if` or of a `?:` with a zero branch (a shuffled boolean mask) (`x[i] * keeps[i]`, `h[i] *= keeps[i]`), also through a local holding it (`var k = keeps[j];`
        // ... `x[i] * k`). Compared, summed or used as an index it decides nothing here (a sampled datum, `data[rng.Next(n)]`).
        private static bool EntryMultiplies(ExpressionSyntax entry, List<(string Name, Held Held)>? sinks)
        {
            SyntaxNode current = entry;
            while (current.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax || current.Parent.IsKind(SyntaxKind.LogicalNotExpression))
            {
                current = current.Parent;
            }

            switch (current.Parent)
            {
                // A shuffled boolean mask: `mask[i] ? x[i] : 0`, `if (!mask[i]) h[i] = 0;`.
                case ConditionalExpressionSyntax conditional when conditional.Condition == current:
                    return WritesZero(conditional.WhenTrue) || WritesZero(conditional.WhenFalse);
                case IfStatementSyntax ifStatement when ifStatement.Condition == current:
                    return true;
                case BinaryExpressionSyntax product when product.IsKind(SyntaxKind.MultiplyExpression):
                    return !IsLiteral(product.Left == current ? product.Right : product.Left);
                case AssignmentExpressionSyntax compound when compound.IsKind(SyntaxKind.MultiplyAssignmentExpression):
                    return compound.Right == current;
                case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } when sinks is not null:
                    sinks.Add((declarator.Identifier.ValueText, Held.PermutationEntry));
                    return false;
                default:
                    return false;
            }
        }

        // 0, 0f, 0.0 or a ?: with such a branch.
        private static bool WritesZero(ExpressionSyntax value) => value switch
        {
            LiteralExpressionSyntax { Token.Value: { } number } => ProbabilityScaling.ToDouble(number) is 0d,
            ParenthesizedExpressionSyntax parenthesized => WritesZero(parenthesized.Expression),
            CastExpressionSyntax cast => WritesZero(cast.Expression),
            ConditionalExpressionSyntax conditional => WritesZero(conditional.WhenTrue) || WritesZero(conditional.WhenFalse),
            _ => false,
        };

        // The uniform made from bits by a 2^k literal: (h & 0xFFFFFF) / 16777216f, or bits * (1f / 16777216f).
        private static ExpressionSyntax? UniformFromBits(SyntaxToken literal)
        {
            if (literal.Parent is not LiteralExpressionSyntax node)
            {
                return null;
            }

            ExpressionSyntax current = node;
            while (current.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax
                   || current.Parent is BinaryExpressionSyntax constant && IsLiteral(constant.Left == current ? constant.Right : constant.Left))
            {
                current = (ExpressionSyntax)current.Parent;
            }

            return current.Parent switch
            {
                BinaryExpressionSyntax divide when divide.IsKind(SyntaxKind.DivideExpression) && divide.Right == current => divide,
                BinaryExpressionSyntax multiply when multiply.IsKind(SyntaxKind.MultiplyExpression) => multiply,
                _ => null,
            };
        }

        // `mask.InitialiseRandom(0.0f, 1.0f)`: a call on a receiver, named for random numbers, with exactly the literal bounds 0
        // and 1 (the model confirms the values and the receiver).
        private static bool IsReceiverFilledWithUnitUniforms(InvocationExpressionSyntax invocation, out ExpressionSyntax? receiver)
        {
            receiver = (invocation.Expression as MemberAccessExpressionSyntax)?.Expression;
            string? name = InvokedName(invocation);
            return receiver is not null && name is not null
                && (name.IndexOf("rand", StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) >= 0)
                && invocation.ArgumentList.Arguments.Count == 2
                && invocation.ArgumentList.Arguments[0].Expression is LiteralExpressionSyntax { Token.Value: var low } && ProbabilityScaling.ToDouble(low) == 0
                && invocation.ArgumentList.Arguments[1].Expression is LiteralExpressionSyntax { Token.Value: var high } && ProbabilityScaling.ToDouble(high) == 1;
        }

        // A later statement of the same block compares (<, >, <=, >=) an element of the receiver or of one of its members.
        private static bool ComparesElementOfLater(ExpressionStatementSyntax fillStatement, ExpressionSyntax receiver)
        {
            if (fillStatement.Parent is not BlockSyntax block)
            {
                return false;
            }

            string owner = receiver.ToString();
            bool after = false;
            foreach (StatementSyntax statement in block.Statements)
            {
                if (statement == fillStatement)
                {
                    after = true;
                    continue;
                }

                if (after && statement.DescendantNodesAndSelf().OfType<BinaryExpressionSyntax>().Any(comparison =>
                        comparison.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.GreaterThanExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.GreaterThanOrEqualExpression
                        && (IsElementOf(comparison.Left, owner) || IsElementOf(comparison.Right, owner))))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsElementOf(ExpressionSyntax operand, string owner) =>
            operand is ElementAccessExpressionSyntax element
            && (element.Expression.ToString() == owner || element.Expression is MemberAccessExpressionSyntax { Expression: var holder } && holder.ToString() == owner);

        // A call whose value is discarded and whose name fills with uniforms (FillUniform, GenerateUniform, curandGenerateUniform).
        private static bool IsUniformFill(InvocationExpressionSyntax invocation) =>
            InvokedName(invocation) is { } name && name.IndexOf("uniform", StringComparison.OrdinalIgnoreCase) >= 0
            && invocation.ArgumentList.Arguments.Count > 0;

        // A later statement of the same block that launches a delegate (a field or local, not a method of this tree) with one
        // of the filled arguments: the launched kernel is where the uniforms are compared (ILGPU's FillUniform then launch).
        private bool LaunchesFilledBuffer(ExpressionStatementSyntax fillStatement, InvocationExpressionSyntax fill, CancellationToken cancellationToken)
        {
            if (fillStatement.Parent is not BlockSyntax block)
            {
                return false;
            }

            bool after = false;
            foreach (StatementSyntax statement in block.Statements)
            {
                if (statement == fillStatement)
                {
                    after = true;
                    continue;
                }

                if (!after)
                {
                    continue;
                }

                foreach (InvocationExpressionSyntax launch in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string? delegateName = launch.Expression switch
                    {
                        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
                        _ => null,
                    };
                    if (delegateName is not null
                        && launch.ArgumentList.Arguments.Any(launched => fill.ArgumentList.Arguments.Any(filled =>
                            filled.Expression is not LiteralExpressionSyntax && launched.Expression.IsEquivalentTo(filled.Expression)))
                        && !DeclaresMethod(delegateName, cancellationToken))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // Whether this tree declares a method or local function of that name (a call to it is not a delegate launch).
        private bool DeclaresMethod(string name, CancellationToken cancellationToken)
        {
            SyntaxNode root = _tree.GetRoot(cancellationToken);
            for (int at = _text.IndexOf(name, StringComparison.Ordinal); at >= 0; at = _text.IndexOf(name, at + name.Length, StringComparison.Ordinal))
            {
                SyntaxToken token = root.FindToken(at);
                if (token.SpanStart == at && token.ValueText == name && token.Parent is MethodDeclarationSyntax or LocalFunctionStatementSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        // rng.Next(2) or rng.Next(0, 2): a 0/1 integer.
        private static bool IsIntegerCoin(InvocationExpressionSyntax invocation) =>
            invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Next" }
            && invocation.ArgumentList.Arguments is var arguments
            && (arguments.Count == 1 && IsInteger(arguments[0].Expression, 2) || arguments.Count == 2 && IsInteger(arguments[0].Expression, 0) && IsInteger(arguments[1].Expression, 2));

        private static bool IsInteger(ExpressionSyntax expression, int value) =>
            expression is LiteralExpressionSyntax { Token.Value: int number } && number == value;

        private static string? InvokedName(InvocationExpressionSyntax call) => call.Expression switch
        {
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => null,
        };

        // A method of this tree, named as the call names it, whose own body decides with a draw (one level: its own helpers are not followed).
        private bool CallsDecidingHelper(InvocationExpressionSyntax call, CancellationToken cancellationToken)
        {
            string? name = InvokedName(call);
            if (name is null)
            {
                return false;
            }

            SyntaxNode root = _tree.GetRoot(cancellationToken);
            for (int at = _text.IndexOf(name, StringComparison.Ordinal); at >= 0; at = _text.IndexOf(name, at + name.Length, StringComparison.Ordinal))
            {
                SyntaxToken token = root.FindToken(at);
                if (token.SpanStart == at && token.Parent is MethodDeclarationSyntax or LocalFunctionStatementSyntax && token.ValueText == name
                    && AnyWordIn(token.Parent.Span) && Search(token.Parent.Span, followHelpers: false, cancellationToken))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsComparison(SyntaxKind kind) => kind is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression
            or SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression or SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression;

        private static bool IsLiteral(ExpressionSyntax expression) => expression switch
        {
            LiteralExpressionSyntax => true,
            ParenthesizedExpressionSyntax parenthesized => IsLiteral(parenthesized.Expression),
            CastExpressionSyntax cast => IsLiteral(cast.Expression),
            PrefixUnaryExpressionSyntax unary => IsLiteral(unary.Operand),
            // `rng.Next() / (float)int.MaxValue` (C's `rand() / (float)RAND_MAX`): a built-in type's limit is a constant.
            MemberAccessExpressionSyntax { Expression: PredefinedTypeSyntax, Name.Identifier.ValueText: "MaxValue" } => true,
            // `rand() / RAND_MAX` with `const float RAND_MAX = int.MaxValue;` in the type: a named constant is a literal.
            IdentifierNameSyntax name => IsConstantOfEnclosingType(name),
            _ => false,
        };

        private static bool IsConstantOfEnclosingType(IdentifierNameSyntax name)
        {
            string text = name.Identifier.ValueText;
            TypeDeclarationSyntax? type = name.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            return type is not null && type.Members.OfType<FieldDeclarationSyntax>().Any(field => field.Modifiers.Any(SyntaxKind.ConstKeyword)
                && field.Declaration.Variables.Any(variable => variable.Identifier.ValueText == text));
        }

        // The generator object itself (random, _rng, this.rng), as opposed to a draw from it (rng.NextDouble(), u[i]).
        private static bool IsGenerator(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax => true,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } => true,
            _ => false,
        };

        private static void AddAssignedNames(ExpressionSyntax target, Held held, List<(string Name, Held Held)> sinks)
        {
            switch (target)
            {
                case IdentifierNameSyntax identifier:
                    sinks.Add((identifier.Identifier.ValueText, held));
                    break;
                case MemberAccessExpressionSyntax access:
                    sinks.Add((access.Name.Identifier.ValueText, held));
                    break;
                case ElementAccessExpressionSyntax element:
                    AddAssignedNames(element.Expression, held, sinks);
                    break;
                case TupleExpressionSyntax tuple:
                    foreach (ArgumentSyntax argument in tuple.Arguments)
                    {
                        AddAssignedNames(argument.Expression, held, sinks);
                    }

                    break;
                case ParenthesizedExpressionSyntax parenthesized:
                    AddAssignedNames(parenthesized.Expression, held, sinks);
                    break;
            }
        }

        private static void AddMemberName(SyntaxNode? member, List<(string Name, Held Held)> sinks)
        {
            string? name = member switch
            {
                MethodDeclarationSyntax method => method.Identifier.ValueText,
                PropertyDeclarationSyntax property => property.Identifier.ValueText,
                LocalFunctionStatementSyntax local => local.Identifier.ValueText,
                AccessorDeclarationSyntax { Parent.Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
                _ => null,
            };
            if (name is not null)
            {
                sinks.Add((name, Held.Draw));
            }
        }
    }

    // What a name holds: a draw, a 0/1 integer draw, a permutation (an array whose entries were swapped at drawn indices),
    // or one entry of a permutation (`var k = keeps[j]`).
    private enum Held
    {
        Draw,
        Coin,
        Permutation,
        PermutationEntry,
    }
}
