using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The inference path of one method body: the statements and expressions that run when the training flag is false.
/// A training flag is a <see cref="bool"/> local, parameter, field or property named like one (<c>training</c>,
/// <c>IsTraining</c>, <c>isTrain</c>; <c>inference</c>, <c>isEval</c>, <c>testing</c> mean the opposite) or an enum
/// compared with a member named like training (<c>mode == Mode.Train</c>). Conditions are evaluated in three values:
/// a condition that does not depend on the flag is unknown, and an operation under an unknown condition is not
/// counted as running at inference, so that every answer "runs at inference" holds on every path of the flag.
/// </summary>
internal static class InferencePath
{
    /// <summary>The value of a condition when the training flag is false, or <see langword="null"/> when it does not follow from the flag.</summary>
    public static bool? ValueAtInference(IOperation condition)
    {
        condition = HandWrittenDropoutSite.StripConversions(condition);
        if (condition.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return constant;
        }

        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return !ValueAtInference(not.Operand);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.Or } either when IsBoolean(either.Type):
                return Or(ValueAtInference(either.LeftOperand), ValueAtInference(either.RightOperand));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And } both when IsBoolean(both.Type):
                return !Or(!ValueAtInference(both.LeftOperand), !ValueAtInference(both.RightOperand));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                bool? equal = EqualityAtInference(comparison.LeftOperand, comparison.RightOperand);
                return comparison.OperatorKind == BinaryOperatorKind.Equals ? equal : !equal;
            case IIsPatternOperation { Pattern: IConstantPatternOperation { Value: var constantPattern } } isPattern:
                return EqualityAtInference(isPattern.Value, constantPattern);
        }

        return IsBoolean(condition.Type) && HandWrittenDropoutSite.ReferencedSymbol(condition) is { } flag ? FlagValueAtInference(flag.Name) : null;
    }

    /// <summary>
    /// Whether <paramref name="operation"/> runs, in <paramref name="root"/>, on every inference call: no enclosing branch
    /// excludes it when the flag is false, and no earlier <c>if (!training) return ...;</c> leaves first. An operation under a
    /// branch whose condition does not follow from the flag (or under a <c>switch</c>) is not counted.
    /// </summary>
    public static bool RunsAtInference(IOperation operation, IOperation root)
    {
        IOperation child = operation;
        for (IOperation? current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IConditionalOperation conditional when child != conditional.Condition:
                    if (ValueAtInference(conditional.Condition) is not bool value || (value ? conditional.WhenTrue : conditional.WhenFalse) != child)
                    {
                        return false;
                    }

                    break;
                case ISwitchOperation or ISwitchExpressionOperation or ICoalesceOperation or IConditionalAccessOperation:
                    return false;
                case IBlockOperation block when LeavesBefore(block, child):
                    return false;
            }

            if (current == root)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a dropout site drops nothing at inference: its decision is on a branch the flag excludes (or after a guard
    /// that leaves), or its own condition is combined with the flag so that it always keeps (<c>!training || u &gt; rate</c>).
    /// </summary>
    public static bool IsOffAtInference(HandWrittenDropoutSite site, IOperation root)
    {
        if (!IsReachedAtInference(site.Decision, root))
        {
            return true;
        }

        if (site.Decision is not IConditionalOperation decision || ValueAtInference(decision.Condition) is not bool value)
        {
            return false;
        }

        IOperation? taken = value ? decision.WhenTrue : decision.WhenFalse;
        return site.Shape switch
        {
            DropoutSiteShape.KeptOrZero => taken is not null && site.KeptValue is { } kept && taken.Syntax.Encloses(kept.Syntax),
            DropoutSiteShape.ZeroingIf => site.ZeroedTarget is { } zeroed && (taken is null || !taken.Syntax.Encloses(zeroed.Syntax)),
            // `if (u < keep) sum += w * x;` keeps inside the branch; `if (training && u >= survival) return x;` drops by leaving.
            DropoutSiteShape.SkippedTerm => site.KeptValue is { } kept && (decision.Syntax.Encloses(kept.Syntax)
                ? taken is not null && taken.Syntax.Encloses(kept.Syntax)
                : taken is null || !taken.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IBranchOperation)),
            _ => false,
        };
    }

    /// <summary>
    /// The fields and properties that switch a site on and off: the training flags (and modes compared with a training
    /// member) read by the conditions of the branches and guards around <paramref name="decision"/>, and by its own condition
    /// (<c>!IsTraining || u &gt; rate</c>). Setting one of them from prediction code turns the dropout on.
    /// </summary>
    public static IEnumerable<ISymbol> GatingFlags(IOperation decision, IOperation root)
    {
        var conditions = new List<IOperation>();
        if (decision is IConditionalOperation own)
        {
            conditions.Add(own.Condition);
        }

        IOperation child = decision;
        for (IOperation? current = decision.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IConditionalOperation conditional && child != conditional.Condition)
            {
                conditions.Add(conditional.Condition);
            }
            else if (current is IBlockOperation block)
            {
                conditions.AddRange(block.Operations.TakeWhile(statement => statement != child).OfType<IConditionalOperation>().Select(guard => guard.Condition));
            }

            if (current == root)
            {
                break;
            }
        }

        foreach (IOperation condition in conditions)
        {
            foreach (IOperation operation in condition.DescendantsAndSelf())
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(operation) is IFieldSymbol or IPropertySymbol && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } flag
                    && !HandWrittenDropoutSite.IsReceiver(operation)
                    && ((IsBoolean(operation.Type) && FlagValueAtInference(flag.Name) is not null)
                        || (operation.Type?.TypeKind == TypeKind.Enum && operation.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                            && ValueAtInference(comparison) is not null)))
                {
                    yield return flag;
                }
            }
        }
    }

    /// <summary>Whether assigning <paramref name="value"/> to the flag <paramref name="flag"/> switches training on (<c>IsTraining = true</c>, <c>IsInference = false</c>, <c>Mode = Mode.Train</c>).</summary>
    public static bool SwitchesTrainingOn(ISymbol flag, IOperation value)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        if (value.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return FlagValueAtInference(flag.Name) is bool atInference && constant != atInference;
        }

        return value is IFieldReferenceOperation { Field: { HasConstantValue: true, ContainingType.TypeKind: TypeKind.Enum } member } && FlagValueAtInference(member.Name) == false;
    }

    // Whether an operation may run at inference at all: excluded only by a branch or a guard whose condition follows from the flag.
    /// <summary>
    /// Whether <paramref name="operation"/> never runs, in <paramref name="root"/>, when the flag is false: an enclosing
    /// branch the flag excludes, or an earlier <c>if (!training) return ...;</c> (<c>if (training) ApplyStep(i);</c>).
    /// </summary>
    public static bool IsSkippedAtInference(IOperation operation, IOperation root) => !IsReachedAtInference(operation, root);

    private static bool IsReachedAtInference(IOperation operation, IOperation root)
    {
        IOperation child = operation;
        for (IOperation? current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IConditionalOperation conditional when child != conditional.Condition:
                    if (ValueAtInference(conditional.Condition) is bool value && (value ? conditional.WhenTrue : conditional.WhenFalse) != child)
                    {
                        return false;
                    }

                    break;
                case IBlockOperation block when LeavesBefore(block, child):
                    return false;
            }

            if (current == root)
            {
                break;
            }
        }

        return true;
    }

    // `if (!training) return x;` (or `continue`, `throw`) before the statement: at inference the block is left before it.
    private static bool LeavesBefore(IBlockOperation block, IOperation child)
    {
        foreach (IOperation statement in block.Operations)
        {
            if (statement == child)
            {
                return false;
            }

            if (statement is IConditionalOperation guard && ValueAtInference(guard.Condition) is bool value
                && (value ? guard.WhenTrue : guard.WhenFalse) is { } taken
                && taken.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IThrowOperation or IBranchOperation { BranchKind: BranchKind.Continue or BranchKind.Break }))
            {
                return true;
            }
        }

        return false;
    }

    private static bool? EqualityAtInference(IOperation left, IOperation right)
    {
        left = HandWrittenDropoutSite.StripConversions(left);
        right = HandWrittenDropoutSite.StripConversions(right);
        foreach ((IOperation value, IOperation other) in new[] { (left, right), (right, left) })
        {
            // `training == false`, `IsTraining != true`.
            if (other.ConstantValue is { HasValue: true, Value: bool constant } && ValueAtInference(value) is bool flag)
            {
                return flag == constant;
            }

            // `mode == Mode.Train`: the mode at inference is not the training member (which other member it is, is not known).
            if (other is IFieldReferenceOperation { Field: { HasConstantValue: true, ContainingType.TypeKind: TypeKind.Enum } member }
                && value.Type?.TypeKind == TypeKind.Enum && FlagValueAtInference(member.Name) == false)
            {
                return false;
            }
        }

        return null;
    }

    // A name that says "training" is false at inference (not "constraint", "restrain"; "notTraining" says the opposite and
    // is left unknown); one that says "inference" is true there.
    public static bool? FlagValueAtInference(string name)
    {
        if (Contains(name, "train"))
        {
            bool negated = Contains(name, "not") || name.StartsWith("no", StringComparison.OrdinalIgnoreCase) || Contains(name, "skip") || Contains(name, "after");
            return negated || Contains(name, "constrain") || Contains(name, "restrain") ? null : false;
        }

        return Contains(name, "infer") || Contains(name, "eval") || Contains(name, "predict") || Contains(name, "testing") || name is "test" or "isTest" or "IsTest"
            ? true
            : null;
    }

    private static bool Contains(string name, string word) => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool IsBoolean(ITypeSymbol? type) => type?.SpecialType == SpecialType.System_Boolean;

    private static bool? Or(bool? left, bool? right) =>
        left == true || right == true ? true
        : left == false && right == false ? false
        : null;
}
