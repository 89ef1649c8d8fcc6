using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Whole-array dropout over a library's array or tensor type, as code ported from numpy writes it
/// (<c>mask = np.random.rand(x.shape) &gt; rate; return x * mask / (1 - rate);</c>,
/// <c>mask = np.random.binomial(1, keep, x.shape); return x * mask;</c>): a library call (no body in view) that returns a
/// whole array of uniforms in [0, 1) or of 0/1 Bernoulli values, thresholded by a user operator or a comparison call,
/// possibly cast to an element type or scaled by a scalar, stored in a local or a field of the type and applied by the
/// array type's element-wise product. Library names are spelled as each library spells them (<c>rand</c>,
/// <c>random_sample</c>, <c>rand_like</c>, <c>RandomUniform</c>): they are compared without case or underscores.
/// </summary>
internal static partial class CrossCallMaskSummaries
{
    // Library calls returning an array of uniforms in [0, 1), by name without case or underscores.
    private static readonly ImmutableHashSet<string> LibraryUniformArrayNames = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "rand", "randu", "randuniform", "uniform", "randomuniform", "uniformrandom", "randlike", "randomuniformlike", "random", "randomtensor",
        "randomsample", "ranf", "uniformlike");

    // Library calls returning an array of 0/1 Bernoulli values.
    private static readonly ImmutableHashSet<string> LibraryBernoulliArrayNames = ImmutableHashSet.Create(StringComparer.Ordinal, "bernoulli", "binomial", "randombernoulli", "randombinomial");

    // Element-type casts of an array: the entries keep their values (a 0/1 mask stays one).
    private static readonly ImmutableHashSet<string> ArrayCastNames = ImmutableHashSet.Create(
        StringComparer.Ordinal, "astype", "to", "type", "totype", "cast", "float", "double", "half", "tofloat", "todouble", "copy", "clone");

    private static bool IsScalarValue(IOperation operand) => HandWrittenDropoutSite.IsNumeric(HandWrittenDropoutSite.StripConversions(operand).Type);

    private static string Normalized(string name) => name.Replace("_", string.Empty).ToLowerInvariant();

    /// <summary>Whether a library method (no body in view) is named for an array of uniforms.</summary>
    private static bool IsLibraryUniformArrayName(IMethodSymbol method) =>
        method.DeclaringSyntaxReferences.Length == 0 && LibraryUniformArrayNames.Contains(Normalized(method.Name));

    // A call that returns an array (not a scalar or a flag) of a library, with any bounds it is given being 0 and 1:
    // `np.random.uniform(0, 1, shape)` is a uniform array, `np.random.uniform(-1, 1, shape)` (a weight init) is not.
    private static bool HasUnitBounds(IInvocationOperation call)
    {
        var bounds = call.Arguments
            .Where(argument => argument.ArgumentKind == ArgumentKind.Explicit && HandWrittenDropoutSite.IsNumeric(argument.Value.Type))
            .Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value))
            .ToList();
        if (bounds.Count == 0)
        {
            return true;
        }

        return bounds.Count >= 2 && HandWrittenDropoutSite.IsZero(bounds[0]) && HandWrittenDropoutSite.IsOne(bounds[1]);
    }

    // `np.random.binomial(1, keep, shape)`, `torch.bernoulli(p, shape)`, `MLXRandom.bernoulli(p, shape)`: a library's array of
    // 0/1 values, 1 with the probability argument (a binomial's count must be the constant 1). The mask keeps with it.
    private static MaskSource? LibraryBernoulliArrayOf(IOperation operand)
    {
        if (operand is not IInvocationOperation call || IsScalarOrFlag(call) || call.Type is null || call.TargetMethod.ReturnsVoid
            || call.TargetMethod.DeclaringSyntaxReferences.Length > 0
            || !LibraryBernoulliArrayNames.Contains(Normalized(call.TargetMethod.Name)))
        {
            return null;
        }

        var explicitArguments = call.Arguments
            .Where(argument => argument.ArgumentKind == ArgumentKind.Explicit)
            .OrderBy(argument => argument.Parameter?.Ordinal ?? 0)
            .Select(argument => argument.Value)
            .ToList();
        IOperation? probability = explicitArguments.FirstOrDefault(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Type)) is { } found
            ? HandWrittenDropoutSite.StripConversions(found)
            : null;

        // A binomial's count comes first and must be the one trial of a Bernoulli draw.
        if (Normalized(call.TargetMethod.Name).EndsWith("binomial", StringComparison.Ordinal)
            && !(explicitArguments.Count >= 2 && explicitArguments[0].Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 && HandWrittenDropoutSite.IsOne(explicitArguments[0])))
        {
            return null;
        }

        if (probability is null || !LooksLikeAProbability(probability))
        {
            return null;
        }

        return new MaskSource(call.TargetMethod, false, ImmutableArray<IOperation?>.Empty, ImmutableArray<MaskSource>.Empty, -1, probability, keptAbove: false)
        {
            Draw = call,
            IsLibraryBernoulli = true,
        };
    }

    // `(rand(shape) < keep).astype(float)`, `mask / keep`, `mask * scale`: the same mask, cast or scaled by a scalar.
    private static IOperation? MaskUnderCastOrScalar(IOperation operand)
    {
        switch (operand)
        {
            case IInvocationOperation { Instance: { Type: { } receiverType } receiver } cast
                when ArrayCastNames.Contains(Normalized(cast.TargetMethod.Name))
                    && IsSameArrayFamily(cast.TargetMethod.ReturnType, receiverType)
                    && cast.Arguments.All(argument => !HandWrittenDropoutSite.IsNumeric(argument.Value.Type)):
                return receiver;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide, OperatorMethod: not null } divided when IsScalarValue(divided.RightOperand):
                return divided.LeftOperand;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply, OperatorMethod: not null } scaled
                when IsScalarValue(scaled.RightOperand) != IsScalarValue(scaled.LeftOperand):
                return IsScalarValue(scaled.RightOperand) ? scaled.LeftOperand : scaled.RightOperand;
            default:
                return null;
        }
    }
    // `mask.astype(np.float64)` where the comparison made a typed `NDArray<bool>` and the cast returns the untyped
    // `NDArray` it derives from: the same array in another element type, as when both are one type.
    private static bool IsSameArrayFamily(ITypeSymbol returned, ITypeSymbol receiver)
    {
        for (ITypeSymbol? type = receiver; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(returned.OriginalDefinition, type.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    // A probability as a symbol, or one minus one (`rate`, `1 - rate`, `(1.0 - this.dropout_ratio)`): the symbol and whether
    // the value is its complement. A constant is none (0.5 is both the rate and its complement).
    private static (ISymbol Symbol, bool Complement)? ProbabilityForm(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        if (operation is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
            && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
        {
            return (symbol, false);
        }

        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } complement && HandWrittenDropoutSite.IsOne(complement.LeftOperand)
            && ProbabilityForm(complement.RightOperand) is { } inner)
        {
            return (inner.Symbol, !inner.Complement);
        }

        return null;
    }

    private static bool SameForm((ISymbol Symbol, bool Complement)? form, ISymbol symbol, bool complement) =>
        form is { } known && known.Complement == complement && SymbolEqualityComparer.Default.Equals(known.Symbol, symbol);

    // `dout * this.mask` in the backward of a forward that draws and applies a library array mask: the same mask applied
    // again, which is the forward's finding (DRP004) or DRP013's, not another missing scale.
    private static bool IsReapplicationOfLibraryArrayMask(IOperation product, MaskSource source, List<(IOperation Product, MaskSource Source)> found) =>
        source is { Threshold: not null, Draw: { } draw } && (source.IsLibraryBernoulli || IsLibraryUniformArrayName(source.Callee))
        && product.TreeRoot() != draw.TreeRoot()
        && found.Any(application => application.Source.Draw == draw && application.Product.TreeRoot() == draw.TreeRoot());

    // `a / q`, `a * (1 / q)`, `(1.0 / q) * a`: the operand scaled and the q it is divided by (the reciprocal written as a
    // factor scales the same way as the division).
    private static (IOperation Scaled, IOperation Divisor)? ReciprocalScale(IOperation operation)
    {
        if (operation is not IBinaryOperation binary)
        {
            return null;
        }

        if (binary.OperatorKind == BinaryOperatorKind.Divide)
        {
            return (binary.LeftOperand, binary.RightOperand);
        }

        if (binary.OperatorKind != BinaryOperatorKind.Multiply)
        {
            return null;
        }

        return ReciprocalOf(binary.RightOperand) is { } right ? (binary.LeftOperand, right)
            : ReciprocalOf(binary.LeftOperand) is { } left ? (binary.RightOperand, left)
            : null;

        static IOperation? ReciprocalOf(IOperation factor) =>
            HandWrittenDropoutSite.StripConversions(factor) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } reciprocal
                && IsScalarValue(reciprocal) && HandWrittenDropoutSite.IsOne(reciprocal.LeftOperand)
                ? reciprocal.RightOperand
                : null;
    }

    // `this.mask = this.mask.astype(double) / keep`: the stored mask rebound to itself over p holds 1/p from then on, so a
    // backward's product with it carries the scale (as for `mask = binomial(1, keep, shape) / keep`).
    private static bool IsStoredBackIntoMask(IOperation division, HashSet<ISymbol> masks) =>
        HandWrittenDropoutSite.ClimbConversions(division).Parent is ISimpleAssignmentOperation assignment
        && HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } target && masks.Contains(target);

    // A method named for the backward pass (`backward`, `backward_propagation`, `backprop`), underscores and case aside.
    private static bool IsBackwardName(string name)
    {
        string normalized = Normalized(name);
        return normalized.Contains("backward") || normalized.Contains("backprop");
    }

    // Read as an operand of the array type's operators (`x * this.mask`, `this.mask / keep`), not handed out.
    private static bool InsideArrayOperator(IOperation operation)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IBinaryOperation { OperatorMethod: not null })
            {
                return true;
            }

            if (current is IBlockOperation or IAnonymousFunctionOperation)
            {
                return false;
            }
        }

        return false;
    }

    // The method a body belongs to (a method body's syntax is the declaration, whose start is in the type, not the method).
    private static IMethodSymbol? MethodOf(IOperation root) =>
        root.SemanticModel is not { } model ? null
        : model.GetDeclaredSymbol(root.Syntax) as IMethodSymbol ?? model.GetEnclosingSymbol(root.Syntax.SpanStart) as IMethodSymbol;

    private sealed partial class Summaries
    {
        private readonly ConcurrentBag<Diagnostic> _arrayDiagnostics = [];

        // A mask stored in a member by the forward that the type's backward never reads: the gradient reaches the units the
        // forward dropped (`Layer.backward` computing `dz = da * activation'(z)` after `forward` stored `dropout_mask`).
        private void AddBackwardIgnoringMask(IOperation[] roots, IOperation drawRoot, HashSet<ISymbol> masks)
        {
            var stored = masks.Where(mask => mask is IFieldSymbol or IPropertySymbol).ToList();
            if (stored.Count == 0 || MethodOf(drawRoot) is not IMethodSymbol forward || IsBackwardName(forward.Name))
            {
                return;
            }

            // A mask the forward hands out (returned in a tuple, passed to another call) may reach the backward as a parameter.
            if (drawRoot.Descendants().Any(operation =>
                    operation is IFieldReferenceOperation or IPropertyReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read && stored.Contains(read, SymbolEqualityComparer.Default)
                    && !(HandWrittenDropoutSite.ClimbConversions(operation).Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation)
                    && !InsideArrayOperator(operation)))
            {
                return;
            }

            foreach (IOperation root in roots)
            {
                // Method bodies only: a parameter's default value is a root of its own.
                if (root is not (IMethodBodyOperation or IBlockOperation) || root == drawRoot || MethodOf(root) is not { MethodKind: MethodKind.Ordinary, IsStatic: false } method
                    || !IsBackwardName(method.Name) || method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax declaration)
                {
                    continue;
                }

                // Any read of the mask (or a call that may read it: another method of the type) leaves the backward alone.
                bool readsMask = root.DescendantsAndSelf().Any(operation =>
                    (operation is IFieldReferenceOperation or IPropertyReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read && stored.Contains(read, SymbolEqualityComparer.Default))
                    || (operation is IInvocationOperation { TargetMethod: var callee } && callee.DeclaringSyntaxReferences.Length > 0 && !callee.IsStatic));
                if (!readsMask)
                {
                    _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScaleAcrossCalls, declaration.Identifier.GetLocation(), method.Name, "never reads the mask '" + stored[0].Name + "' the forward drew"));
                }
            }
        }

        /// <summary>
        /// What the scalar model's DRP012 and DRP013 say, for a library's whole array of uniforms thresholded against a
        /// probability (or of Bernoulli values drawn with one) and applied by the array type's product. The keep
        /// probability is the compared one or its complement, as a symbol: dividing what holds the mask by the complement
        /// (the drop rate) is DRP012's training scale; multiplying an array by it elsewhere, in a type that never multiplies
        /// by the keep probability, is its inference factor; a product with the stored mask in another method that applies
        /// no factor at all, where the forward divided its product by the keep probability, is DRP013's backward.
        /// </summary>
        private void AddLibraryArrayFindings(IOperation[] roots, SourceIndex index, List<(IOperation Product, MaskSource Source)> found)
        {
            foreach (var group in found
                .Where(application => application.Source is { Threshold: not null, Draw: not null } source && (source.IsLibraryBernoulli || IsLibraryUniformArrayName(source.Callee)))
                .GroupBy(application => application.Source.Draw!))
            {
                MaskSource source = group.First().Source;
                if (ProbabilityForm(source.Threshold!) is not { } compared)
                {
                    continue;
                }

                ISymbol symbol = compared.Symbol;
                bool keepComplement = source.KeptAbove ? !compared.Complement : compared.Complement;
                string keepText = ThresholdKeepText(source);
                IOperation draw = group.Key;
                IOperation drawRoot = draw.TreeRoot();
                var products = new HashSet<IOperation>(group.Select(application => application.Product));
                // The symbols holding this mask: the products' operands whose source is this draw (not the activations).
                var masks = new HashSet<ISymbol>(
                    group.SelectMany(application => MaskOperands(application.Product) ?? [])
                        .Select(operand => HandWrittenDropoutSite.StripConversions(operand))
                        .Select(operand => MaskUnderCastOrScalar(operand) is { } underneath ? HandWrittenDropoutSite.StripConversions(underneath) : operand)
                        .Where(operand => operand is IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation
                            && SourceOf(operand, index, 0)?.Draw == draw)
                        .Select(operand => HandWrittenDropoutSite.ReferencedSymbol(operand)!)
                        .Where(mask => mask is not null),
                    SymbolEqualityComparer.Default);

                // `X = X * sample; output = X / keep`: what a local or parameter assigned a product in the forward holds.
                var holdingProduct = new HashSet<ISymbol>(
                    drawRoot.Descendants().OfType<ISimpleAssignmentOperation>()
                        .Where(assignment => assignment.Target is ILocalReferenceOperation or IParameterReferenceOperation && assignment.Value.DescendantsAndSelf().Any(products.Contains))
                        .Select(assignment => HandWrittenDropoutSite.ReferencedSymbol(assignment.Target)!)
                        .Where(holder => holder is not null),
                    SymbolEqualityComparer.Default);
                bool HoldsProduct(IOperation operation) =>
                    operation.DescendantsAndSelf().Any(inner => products.Contains(inner)
                        || (inner is ILocalReferenceOperation or IParameterReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(inner) is { } held && holdingProduct.Contains(held)));
                bool HoldsMask(IOperation operation) =>
                    operation.DescendantsAndSelf().Any(inner => inner == draw || products.Contains(inner)
                        || (inner is IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(inner) is { } read && masks.Contains(read)));

                var all = roots.SelectMany(root => root.DescendantsAndSelf()).ToList();
                bool multipliesByKeep = all.Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product
                    && (SameForm(ProbabilityForm(product.LeftOperand), symbol, keepComplement) || SameForm(ProbabilityForm(product.RightOperand), symbol, keepComplement)));
                bool forwardDividesByKeep = false;
                var forwardDivisions = new List<IOperation>();
                foreach (IOperation operation in all)
                {
                    if (ReciprocalScale(operation) is { } division && (HoldsMask(division.Scaled) || HoldsProduct(division.Scaled)))
                    {
                        if (SameForm(ProbabilityForm(division.Divisor), symbol, !keepComplement))
                        {
                            _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DropRateUsedAsScaleAcrossCalls, operation.Syntax.GetLocation(), operation.Syntax.ToString(), "scales the kept values by one over the drop rate", keepText));
                        }
                        else if (SameForm(ProbabilityForm(division.Divisor), symbol, keepComplement) && operation.TreeRoot() == drawRoot
                            && !division.Scaled.DescendantsAndSelf().Contains(draw)
                            && !IsStoredBackIntoMask(operation, masks))
                        {
                            // The product, or the stored mask where it is applied, divided; not the value stored
                            // (`mask = binomial(1, keep, shape) / keep` holds 1/p itself).
                            forwardDividesByKeep = true;
                            forwardDivisions.Add(operation);
                        }
                    }

                    // `x * rate` at inference where training kept with 1 - rate: an array times the drop rate.
                    if (!multipliesByKeep && operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } scaled
                        && IsScalarValue(scaled.LeftOperand) != IsScalarValue(scaled.RightOperand)
                        && SameForm(ProbabilityForm(IsScalarValue(scaled.LeftOperand) ? scaled.LeftOperand : scaled.RightOperand), symbol, !keepComplement)
                        && !HoldsMask(scaled))
                    {
                        _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DropRateUsedAsScaleAcrossCalls, scaled.Syntax.GetLocation(), scaled.Syntax.ToString(), "multiplies inference activations by the drop rate", keepText));
                    }
                }

                AddLibraryArrayDoubleScaling(roots, draw, symbol, keepComplement, HoldsMask, HoldsProduct, index);
                AddBackwardIgnoringMask(roots, drawRoot, masks);
                if (!forwardDividesByKeep)
                {
                    continue;
                }

                // The backward: another method multiplying by the stored mask, with no factor of any kind in it.
                foreach (IOperation product in products)
                {
                    IOperation root = product.TreeRoot();
                    if (root == drawRoot && IsUnscaledBackwardInDrawingBody(product, drawRoot, forwardDivisions, HoldsProduct, symbol)
                        && root.SemanticModel?.GetEnclosingSymbol(product.Syntax.SpanStart) is IMethodSymbol drawing)
                    {
                        _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScaleAcrossCalls, product.Syntax.GetLocation(), drawing.Name, "reads the forward's mask but not the 1/p the forward scaled the kept values by"));
                        continue;
                    }

                    if (root == drawRoot || root.DescendantsAndSelf().Any(operation => !products.Contains(operation) && IsAnyFactor(operation))
                        || root.SemanticModel?.GetEnclosingSymbol(product.Syntax.SpanStart) is not IMethodSymbol method)
                    {
                        continue;
                    }

                    _arrayDiagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScaleAcrossCalls, product.Syntax.GetLocation(), method.Name, "reads the forward's mask but not the 1/p the forward scaled the kept values by"));
                }
            }
        }
    }
}
