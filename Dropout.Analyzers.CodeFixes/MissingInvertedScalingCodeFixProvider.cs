using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Dropout.Analyzers.CodeFixes;

/// <summary>
/// Fixes DRP004 by dividing the kept values by p, in the two shapes where that is certain: the kept branch of
/// <c>u &lt; p ? kept : 0</c> becomes <c>kept / p</c>, and <c>if (u &gt;= p) a[i] = 0;</c> gains
/// <c>else a[i] /= p;</c>. Other shapes (a boolean mask, a zeroing if that already has an else) get no fix.
/// </summary>
/// <remarks>
/// p is written as the comparison spells it, casts included (<c>(double)keepDecimal</c>): the diagnostic's text has
/// them removed, and a decimal or Half divisor does not compile. Code with syntax errors at the site gets no fix (text
/// glued onto a half-typed expression parses as something else), and a fix that would add a compiler error is not
/// offered (<see cref="FixVerification"/>).
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingInvertedScalingCodeFixProvider))]
[Shared]
public sealed class MissingInvertedScalingCodeFixProvider : CodeFixProvider
{
    private const string Title = "Scale the kept values by 1/p (inverted dropout)";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MissingInvertedScaling);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(MissingInvertedScalingAnalyzer.KeepProbabilityProperty, out string? keepProbabilityText)
                || keepProbabilityText is null
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } comparison
                || DecisionOf(comparison) is not { ContainsDiagnostics: false } decision
                || Divisor(comparison, keepProbabilityText, diagnostic, semanticModel, context.CancellationToken) is not { } divisor)
            {
                continue;
            }

            (SyntaxNode Old, SyntaxNode New)? replacement = decision switch
            {
                ConditionalExpressionSyntax conditional => ScaleKeptBranch(conditional, divisor, semanticModel, context.CancellationToken),
                IfStatementSyntax ifStatement => AddScalingElse(ifStatement, divisor, semanticModel, context.CancellationToken),
                _ => null,
            };

            if (replacement is var (oldNode, newNode))
            {
                SyntaxNode member = FixVerification.EnclosingMember(oldNode);
                Document? fixedDocument = await FixVerification.ReplaceIfItAddsNoErrorsAsync(
                    context.Document, member, member.ReplaceNode(oldNode, newNode), context.CancellationToken).ConfigureAwait(false);
                if (fixedDocument is not null)
                {
                    context.RegisterCodeFix(CodeAction.Create(Title, _ => Task.FromResult(fixedDocument), equivalenceKey: Title), diagnostic);
                }
            }
        }
    }

    /// <summary>The keep probability as it will be written into the division, and its type.</summary>
    private readonly struct KeepProbabilityDivisor(string text, SpecialType type)
    {
        public string Text { get; } = text;

        public SpecialType Type { get; } = type;
    }

    // The diagnostic spells p as X, (X), (1 - X) or (1 - (X)), where X is the compared operand without its casts.
    // The operand of the comparison that is X with casts and parentheses taken off is written back into the same
    // shape with its casts; a shape this fix does not know is used as it is, typed as the diagnostic says.
    private static KeepProbabilityDivisor? Divisor(SyntaxNode comparison, string keepProbabilityText, Diagnostic diagnostic, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (comparison is BinaryExpressionSyntax binary)
        {
            foreach (ExpressionSyntax side in new[] { binary.Right, binary.Left })
            {
                string stripped = WithoutCastsAndParentheses(side).ToString();
                string written = side.WithoutTrivia().ToString();
                string? text = keepProbabilityText == stripped ? written
                    : keepProbabilityText == "(" + stripped + ")" ? "(" + written + ")"
                    : keepProbabilityText == "(1 - " + stripped + ")" ? "(1 - " + written + ")"
                    : keepProbabilityText == "(1 - (" + stripped + "))" ? "(1 - (" + written + "))"
                    : null;
                if (text is not null)
                {
                    // 1 - e has e's type for float and double e, the only types a division here accepts.
                    SpecialType type = semanticModel.GetTypeInfo(side, cancellationToken).Type?.SpecialType ?? SpecialType.None;
                    return type is SpecialType.System_Single or SpecialType.System_Double ? new KeepProbabilityDivisor(text, type) : null;
                }
            }
        }

        bool isSingle = diagnostic.Properties.TryGetValue(MissingInvertedScalingAnalyzer.KeepProbabilityTypeProperty, out string? typeName) && typeName == "float";
        return new KeepProbabilityDivisor(keepProbabilityText, isSingle ? SpecialType.System_Single : SpecialType.System_Double);
    }

    private static ExpressionSyntax WithoutCastsAndParentheses(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case CastExpressionSyntax cast:
                    expression = cast.Expression;
                    break;
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    break;
                default:
                    return expression.WithoutTrivia();
            }
        }
    }

    // The conditional or if statement whose condition is the reported comparison (possibly negated or parenthesized).
    private static SyntaxNode? DecisionOf(SyntaxNode comparison)
    {
        SyntaxNode condition = comparison;
        while (condition.Parent is ParenthesizedExpressionSyntax or PrefixUnaryExpressionSyntax)
        {
            condition = condition.Parent;
        }

        return condition.Parent switch
        {
            ConditionalExpressionSyntax conditional when conditional.Condition == condition => conditional,
            IfStatementSyntax ifStatement when ifStatement.Condition == condition => ifStatement,
            _ => null,
        };
    }

    private static (SyntaxNode, SyntaxNode)? ScaleKeptBranch(ConditionalExpressionSyntax conditional, KeepProbabilityDivisor divisor, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        bool keptIsWhenTrue = IsZero(conditional.WhenFalse, semanticModel, cancellationToken);
        ExpressionSyntax kept = keptIsWhenTrue ? conditional.WhenTrue : conditional.WhenFalse;
        ITypeSymbol? keptType = semanticModel.GetTypeInfo(kept, cancellationToken).Type;
        ITypeSymbol? resultType = semanticModel.GetTypeInfo(conditional, cancellationToken).ConvertedType;
        SyntaxNode outer = conditional;
        while (outer.Parent is ParenthesizedExpressionSyntax)
        {
            outer = outer.Parent;
        }

        if (outer.Parent is AssignmentExpressionSyntax compound && !compound.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            // a[i] *= u < p ? 1 : 0: the conditional's own type is int, the value lands in the element's type.
            resultType = semanticModel.GetTypeInfo(compound.Left, cancellationToken).Type;
        }

        if (QuotientType(keptType, divisor.Type) is not { } quotientType || FloatingKeyword(resultType) is not { } resultKeyword)
        {
            return null;
        }

        string quotient = Operand(kept) + " / " + divisor.Text;
        string scaled = quotientType == resultKeyword ? quotient : "(" + resultKeyword + ")(" + quotient + ")";
        ExpressionSyntax scaledKept = SyntaxFactory.ParseExpression(scaled).WithTriviaFrom(kept).WithAdditionalAnnotations(Formatter.Annotation);
        return (kept, scaledKept);
    }

    private static (SyntaxNode, SyntaxNode)? AddScalingElse(IfStatementSyntax ifStatement, KeepProbabilityDivisor divisor, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        StatementSyntax zeroing = ifStatement.Statement is BlockSyntax { Statements.Count: 1 } block ? block.Statements[0] : ifStatement.Statement;
        if (ifStatement.Else is not null
            || zeroing is not ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: var target } assignment }
            || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || !IsZero(assignment.Right, semanticModel, cancellationToken)
            || HasSideEffects(target)
            || FloatingKeyword(semanticModel.GetTypeInfo(target, cancellationToken).Type) is not { } targetKeyword)
        {
            return null;
        }

        // float /= double does not compile, so a float element divided by a double p is written out with a cast.
        string scaling = targetKeyword == "float" && divisor.Type != SpecialType.System_Single
            ? target + " = (float)(" + target + " / " + divisor.Text + ");"
            : target + " /= " + divisor.Text + ";";
        StatementSyntax scalingStatement = SyntaxFactory.ParseStatement(scaling);
        if (ifStatement.Statement is BlockSyntax)
        {
            scalingStatement = SyntaxFactory.Block(scalingStatement);
        }

        IfStatementSyntax withElse = ifStatement
            .WithStatement(ifStatement.Statement.WithoutTrailingTrivia())
            .WithElse(SyntaxFactory.ElseClause(scalingStatement))
            .WithTrailingTrivia(ifStatement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (ifStatement, withElse);
    }

    // C#'s numeric promotion: double if either side is double, float if either is float; null for an operand type
    // that does not promote (Half, decimal), where the division would not compile.
    private static string? QuotientType(ITypeSymbol? keptType, SpecialType divisorType)
    {
        bool keptPromotes = keptType?.SpecialType is SpecialType.System_Single or SpecialType.System_Double
            or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte
            or SpecialType.System_SByte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64;
        if (!keptPromotes)
        {
            return null;
        }

        return divisorType == SpecialType.System_Double || keptType?.SpecialType == SpecialType.System_Double ? "double" : "float";
    }

    private static string? FloatingKeyword(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        _ => null,
    };

    private static string Operand(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax or ElementAccessExpressionSyntax or LiteralExpressionSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ParenthesizedExpressionSyntax
            ? expression.WithoutTrivia().ToString()
            : "(" + expression.WithoutTrivia() + ")";

    private static bool IsZero(ExpressionSyntax expression, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        semanticModel.GetConstantValue(expression, cancellationToken) is { HasValue: true, Value: var value }
        && value switch
        {
            int i => i == 0,
            long l => l == 0,
            float f => f == 0,
            double d => d == 0,
            _ => false,
        };

    private static bool HasSideEffects(ExpressionSyntax target)
    {
        foreach (SyntaxNode node in target.DescendantNodesAndSelf())
        {
            if (node is InvocationExpressionSyntax or AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or ObjectCreationExpressionSyntax
                || node.IsKind(SyntaxKind.PreIncrementExpression) || node.IsKind(SyntaxKind.PreDecrementExpression))
            {
                return true;
            }
        }

        return false;
    }
}
