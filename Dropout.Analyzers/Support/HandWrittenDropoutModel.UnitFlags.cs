using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// The flag member a unit object records its keep/drop decision in, when the two branches of the decision write the
        /// same member of the same unit with opposite constants: <c>foreach (var n in units) { if (u &lt; rate) { n.mask = 0;
        /// n.output = 0; continue; } else n.mask = 1; ... }</c>. A backward walks the units and reads <c>n.mask</c>, so the member
        /// is the mask, as an array entry <c>mask[i]</c> would be. The unit is one element of a collection: the variable of a
        /// <c>foreach</c> (an element of an array or indexer is already covered by <see cref="RecordedFlag"/>). The constants
        /// are 0 and 1 (or false and true), so the member holds nothing but the decision.
        /// </summary>
        private static ISymbol? RecordedUnitFlag(IConditionalOperation conditional)
        {
            if (conditional.WhenFalse is not { } whenFalse)
            {
                return null;
            }

            foreach ((ISymbol member, string receiver, bool value) in UnitFlagWrites(conditional.WhenTrue))
            {
                foreach ((ISymbol otherMember, string otherReceiver, bool otherValue) in UnitFlagWrites(whenFalse))
                {
                    if (value != otherValue && receiver == otherReceiver && SymbolEqualityComparer.Default.Equals(member, otherMember))
                    {
                        return member;
                    }
                }
            }

            return null;
        }

        // `n.mask = 0.0;` / `n.dropped = true;` statements of a branch whose receiver is the variable of an enclosing foreach.
        private static IEnumerable<(ISymbol Member, string Receiver, bool Value)> UnitFlagWrites(IOperation branch)
        {
            IEnumerable<IOperation> statements = branch is IBlockOperation block ? block.Operations : new[] { branch };
            foreach (IOperation statement in statements)
            {
                if (statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: { } instance } target } assignment }
                    || target is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
                    || HandWrittenDropoutSite.StripConversions(instance) is not ILocalReferenceOperation { Local: var unit }
                    || !unit.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax() is ForEachStatementSyntax)
                    || FlagValue(assignment.Value) is not { } value)
                {
                    continue;
                }

                yield return (target.Member.OriginalDefinition, unit.Name, value);
            }
        }

        // `true`/`false`, or a numeric 0 or 1.
        private static bool? FlagValue(IOperation value)
        {
            if (value.ConstantValue is { HasValue: true, Value: bool flag })
            {
                return flag;
            }

            return HandWrittenDropoutSite.IsZero(value) ? false : HandWrittenDropoutSite.IsOne(value) ? true : null;
        }
    }
}
