using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>Span tests that hold only within one file: the facts of a partial type hold nodes of several syntax trees.</summary>
internal static class SyntaxNodeExtensions
{
    /// <summary>Whether <paramref name="inner"/> lies within <paramref name="outer"/>, in the same syntax tree (equal spans of two files are not one place).</summary>
    public static bool Encloses(this SyntaxNode outer, SyntaxNode inner) =>
        outer.SyntaxTree == inner.SyntaxTree && outer.Span.Contains(inner.Span);
}
