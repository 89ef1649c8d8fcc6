using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// What a non-constant drop rate handed to a TorchSharp dropout means, from the values that reach it and how the
/// code uses them (DRP026 beyond constants):
/// <list type="bullet">
/// <item>a value declared as a keep probability (named for keeping: <c>keep_prob</c>) passed straight as the drop rate,
/// when the values it is known to take (a parameter default, a field initializer or a constant a constructor stores)
/// all lie strictly between one half and one: the name alone decides nothing, but a "keep" value of 0.7 used as a drop
/// rate drops 70 %;</item>
/// <item><c>1 - v</c> passed as the drop rate where the code itself treats <c>v</c> as the drop rate: the dropout runs
/// only when <c>v &gt; 0</c> (so 0 means "no dropout"), or <c>v</c> is known to default to 0 (a keep probability of 0 is
/// never meant, and the drop rate 1 - 0 removes every unit). Then <c>1 - v</c> is the TensorFlow <c>keep_prob</c> idiom
/// carried over. A <c>v</c> named for keeping is the correct conversion and is left alone.</item>
/// </list>
/// Values are read from the declarations of the dropout's own type in the same file (an analyzer may not bind another).
/// </summary>
internal static class TorchSharpRateMeaning
{
    /// <summary>
    /// When <paramref name="rate"/> (the drop-rate argument of <paramref name="dropout"/>) looks like a keep probability,
    /// the message arguments of DRP026: what is passed, what it drops, and the drop rate it meant; otherwise <see langword="null"/>.
    /// </summary>
    public static (string Passed, string Drops, string Meant)? Describe(IOperation rate, IInvocationOperation dropout, CancellationToken cancellationToken)
    {
        rate = WithoutConversions(rate);
        if (ValueSymbol(rate) is { } keep && IsKeepName(keep.Name))
        {
            List<double> values = KnownValues(keep, rate, cancellationToken);
            if (values.Count > 0 && values.All(value => value > 0.5 && value < 1))
            {
                string name = rate.Syntax.ToString();
                return (name, values.Distinct().Count() == 1 ? values[0].ToString("0.##%", CultureInfo.InvariantCulture) : "most", "1 - " + name);
            }

            return null;
        }

        if (rate is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference
            && AsDouble(difference.LeftOperand.ConstantValue.HasValue ? difference.LeftOperand.ConstantValue.Value : null) is 1
            && WithoutConversions(difference.RightOperand) is { } subtracted
            && ValueSymbol(subtracted) is { } dropRate
            && !IsKeepName(dropRate.Name)
            && (KnownValues(dropRate, subtracted, cancellationToken).Contains(0) || RunsOnlyWhenPositive(dropRate, dropout, cancellationToken)))
        {
            string name = subtracted.Syntax.ToString();
            return (rate.Syntax.ToString(), "all but " + name, name);
        }

        return null;
    }

    private static IOperation WithoutConversions(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static ISymbol? ValueSymbol(IOperation operation) => operation switch
    {
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } property => property.Property,
        _ => null,
    };

    // keep_prob, keepProb, KeepProbability, dropout_keep_prob, keep_rate, retain_prob: a name that says the value is kept.
    private static bool IsKeepName(string name) =>
        name.IndexOf("keep", StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf("retain", StringComparison.OrdinalIgnoreCase) >= 0;

    // The constants the value is known to take: a parameter's default; a member's initializer and the constants (or
    // parameter defaults) the type's constructors store in it.
    private static List<double> KnownValues(ISymbol symbol, IOperation use, CancellationToken cancellationToken)
    {
        var values = new List<double>();
        if (symbol is IParameterSymbol parameter)
        {
            if (parameter.HasExplicitDefaultValue && AsDouble(parameter.ExplicitDefaultValue) is { } value)
            {
                values.Add(value);
            }

            return values;
        }

        INamedTypeSymbol type = symbol.ContainingType;
        SyntaxTree tree = use.Syntax.SyntaxTree;
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences.Where(reference => reference.SyntaxTree == tree))
        {
            foreach (SyntaxNode node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax { Initializer.Value: { } initial } declarator
                        when declarator.Identifier.ValueText == symbol.Name && declarator.Parent?.Parent is FieldDeclarationSyntax:
                        AddValue(initial, values);
                        break;
                    case PropertyDeclarationSyntax { Initializer.Value: { } initial } property when property.Identifier.ValueText == symbol.Name:
                        AddValue(initial, values);
                        break;
                    case AssignmentExpressionSyntax { Left: { } target, Right: { } stored } assignment
                        when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && AssignedName(target) == symbol.Name
                            && assignment.FirstAncestorOrSelf<ConstructorDeclarationSyntax>() is { } constructor:
                        if (stored is IdentifierNameSyntax source
                            && constructor.ParameterList.Parameters.FirstOrDefault(p => p.Identifier.ValueText == source.Identifier.ValueText) is { } storedParameter)
                        {
                            if (storedParameter.Default?.Value is { } fallback)
                            {
                                AddValue(fallback, values);
                            }
                        }
                        else
                        {
                            AddValue(stored, values);
                        }

                        break;
                }
            }
        }

        return values;
    }

    private static string? AssignedName(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: { } name } => name.Identifier.ValueText,
        _ => null,
    };

    private static void AddValue(ExpressionSyntax expression, List<double> values)
    {
        if (expression is LiteralExpressionSyntax literal && AsDouble(literal.Token.Value) is { } value)
        {
            values.Add(value);
        }
    }

    private static double? AsDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        decimal m => (double)m,
        _ => null,
    };

    // The dropout this rate builds runs only under `v > 0` (or `v != 0`, `0 < v`): a functional call inside such an
    // if, or a module stored in a member whose forward calls in the type are all inside one.
    private static bool RunsOnlyWhenPositive(ISymbol rate, IInvocationOperation dropout, CancellationToken cancellationToken)
    {
        IOperation stored = dropout;
        while (stored.Parent is IConversionOperation)
        {
            stored = stored.Parent;
        }

        if (stored.Parent is ISimpleAssignmentOperation { Target: var target } && ValueSymbol(target) is { } member)
        {
            var runs = new List<InvocationExpressionSyntax>();
            foreach (SyntaxReference reference in member.ContainingType.DeclaringSyntaxReferences.Where(reference => reference.SyntaxTree == dropout.Syntax.SyntaxTree))
            {
                runs.AddRange(reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>()
                    .Where(call => call.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "forward" or "call", Expression: { } receiver }
                        && AssignedName(receiver) == member.Name));
            }

            return runs.Count > 0 && runs.All(run => UnderPositiveGuard(run, rate.Name));
        }

        return UnderPositiveGuard(dropout.Syntax, rate.Name);
    }

    private static bool UnderPositiveGuard(SyntaxNode node, string name) =>
        node.Ancestors().OfType<IfStatementSyntax>().Any(guard => guard.Statement.Span.Contains(node.Span) && IsPositiveTest(guard.Condition, name));

    private static bool IsPositiveTest(ExpressionSyntax condition, string name) => condition switch
    {
        ParenthesizedExpressionSyntax parenthesized => IsPositiveTest(parenthesized.Expression, name),
        BinaryExpressionSyntax both when both.IsKind(SyntaxKind.LogicalAndExpression) => IsPositiveTest(both.Left, name) || IsPositiveTest(both.Right, name),
        BinaryExpressionSyntax comparison when comparison.IsKind(SyntaxKind.GreaterThanExpression) || comparison.IsKind(SyntaxKind.NotEqualsExpression) =>
            AssignedName(comparison.Left) == name && IsZero(comparison.Right),
        BinaryExpressionSyntax comparison when comparison.IsKind(SyntaxKind.LessThanExpression) =>
            IsZero(comparison.Left) && AssignedName(comparison.Right) == name,
        _ => false,
    };

    private static bool IsZero(ExpressionSyntax expression) =>
        expression is LiteralExpressionSyntax literal && AsDouble(literal.Token.Value) is 0;
}
