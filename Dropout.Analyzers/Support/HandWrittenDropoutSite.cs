using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>How a hand-written dropout site applies its Bernoulli keep/drop decision.</summary>
internal enum DropoutSiteShape
{
    /// <summary><c>u &lt; p ? kept : 0</c>: a value or a 0/1 mask entry chosen by the draw.</summary>
    KeptOrZero,

    /// <summary><c>if (u &gt;= p) a[i] = 0;</c>: an element zeroed when the draw says drop.</summary>
    ZeroingIf,

    /// <summary><c>mask[i] = u &lt; p;</c>: the decision stored as a <see cref="bool"/> mask.</summary>
    BooleanMask,
}

/// <summary>
/// One hand-written dropout site: a per-element Bernoulli draw (a uniform draw compared with a probability) whose outcome zeroes an
/// activation or writes a 0/1 mask entry. Rules 4, 5, 10 and 11 start from such a site.
/// </summary>
/// <remarks>
/// A draw counts as dropout only when all of these hold, which is what keeps epsilon-greedy selection, bootstrap
/// resampling and augmentation flips out: the draw is a uniform <c>NextDouble()</c>/<c>NextSingle()</c>/<c>NextFloat()</c>
/// (of <see cref="System.Random"/> or any other generator) compared with a probability; it sits inside a loop or lambda (one decision per element); its outcome selects between a floating-point
/// value and the constant 0 (or is stored in a <see cref="bool"/> array); and the code around it speaks of dropout (a
/// name containing drop, keep, mask or train).
/// </remarks>
internal sealed class HandWrittenDropoutSite
{
    private static readonly string[] DropoutVocabulary = ["drop", "keep", "mask", "train"];

    private HandWrittenDropoutSite(
        IInvocationOperation draw,
        IBinaryOperation comparison,
        IOperation probability,
        bool keepProbabilityIsComplement,
        DropoutSiteShape shape,
        IOperation decision,
        IOperation? keptValue,
        IOperation? zeroedTarget,
        ISymbol? maskSymbol)
    {
        Draw = draw;
        Comparison = comparison;
        Probability = probability;
        KeepProbabilityIsComplement = keepProbabilityIsComplement;
        Shape = shape;
        Decision = decision;
        KeptValue = keptValue;
        ZeroedTarget = zeroedTarget;
        MaskSymbol = maskSymbol;
    }

    /// <summary>The <c>rng.NextDouble()</c> call.</summary>
    public IInvocationOperation Draw { get; }

    /// <summary>The comparison of the draw with the probability; diagnostics are reported on it.</summary>
    public IBinaryOperation Comparison { get; }

    /// <summary>The probability the draw is compared with (conversions removed).</summary>
    public IOperation Probability { get; }

    /// <summary>Whether the keep probability is <c>1 - Probability</c> (the compared value is a drop rate) rather than <c>Probability</c>.</summary>
    public bool KeepProbabilityIsComplement { get; }

    public DropoutSiteShape Shape { get; }

    /// <summary>The conditional expression, the if statement, or the boolean assignment that applies the decision.</summary>
    public IOperation Decision { get; }

    /// <summary>For <see cref="DropoutSiteShape.KeptOrZero"/>, the branch that is kept.</summary>
    public IOperation? KeptValue { get; }

    /// <summary>For <see cref="DropoutSiteShape.ZeroingIf"/>, the element that is set to 0.</summary>
    public IOperation? ZeroedTarget { get; }

    /// <summary>The array (local, field, parameter or property) the site writes mask entries into, when it does.</summary>
    public ISymbol? MaskSymbol { get; }

    /// <summary>Recognizes the site a Bernoulli draw belongs to, or returns <see langword="null"/> when the draw is not dropout.</summary>
    public static HandWrittenDropoutSite? TryRecognize(IInvocationOperation draw)
    {
        if (!IsUniformDraw(draw) || !IsPerElement(draw))
        {
            return null;
        }

        IOperation drawSide = ClimbConversions(draw);
        if (drawSide.Parent is not IBinaryOperation comparison || !TryOrient(comparison, drawSide, out IOperation probability, out bool trueWithProbability))
        {
            return null;
        }

        IOperation condition = comparison;
        while (condition.Parent is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } or IParenthesizedOperation)
        {
            if (condition.Parent is IUnaryOperation)
            {
                trueWithProbability = !trueWithProbability;
            }

            condition = condition.Parent;
        }

        HandWrittenDropoutSite? site = condition.Parent switch
        {
            IConditionalOperation conditional when conditional.Condition == condition && conditional.WhenFalse is not null =>
                conditional.Type is null
                    ? FromIf(draw, comparison, probability, trueWithProbability, conditional)
                    : FromConditionalExpression(draw, comparison, probability, trueWithProbability, conditional),
            ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { Type.SpecialType: SpecialType.System_Boolean } element } assignment
                when assignment.Value == condition =>
                new HandWrittenDropoutSite(draw, comparison, probability, !trueWithProbability, DropoutSiteShape.BooleanMask, assignment, null, null, ReferencedSymbol(element.ArrayReference)),
            IConditionalOperation { WhenFalse: null } conditional when conditional.Condition == condition =>
                FromIf(draw, comparison, probability, trueWithProbability, conditional),
            _ => null,
        };

        return site is not null && SpeaksOfDropout(site) ? site : null;
    }

    private static HandWrittenDropoutSite? FromConditionalExpression(IInvocationOperation draw, IBinaryOperation comparison, IOperation probability, bool trueWithProbability, IConditionalOperation conditional)
    {
        ITypeSymbol? resultType = conditional.Parent switch
        {
            IConversionOperation { IsImplicit: true } conversion => conversion.Type,
            ICompoundAssignmentOperation compound when compound.Value == conditional => compound.Target.Type,
            _ => conditional.Type,
        };
        if (!IsFloatingPoint(resultType) && !IsFloatingPoint(conditional.Type))
        {
            return null;
        }

        IOperation kept;
        bool keepWithProbability;
        if (IsZero(conditional.WhenFalse!) && !IsZero(conditional.WhenTrue))
        {
            kept = conditional.WhenTrue;
            keepWithProbability = trueWithProbability;
        }
        else if (IsZero(conditional.WhenTrue) && !IsZero(conditional.WhenFalse!))
        {
            kept = conditional.WhenFalse!;
            keepWithProbability = !trueWithProbability;
        }
        else
        {
            return null;
        }

        IOperation outer = ClimbConversions(conditional);
        ISymbol? mask = outer.Parent is ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment && assignment.Value == outer
            ? ReferencedSymbol(element.ArrayReference)
            : null;
        return new HandWrittenDropoutSite(draw, comparison, probability, !keepWithProbability, DropoutSiteShape.KeptOrZero, conditional, kept, null, mask);
    }

    private static HandWrittenDropoutSite? FromIf(IInvocationOperation draw, IBinaryOperation comparison, IOperation probability, bool trueWithProbability, IConditionalOperation conditional)
    {
        if (ZeroedElement(conditional.WhenTrue) is { } zeroedWhenTrue)
        {
            // The element is dropped when the condition holds, so it is kept with the other probability.
            return new HandWrittenDropoutSite(draw, comparison, probability, trueWithProbability, DropoutSiteShape.ZeroingIf, conditional, null, zeroedWhenTrue, null);
        }

        if (conditional.WhenFalse is { } whenFalse && ZeroedElement(whenFalse) is { } zeroedWhenFalse)
        {
            return new HandWrittenDropoutSite(draw, comparison, probability, !trueWithProbability, DropoutSiteShape.ZeroingIf, conditional, null, zeroedWhenFalse, null);
        }

        return null;
    }

    // The target of `element = 0;`, alone or as the only statement of a block.
    private static IOperation? ZeroedElement(IOperation branch)
    {
        if (branch is IBlockOperation { Operations.Length: 1 } block)
        {
            branch = block.Operations[0];
        }

        if (branch is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment }
            && IsZero(assignment.Value)
            && IsFloatingPoint(assignment.Target.Type)
            && assignment.Target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
        {
            return assignment.Target;
        }

        return null;
    }

    /// <summary>The names of a uniform [0, 1) draw: System.Random's, and the usual ones of other generators (MathNet, custom RNG interfaces).</summary>
    public static bool IsUniformDrawName(string name) => name is "NextDouble" or "NextSingle" or "NextFloat";

    // u = rng.NextDouble(): a parameterless draw of a floating-point value, from System.Random or any other generator.
    private static bool IsUniformDraw(IInvocationOperation draw) =>
        IsUniformDrawName(draw.TargetMethod.Name)
        && draw.Arguments.Length == 0
        && IsFloatingPoint(draw.TargetMethod.ReturnType);

    private static bool IsPerElement(IOperation draw)
    {
        for (IOperation? current = draw.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation or IAnonymousFunctionOperation)
            {
                return true;
            }

            if (current is ILocalFunctionOperation or IMethodBodyBaseOperation)
            {
                return false;
            }
        }

        return false;
    }

    // Puts the draw on the left: `u < q` (or `q > u`) is true with probability q.
    private static bool TryOrient(IBinaryOperation comparison, IOperation drawSide, out IOperation probability, out bool trueWithProbability)
    {
        bool drawOnLeft = comparison.LeftOperand == drawSide;
        probability = StripConversions(drawOnLeft ? comparison.RightOperand : comparison.LeftOperand);
        switch (comparison.OperatorKind)
        {
            case BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual:
                trueWithProbability = drawOnLeft;
                return true;
            case BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual:
                trueWithProbability = !drawOnLeft;
                return true;
            default:
                trueWithProbability = false;
                return false;
        }
    }

    private static bool SpeaksOfDropout(HandWrittenDropoutSite site)
    {
        if (site.MaskSymbol is { } mask && HasDropoutVocabulary(mask.Name))
        {
            return true;
        }

        foreach (IOperation operation in EnumerateSelfAndDescendants(site.Probability))
        {
            if (ReferencedSymbol(operation) is { } symbol && HasDropoutVocabulary(symbol.Name))
            {
                return true;
            }
        }

        if (site.ZeroedTarget is IArrayElementReferenceOperation zeroed && ReferencedSymbol(zeroed.ArrayReference) is { } zeroedArray && HasDropoutVocabulary(zeroedArray.Name))
        {
            return true;
        }

        ISymbol? enclosing = site.Draw.SemanticModel?.GetEnclosingSymbol(site.Draw.Syntax.SpanStart);
        for (ISymbol? symbol = enclosing; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (HasDropoutVocabulary(symbol.Name))
            {
                return true;
            }

            if (symbol is IMethodSymbol method)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    if (HasDropoutVocabulary(parameter.Name))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool HasDropoutVocabulary(string name)
    {
        foreach (string word in DropoutVocabulary)
        {
            if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public static IEnumerable<IOperation> EnumerateSelfAndDescendants(IOperation operation)
    {
        yield return operation;
        foreach (IOperation descendant in operation.Descendants())
        {
            yield return descendant;
        }
    }

    /// <summary>The local, parameter, field or property an operation reads, if it is a plain reference.</summary>
    public static ISymbol? ReferencedSymbol(IOperation operation) => StripConversions(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
        _ => null,
    };

    public static IOperation StripConversions(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    private static IOperation ClimbConversions(IOperation operation)
    {
        while (operation.Parent is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    public static bool IsFloatingPoint(ITypeSymbol? type) =>
        type is { SpecialType: SpecialType.System_Single or SpecialType.System_Double }
        || type is { Name: "Half", ContainingNamespace.Name: "System" };

    private static bool IsZero(IOperation operation) =>
        StripConversions(operation).ConstantValue is { HasValue: true, Value: var value }
        && value switch
        {
            int i => i == 0,
            long l => l == 0,
            float f => f == 0,
            double d => d == 0,
            decimal m => m == 0,
            _ => false,
        };
}
