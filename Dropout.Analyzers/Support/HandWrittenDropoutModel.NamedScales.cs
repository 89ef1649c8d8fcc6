using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // How many symbols one "seen through" question may open before it gives up (and answers "not seen through").
    private const int SeenThroughBudget = 32;

    /// <summary>
    /// Whether the term evaluator saw the whole of a value: it is made of constants, arithmetic, integer-typed values,
    /// symbols whose every value is visible and itself seen through, and calls of static (or this-instance) methods on
    /// arguments that are (the evaluator takes such a call's result to depend on its arguments only). A symbol named for a
    /// scale whose values are seen through and unrelated to the probability is a weight-initialization spread
    /// (<c>float scale = MathF.Sqrt(2f / (fanIn + fanOut))</c>, <c>weights[i] = Gaussian() * scale</c>), not an unseen
    /// dropout scale: its name alone must not turn it into an unknown factor that hides a missing 1/p. Element reads,
    /// object creations, members of other objects, floating-point values written where the model cannot see them, and
    /// parameterless helpers are not seen through, so there the name still counts.
    /// </summary>
    private bool IsSeenThrough(IOperation value, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var visited = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        int budget = SeenThroughBudget;
        return SeenThrough(value);

        bool SeenThrough(IOperation current)
        {
            current = HandWrittenDropoutSite.StripConversions(current);
            if (current.ConstantValue.HasValue || IsIntegral(current.Type))
            {
                return true;
            }

            switch (current)
            {
                case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation
                    or IPropertyReferenceOperation { Property.IsIndexer: false }:
                    return SymbolSeenThrough(HandWrittenDropoutSite.ReferencedSymbol(current)!, current);
                case IBinaryOperation binary:
                    return SeenThrough(binary.LeftOperand) && SeenThrough(binary.RightOperand);
                case IUnaryOperation unary:
                    return SeenThrough(unary.Operand);
                case IParenthesizedOperation parenthesized:
                    return SeenThrough(parenthesized.Operand);
                case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                    return SeenThrough(conditional.WhenTrue) && SeenThrough(whenFalse);
                case IInvocationOperation invocation:
                    return invocation.Arguments.Length > 0
                        && (HandWrittenDropoutModel.IsSelf(invocation.Instance))
                        && invocation.Arguments.All(argument => SeenThrough(argument.Value));
                default:
                    return false;
            }
        }

        bool SymbolSeenThrough(ISymbol symbol, IOperation reference)
        {
            // A member of another object (`_config.Scale`) is that member, read as the evaluator reads it; its instance is not a value.
            if (reference is IMemberReferenceOperation { Instance: { } instance } && instance is not IInstanceReferenceOperation)
            {
                return false;
            }

            if (!visited.Add(symbol))
            {
                return true;
            }

            if (--budget < 0)
            {
                return false;
            }

            SymbolValues values = ValuesOf(symbol, reference, semanticModel, cancellationToken);
            return values.IsComplete && !values.Values.IsEmpty && values.Values.All(SeenThrough);
        }
    }

    private static bool IsIntegral(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
        or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_UInt32 or SpecialType.System_UInt64
        or SpecialType.System_UInt16 or SpecialType.System_SByte;
}
