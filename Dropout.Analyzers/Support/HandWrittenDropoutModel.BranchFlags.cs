using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// For a boolean-mask site, whether the compared probability is the complement of the keep probability, as the mask's
    /// readers say (<c>mask[i] ? x[i] / q : 0</c>, <c>if (!mask[j]) y[j] = 0;</c>) rather than as its name guesses: only
    /// then does the comparison's direction say which probability keeps, so only then can it contradict the probability's
    /// name (DRP016). Null when no reader in the type says, or readers disagree.
    /// </summary>
    public static bool? KeepIsComplementByReader(HandWrittenDropoutSite site, IOperation siteRoot, IEnumerable<IOperation> roots)
    {
        if (site.MaskSymbol is not { } mask)
        {
            return null;
        }

        // The body that draws the mask reads it first; else every other member that reads it must agree (`SampleDropout`
        // draws, `Compute` zeroes by it).
        bool? own = SiteFinder.FlagMeansDroppedByUse(mask, siteRoot);
        bool? read = own;
        if (read is null)
        {
            foreach (IOperation root in roots)
            {
                if (root != siteRoot && SiteFinder.FlagMeansDroppedByUse(mask, root) is { } meaning)
                {
                    if (read is { } earlier && earlier != meaning)
                    {
                        return null;
                    }

                    read = meaning;
                }
            }
        }

        if (read is not { } droppedWhenTrue)
        {
            return null;
        }

        // The site took the meaning from its own body or, failing that, from the mask's name; undo that to find when an entry
        // is true, then apply the reader's meaning.
        bool assumedDroppedWhenTrue = own ?? FlagMeansDropped(mask, site.Decision, siteRoot);
        bool entryTrueWithComparedProbability = assumedDroppedWhenTrue ? site.KeepProbabilityIsComplement : !site.KeepProbabilityIsComplement;
        return droppedWhenTrue ? entryTrueWithComparedProbability : !entryTrueWithComparedProbability;
    }

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
                || FlagLocation(target) is not var (flag, where)
                || FlagLocation(otherTarget) is not var (otherFlag, otherWhere))
            {
                return null;
            }

            return SymbolEqualityComparer.Default.Equals(flag, otherFlag) && where == otherWhere ? flag : null;
        }

        private static IEnumerable<IOperation> Conjuncts(IOperation condition)
        {
            condition = HandWrittenDropoutSite.StripConversions(condition);
            return condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } conjunction
                ? Conjuncts(conjunction.LeftOperand).Concat(Conjuncts(conjunction.RightOperand))
                : [condition];
        }

        // `mask[j]` or `!mask[j]`: an entry of the mask, tested as it is.
        private static bool ReadsMaskEntry(IOperation condition, ISymbol mask)
        {
            condition = HandWrittenDropoutSite.StripConversions(condition);
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                condition = HandWrittenDropoutSite.StripConversions(not.Operand);
            }

            ISymbol? read = condition switch
            {
                IArrayElementReferenceOperation element => MaskCollectionSymbol(element.ArrayReference),
                IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
                // `mask.Get(0, i)`: the entry read through an accessor.
                IInvocationOperation getter when ElementCollection(getter) is { } container => MaskCollectionSymbol(container),
                _ => null,
            };
            return read is not null && SymbolEqualityComparer.Default.Equals(read, mask);
        }

        /// <summary>
        /// Where a per-element flag is recorded: the collection and the index of <c>dropped[i]</c> (an array, a
        /// <c>List&lt;bool&gt;</c> or <c>Span&lt;bool&gt;</c> indexer), or the member and the element of <c>units[i].Dropped</c>.
        /// The flag symbol is what a backward reads to find the dropped units. Null for anything else (a plain field or local
        /// is one flag, not one per element).
        /// </summary>
        private static (ISymbol Flag, string Where)? FlagLocation(IOperation target)
        {
            switch (target)
            {
                case IArrayElementReferenceOperation element when HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference) is { } array:
                    return (array, string.Join(",", element.Indices.Select(index => index.Syntax.ToString())));
                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } indexer when HandWrittenDropoutSite.ReferencedSymbol(instance) is { } collection:
                    return (collection, string.Join(",", indexer.Arguments.Select(argument => argument.Value.Syntax.ToString())));
                case IMemberReferenceOperation { Instance: IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } } member
                    when member is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } && HandWrittenDropoutSite.ReferencedSymbol(member) is { } flag:
                    return (flag, member.Instance!.Syntax.ToString());
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// Whether a flag's name says its entries are true for dropped units (<c>dropped</c>, <c>isDropped</c>, <c>dropMask</c>):
    /// "drop" outside the word "dropout", which names the layer, not the meaning (<c>_dropoutMask[o] = keep</c> is a mask
    /// of kept units as often as not).
    /// </summary>
    internal static bool NamesDroppedUnits(string name)
    {
        for (int at = name.IndexOf("drop", StringComparison.OrdinalIgnoreCase); at >= 0; at = name.IndexOf("drop", at + 4, StringComparison.OrdinalIgnoreCase))
        {
            if (string.Compare(name, at, "dropout", 0, 7, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
