using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP005 for whole-array dropout over a library's array type: the training side is inverted (the drawn mask, or its
/// product with the activations, is divided by the keep probability: <c>binomial(1, 1 - p, shape) / (1 - p)</c>), and
/// activations are multiplied by that same keep probability where the draw does not run (the other branch of the flag,
/// an early return before the draw, or another method of the type that draws nothing and is no backward). Inverted
/// dropout's inference is the identity, so the second factor shrinks inference activations by the keep probability.
/// Classic dropout (no division in training) multiplies by the keep probability at inference and stays silent.
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    private sealed partial class Summaries
    {
        private void AddLibraryArrayDoubleScaling(
            IOperation[] roots,
            IOperation draw,
            ISymbol symbol,
            bool keepComplement,
            Func<IOperation, bool> holdsMask,
            Func<IOperation, bool> holdsProduct,
            SourceIndex index)
        {
            IOperation drawRoot = draw.TreeRoot();

            // The training side's 1/p: the draw, the mask or the product divided by the keep probability in the forward.
            bool inverted = drawRoot.Descendants().Any(operation => ReciprocalScale(operation) is { } division
                && SameForm(ProbabilityForm(division.Divisor), symbol, keepComplement)
                && (Encloses(division.Scaled, draw) || holdsMask(division.Scaled) || holdsProduct(division.Scaled)
                    || SourceOf(division.Scaled, index, 0)?.Draw == draw));
            if (!inverted)
            {
                return;
            }

            foreach (IOperation root in roots)
            {
                // The roots are the members' bodies (blocks), the draw's tree root is its method's body operation.
                bool isDrawRoot = root.Syntax.SyntaxTree == drawRoot.Syntax.SyntaxTree && drawRoot.Syntax.Span.Contains(root.Syntax.Span);
                if (!isDrawRoot
                    && (root is not (IMethodBodyOperation or IBlockOperation)
                        || MethodOf(root) is not { MethodKind: MethodKind.Ordinary, IsStatic: false } method
                        || IsBackwardName(method.Name)
                        || root.Descendants().Any(IsWholeArrayDraw)))
                {
                    continue;
                }

                foreach (IOperation operation in root.Descendants())
                {
                    if (operation is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } scaled
                        || IsScalarValue(scaled.LeftOperand) == IsScalarValue(scaled.RightOperand))
                    {
                        continue;
                    }

                    IOperation factor = IsScalarValue(scaled.LeftOperand) ? scaled.LeftOperand : scaled.RightOperand;
                    IOperation activations = IsScalarValue(scaled.LeftOperand) ? scaled.RightOperand : scaled.LeftOperand;
                    if (!SameForm(ProbabilityForm(factor), symbol, keepComplement) || holdsMask(activations) || holdsProduct(activations)
                        || (isDrawRoot && !RunsWithoutTheDraw(scaled, draw)))
                    {
                        continue;
                    }

                    _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DoubleScalingAcrossCalls, scaled.Syntax.GetLocation(), factor.Syntax.ToString()));
                }
            }
        }

        // In the forward that draws: the product is on the other branch of a condition whose one branch draws
        // (`if (!train) return x * keep; ... draw`, `train ? x * mask / keep : x * keep`), or is returned from a branch
        // that ends the method before the draw is reached.
        private static bool RunsWithoutTheDraw(IOperation product, IOperation draw)
        {
            IOperation child = product;
            bool returned = false;
            for (IOperation? current = product.Parent; current is not null; child = current, current = current.Parent)
            {
                returned |= current is IReturnOperation;
                if (current is not IConditionalOperation conditional || child == conditional.Condition)
                {
                    continue;
                }

                IOperation? other = child == conditional.WhenTrue ? conditional.WhenFalse : conditional.WhenTrue;
                if (other is not null && Encloses(other, draw))
                {
                    return true;
                }

                if (returned && !Encloses(conditional, draw) && draw.Syntax.SpanStart > conditional.Syntax.Span.End)
                {
                    return true;
                }

                if (Encloses(conditional, draw))
                {
                    return false;
                }
            }

            return false;
        }

        // By syntax: the draw may come from another operation tree of the same method (its body, where the roots are blocks).
        private static bool Encloses(IOperation outer, IOperation draw) =>
            outer.Syntax.SyntaxTree == draw.Syntax.SyntaxTree && outer.Syntax.Span.Contains(draw.Syntax.Span);
    }
}
