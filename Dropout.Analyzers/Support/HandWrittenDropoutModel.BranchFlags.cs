using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// The boolean flag array an <c>if</c>/<c>else</c> decision records beside the activation it writes:
        /// <c>if (u &lt; rate) { y[i] = 0; dropped[i] = true; } else { y[i] = x[i] / (1 - rate); dropped[i] = false; }</c>.
        /// The flag, not the activation, is the mask a backward reads (<c>dropped[i] ? 0 : g[i] / (1 - rate)</c>), whichever
        /// statement comes first in the branches. Null unless both branches write the same element with opposite constants.
        /// </summary>
        private static ISymbol? RecordedFlag(IConditionalOperation conditional)
        {
            if (conditional.WhenFalse is not { } whenFalse
                || BooleanWrite(conditional.WhenTrue) is not var (target, value)
                || BooleanWrite(whenFalse) is not var (otherTarget, otherValue)
                || value == otherValue
                || target is not IArrayElementReferenceOperation element
                || otherTarget is not IArrayElementReferenceOperation otherElement)
            {
                return null;
            }

            ISymbol? flag = HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference);
            return flag is not null && SymbolEqualityComparer.Default.Equals(flag, HandWrittenDropoutSite.ReferencedSymbol(otherElement.ArrayReference))
                && element.Indices.Length == otherElement.Indices.Length
                && element.Indices.Select(index => index.Syntax.ToString()).SequenceEqual(otherElement.Indices.Select(index => index.Syntax.ToString()))
                ? flag
                : null;
        }
    }
}
