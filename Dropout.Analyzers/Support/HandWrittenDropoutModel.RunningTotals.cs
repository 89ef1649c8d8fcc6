using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class TermEvaluator
    {
        /// <summary>
        /// Whether a local is a running total of element values unrelated to the probability, whatever its name: it starts
        /// from a constant and only ever grows by <c>+=</c> of a value that reads an element (<c>scale += e[n] = Exp(z[n] - max)</c>,
        /// a softmax denominator; <c>scale += x[i] * x[i]</c>, a norm). Its writes are all in view, so the name "scale" must
        /// not make it an unknown factor that hides a missing 1/p. A total of the dropped values themselves
        /// (<c>total += w[i]</c>, a renormalization by what was kept) is decided before this, on the drop's path.
        /// </summary>
        private bool IsUnrelatedRunningTotal(ILocalSymbol local, IOperation reference, int depth)
        {
            bool added = false;
            foreach (IOperation operation in reference.TreeRoot().Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        if (declarator.GetVariableInitializer() is { } initializer && !initializer.Value.ConstantValue.HasValue)
                        {
                            return false;
                        }

                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local):
                        if (!assignment.Value.ConstantValue.HasValue)
                        {
                            return false;
                        }

                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target } compound when SymbolEqualityComparer.Default.Equals(target.Local, local):
                        if (compound.OperatorKind != BinaryOperatorKind.Add || !IsUnrelatedElementValue(compound.Value, depth))
                        {
                            return false;
                        }

                        added = true;
                        break;
                    case ICoalesceAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target2 } when SymbolEqualityComparer.Default.Equals(target2.Local, local):
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: ILocalReferenceOperation target3 } when SymbolEqualityComparer.Default.Equals(target3.Local, local):
                        return false;
                }
            }

            return added;
        }

        // A summed value that reads an element and does not depend on the probability; an element of the dropped values
        // summed as it is (`total += w[i]`) is a renormalization and not unrelated.
        private bool IsUnrelatedElementValue(IOperation value, int depth)
        {
            // `scale += e[n] = Exp(...)`: what is summed is the value written.
            IOperation summed = HandWrittenDropoutSite.StripConversions(value is ISimpleAssignmentOperation assignment ? assignment.Value : value);
            if (droppedValues is not null && ElementCollection(summed) is { } collection
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(collection), droppedValues))
            {
                return false;
            }

            return value.DescendantsAndSelf().Any(operation => ElementCollection(operation) is not null)
                && !Evaluate(summed, depth + 1).DependsOnProbability;
        }
    }
}
