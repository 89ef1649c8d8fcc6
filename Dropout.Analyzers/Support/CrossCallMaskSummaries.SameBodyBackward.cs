using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The backward of a whole-array dropout written in the same body as its forward, as a numpy training script ported to
/// C# writes it: <c>h = h * mask; h = h / (1 - rate); ... hDelta = outDelta.dot(W2.T) * mask; W1 = W1 - lr * x.T.dot(hDelta);</c>.
/// The forward divided its masked product by the keep probability, the mask itself is unscaled, and a later product with
/// the same mask carries a gradient into a weight step with no 1/p: the derivative of <c>h·m/q</c> is <c>m/q</c>.
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    /// <summary>
    /// Whether <paramref name="product"/>, a product with the mask in the body that drew it, is that body's backward and
    /// omits the 1/p: it comes after the forward's division by the keep probability, multiplies something other than the
    /// forward's masked value, is divided or scaled by nothing on its way into a local, and that local reaches a subtracted
    /// step (<c>w = w - lr * ...</c>) while no statement reading it, and no definition of a local it is computed from,
    /// reads the probability or divides.
    /// </summary>
    private static bool IsUnscaledBackwardInDrawingBody(IOperation product, IOperation drawRoot, List<IOperation> forwardDivisions, Func<IOperation, bool> holdsProduct, ISymbol probability)
    {
        if (forwardDivisions.Count == 0 || forwardDivisions.Any(division => division.TreeRoot() != drawRoot || division.Syntax.Span.End > product.Syntax.SpanStart)
            || product is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } binary
            || holdsProduct(binary.LeftOperand) && holdsProduct(binary.RightOperand))
        {
            return false;
        }

        // The non-mask operand must not be the forward's masked value (a second mask over the activations is the forward).
        IOperation other = holdsProduct(binary.LeftOperand) ? binary.RightOperand : binary.LeftOperand;
        if (holdsProduct(other))
        {
            return false;
        }

        // Up to the local it is stored in, with no factor on the way.
        IOperation current = product;
        ISymbol? holder = null;
        while (current.Parent is { } parent)
        {
            if (parent is IConversionOperation or IParenthesizedOperation
                || (parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } outer && !IsScalar(outer.LeftOperand) && !IsScalar(outer.RightOperand)))
            {
                current = parent;
                continue;
            }

            if (parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
            {
                holder = declarator.Symbol;
            }
            else if (parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment && assignment.Value == current)
            {
                holder = local.Local;
            }

            break;
        }

        if (holder is null)
        {
            return false;
        }

        IOperation statement = StatementOf(product);
        if (ReadsProbabilityOrDivides(statement, probability))
        {
            return false;
        }

        // The locals the product is computed from: their definitions in the body must not carry the probability either.
        var sources = new HashSet<ISymbol>(statement.DescendantsAndSelf().OfType<ILocalReferenceOperation>().Select(reference => (ISymbol)reference.Local), SymbolEqualityComparer.Default);
        sources.Remove(holder);
        foreach (IOperation definition in drawRoot.Descendants())
        {
            ISymbol? defined = definition switch
            {
                IVariableDeclaratorOperation declarator => declarator.Symbol,
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } => local.Local,
                _ => null,
            };
            if (defined is not null && sources.Contains(defined) && definition.Syntax.SpanStart < product.Syntax.SpanStart
                && definition.Syntax.SpanStart > forwardDivisions.Max(division => division.Syntax.SpanStart)
                && definition.DescendantsAndSelf().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, probability)))
            {
                return false;
            }
        }

        // Where the gradient goes: every later statement reading it reads no probability and divides nothing, and one of
        // them is a subtracted step.
        bool reachesStep = false;
        foreach (ILocalReferenceOperation reader in drawRoot.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reader.Local, holder) || reader.Syntax.SpanStart <= product.Syntax.SpanStart)
            {
                continue;
            }

            IOperation readerStatement = StatementOf(reader);
            if (ReadsProbabilityOrDivides(readerStatement, probability))
            {
                return false;
            }

            reachesStep |= readerStatement.DescendantsAndSelf().Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } step
                && step.RightOperand.DescendantsAndSelf().Contains(reader));
        }

        return reachesStep;
    }

    private static IOperation StatementOf(IOperation operation)
    {
        IOperation current = operation;
        while (current.Parent is { } parent && parent is not (IBlockOperation or ILoopOperation or IConditionalOperation))
        {
            current = parent;
        }

        return current;
    }

    // A division anywhere in the statement may be the 1/p written another way (`/ keep` through a local), so it counts.
    private static bool ReadsProbabilityOrDivides(IOperation statement, ISymbol probability) =>
        statement.DescendantsAndSelf().Any(operation =>
            operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } or ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Divide }
            || (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, probability)));
}
