using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Whether an operation in a module's code runs only while the module's own <c>training</c> is true, decided by control
/// flow: it sits in the branch of an <c>if</c> or <c>?:</c> that the module's <c>training</c> decides (<c>if (training)</c>,
/// <c>else if (this.training)</c>, <c>if (!training) ... else</c>, <c>training &amp;&amp; sparse</c>), or below an early
/// exit taken when <c>training</c> is false (<c>if (!training) return x;</c>). There a functional dropout whose
/// <c>training</c> defaults to (or is passed) <see langword="true"/> is right: it is never reached after <c>eval()</c>.
/// </summary>
internal static class TorchSharpTrainingGuard
{
    /// <summary>Whether <paramref name="operation"/> is reached only when the containing module's <c>training</c> is true.</summary>
    public static bool IsReachedOnlyWhenTraining(IOperation operation, TorchSharpSymbols symbols)
    {
        IOperation current = operation;
        for (IOperation? parent = operation.Parent; parent is not null; current = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when ReferenceEquals(current, conditional.WhenTrue):
                    if (TrainingWhen(conditional.Condition, true, symbols) == true)
                    {
                        return true;
                    }

                    break;
                case IConditionalOperation conditional when ReferenceEquals(current, conditional.WhenFalse):
                    if (TrainingWhen(conditional.Condition, false, symbols) == true)
                    {
                        return true;
                    }

                    break;
                case IBlockOperation block when ExitsEarlyUnlessTraining(block, current, symbols):
                    return true;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    // A lambda or local function may be called from anywhere: the guards around its declaration do not hold inside it.
                    return false;
            }
        }

        return false;
    }

    // A statement before `current` in `block` that leaves the method when `training` is false:
    // `if (!training) return x;` (the if has no else and its true branch always exits).
    private static bool ExitsEarlyUnlessTraining(IBlockOperation block, IOperation current, TorchSharpSymbols symbols)
    {
        foreach (IOperation statement in block.Operations)
        {
            if (ReferenceEquals(statement, current))
            {
                return false;
            }

            if (statement is IConditionalOperation { WhenFalse: null } guard
                && AlwaysExits(guard.WhenTrue)
                && TrainingWhen(guard.Condition, false, symbols) == true)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AlwaysExits(IOperation operation) => operation switch
    {
        IReturnOperation => true,
        IThrowOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation block => block.Operations.Length > 0 && AlwaysExits(block.Operations[block.Operations.Length - 1]),
        _ => false,
    };

    /// <summary>
    /// The value the module's <c>training</c> must have when <paramref name="condition"/> evaluates to
    /// <paramref name="value"/>, or <see langword="null"/> when the condition does not decide it.
    /// </summary>
    private static bool? TrainingWhen(IOperation condition, bool value, TorchSharpSymbols symbols)
    {
        while (condition is IConversionOperation { IsImplicit: true } conversion)
        {
            condition = conversion.Operand;
        }

        switch (condition)
        {
            case IPropertyReferenceOperation or IFieldReferenceOperation when IsOwnTrainingRead(condition, symbols):
                return value;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return TrainingWhen(not.Operand, !value, symbols);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both when value:
                // Both operands are true.
                return TrainingWhen(both.LeftOperand, true, symbols) ?? TrainingWhen(both.RightOperand, true, symbols);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } either when !value:
                // Both operands are false.
                return TrainingWhen(either.LeftOperand, false, symbols) ?? TrainingWhen(either.RightOperand, false, symbols);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                bool equal = comparison.OperatorKind == BinaryOperatorKind.Equals ? value : !value;
                if (comparison.RightOperand.ConstantValue is { HasValue: true, Value: bool right })
                {
                    return TrainingWhen(comparison.LeftOperand, equal == right, symbols);
                }

                if (comparison.LeftOperand.ConstantValue is { HasValue: true, Value: bool left })
                {
                    return TrainingWhen(comparison.RightOperand, equal == left, symbols);
                }

                return null;
            default:
                return null;
        }
    }

    // `training` or `this.training`: the module's own mode flag, declared by TorchSharp's Module (not a user's field of that name).
    private static bool IsOwnTrainingRead(IOperation operation, TorchSharpSymbols symbols)
    {
        (ISymbol member, IOperation? instance) = operation switch
        {
            IPropertyReferenceOperation property => ((ISymbol)property.Property, property.Instance),
            IFieldReferenceOperation field => (field.Field, field.Instance),
            _ => (null!, null),
        };
        return member is { Name: "training", IsStatic: false, ContainingType: { } declaring }
            && (!declaring.Locations.Any(location => location.IsInSource) || symbols.IsTorchSharpOwnType(declaring))
            && symbols.IsModuleType(declaring)
            && instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
    }
}
