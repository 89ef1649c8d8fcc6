using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The symbol a compared probability is a monomial of, and the compared value as a term of it. <c>_rate</c> written once
    /// from a constructor parameter resolves to that parameter, so that <c>1 / (1 - rate)</c> in the constructor and
    /// <c>u &lt; _rate</c> in <c>Forward</c> speak of the same symbol. An integer draw's probability is divided by its bound.
    /// </summary>
    public (ISymbol? Symbol, ProbabilityTerm Compared) ResolveProbability(IOperation probability, IOperation? bound, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        ISymbol? symbol = null;
        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(probability))
        {
            // `_config.DropoutRate`: the member read is the probability; the object it is read from is not a second symbol.
            // `dropRates[layer]`: the rate is the array's element; the index chooses which, and is no second symbol.
            if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } referenced && !(operation.ConstantValue.HasValue) && !HandWrittenDropoutSite.IsReceiver(operation)
                && !IsElementIndex(operation))
            {
                if (symbol is not null && !SymbolEqualityComparer.Default.Equals(symbol, referenced))
                {
                    return (symbol, ProbabilityTerm.Unknown);
                }

                symbol = referenced;
            }
        }

        for (int step = 0; symbol is not null && step < 3; step++)
        {
            if (SingleValueOf(symbol, probability, semanticModel, cancellationToken) is not { } definition)
            {
                break;
            }

            // `_dropPerMille = (int)(1000 * dropoutRate)`, `_keep = 1 - rate`: a definition that reads one symbol is a term of it.
            ISymbol? inner = SingleSymbol(definition);
            if (inner is null || inner is ILocalSymbol || SymbolEqualityComparer.Default.Equals(inner, symbol) || new TermEvaluator(this, inner, semanticModel, cancellationToken).Evaluate(definition, 0) is not { Kind: ProbabilityTermKind.Power })
            {
                break;
            }

            symbol = inner;
        }

        var evaluator = new TermEvaluator(this, symbol, semanticModel, cancellationToken);
        ProbabilityTerm compared = evaluator.Evaluate(probability, 0);
        if (bound is not null)
        {
            compared = compared.Divide(OneBasedDrawTop(bound) is { } top
                ? evaluator.Evaluate(top, 0).AddOrSubtract(ProbabilityTerm.Constant(1), subtract: true)
                : evaluator.Evaluate(bound, 0));
        }

        return (symbol, compared);
    }

    /// <summary>
    /// For a 1-based integer draw <c>rng.Next(1, hi)</c> used as its own bound (values 1 to hi - 1), the exclusive top
    /// <c>hi</c>: the number of values is <c>hi - 1</c>. <see langword="null"/> for any other bound.
    /// </summary>
    internal static IOperation? OneBasedDrawTop(IOperation bound) =>
        bound is IInvocationOperation { TargetMethod.Name: "Next", Arguments.Length: 2 } draw && HandWrittenDropoutSite.IsOne(draw.Arguments[0].Value)
            ? draw.Arguments[1].Value
            : null;

    private static ISymbol? SingleSymbol(IOperation value)
    {
        ISymbol? single = null;
        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(value))
        {
            if (operation is IInvocationOperation)
            {
                return null;
            }

            if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } referenced && !operation.ConstantValue.HasValue && !HandWrittenDropoutSite.IsReceiver(operation))
            {
                if (single is not null && !SymbolEqualityComparer.Default.Equals(single, referenced))
                {
                    return null;
                }

                single = referenced;
            }
        }

        return single;
    }

    /// <summary>A value as a term of a site's probability symbol.</summary>
    public ProbabilityTerm Evaluate(IOperation value, HandWrittenDropoutSite site, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        new TermEvaluator(this, site.ProbabilitySymbol, semanticModel, cancellationToken, DroppedValues(site), site.Comparison.TreeRoot()).Evaluate(value, 0);

    // The collection whose elements the site zeroes (or its mask): a factor computed from it (`w[i] / total` with
    // `total = w.Sum()`) renormalizes by what was kept.
    private static ISymbol? DroppedValues(HandWrittenDropoutSite site)
    {
        IOperation? target = site.ZeroedTarget is null ? null : HandWrittenDropoutSite.StripConversions(site.ZeroedTarget);
        while (target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
        {
            target = target is IArrayElementReferenceOperation element ? element.ArrayReference : ((IPropertyReferenceOperation)target).Instance;
        }

        return site.MaskSymbol ?? (target is null ? null : HandWrittenDropoutSite.ReferencedSymbol(target));
    }

    private sealed partial class TermEvaluator(HandWrittenDropoutModel model, ISymbol? probabilitySymbol, SemanticModel semanticModel, CancellationToken cancellationToken, ISymbol? droppedValues = null, IOperation? dropRoot = null)
    {
        public ProbabilityTerm Evaluate(IOperation operation, int depth)
        {
            operation = HandWrittenDropoutSite.StripConversions(operation);
            if (operation.ConstantValue is { HasValue: true, Value: var constant } && ProbabilityScaling.ToDouble(constant) is { } number)
            {
                return ProbabilityTerm.Constant(number);
            }

            if (depth > MaxDepth)
            {
                // Too deep to evaluate as a monomial: unknown only if the value can reach the probability (or the dropped values) at all.
                return model.MayReachProbability(operation, probabilitySymbol, droppedValues, semanticModel, cancellationToken) ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
            }

            if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
            {
                return EvaluateSymbol(symbol, operation, depth);
            }

            // An element of the probability array (`1 / (1 - dropRates[layer])` beside `u < dropRates[layer]`) is the probability.
            if (probabilitySymbol is not null && ElementCollection(operation) is { } collection
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(collection), probabilitySymbol))
            {
                return ProbabilityTerm.Symbol;
            }

            switch (operation)
            {
                // Operands, arguments and branches are parts of the same expression, whose size the syntax bounds: only a
                // definition followed (a symbol's values, a helper's returns) spends depth. Counting operator nesting made an
                // ordinary activation (`1 / (1 + Math.Exp(-sum))` read through `Output`) too deep to see, and so Unknown: a
                // sigmoid derivative `Output * (1 - Output)` then looked like an unclassified scale and hid a missing 1/p.
                case IBinaryOperation binary:
                    ProbabilityTerm left = Evaluate(binary.LeftOperand, depth);
                    ProbabilityTerm right = Evaluate(binary.RightOperand, depth);
                    return binary.OperatorKind switch
                    {
                        BinaryOperatorKind.Multiply => left.Multiply(right),
                        BinaryOperatorKind.Divide => left.Divide(right),
                        BinaryOperatorKind.Add => left.AddOrSubtract(right, subtract: false),
                        BinaryOperatorKind.Subtract => left.AddOrSubtract(right, subtract: true),
                        _ => left.DependsOnProbability || right.DependsOnProbability ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated,
                    };
                case IInvocationOperation invocation:
                    if (invocation.Arguments.Length == 0 && invocation.TargetMethod.DeclaringSyntaxReferences.Length == 1
                        && SemanticModelFor(semanticModel, invocation.TargetMethod.DeclaringSyntaxReferences[0].SyntaxTree, invocation.TargetMethod, cancellationToken) is { } calleeModel
                        && calleeModel.GetOperation(invocation.TargetMethod.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken) is { } body)
                    {
                        return Combine(body.Descendants().OfType<IReturnOperation>().Select(returned => returned.ReturnedValue).OfType<IOperation>(), depth, NamesAScale(invocation.TargetMethod.Name));
                    }

                    bool dependsOnProbability = invocation.Arguments.Any(argument => Evaluate(argument.Value, depth).DependsOnProbability)
                        || (invocation.Instance is { } instance && Evaluate(instance, depth).DependsOnProbability);
                    return dependsOnProbability || NamesAScale(invocation.TargetMethod.Name) ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
                case IConditionalOperation or ICoalesceOperation or IUnaryOperation:
                    // The value is one of the branches: `regularize ? 1.0 : 0.0` is a switch whose condition scales nothing.
                    return ValueOperands(operation).Any(inner => Evaluate(inner, depth).DependsOnProbability) ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
                default:
                    return ProbabilityTerm.Unrelated;
            }
        }

        // The one expression a local or parameter ends in, following locals and parameters that have exactly one value
        // (`keep` → `1 - _rate`); null when a value is missing, several, or a call (which may differ between calls).
        private IOperation? OnlyValue(ISymbol symbol, IOperation context, int depth)
        {
            if (depth > 3 || model.SingleValueOf(symbol, context, semanticModel, cancellationToken) is not { } value)
            {
                return null;
            }

            if (value is ILocalReferenceOperation or IParameterReferenceOperation)
            {
                return OnlyValue(HandWrittenDropoutSite.ReferencedSymbol(value)!, value, depth + 1);
            }

            return value.DescendantsAndSelf().Any(operation => operation is IInvocationOperation or IObjectCreationOperation
                || operation is ILocalReferenceOperation or IParameterReferenceOperation) ? null : value;
        }

        // Two equivalent expressions read the same fields, properties and constants (the same text in the same type).
        private static bool SameSymbols(IOperation first, IOperation second) =>
            first.DescendantsAndSelf().Select(HandWrittenDropoutSite.ReferencedSymbol).Where(symbol => symbol is not null)
                .SequenceEqual(second.DescendantsAndSelf().Select(HandWrittenDropoutSite.ReferencedSymbol).Where(symbol => symbol is not null), SymbolEqualityComparer.Default);

        /// <summary>What a symbol's values come to, read at <paramref name="reference"/> (see <see cref="KnownNumber"/>).</summary>
        public ProbabilityTerm EvaluateValuesOf(ISymbol symbol, IOperation reference) => EvaluateSymbol(symbol, reference, 0);

        private ProbabilityTerm EvaluateSymbol(ISymbol symbol, IOperation reference, int depth)
        {
            if (probabilitySymbol is not null && SymbolEqualityComparer.Default.Equals(symbol, probabilitySymbol))
            {
                return ProbabilityTerm.Symbol;
            }

            // A local holding the very expression the probability parameter is handed (`float keep = 1 - _rate;` in the
            // backward, `Apply(y, 1 - _rate)` or `float keep = 1 - _rate; Apply(y, keep);` in the forward) is the probability by value.
            if (symbol is ILocalSymbol && probabilitySymbol is IParameterSymbol
                && OnlyValue(symbol, reference, depth: 0) is { } localValue
                && OnlyValue(probabilitySymbol, reference, depth: 0) is { } probabilityValue
                && SyntaxFactory.AreEquivalent(localValue.Syntax, probabilityValue.Syntax)
                && SameSymbols(localValue, probabilityValue))
            {
                return ProbabilityTerm.Symbol;
            }

            // The whole collection the site zeroes, read as a value (`total = w.Sum()`, not an element `w[i]`): a factor
            // computed from it renormalizes by what was kept, which compensates the drop in a way no monomial names.
            // The same total summed by hand (`total += w[i]` over the collection) renormalizes as well.
            // Only on the drop's own path, though: a total taken in the dropping method or in a method it calls. A
            // normalization elsewhere in the type (a matrix class's softmax dividing by its own sum) runs whether or not
            // anything was dropped, so it compensates nothing and is read like any other value.
            // The mask itself as an operand of its type's own element-wise product (`x * this.mask`): the drop applied
            // entry by entry, as `x.V[i] * mask.V[i]` written out would be, which scales by nothing.
            if (droppedValues is not null && SymbolEqualityComparer.Default.Equals(symbol, droppedValues) && IsOperandOfElementWiseProductOperator(reference))
            {
                return ProbabilityTerm.Unrelated;
            }

            if (droppedValues is not null
                && ((SymbolEqualityComparer.Default.Equals(symbol, droppedValues) && reference.Parent is not IArrayElementReferenceOperation && !IsElementGetterCall(reference))
                    || (symbol is ILocalSymbol total && AccumulatesElementsOf(total, reference, droppedValues)))
                && OnDropPath(reference))
            {
                return ProbabilityTerm.Unknown;
            }

            if (symbol is ILocalSymbol or IFieldSymbol or IPropertySymbol or IParameterSymbol)
            {
                SymbolValues values = model.ValuesOf(symbol, reference, semanticModel, cancellationToken);
                if (values.IsComplete && !values.Values.IsEmpty)
                {
                    return Combine(values.Values, depth, NamesAScale(symbol.Name));
                }
            }

            // A read-only value declared in another file is read from its declaration's syntax (`Scale = 1f / (1f - DropRate)`).
            if (symbol is IFieldSymbol or IPropertySymbol && ValueDeclaredElsewhere(symbol, probabilitySymbol, semanticModel, depth) is { } elsewhere)
            {
                return elsewhere;
            }

            // A scale-named running total of element values (a softmax denominator) is seen whole: it is no dropout scale.
            if (symbol is ILocalSymbol local && NamesAScale(symbol.Name) && IsUnrelatedRunningTotal(local, reference, depth))
            {
                return ProbabilityTerm.Unrelated;
            }

            // A scale whose value cannot be seen (a public setter, another file) is assumed to be the right one.
            return NamesAScale(symbol.Name) ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
        }

        // Whether a value read in `reference` is computed where the drop runs: the body that decides the drop, a method
        // that body calls (a `Renormalize(w)` helper after the loop), or a method that calls it (a forward that drops
        // through a helper and then divides by the total). Without a site (a probability's own definition) every place
        // counts, as before.
        private bool OnDropPath(IOperation reference)
        {
            IOperation referenceRoot = reference.TreeRoot();
            if (dropRoot is null || ReferenceEquals(referenceRoot, dropRoot) || referenceRoot.Syntax == dropRoot.Syntax)
            {
                return true;
            }

            if (Calls(dropRoot, referenceRoot.Syntax) || Calls(referenceRoot, dropRoot.Syntax))
            {
                return true;
            }

            // The drop in a private helper of a loop: the caller's body, and the methods it calls (a renormalization
            // after the loop), are on the path too.
            return CallersOfDropBody(dropRoot, semanticModel, cancellationToken).Any(caller =>
                caller.Syntax == referenceRoot.Syntax || Calls(caller, referenceRoot.Syntax));
        }

        private static bool Calls(IOperation caller, SyntaxNode calleeBody) =>
            caller.Descendants().Any(operation => operation is IInvocationOperation call
                && call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Any(declaration =>
                    declaration.SyntaxTree == calleeBody.SyntaxTree && declaration.Span.Contains(calleeBody.Span)));

        private static bool AccumulatesElementsOf(ILocalSymbol total, IOperation reference, ISymbol collection)
        {
            IOperation root = reference.TreeRoot();

            return root.Descendants().Any(operation => operation is ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation target } accumulation
                && SymbolEqualityComparer.Default.Equals(target.Local, total)
                && ElementCollection(accumulation.Value) is { } summed
                && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(summed), collection));
        }

        private ProbabilityTerm Combine(IEnumerable<IOperation> values, int depth, bool namedScale)
        {
            ProbabilityTerm? combined = null;
            foreach (IOperation value in values)
            {
                ProbabilityTerm term = Evaluate(value, depth + 1);
                if (combined is null)
                {
                    combined = term;
                }
                else if (!combined.Value.Equals(term))
                {
                    // Two unrelated values of a scale-named symbol are decided below, by whether they were seen through.
                    if (namedScale && combined.Value.Kind == ProbabilityTermKind.Unrelated && term.Kind == ProbabilityTermKind.Unrelated)
                    {
                        continue;
                    }

                    return combined.Value.DependsOnProbability || term.DependsOnProbability || namedScale ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
                }
            }

            // A name says "scale" only where the values cannot be seen: values the evaluator saw through and found
            // unrelated (a weight-initialization spread `scale = MathF.Sqrt(2f / fanIn)`) stay unrelated whatever the name.
            if (combined is null || (namedScale && combined.Value.Kind == ProbabilityTermKind.Unrelated
                && !values.All(value => model.IsSeenThrough(value, semanticModel, cancellationToken))))
            {
                return namedScale ? ProbabilityTerm.Unknown : ProbabilityTerm.Unrelated;
            }

            return combined.Value;
        }

        private static IEnumerable<IOperation> ValueOperands(IOperation operation) => operation switch
        {
            IConditionalOperation { WhenFalse: { } whenFalse } conditional => [conditional.WhenTrue, whenFalse],
            ICoalesceOperation coalesce => [coalesce.Value, coalesce.WhenNull],
            IUnaryOperation unary => [unary.Operand],
            _ => operation.Descendants(),
        };
    }

    // Whether an operation is (inside) the index of an element read: `layer` in `dropRates[layer]`.
    private static bool IsElementIndex(IOperation operation)
    {
        for (IOperation? current = operation; current?.Parent is { } parent; current = parent)
        {
            switch (parent)
            {
                case IArrayElementReferenceOperation element when element.Indices.Contains(current):
                case IArgumentOperation { Parent: IPropertyReferenceOperation { Property.IsIndexer: true } }:
                    return true;
                case IConversionOperation or IParenthesizedOperation or IBinaryOperation:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    // The array or list an element read reads from: `dropRates` in `dropRates[layer]`, `grid` in `grid.Get(r, c)`,
    // `neurons` in `neurons[i].Value` (see HandWrittenDropoutModel.ElementAccesses.cs).
    /// <summary>The collection an element read or write indexes (<c>w</c> of <c>w[i]</c>, an array, an indexer, an accessor call or a unit's member), or null.</summary>
    internal static IOperation? ElementCollection(IOperation operation) => HandWrittenDropoutSite.StripConversions(operation) switch
    {
        IArrayElementReferenceOperation element => element.ArrayReference,
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => instance,
        IInvocationOperation call => AccessorContainer(call),
        IMemberReferenceOperation member => UnitCollection(member),
        _ => null,
    };
}
