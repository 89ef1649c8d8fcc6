using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>Syntactic helpers for the scale search across files, where no semantic model may be asked for.</summary>
internal static class ProbabilityScaling
{
    /// <summary>The operands of a <c>*</c>, <c>/</c>, <c>*=</c> or <c>/=</c>.</summary>
    public static (ExpressionSyntax Left, ExpressionSyntax Right, bool IsDivision)? MultiplicativeOperands(SyntaxNode node) => node switch
    {
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) => (binary.Left, binary.Right, false),
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.DivideExpression) => (binary.Left, binary.Right, true),
        AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression) => (assignment.Left, assignment.Right, false),
        AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.DivideAssignmentExpression) => (assignment.Left, assignment.Right, true),
        _ => null,
    };

    /// <summary>A constant's value as a number, if it is one.</summary>
    public static double? ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        _ => null,
    };
}
