using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// Which methods of a file can turn dropout on, judged from their syntax alone, so that rule 6 binds a callee of an
/// inference method (its operation tree, nullable analysis included, charged to the rule) only when it can matter.
/// One instance lives for one compilation.
/// </summary>
/// <remarks>
/// A method turns dropout on (rule 6) only through an operation whose syntax names it: a switch to training is a call of
/// <c>DropoutContext.Training</c> or <c>Enter</c>, or an assignment of <c>Mode</c>, and a kernel call names
/// <c>Forward</c> or <c>FillMask</c> of <c>DropoutKernels</c>, which a file can only reach by spelling the type (in a
/// member access, a <c>using static</c> or an alias) unless a global using of another file spells it; or it calls another
/// method of the same file that does, which it names too. A method whose tokens contain none of these names cannot turn
/// dropout on; the filter never answers no for one that can.
/// </remarks>
internal sealed class ModeSwitchingCallees
{
    private const string KernelTypeName = "DropoutKernels";

    private static readonly HashSet<string> SwitchNames = new(StringComparer.Ordinal) { "Training", "Enter", "Mode" };
    private static readonly HashSet<string> KernelNames = new(StringComparer.Ordinal) { "Forward", "FillMask" };

    private readonly Compilation _compilation;
    private readonly int _maxDepth;
    private readonly ConcurrentDictionary<SyntaxTree, FileMethods> _files = new();
    // One table per depth, keyed by the declaration: a tuple key made the runtime compile the dictionary's code for it anew
    // in every build (the per-type cache of InferenceCode already uses this instantiation).
    private readonly ConcurrentDictionary<SyntaxNode, bool>[] _answers;
    // 0 until known, then 1 (no) or 2 (yes); an int so that threads racing to compute it read a whole value.
    private int _kernelsImportedGlobally;

    /// <param name="compilation">The compilation whose files are read.</param>
    /// <param name="maxDepth">How deep rule 6 follows calls: a method met at this depth is not followed into its callees.</param>
    public ModeSwitchingCallees(Compilation compilation, int maxDepth)
    {
        _compilation = compilation;
        _maxDepth = maxDepth;
        _answers = new ConcurrentDictionary<SyntaxNode, bool>[maxDepth + 1];
        for (int depth = 0; depth <= maxDepth; depth++)
        {
            _answers[depth] = new ConcurrentDictionary<SyntaxNode, bool>();
        }
    }

    /// <summary>Whether the method declared by <paramref name="declaration"/>, followed at <paramref name="depth"/>, may turn dropout on; <see langword="false"/> only when it certainly cannot.</summary>
    public bool MayTurnDropoutOn(SyntaxNode declaration, int depth, CancellationToken cancellationToken)
    {
        ConcurrentDictionary<SyntaxNode, bool> answers = _answers[Math.Min(depth, _maxDepth)];
        if (answers.TryGetValue(declaration, out bool known))
        {
            return known;
        }

        FileMethods file = _files.GetOrAdd(declaration.SyntaxTree, tree => FileMethods.Create(tree, KernelsImportedGlobally(cancellationToken), cancellationToken));
        bool answer = false;
        foreach (SyntaxToken token in declaration.DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken))
            {
                continue;
            }

            string name = token.ValueText;
            if (SwitchNames.Contains(name) || (file.MayCallKernels && KernelNames.Contains(name)))
            {
                answer = true;
                break;
            }

            if (depth < _maxDepth && file.MethodsByName.TryGetValue(name, out List<SyntaxNode>? callees)
                && callees.Any(callee => !declaration.Span.Contains(callee.Span) && MayTurnDropoutOn(callee, depth + 1, cancellationToken)))
            {
                answer = true;
                break;
            }
        }

        answers.TryAdd(declaration, answer);
        return answer;
    }

    // `global using static Dropout.DropoutKernels;` (or a global alias of it) lets any file call a kernel without naming the type.
    private bool KernelsImportedGlobally(CancellationToken cancellationToken)
    {
        int known = Volatile.Read(ref _kernelsImportedGlobally);
        if (known != 0)
        {
            return known == 2;
        }

        bool found = false;
        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            if (tree.GetRoot(cancellationToken) is CompilationUnitSyntax unit
                && unit.Usings.Any(directive => !directive.GlobalKeyword.IsKind(SyntaxKind.None) && directive.ToString().Contains(KernelTypeName)))
            {
                found = true;
                break;
            }
        }

        Volatile.Write(ref _kernelsImportedGlobally, found ? 2 : 1);
        return found;
    }

    private sealed class FileMethods
    {
        private FileMethods(bool mayCallKernels, Dictionary<string, List<SyntaxNode>> methodsByName)
        {
            MayCallKernels = mayCallKernels;
            MethodsByName = methodsByName;
        }

        public bool MayCallKernels { get; }

        // The ordinary methods declared in the file's types (the only same-file callees rule 6 follows besides local functions, which are inside their caller).
        public Dictionary<string, List<SyntaxNode>> MethodsByName { get; }

        public static FileMethods Create(SyntaxTree tree, bool kernelsImportedGlobally, CancellationToken cancellationToken)
        {
            SyntaxNode root = tree.GetRoot(cancellationToken);
            bool mayCallKernels = kernelsImportedGlobally || tree.GetText(cancellationToken).ToString().Contains(KernelTypeName);
            var methods = new Dictionary<string, List<SyntaxNode>>(StringComparer.Ordinal);
            foreach (SyntaxNode node in root.DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                if (node is MethodDeclarationSyntax method)
                {
                    string name = method.Identifier.ValueText;
                    if (!methods.TryGetValue(name, out List<SyntaxNode>? list))
                    {
                        methods[name] = list = new List<SyntaxNode>();
                    }

                    list.Add(method);
                }
            }

            return new FileMethods(mayCallKernels, methods);
        }
    }
}
