using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A unit's own drop flag kept in a member and tested right after it is drawn: <c>_dropped = u &lt; rate; if (_dropped)
        /// { output = 0; return; }</c>. Outside a loop the member is one flag, not a mask, so the decision is made where the
        /// following statements read it, as for a <c>bool</c> local. Only reads before the member is written again are
        /// followed, since only they see the drawn value.
        /// </summary>
        private HandWrittenDropoutSite? FromStoredFlag(ISimpleAssignmentOperation assignment, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IOperation root, int depth)
        {
            if (depth > 1
                || assignment.Target is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
                || HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is not { } flag
                || assignment.Parent is not IExpressionStatementOperation { Parent: IBlockOperation block } statement)
            {
                return null;
            }

            foreach (IOperation following in block.Operations.SkipWhile(candidate => candidate != statement).Skip(1))
            {
                foreach (IOperation operation in following.DescendantsAndSelf())
                {
                    if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, flag) && !HandWrittenDropoutSite.IsReceiver(operation))
                    {
                        if (operation.Parent is IAssignmentOperation written && written.Target == operation)
                        {
                            return null;
                        }

                        if (Climb(operation, draw, call, probability, bound, trueWithProbability, root, depth + 1) is { } site)
                        {
                            return site;
                        }
                    }
                }
            }

            return null;
        }
    }
}
