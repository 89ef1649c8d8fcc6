using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// The names read by the conditions that decide whether the draw runs at all: an enclosing <c>if</c> that does not
        /// draw, the other operand of <c>&amp;&amp;</c>/<c>||</c> beside the draw (<c>Training &amp;&amp; u &lt; p</c>,
        /// <c>!IsTraining || u &gt; p</c>) and an earlier guard that leaves the method (<c>if (!IsTraining) return;</c>).
        /// They are tied to the decision by control flow, so a layer whose rate is called <c>P</c> or <c>Level</c> still
        /// speaks of training through the flag that gates its draw.
        /// </summary>
        private static IEnumerable<string> GateNames(HandWrittenDropoutSite site, IOperation root)
        {
            var names = new List<string>();
            IOperation child = site.Comparison;
            for (IOperation? current = child.Parent; current is not null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    case IConditionalOperation conditional when child != conditional.Condition && !ContainsRandom(conditional.Condition):
                        names.AddRange(NamesRead(conditional.Condition));
                        break;
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical:
                        IOperation other = logical.LeftOperand == child ? logical.RightOperand : logical.LeftOperand;
                        if (!ContainsRandom(other))
                        {
                            names.AddRange(NamesRead(other));
                        }

                        break;
                    case IBlockOperation block:
                        foreach (IOperation statement in block.Operations)
                        {
                            if (statement == child)
                            {
                                break;
                            }

                            if (statement is IConditionalOperation guard && !ContainsRandom(guard.Condition)
                                && guard.WhenTrue.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IThrowOperation))
                            {
                                names.AddRange(NamesRead(guard.Condition));
                            }
                        }

                        break;
                }

                if (current == root)
                {
                    break;
                }
            }

            return names;
        }

        private static IEnumerable<string> NamesRead(IOperation condition)
        {
            foreach (IOperation operation in condition.DescendantsAndSelf())
            {
                if (operation is IInvocationOperation invocation)
                {
                    yield return invocation.TargetMethod.Name;
                }
                else if (operation is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                    && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
                {
                    yield return symbol.Name;
                }
            }
        }

        /// <summary>
        /// Whether the kept value is multiplied or divided by a factor computed from the probability the draw is compared
        /// with (<c>u &lt; p ? 0 : x / (1 - p)</c>, a mask entry <c>1 / keep</c>): the author rescales what survives by the
        /// chance of surviving, which is what dropout (right or wrong) does and noise, masking for augmentation or sampling
        /// do not. This is data flow from the compared probability into the kept value, whatever the names.
        /// </summary>
        private bool KeptValueScaledByItsProbability(HandWrittenDropoutSite site)
        {
            if (site.KeptValue is not { } kept || site.ProbabilitySymbol is null)
            {
                return false;
            }

            foreach (IOperation operation in kept.DescendantsAndSelf())
            {
                if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } product)
                {
                    IEnumerable<IOperation> factors = product.OperatorKind == BinaryOperatorKind.Divide ? [product.RightOperand] : [product.LeftOperand, product.RightOperand];
                    foreach (IOperation factor in factors)
                    {
                        if (model.Evaluate(factor, site, semanticModel, cancellationToken) is { Kind: ProbabilityTermKind.Power })
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// Whether the elements of an array are applied as factors to the elements of another collection in this body
        /// (<c>x[i] *= m[i]</c>, <c>y[i] = x[i] * m[i]</c>): the array is a mask, whatever it is called. A sum of products
        /// (<c>s += w[j] * x[j]</c>) is a layer consuming activations, not a mask applied, and does not count.
        /// </summary>
        private static bool IsMultipliedIntoOtherValues(ISymbol array, IOperation root)
        {
            foreach (IOperation operation in root.Descendants())
            {
                switch (operation)
                {
                    case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply, Target: IArrayElementReferenceOperation target } compound
                        when IsElementOf(compound.Value, array) && !IsElementOf(target, array):
                        return true;
                    case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation target } assignment
                        when !IsElementOf(target, array)
                            && HandWrittenDropoutSite.StripConversions(assignment.Value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product
                            && (IsElementOf(product.LeftOperand, array) || IsElementOf(product.RightOperand, array)):
                        return true;
                }
            }

            return false;
        }

        private static bool IsElementOf(IOperation operation, ISymbol array) =>
            HandWrittenDropoutSite.StripConversions(operation) is IArrayElementReferenceOperation element
            && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference), array);

        /// <summary>
        /// Whether a decision inside a private helper runs in training only because every call of the helper does: each
        /// call sits under a training-flag condition of its caller (<c>if (!training) return x; ApplyStep(x, y);</c>), or in
        /// a helper that is itself called so. The training flag stays with the caller when a loop moves into a helper.
        /// </summary>
        private static bool IsTrainingOnlyAtEveryCall(IOperation decision, IOperation root, int depth)
        {
            if (depth >= PerElementCallDepth || root.SemanticModel is not { } semanticModel
                || semanticModel.GetEnclosingSymbol(decision.Syntax.SpanStart) is not IMethodSymbol method
                || CallsOf(method, semanticModel) is not { IsDefaultOrEmpty: false } calls)
            {
                return false;
            }

            foreach (Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call in calls)
            {
                SyntaxNode? callerDeclaration = call.Ancestors().FirstOrDefault(ancestor => ancestor is Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax);
                if (callerDeclaration is null || ModelOfCall(semanticModel, call, method).GetOperation(callerDeclaration) is not { } callerRoot
                    || callerRoot.DescendantsAndSelf().FirstOrDefault(operation => operation.Syntax == call && operation is IInvocationOperation) is not { } callOperation
                    || !(IsTrainingOnly(call.Span, callerRoot) || IsTrainingOnlyAtEveryCall(callOperation, callerRoot, depth + 1)))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
