using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Data-flow tests that tell a dropout decision or a dropout scale from code that merely looks like one: a random
/// decision whose probability changes from element to element, and a constant factor that equals the drop rate by
/// coincidence. Both came from real code measured as found (an RBM's Gibbs sampling, a learning rate divided by 5).
/// </summary>
internal static class DropoutEvidence
{
    /// <summary>
    /// Whether the probability of a per-element decision is itself read per element: an array element or indexer whose
    /// index is a variable of the innermost loop around the decision (<c>states[h] = Binomial(1, probabilities[h])</c>).
    /// Dropout draws every element with one rate; a probability that follows the element is a stochastic unit (the
    /// Bernoulli sampling of a restricted Boltzmann machine, a sigmoid belief network), which is not scaled.
    /// </summary>
    public static bool IsPerElementProbability(IOperation probability, IOperation decision)
    {
        ILoopOperation? loop = InnermostLoop(decision);
        if (loop is null)
        {
            return false;
        }

        var loopVariables = new HashSet<ILocalSymbol>(loop.Locals, SymbolEqualityComparer.Default);
        if (loop is IForLoopOperation forLoop)
        {
            foreach (IOperation step in forLoop.AtLoopBottom)
            {
                foreach (IOperation written in step.DescendantsAndSelf())
                {
                    if (written is IIncrementOrDecrementOperation { Target: ILocalReferenceOperation counter })
                    {
                        loopVariables.Add(counter.Local);
                    }
                    else if (written is ICompoundAssignmentOperation { Target: ILocalReferenceOperation stepped })
                    {
                        loopVariables.Add(stepped.Local);
                    }
                }
            }
        }

        if (loopVariables.Count == 0)
        {
            return false;
        }

        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(HandWrittenDropoutSite.StripConversions(probability)))
        {
            IEnumerable<IOperation> indices = operation switch
            {
                IArrayElementReferenceOperation element => element.Indices,
                IPropertyReferenceOperation { Property.IsIndexer: true } indexer => indexer.Arguments.Select(argument => argument.Value),
                _ => Enumerable.Empty<IOperation>(),
            };
            if (indices.Any(index => index.DescendantsAndSelf().Any(read => read is ILocalReferenceOperation local && loopVariables.Contains(local.Local))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a scale use is only a number that happens to equal the rate: a constant factor applied to a value that
    /// is no activation (reads no element), such as <c>hp.LearningRate / 5.0</c> next to <c>u &lt; 0.2</c>. A literal
    /// links to a literal probability by value alone, so it counts as a dropout scale only when it scales an element.
    /// </summary>
    public static bool IsCoincidentalConstant(ScaleUse use) =>
        HandWrittenDropoutSite.StripConversions(use.Factor).ConstantValue.HasValue
        && use.Other is not null && DropoutTypeFacts.IsMaskValue(use.Other);

    private static ILoopOperation? InnermostLoop(IOperation operation)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation loop:
                    return loop;
                case IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyBaseOperation:
                    return null;
            }
        }

        return null;
    }
}
