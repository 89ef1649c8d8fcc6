using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A dropped unit marked by a value the code reading it skips, rather than by zero: <c>if (u &lt; rate) h[j] = -1;</c>
        /// where the same body reads the units only under a test that the marker fails (<c>var v = h[n]; if (v &gt; 0) sum +=
        /// v * w[m];</c>, a ReLU network whose skipped units contribute nothing). The marker stands for "dropped" exactly as
        /// a zero would: what decides is that a reader of the same array excludes that value, not the value itself, so a
        /// negative number written where every read uses it as a number (an offset, a label) is no drop.
        /// </summary>
        private static bool IsSkippedMarker(ISimpleAssignmentOperation assignment)
        {
            if (assignment.Target is not IArrayElementReferenceOperation target
                || !HandWrittenDropoutSite.IsNumeric(target.Type)
                || HandWrittenDropoutSite.StripConversions(assignment.Value).ConstantValue is not { HasValue: true, Value: { } constant }
                || ProbabilityScaling.ToDouble(constant) is not double marker
                || marker >= 0
                || HandWrittenDropoutSite.ReferencedSymbol(target.ArrayReference) is not { } array)
            {
                return false;
            }

            IOperation root = assignment.TreeRoot();
            foreach (IOperation operation in root.Descendants())
            {
                if (operation is IArrayElementReferenceOperation read && read != target
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(read.ArrayReference), array)
                    && !(read.Parent is IAssignmentOperation written && written.Target == read)
                    && ReadIsGuardedAgainst(read, marker))
                {
                    return true;
                }
            }

            return false;
        }

        // `if (h[n] > 0) sum += h[n] * w;`, `var v = h[n]; if (v > 0) ...`, `v > 0 ? v * w : 0`: the element (or the local it
        // is copied into) is tested against a constant bound by a comparison the marker fails, and that comparison is the
        // condition of the branch that uses the value.
        private static bool ReadIsGuardedAgainst(IArrayElementReferenceOperation read, double marker)
        {
            ILocalSymbol? copy = read.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } ? declarator.Symbol
                : read.Parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } copied && copied.Value == read ? local.Local
                : null;
            IOperation root = read.TreeRoot();
            IEnumerable<IOperation> candidates = copy is null ? EnclosingOperations(read).Take(3) : root.Descendants();
            foreach (IBinaryOperation comparison in candidates.OfType<IBinaryOperation>())
            {
                IOperation left = HandWrittenDropoutSite.StripConversions(comparison.LeftOperand);
                IOperation right = HandWrittenDropoutSite.StripConversions(comparison.RightOperand);
                bool leftIsValue = IsTheValue(left, read, copy);
                bool rightIsValue = IsTheValue(right, read, copy);
                if (leftIsValue == rightIsValue
                    || (leftIsValue ? right : left).ConstantValue is not { HasValue: true, Value: { } boundValue }
                    || ProbabilityScaling.ToDouble(boundValue) is not double bound
                    || comparison.Parent is not IConditionalOperation { } guarded
                    || guarded.Condition != comparison)
                {
                    continue;
                }

                // Written as `value OP bound`.
                BinaryOperatorKind kind = leftIsValue ? comparison.OperatorKind : Mirror(comparison.OperatorKind);
                bool markerPasses = kind switch
                {
                    BinaryOperatorKind.GreaterThan => marker > bound,
                    BinaryOperatorKind.GreaterThanOrEqual => marker >= bound,
                    BinaryOperatorKind.NotEquals => marker != bound,
                    BinaryOperatorKind.LessThan => marker < bound,
                    BinaryOperatorKind.LessThanOrEqual => marker <= bound,
                    BinaryOperatorKind.Equals => marker == bound,
                    _ => true,
                };
                bool valuePassesWhenPositive = kind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.NotEquals;

                // The branch that uses the value is the one the marker cannot enter: `v > 0` then-branch, or `v <= 0` with
                // the value used after an exit (`if (v <= 0) continue;`).
                bool usedInBranch = valuePassesWhenPositive && !markerPasses;
                bool usedAfterExit = !valuePassesWhenPositive && markerPasses && IsExit(guarded.WhenTrue);
                IOperation? usingBranch = usedInBranch ? guarded.WhenTrue : usedAfterExit ? guarded.Parent : null;
                if (usingBranch is not null && usingBranch.DescendantsAndSelf().Any(operation => IsTheValue(operation, read, copy) && (usedInBranch || !EnclosingOperations(operation).Contains(guarded))))
                {
                    return true;
                }
            }

            return false;
        }

        // The tested element itself (`h[n]`, read again with the same index in the branch) or the local it was copied into.
        private static bool IsTheValue(IOperation operation, IArrayElementReferenceOperation read, ILocalSymbol? copy) =>
            copy is null
                ? operation == read || operation is IArrayElementReferenceOperation again && again.Syntax.IsEquivalentTo(read.Syntax)
                : operation is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, copy);

        private static IEnumerable<IOperation> EnclosingOperations(IOperation operation)
        {
            for (IOperation? parent = operation.Parent; parent is not null; parent = parent.Parent)
            {
                yield return parent;
            }
        }

        private static bool IsExit(IOperation branch) =>
            (branch is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : branch) is IBranchOperation { BranchKind: BranchKind.Continue or BranchKind.Break } or IReturnOperation;

        private static BinaryOperatorKind Mirror(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
            _ => kind,
        };
    }
}
