using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Kept values divided by their own total after the drop (<c>total = w.Sum(); w[i] /= total</c>, or <c>total += w[i]</c>
/// in a loop): the values are renormalized, so whatever mass the drop removed is restored by a factor computed from the
/// data rather than from p. That is a scale (a particle filter's reweighting, a normalized attention row), so the missing
/// 1/p of DRP004 does not apply.
/// </summary>
internal static class Renormalization
{
    /// <summary>Whether a use in the type divides elements of the collection the site zeroes by that collection's total.</summary>
    public static bool RenormalizesTheKeptValues(DropoutTypeFacts facts, HandWrittenDropoutSite site)
    {
        if (site.ZeroedTarget is not { } zeroed || CollectionOf(zeroed) is not { } collection)
        {
            return false;
        }

        foreach (ScaleUse use in facts.Uses)
        {
            if (use.Reciprocal && use.Other is { } divided
                && divided.DescendantsAndSelf().Any(operation => CollectionOf(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, collection))
                && IsTotalOf(use.Factor, collection, use.Root, depth: 0))
            {
                return true;
            }
        }

        return false;
    }

    private static ISymbol? CollectionOf(IOperation operation) => HandWrittenDropoutSite.StripConversions(operation) switch
    {
        IArrayElementReferenceOperation element => HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference),
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
        _ => null,
    };

    // `collection.Sum()`, `Sum(collection)`, or a local holding one, or a local that accumulates the collection's elements.
    private static bool IsTotalOf(IOperation value, ISymbol collection, IOperation root, int depth)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        if (value is IInvocationOperation { TargetMethod.Name: "Sum" } sum)
        {
            IOperation? summed = sum.Instance ?? (sum.Arguments.Length > 0 ? sum.Arguments[0].Value : null);
            return summed is not null && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(summed), collection);
        }

        if (value is not ILocalReferenceOperation { Local: var local } reference || depth > 2)
        {
            return false;
        }

        bool accumulates = root.Descendants().Any(operation => operation is ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add } accumulation
            && accumulation.Target is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local)
            && CollectionOf(accumulation.Value) is { } read && SymbolEqualityComparer.Default.Equals(read, collection));
        return accumulates
            || (SymbolValues.OfLocal(local, reference) is { IsComplete: true } values && values.Values.Length > 0
                && values.Values.All(assigned => IsTotalOf(assigned, collection, root, depth + 1)));
    }
}
