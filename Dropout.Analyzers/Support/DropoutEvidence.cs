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
    /// Whether the value a decision keeps is made up on the spot from the element's position alone: it reads a loop counter
    /// and otherwise only constants and <c>Math</c> / <c>MathF</c> functions, directly or through locals
    /// defined that way (<c>double v = Math.Sin(i * 0.1); s[i] = u &lt; gap ? 0 : v;</c>). Dropout zeroes activations,
    /// which come from inputs, weights or stored state; a value that depends on nothing but the index is a synthetic signal
    /// with gaps (a sensor or telemetry simulation), whatever its names say. A constant alone (a mask entry 1) is no such value.
    /// </summary>
    public static bool IsPositionOnlyValue(IOperation? kept)
    {
        if (kept is null)
        {
            return false;
        }

        bool readsCounter = false;
        return IsPositionOnly(kept, 0, ref readsCounter) && readsCounter;
    }

    private static bool IsPositionOnly(IOperation value, int depth, ref bool readsCounter)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        if (value.ConstantValue.HasValue)
        {
            return true;
        }

        switch (value)
        {
            case IParenthesizedOperation parenthesized:
                return IsPositionOnly(parenthesized.Operand, depth, ref readsCounter);
            case IBinaryOperation binary:
                return IsPositionOnly(binary.LeftOperand, depth, ref readsCounter) && IsPositionOnly(binary.RightOperand, depth, ref readsCounter);
            case IUnaryOperation unary:
                return IsPositionOnly(unary.Operand, depth, ref readsCounter);
            case IInvocationOperation { Instance: null, TargetMethod.ContainingType: { Name: "Math" or "MathF", ContainingNamespace.Name: "System" } } math:
                foreach (IArgumentOperation argument in math.Arguments)
                {
                    if (!IsPositionOnly(argument.Value, depth, ref readsCounter))
                    {
                        return false;
                    }
                }

                return true;
            case ILocalReferenceOperation { Local: var local } reference:
                if (IsLoopCounter(local, reference))
                {
                    readsCounter = true;
                    return true;
                }

                if (depth >= 3 || SymbolValues.OfLocal(local, reference) is not { IsComplete: true, Values.Length: > 0 } values)
                {
                    return false;
                }

                foreach (IOperation defined in values.Values)
                {
                    if (!IsPositionOnly(defined, depth + 1, ref readsCounter))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether a decision zeroes a run of elements that starts at its own position: the zeroed element is indexed by the
    /// counter of a <c>for</c> loop inside the decision whose start reads the counter of the loop the decision is drawn in
    /// (<c>if (u &lt; chance) for (k = i; k &lt; i + length; k++) o[k] = 0</c>). Dropout draws once per unit, or once per
    /// fixed group of units (a channel, a row, a sample), and zeroes that unit or group; a draw that blanks a window from
    /// its own position on, overlapping the windows of the next draws, simulates burst loss (audio dropouts, packet
    /// bursts, sensor gaps) and its drop fraction is not its chance.
    /// </summary>
    public static bool IsBurstFromDrawPosition(IOperation? zeroedTarget, IOperation decision)
    {
        if (zeroedTarget is not IArrayElementReferenceOperation element)
        {
            return false;
        }

        foreach (IOperation index in element.Indices)
        {
            if (HandWrittenDropoutSite.StripConversions(index) is not ILocalReferenceOperation { Local: var windowCounter })
            {
                continue;
            }

            for (IOperation? current = element.Parent; current is not null && current != decision; current = current.Parent)
            {
                if (current is IForLoopOperation window && window.Locals.Contains(windowCounter, SymbolEqualityComparer.Default)
                    && window.Before.SelectMany(start => start.DescendantsAndSelf()).OfType<IVariableDeclaratorOperation>()
                        .FirstOrDefault(declarator => SymbolEqualityComparer.Default.Equals(declarator.Symbol, windowCounter))?.Initializer?.Value is { } start
                    && start.DescendantsAndSelf().Any(read => read is ILocalReferenceOperation { Local: var outer } && IsLoopCounter(outer, decision)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A local declared by a `for` loop around the read (its counter).
    private static bool IsLoopCounter(ILocalSymbol local, IOperation reference)
    {
        for (IOperation? current = reference.Parent; current is not null; current = current.Parent)
        {
            if (current is IForLoopOperation forLoop && forLoop.Locals.Contains(local, SymbolEqualityComparer.Default))
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

    /// <summary>
    /// Whether a decision zeroes elements of a fresh copy of existing data that then only becomes a new example of a
    /// collection (<c>features = copy of example.Features; if (u &lt; rate) features[i] = 0;
    /// result.Add(new Example(features, example.Target))</c>): data augmentation, which makes training data and wants no
    /// scale, rather than dropout of a layer's activations (which are computed with, returned, or stored as an output).
    /// </summary>
    public static bool IsAugmentedCopy(IOperation? zeroedTarget, IOperation decision, IOperation root)
    {
        if (zeroedTarget is not IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation { Local: var copy } }
            || !IsCopiedFromOtherData(copy, root))
        {
            return false;
        }

        bool packaged = false;
        foreach (IOperation operation in root.Descendants())
        {
            if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, copy)
                || decision.Syntax.Encloses(operation.Syntax) || IsCopyPlumbing(reference))
            {
                continue;
            }

            // Every other read of the copy hands it, whole, to a new object that goes into a collection.
            if (HandWrittenDropoutSite.ClimbConversions(reference).Parent is IArgumentOperation { Parent: IObjectCreationOperation creation } && IsAddedToCollection(creation))
            {
                packaged = true;
                continue;
            }

            return false;
        }

        return packaged;
    }

    // `new T[n]` filled by `source.CopyTo(copy, 0)` or `Array.Copy(source, copy, n)`, or `source.Clone()` / `ToArray()`.
    private static bool IsCopiedFromOtherData(ILocalSymbol copy, IOperation root)
    {
        foreach (IOperation operation in root.Descendants())
        {
            switch (operation)
            {
                case IInvocationOperation { TargetMethod.Name: "CopyTo" } copyTo
                    when copyTo.Arguments.Length > 0 && IsLocal(copyTo.Arguments[0].Value, copy) && copyTo.Instance is not null && !IsLocal(copyTo.Instance, copy):
                    return true;
                case IInvocationOperation { TargetMethod: { Name: "Copy", ContainingType.Name: "Array" } } arrayCopy
                    when arrayCopy.Arguments.Length > 1 && IsLocal(arrayCopy.Arguments[1].Value, copy):
                    return true;
                case IVariableDeclaratorOperation { Symbol: var declared, Initializer.Value: var value }
                    when SymbolEqualityComparer.Default.Equals(declared, copy)
                        && HandWrittenDropoutSite.StripConversions(value) is IInvocationOperation { TargetMethod.Name: "Clone" or "ToArray", Instance: not null }:
                    return true;
            }
        }

        return false;
    }

    // The copy's own length, the copy call filling it, and the element writes of the decision are no uses of the data.
    private static bool IsCopyPlumbing(ILocalReferenceOperation reference) =>
        reference.Parent is IPropertyReferenceOperation { Property.Name: "Length" or "Count" or "LongLength" }
        || HandWrittenDropoutSite.ClimbConversions(reference).Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "CopyTo" or "Copy" } }
        || reference.Parent is IArrayElementReferenceOperation element && element.Parent is ISimpleAssignmentOperation assignment && assignment.Target == element
        || reference.Parent is IVariableInitializerOperation or ISimpleAssignmentOperation { Target: ILocalReferenceOperation };

    private static bool IsAddedToCollection(IObjectCreationOperation creation) =>
        HandWrittenDropoutSite.ClimbConversions(creation).Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Add" or "Enqueue" or "Push" or "Insert" or "AddLast" or "AddFirst" } };

    private static bool IsLocal(IOperation operation, ILocalSymbol local) =>
        HandWrittenDropoutSite.StripConversions(operation) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local);

    /// <summary>
    /// Whether an unknown factor applied outside the dropout's methods cannot be its inference scale because it is no
    /// number: <c>learningRate * accumulatedGradient</c> in a weight update multiplies a matrix that the mask once flowed
    /// into. A classic inference scale is the keep probability, a scalar; a whole matrix or tensor is a parameter or a
    /// gradient, so it leaves the inference side unknown no longer.
    /// </summary>
    public static bool IsNonScalarAwayFromTheSite(ScaleUse use, ScalePlace place) =>
        place == ScalePlace.Inference
        && use.Operation is IBinaryOperation or ICompoundAssignmentOperation
        && HandWrittenDropoutSite.StripConversions(use.Factor).Type is { } type
        && !HandWrittenDropoutSite.IsNumeric(type)
        && type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Decimal);

    /// <summary>
    /// Whether a backward's draw prepares the mask of the next forward instead of replacing the one it should reuse:
    /// the draw only flows into a member (<c>d.Add(u &lt; rate ? 0 : 1); _mask = Column(d);</c>) that the backward read
    /// before drawing (the gradient used the forward's mask) and does not read after writing it.
    /// </summary>
    public static bool RedrawsForTheNextForward(HandWrittenDropoutSite redrawn, IOperation backward)
    {
        ISymbol? member = StoredMember(redrawn.Decision, backward, out IOperation? store);
        if (member is null || store is null)
        {
            return false;
        }

        bool readBefore = false;
        foreach (IOperation operation in backward.Descendants())
        {
            if (operation is not IMemberReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Member, member)
                || store.Syntax.Encloses(operation.Syntax) && IsAssignmentTarget(reference))
            {
                continue;
            }

            if (operation.Syntax.SpanStart < redrawn.Decision.Syntax.SpanStart)
            {
                readBefore |= !IsAssignmentTarget(reference);
            }
            else if (operation.Syntax.SpanStart > store.Syntax.Span.End)
            {
                return false;
            }
        }

        return readBefore;
    }

    // The member a decision's value ends in: written directly (`_mask[i] = ...`, `_mask = ...`), or through a local that
    // collects it (`d.Add(decision)`, `d[i] = decision`) and is then handed to the member (`_mask = Build(d)`).
    private static ISymbol? StoredMember(IOperation decision, IOperation body, out IOperation? store)
    {
        store = null;
        ILocalSymbol? carrier = null;
        for (IOperation? current = decision.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is IArgumentOperation { Parent: IInvocationOperation { Instance: ILocalReferenceOperation collection } })
            {
                carrier = collection.Local;
                break;
            }

            if (current is ISimpleAssignmentOperation assignment)
            {
                IOperation target = assignment.Target is IArrayElementReferenceOperation element ? element.ArrayReference : assignment.Target;
                if (target is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } direct)
                {
                    store = assignment;
                    return direct.Member;
                }

                carrier = (target as ILocalReferenceOperation)?.Local;
                break;
            }

            if (current is IExpressionStatementOperation or IBlockOperation)
            {
                break;
            }
        }

        if (carrier is null)
        {
            return null;
        }

        foreach (ISimpleAssignmentOperation assignment in body.Descendants().OfType<ISimpleAssignmentOperation>())
        {
            if (assignment.Target is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member
                && assignment.Syntax.SpanStart > decision.Syntax.SpanStart
                && assignment.Value.DescendantsAndSelf().Any(read => read is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, carrier)))
            {
                store = assignment;
                return member.Member;
            }
        }

        return null;
    }

    private static bool IsAssignmentTarget(IOperation reference) =>
        reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference;

    /// <summary>
    /// The write of an <c>if</c> without <c>else</c> that only stores the kept element into a buffer made fresh in the same
    /// body (<c>var y = new float[n]</c>, or the data of <c>var y = new Tensor(shape)</c>): the dropped element keeps the
    /// buffer's zero, so the draw decides between the value and zero as <c>u &gt; rate ? x[i] : 0</c> does. The value must
    /// read an element (an activation), so counting hits into a fresh array is not taken for dropout.
    /// </summary>
    public static ISimpleAssignmentOperation? KeptWriteIntoFreshZeros(IConditionalOperation conditional, IOperation root)
    {
        IOperation statement = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : conditional.WhenTrue;
        if (conditional.WhenFalse is not null
            || statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation write }
            || !HandWrittenDropoutSite.IsNumeric(write.Target.Type)
            || !write.Value.DescendantsAndSelf().Any(read => read is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
        {
            return null;
        }

        IOperation? buffer = HandWrittenDropoutModel.ElementCollection(write.Target);
        ILocalSymbol? fresh = buffer switch
        {
            ILocalReferenceOperation local when FreshlyMade(local.Local, root) is IArrayCreationOperation { Initializer: null } => local.Local,
            IMemberReferenceOperation { Instance: ILocalReferenceOperation owner } when FreshlyMade(owner.Local, root) is IObjectCreationOperation => owner.Local,
            _ => null,
        };
        if (fresh is null || write.Value.DescendantsAndSelf().Any(read => read is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, fresh)))
        {
            return null;
        }

        return write;
    }

    // The single value a local is made with in this body (`var y = new float[n];`), when it is never assigned again.
    private static IOperation? FreshlyMade(ILocalSymbol local, IOperation root) =>
        SymbolValues.OfLocal(local, root) is { IsComplete: true, Values.Length: 1 } values ? HandWrittenDropoutSite.StripConversions(values.Values[0]) : null;

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
