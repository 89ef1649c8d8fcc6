using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Conditions that test only what a method was given: <c>text.Length == 0 || IsStopWord(text)</c>, <c>x == null</c>.
/// Such a test says whether the input is worth running, not whether the model is training: it has the same outcome for an
/// input in training as in prediction, so an exit on it is no way around the dropout.
/// </summary>
internal static class InputChecks
{
    /// <summary>
    /// Whether <paramref name="condition"/> reads nothing but non-flag parameters and locals (and their members), constants
    /// and static helpers applied to them. A <c>bool</c> or enum parameter or local, a member of the instance or any
    /// other state may be a mode, so a condition that reads one is not an input check.
    /// </summary>
    public static bool ChecksOnlyInput(IOperation condition)
    {
        bool readsInput = false;
        foreach (IOperation operation in condition.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IParameterReferenceOperation parameter:
                    if (IsFlagType(parameter.Type))
                    {
                        return false;
                    }

                    readsInput = true;
                    break;
                case ILocalReferenceOperation local:
                    if (IsFlagType(local.Type))
                    {
                        return false;
                    }

                    readsInput = true;
                    break;
                case IFieldReferenceOperation { Field.IsConst: true }:
                    break;
                case IMemberReferenceOperation member when member is IFieldReferenceOperation or IPropertyReferenceOperation:
                    // `text.Length`, `batch.Count`: a member of the input is the input; a member of the instance or a static
                    // member is state that may hold the mode.
                    if (!IsInputValue(member.Instance))
                    {
                        return false;
                    }

                    break;
                case IInvocationOperation invocation when invocation.Instance is not null && !IsInputValue(invocation.Instance):
                case IInstanceReferenceOperation:
                case IEventReferenceOperation:
                    return false;
            }
        }

        return readsInput;
    }

    private static bool IsInputValue(IOperation? instance)
    {
        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        return instance is IParameterReferenceOperation or ILocalReferenceOperation
            || (instance is IMemberReferenceOperation { Instance: { } inner } && IsInputValue(inner));
    }

    private static bool IsFlagType(ITypeSymbol? type) =>
        type is not null && (type.SpecialType == SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum);
}
