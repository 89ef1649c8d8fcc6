using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A unit object's own value zeroed in one branch of the draw and written from another value in the other:
        /// <c>if (u &lt; keep) units[i].Value = units[i].Input; else units[i].Value = 0;</c> (also chained,
        /// <c>units[i].val = units[i].act = 0</c>). The member is not named as an activation, so what makes it one is data
        /// flow: the same member of the same element is written by both branches, with zero in one and a value in the other,
        /// which is a per-element keep/drop choice. Returns the zeroed member reference.
        /// </summary>
        private static IOperation? ZeroedMemberKeptInOtherBranch(IOperation zeroBranch, IOperation? keptBranch)
        {
            if (keptBranch is null)
            {
                return null;
            }

            foreach (ISimpleAssignmentOperation assignment in Assignments(zeroBranch))
            {
                IOperation value = assignment.Value;
                while (value is ISimpleAssignmentOperation chained)
                {
                    value = chained.Value;
                }

                if (!HandWrittenDropoutSite.IsZero(value) || !IsElementMember(assignment.Target, out ISymbol? member) || !HandWrittenDropoutSite.IsNumeric(assignment.Target.Type))
                {
                    continue;
                }

                string receiver = ((IMemberReferenceOperation)assignment.Target).Instance!.Syntax.ToString();
                foreach (ISimpleAssignmentOperation kept in Assignments(keptBranch))
                {
                    IOperation keptValue = kept.Value;
                    var targets = new List<IOperation> { kept.Target };
                    while (keptValue is ISimpleAssignmentOperation chained)
                    {
                        targets.Add(chained.Target);
                        keptValue = chained.Value;
                    }

                    if (!keptValue.ConstantValue.HasValue
                        && targets.Any(target => IsElementMember(target, out ISymbol? keptMember) && SymbolEqualityComparer.Default.Equals(keptMember, member)
                            && ((IMemberReferenceOperation)target).Instance!.Syntax.ToString() == receiver))
                    {
                        return assignment.Target;
                    }
                }
            }

            return null;
        }

        // The expression-statement assignments of a branch (a block's statements, or the branch itself).
        private static IEnumerable<ISimpleAssignmentOperation> Assignments(IOperation branch) =>
            (branch is IBlockOperation block ? block.Operations : (IEnumerable<IOperation>)[branch])
                .OfType<IExpressionStatementOperation>()
                .Select(statement => statement.Operation)
                .OfType<ISimpleAssignmentOperation>();

        // `units[i].Value`, `layer.Neurons[i].val`: a field or property of one element of a collection.
        private static bool IsElementMember(IOperation target, out ISymbol? member)
        {
            member = null;
            if (target is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
                || ((IMemberReferenceOperation)target).Instance is not { } instance
                || HandWrittenDropoutSite.StripConversions(instance) is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
            {
                return false;
            }

            member = ((IMemberReferenceOperation)target).Member.OriginalDefinition;
            return true;
        }
    }
}
