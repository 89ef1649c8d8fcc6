using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // How many symbols and helper bodies one reachability question may open before it gives up (and answers "maybe").
    private const int ReachabilityBudget = 64;

    /// <summary>
    /// Whether a value can depend on a site's probability by data flow: it reads the probability symbol (or an element of
    /// it), a symbol named like a scale, or a local, field, property, parameter or parameterless helper of this file whose
    /// values do, however deep the expression is (a symbol or a bodiless call named like a scale counts only where its
    /// values cannot be seen: the name supports an unseen value, it never overrides a seen one). <see cref="TermEvaluator"/> asks it where its depth limit stops the
    /// evaluation: a deep expression that cannot reach the probability (a Box–Muller sample,
    /// <c>Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble()))</c>) is unrelated to it, not an unknown scale that hides a
    /// missing one. It follows the same edges as the evaluator and answers "maybe" past its budget, so it never turns a
    /// value the evaluator could have found to depend on the probability into an unrelated one. A value computed from the
    /// collection the site zeroes (<paramref name="droppedValues"/>: <c>w[i] / total</c> with <c>total = w.Sum()</c>, a
    /// particle filter renormalizing after thinning) depends on the drop itself and stays unknown too.
    /// </summary>
    private bool MayReachProbability(IOperation operation, ISymbol? probabilitySymbol, ISymbol? droppedValues, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var visited = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        int budget = ReachabilityBudget;
        return Reaches(operation);

        bool Reaches(IOperation current)
        {
            current = HandWrittenDropoutSite.StripConversions(current);
            if (current.ConstantValue.HasValue)
            {
                return false;
            }

            if (HandWrittenDropoutSite.ReferencedSymbol(current) is { } symbol)
            {
                return ReachesThroughSymbol(symbol, current);
            }

            if (probabilitySymbol is not null && ElementCollection(current) is { } collection
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(collection), probabilitySymbol))
            {
                return true;
            }

            switch (current)
            {
                case IBinaryOperation binary:
                    return Reaches(binary.LeftOperand) || Reaches(binary.RightOperand);
                case IInvocationOperation invocation:
                    // A scale-named call whose body cannot be read (a library's, an interface's) may return the dropout scale;
                    // one whose body or arguments can be followed is decided by them, as any other call.
                    if (NamesAScale(invocation.TargetMethod.Name) && invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty)
                    {
                        return true;
                    }

                    if (invocation.Arguments.Length == 0 && invocation.TargetMethod.DeclaringSyntaxReferences.Length == 1
                        && SemanticModelFor(semanticModel, invocation.TargetMethod.DeclaringSyntaxReferences[0].SyntaxTree, invocation.TargetMethod, cancellationToken) is { } calleeModel)
                    {
                        if (!visited.Add(invocation.TargetMethod) || --budget < 0)
                        {
                            return budget < 0;
                        }

                        return calleeModel.GetOperation(invocation.TargetMethod.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken) is not { } body
                            || body.Descendants().OfType<IReturnOperation>().Any(returned => returned.ReturnedValue is { } value && Reaches(value));
                    }

                    return invocation.Arguments.Any(argument => Reaches(argument.Value)) || (invocation.Instance is { } instance && Reaches(instance));
                case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                    return Reaches(conditional.WhenTrue) || Reaches(whenFalse);
                case ICoalesceOperation coalesce:
                    return Reaches(coalesce.Value) || Reaches(coalesce.WhenNull);
                case IUnaryOperation unary:
                    return Reaches(unary.Operand);
                case IConditionalOperation or IParenthesizedOperation:
                    return current.Descendants().Any(Reaches);
                default:
                    return false;
            }
        }

        bool ReachesThroughSymbol(ISymbol symbol, IOperation reference)
        {
            if ((probabilitySymbol is not null && SymbolEqualityComparer.Default.Equals(symbol, probabilitySymbol))
                || (droppedValues is not null && SymbolEqualityComparer.Default.Equals(symbol, droppedValues)))
            {
                return true;
            }

            // The name says "scale" only where the values cannot be seen (a public setter, another object's member): a
            // scale-named symbol whose every value is in view (a weight-initialization spread) is followed like any other,
            // as the term evaluator does (IsSeenThrough).
            if (NamesAScale(symbol.Name) && !IsSeenThrough(reference, semanticModel, cancellationToken))
            {
                return true;
            }

            if (symbol is not (ILocalSymbol or IFieldSymbol or IPropertySymbol or IParameterSymbol) || !visited.Add(symbol))
            {
                return false;
            }

            if (--budget < 0)
            {
                return true;
            }

            SymbolValues values = ValuesOf(symbol, reference, semanticModel, cancellationToken);
            return values.IsComplete && values.Values.Any(Reaches);
        }
    }

    private static bool NamesAScale(string name) => name.IndexOf("scale", StringComparison.OrdinalIgnoreCase) >= 0;
}
