using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// <c>if (u &lt; rate) outputs.Add(0); else outputs.Add(activation);</c>: the element is stored by appending it, so the
        /// keep/drop choice is which value the two branches append to the same list. It is the same decision as
        /// <c>outputs.Add(u &lt; rate ? 0 : activation)</c>, and is read as that: a kept-or-zero site whose kept value is the
        /// other branch's argument. Both branches must append to the same receiver, one a zero and the other a value (a
        /// constant one makes the list a 0/1 mask); an <c>if</c> without an <c>else</c> (a sample that skips elements) is no
        /// such choice.
        /// </summary>
        private HandWrittenDropoutSite? FromAppendedZeroOrValue(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            if (conditional.WhenFalse is not { } whenFalse
                || SingleAppend(conditional.WhenTrue) is not { } whenTrueAdd
                || SingleAppend(whenFalse) is not { } whenFalseAdd
                || whenTrueAdd.Instance!.Syntax.ToString() != whenFalseAdd.Instance!.Syntax.ToString()
                || !SymbolEqualityComparer.Default.Equals(whenTrueAdd.TargetMethod.OriginalDefinition, whenFalseAdd.TargetMethod.OriginalDefinition)
                || !IsPerElement(conditional, root))
            {
                return null;
            }

            IOperation trueValue = whenTrueAdd.Arguments[0].Value;
            IOperation falseValue = whenFalseAdd.Arguments[0].Value;
            bool zeroWhenTrue = HandWrittenDropoutSite.IsZero(trueValue);
            if (zeroWhenTrue == HandWrittenDropoutSite.IsZero(falseValue))
            {
                return null;
            }

            IOperation kept = zeroWhenTrue ? falseValue : trueValue;
            bool keepWithProbability = zeroWhenTrue ? !trueWithProbability : trueWithProbability;
            ISymbol? mask = DropoutTypeFacts.IsMaskValue(kept) ? HandWrittenDropoutSite.ReferencedSymbol(whenTrueAdd.Instance!) : null;
            return Build(condition, call, draw, probability, bound, !keepWithProbability, DropoutSiteShape.KeptOrZero, conditional, kept, null, null, mask, gated || IsGatedByControl(conditional, root), root);
        }

        // The one statement of a branch when it is `list.Add(number)`: an instance call named Add with one numeric argument.
        private static IInvocationOperation? SingleAppend(IOperation branch)
        {
            IOperation statement = branch is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : branch;
            return statement is IExpressionStatementOperation { Operation: IInvocationOperation { TargetMethod.Name: "Add", Instance: not null, Arguments.Length: 1 } add }
                && (HandWrittenDropoutSite.IsNumeric(add.Arguments[0].Value.Type) || HandWrittenDropoutSite.IsNumeric(HandWrittenDropoutSite.StripConversions(add.Arguments[0].Value).Type))
                ? add
                : null;
        }
    }
}
