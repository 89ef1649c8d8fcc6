using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The weight update of a unit whose forward drops its own output and keeps no mask: a method of the type, whatever its
/// name, that writes what the forward multiplied before the drop (the unit's weights, its bias) with a derivative taken at
/// what the unit recorded (the dropped output, the pre-activation it wrote before the drop). That method is the unit's
/// backward by data flow: a dropped unit still learns (its derivative is taken at a value the drop never reaches, or at 0
/// where a tanh or leaky slope is not 0), and a kept one misses the 1/p the forward scaled its output by.
/// A gradient-free update (Hebbian <c>w += lr·x·y</c>, a random mutation) takes no derivative and is not matched; an update
/// that re-runs the forward first differentiates a fresh value and is not matched either.
/// </summary>
internal static partial class DroppedOutputBackward
{
    /// <summary>
    /// What the unit recorded that <paramref name="body"/> differentiates, when <paramref name="body"/> also writes one of
    /// the forward's parameters; null otherwise.
    /// </summary>
    private static ISymbol? DifferentiatedUnitRecord(HandWrittenDropoutSite site, IOperation siteRoot, IReadOnlyCollection<(IOperation Root, IOperation At)> places,
        IOperation body, HashSet<ISymbol> dropped, HashSet<ISymbol> state)
    {
        // A mask the caller or another type can read (a parameter, a non-private member) survives the method: someone may
        // apply it, so only a drop that leaves nothing behind is judged here.
        if (site.MaskSymbol is IParameterSymbol
            || site.MaskSymbol is IFieldSymbol or IPropertySymbol && site.MaskSymbol.DeclaredAccessibility != Accessibility.Private)
        {
            return null;
        }

        var records = new HashSet<ISymbol>(dropped, SymbolEqualityComparer.Default);
        var parameters = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach ((IOperation root, IOperation at) in places)
        {
            foreach (IOperation operation in root.Descendants())
            {
                if (operation.Syntax.Span.End > at.Syntax.SpanStart
                    || !HandWrittenDropoutModel.IsSelfMember(operation)
                    || HandWrittenDropoutSite.ReferencedSymbol(operation) is not (IFieldSymbol or IPropertySymbol)
                    || HandWrittenDropoutSite.ReferencedSymbol(operation)!.OriginalDefinition is not { } member
                    || state.Contains(member) || member is IPropertySymbol { IsIndexer: true })
                {
                    continue;
                }

                // Written before the drop: the unit's record (`Net = sum`); only read: what it computed with (`Gains`, `Offset`).
                if (IsWriteTarget(operation))
                {
                    records.Add(member);
                }
                else
                {
                    parameters.Add(member);
                }
            }
        }

        parameters.ExceptWith(records);
        if (parameters.Count == 0 || !WritesAny(body, parameters) || RerunsTheForward(body, siteRoot, places))
        {
            return null;
        }

        return records.FirstOrDefault(record => DifferentiatesMember(body, record));
    }

    // `Net = sum`, `Net += x`, `_pre[i] = z`: the member or local (or its element) is assigned.
    private static bool IsWriteTarget(IOperation reference)
    {
        IOperation target = reference;
        while (target.Parent is IArrayElementReferenceOperation element && element.ArrayReference == target
            || target.Parent is IPropertyReferenceOperation { Property.IsIndexer: true } indexer && indexer.Instance == target)
        {
            target = target.Parent;
        }

        return target.Parent is IAssignmentOperation assignment && assignment.Target == target;
    }

    private static bool WritesAny(IOperation body, HashSet<ISymbol> members) =>
        body.Descendants().Any(operation => operation is IAssignmentOperation assignment
            && PreDropRecordBackward.MemberBuffer(HandWrittenDropoutModel.ElementCollection(assignment.Target) ?? assignment.Target, body) is { } written
            && members.Contains(written));

    // The update calls the forward (or the dropout helper) itself: the record it then reads is the one that call wrote.
    private static bool RerunsTheForward(IOperation body, IOperation siteRoot, IReadOnlyCollection<(IOperation Root, IOperation At)> places) =>
        body.Descendants().OfType<IInvocationOperation>().Any(call =>
            call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Any(reference =>
                reference.GetSyntax() == siteRoot.Syntax || places.Any(place => reference.GetSyntax() == place.Root.Syntax)));

    // A read of the member (this object's) in a derivative: handed to a method written in the compilation
    // (`TanhSlope(Activation)`, `ReluDerivative(Net)`), compared with zero (`Net > 0 ? g : 0`, the ReLU derivative), or
    // under `1 - ...` (`1 - a * a`, `a * (1 - a)`: the tanh and sigmoid derivatives written out).
    private static bool DifferentiatesMember(IOperation body, ISymbol member) =>
        body.Descendants().Any(operation => HandWrittenDropoutModel.IsSelfMember(operation)
            && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(operation)?.OriginalDefinition, member)
            && !IsWriteTarget(operation)
            && IsDerivativeRead(operation));

    /// <summary>Whether a read of a unit's value sits in a derivative (see <see cref="DifferentiatesMember"/>).</summary>
    internal static bool IsDerivativeRead(IOperation read)
    {
        IOperation value = read;
        while (value.Parent is IArrayElementReferenceOperation element && element.ArrayReference == value
            || value.Parent is IPropertyReferenceOperation { Property.IsIndexer: true } indexer && indexer.Instance == value)
        {
            value = value.Parent;
        }

        value = HandWrittenDropoutSite.ClimbConversions(value);
        while (value.Parent is IParenthesizedOperation)
        {
            value = value.Parent;
        }

        if (value.Parent is IArgumentOperation { Parent: IInvocationOperation call }
            && !call.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.IsEmpty
            && call.TargetMethod.ReturnType.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal)
        {
            return true;
        }

        if (value.Parent is IBinaryOperation comparison
            && comparison.OperatorKind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
            && HandWrittenDropoutSite.IsZero(comparison.LeftOperand == value ? comparison.RightOperand : comparison.LeftOperand))
        {
            return true;
        }

        for (IOperation? current = value.Parent; current is IBinaryOperation or IParenthesizedOperation or IConversionOperation; current = current.Parent)
        {
            if (current is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference
                && HandWrittenDropoutSite.StripConversions(difference.LeftOperand).ConstantValue is { HasValue: true, Value: var one }
                && ProbabilityScaling.ToDouble(one) == 1.0
                && difference.RightOperand.Syntax.Span.Contains(read.Syntax.Span))
            {
                return true;
            }
        }

        return false;
    }
}
