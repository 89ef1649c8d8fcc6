using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that reads the forward's mask only to pick the kept units it works on, in place, in the gradient it was
/// given: <c>var delta = gradOut; for j: if (mask[j] == 1) delta[j] *= f'(y[j]); return W * delta;</c>. The dropped units'
/// entries are never written, so they keep the incoming gradient and pass it on, as if the units had not been dropped.
/// Decided by where the gradient buffer comes from (the backward's own parameter, or a local that is that parameter, not
/// a copy or a fresh buffer of zeros), which units the one guarded write reaches (a test that a mask entry is nonzero),
/// and the buffer being used whole afterwards; a write of zero for the dropped units anywhere in the backward clears them.
/// </summary>
internal static class DroppedUnitsGradientLeftAsIs
{
    /// <summary>
    /// The mask test that guards the only writes of the incoming gradient (<c>mask[j] == 1</c>), or that skips the dropped
    /// units before them (<c>if (mask[j] == 0) continue;</c>, then <see cref="KeptUnitTest"/>'s test selects the dropped
    /// units), or null.
    /// </summary>
    public static IBinaryOperation? Find(IMethodBodyOperation backward, HashSet<ISymbol> masks)
    {
        var parameters = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (IParameterReferenceOperation reference in backward.Descendants().OfType<IParameterReferenceOperation>())
        {
            if (reference.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Ordinary } && reference.Parameter.RefKind == RefKind.None && IsIndexable(reference.Parameter.Type))
            {
                parameters.Add(reference.Parameter);
            }
        }

        foreach (IParameterSymbol parameter in parameters)
        {
            if (GuardOfTheOnlyWrites(backward, parameter, masks) is { } guard)
            {
                return guard;
            }
        }

        return null;
    }

    private static IBinaryOperation? GuardOfTheOnlyWrites(IMethodBodyOperation backward, IParameterSymbol parameter, HashSet<ISymbol> masks)
    {
        // The buffer: the parameter itself, or locals initialized with it (`Vector<double> delta = gradOut;`).
        var buffer = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { parameter };
        foreach (IVariableDeclaratorOperation declarator in backward.Descendants().OfType<IVariableDeclaratorOperation>())
        {
            if (declarator.Initializer?.Value is { } value && HandWrittenDropoutSite.StripConversions(value) is IParameterReferenceOperation aliased
                && SymbolEqualityComparer.Default.Equals(aliased.Parameter, parameter))
            {
                buffer.Add(declarator.Symbol);
            }
        }

        IBinaryOperation? guard = null;
        var guarded = new List<IOperation>();
        var reads = new List<IOperation>();
        foreach (IOperation operation in backward.Descendants())
        {
            if (!IsBufferReference(operation, buffer))
            {
                continue;
            }

            IOperation entry = Entry(operation);
            if (entry == operation)
            {
                // The local's own initializer reads the parameter whole: that is the alias, not a use. A size (`delta.Length`)
                // is no use of the values either.
                if (operation is IParameterReferenceOperation && HandWrittenDropoutSite.ClimbConversions(operation).Parent is IVariableInitializerOperation
                    || operation.Parent is IPropertyReferenceOperation { Property.IsIndexer: false } size && size.Instance == operation)
                {
                    continue;
                }

                // A whole write of the buffer (`delta = Clone(gradOut)`) makes it another value than the gradient given.
                if (operation.Parent is IAssignmentOperation assignment && assignment.Target == operation)
                {
                    return null;
                }

                reads.Add(operation);
                continue;
            }

            // The entry written in any representation (`delta[j] = v`, `delta[j] *= v`, `delta.Set(0, j, v)`, `delta[j].Value = v`).
            IOperation? write = entry is IInvocationOperation ? (HandWrittenDropoutModel.SetterValue((IInvocationOperation)entry) is not null ? entry : null)
                : entry.Parent is IAssignmentOperation entryWrite && entryWrite.Target == entry ? entryWrite : null;
            if (write is null || HandWrittenDropoutModel.AsElementStore(write) is not { } store)
            {
                reads.Add(entry);
                continue;
            }

            // A zero written anywhere (`else delta[j] = 0;`, a clearing loop) clears the dropped units.
            if (write is not ICompoundAssignmentOperation && HandWrittenDropoutSite.IsZero(store.Value))
            {
                return null;
            }

            if (KeptUnitTest(write, masks) is not var (region, test))
            {
                return null;
            }

            guard ??= test;
            guarded.Add(region);
        }

        // The dropped units' entries, never written, are read afterwards (the buffer passed on whole, or read entry by
        // entry outside the kept units' branch).
        return guard is not null && reads.Any(read => !guarded.Any(branch => Encloses(branch, read))) ? guard : null;
    }

    // The element the reference of the buffer reaches: `delta[j]`, `delta.Get(0, j)` or the setter `delta.Set(0, j, v)`, and
    // `delta[j].Value` when the buffer holds unit objects; the reference itself when it is used whole.
    private static IOperation Entry(IOperation operation)
    {
        IOperation entry = operation.Parent is IArrayElementReferenceOperation element && element.ArrayReference == operation ? element
            : operation.Parent is IPropertyReferenceOperation { Property.IsIndexer: true } indexer && indexer.Instance == operation ? indexer
            : operation.Parent is IInvocationOperation call && call.Instance == operation && HandWrittenDropoutModel.ElementCollection(call) is not null ? call
            : operation;
        return entry != operation && entry.Parent is IMemberReferenceOperation member && member.Instance == entry && HandWrittenDropoutModel.IsElement(member)
            ? member
            : entry;
    }

    /// <summary>Whether <paramref name="test"/> is the condition of <c>if (...) continue;</c> (it names the skipped units).</summary>
    public static bool IsSkipTest(IBinaryOperation test) =>
        test.Parent is IConditionalOperation { WhenTrue: var exit } && IsContinue(exit);

    private static bool IsContinue(IOperation exit) =>
        (exit is IBlockOperation { Operations.Length: 1 } single ? single.Operations[0] : exit) is IBranchOperation { BranchKind: BranchKind.Continue };

    private static bool Encloses(IOperation outer, IOperation inner)
    {
        for (IOperation? current = inner; current is not null; current = current.Parent)
        {
            if (current == outer)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBufferReference(IOperation operation, HashSet<ISymbol> buffer) => operation switch
    {
        IParameterReferenceOperation parameter => buffer.Contains(parameter.Parameter),
        ILocalReferenceOperation local => buffer.Contains(local.Local),
        _ => false,
    };

    private static bool IsIndexable(ITypeSymbol type) =>
        type is IArrayTypeSymbol { ElementType: var element } && HandWrittenDropoutSite.IsNumeric(element)
        || type.GetMembers().OfType<IPropertySymbol>().Any(property => property.IsIndexer && HandWrittenDropoutSite.IsNumeric(property.Type))
        || (type is IArrayTypeSymbol { ElementType: INamedTypeSymbol unit } && HoldsNumber(unit))
        || type.GetMembers().OfType<IMethodSymbol>().Any(method => !method.IsStatic && !method.ReturnsVoid && HandWrittenDropoutSite.IsNumeric(method.ReturnType)
            && method.Parameters.Length > 0 && method.Parameters.All(index => index.Type.SpecialType == SpecialType.System_Int32))
        || (type.BaseType is { } baseType && baseType.SpecialType != SpecialType.System_Object && IsIndexable(baseType));

    // The innermost `if` around the write with no else, whose condition says a mask entry is nonzero (`mask[j] == 1`,
    // `mask[j] != 0`, `mask[j] > 0`), or an earlier `if (mask[j] == 0) continue;` in the loop body around the write: only
    // the kept units are written. The region is what only the kept units reach (the branch, or the rest of the body).
    private static (IOperation Region, IBinaryOperation Test)? KeptUnitTest(IOperation write, HashSet<ISymbol> masks)
    {
        IOperation child = write;
        for (IOperation? current = write.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IBlockOperation block)
            {
                foreach (IOperation statement in block.Operations.TakeWhile(statement => statement != child))
                {
                    if (statement is IConditionalOperation { WhenFalse: null, WhenTrue: var exit, Condition: var skipped }
                        && IsContinue(exit)
                        && HandWrittenDropoutSite.StripConversions(skipped) is IBinaryOperation skipTest
                        && SelectsNonzero(skipTest, masks) == false)
                    {
                        return (block, skipTest);
                    }
                }

                continue;
            }

            if (current is not IConditionalOperation { WhenFalse: null, Condition: var condition } conditional || conditional.Type is not null)
            {
                continue;
            }

            return HandWrittenDropoutSite.StripConversions(condition) is IBinaryOperation comparison && SelectsNonzero(comparison, masks) == true
                ? (conditional, comparison)
                : null;
        }

        return null;
    }

    // True when the comparison holds exactly for the nonzero (kept) entries of a mask, false when exactly for the zero
    // (dropped) ones, null when it is no such test.
    private static bool? SelectsNonzero(IBinaryOperation comparison, HashSet<ISymbol> masks)
    {
        IOperation left = HandWrittenDropoutSite.StripConversions(comparison.LeftOperand);
        IOperation right = HandWrittenDropoutSite.StripConversions(comparison.RightOperand);
        bool maskOnLeft = IsMaskEntry(left, masks);
        if (maskOnLeft == IsMaskEntry(right, masks) || (maskOnLeft ? right : left).ConstantValue is not { HasValue: true, Value: { } constant }
            || ProbabilityScaling.ToDouble(constant) is not double bound)
        {
            return null;
        }

        return comparison.OperatorKind switch
        {
            BinaryOperatorKind.Equals => bound != 0,
            BinaryOperatorKind.NotEquals => bound == 0 ? true : null,
            BinaryOperatorKind.GreaterThan when bound == 0 => maskOnLeft,
            BinaryOperatorKind.LessThan when bound == 0 => !maskOnLeft,
            BinaryOperatorKind.LessThanOrEqual when bound == 0 => maskOnLeft ? false : null,
            BinaryOperatorKind.GreaterThanOrEqual when bound == 0 => maskOnLeft ? null : false,
            _ => null,
        };
    }

    // A unit object type: it holds one number as an instance property or field (`Neuron.Value`).
    private static bool HoldsNumber(INamedTypeSymbol unit) =>
        unit.TypeKind is TypeKind.Class or TypeKind.Struct && unit.SpecialType == SpecialType.None
        && unit.GetMembers().Any(member => !member.IsStatic && member switch
        {
            IPropertySymbol { IsIndexer: false } property => HandWrittenDropoutSite.IsNumeric(property.Type),
            IFieldSymbol { IsImplicitlyDeclared: false } field => HandWrittenDropoutSite.IsNumeric(field.Type),
            _ => false,
        });

    // A mask entry in any representation (`mask[j]`, `mask.Get(0, j)`, `mask[j].Value`).
    private static bool IsMaskEntry(IOperation operation, HashSet<ISymbol> masks) =>
        operation is IArrayElementReferenceOperation or IPropertyReferenceOperation or IFieldReferenceOperation or IInvocationOperation
        && HandWrittenDropoutModel.ElementCollection(operation) is { } collection
        && HandWrittenDropoutSite.ReferencedSymbol(collection) is { } container && masks.Contains(container);
}
