using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // Per compilation, per helper name: whether a tree other than the helper's own calls a method of that name.
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<(SyntaxTree, string), bool>> CallersElsewhere = new();

    private sealed partial class SiteFinder
    {
        // `Fill(mask, p)` or `Ops.Fill(mask, p)` anywhere in the tree.
        private static bool CallsByName(SyntaxTree tree, string name) =>
            tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().Any(invocation =>
                invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: var called } && called == name
                || invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var member } && member == name);

        /// <summary>
        /// Whether a non-private mask helper is called from another file of the compilation: real code keeps its random
        /// utilities (<c>RandomOps.FillBernoulli(buffer, rng, p)</c>) in a file of their own, away from the layer that calls
        /// them, and the helper's mask is then its caller's just as when both share a file. Only the trees whose text names
        /// the helper are parsed for calls, and only for the rare site that fills a parameter with a parameter's probability.
        /// </summary>
        private static bool CalledInAnotherFile(IMethodSymbol method, SyntaxTree own, Compilation compilation)
        {
            if (method.DeclaredAccessibility == Accessibility.Private)
            {
                return false;
            }

            return CallersElsewhere.GetValue(compilation, _ => new ConcurrentDictionary<(SyntaxTree, string), bool>())
                .GetOrAdd((own, method.Name), key => compilation.SyntaxTrees.Any(tree => tree != key.Item1 && TextNames(tree, key.Item2) && CallsByName(tree, key.Item2)));
        }
    }
}
