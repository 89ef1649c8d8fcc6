using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A skipped term computed in steps: <c>if (u &gt; rate) { var f = fns[ix[i]]; float v = vals[i]; sum += f.Evaluate(v); }</c>.
        /// The kept branch declares locals from elements of the i-th entry and ends by adding a term built from them to a
        /// scalar; a dropped entry adds nothing, as in <see cref="DropoutSiteShape.SkippedTerm"/>'s one-statement form
        /// (<c>sum += w[i] * x[i]</c>). The term may be a call (a learned per-feature function) rather than a product, so
        /// what makes it the entry's contribution is data flow: it reads an element directly or through the branch's own
        /// locals, and the branch does nothing else (only local declarations before the accumulation).
        /// </summary>
        private HandWrittenDropoutSite? FromSkippedBlockTerm(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            if (conditional.WhenFalse is not null
                || conditional.WhenTrue is not IBlockOperation { Operations.Length: >= 2 } block
                || block.Operations[block.Operations.Length - 1] is not IExpressionStatementOperation { Operation: ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add } accumulation }
                || !HandWrittenDropoutSite.IsNumeric(accumulation.Target.Type)
                || HandWrittenDropoutSite.StripConversions(accumulation.Target) is not (ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation)
                || block.Operations.Take(block.Operations.Length - 1).Any(statement => statement is not IVariableDeclarationGroupOperation))
            {
                return null;
            }

            // The block's locals whose initial value reads an element.
            var fromElements = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (IVariableDeclaratorOperation declarator in block.Operations.Take(block.Operations.Length - 1).SelectMany(statement => statement.Descendants().OfType<IVariableDeclaratorOperation>()))
            {
                if (declarator.GetVariableInitializer()?.Value is { } initial && ReadsElement(initial, fromElements))
                {
                    fromElements.Add(declarator.Symbol);
                }
            }

            if (!ReadsElement(accumulation.Value, fromElements) || accumulation.Value.DescendantsAndSelf().Any(IsDrawLike) || !IsPerElement(conditional, root))
            {
                return null;
            }

            return Build(condition, call, draw, probability, bound, !trueWithProbability, DropoutSiteShape.SkippedTerm, conditional, accumulation.Value, null, null, null, gated || IsGatedByControl(conditional, root), root);
        }

        private static bool ReadsElement(IOperation value, HashSet<ILocalSymbol> fromElements) =>
            value.DescendantsAndSelf().Any(operation => operation is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
                || (operation is ILocalReferenceOperation { Local: var local } && fromElements.Contains(local)));
    }
}
