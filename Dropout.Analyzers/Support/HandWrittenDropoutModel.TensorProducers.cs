using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// Whether <paramref name="method"/> returns a buffer of uniforms in [0, 1): its body writes draws, and only draws, into
    /// the elements of one local array in a loop, and every <c>return</c> hands back that array or a new object built from it
    /// (<c>static Tensor Rand(int[] shape) { var d = new float[n]; for (...) d[i] = (float)rng.NextDouble(); return new
    /// Tensor(shape, d); }</c>). A tensor library's <c>Rand</c> read from its body: a caller that thresholds what it returns
    /// against a probability (<c>Tensor.Rand(shape).GreaterThan(p)</c>) draws a Bernoulli mask. A buffer scaled or shifted
    /// after the draw (<c>rng.NextDouble() * 2 - 1</c>, a weight initialization) is no such buffer.
    /// </summary>
    public bool ReturnsUniforms(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (method.ReturnsVoid || method.MethodKind != MethodKind.Ordinary || !NamesRandomness(body.Syntax))
        {
            return false;
        }

        ILocalSymbol? buffer = null;
        foreach (IReturnOperation returned in body.Descendants().OfType<IReturnOperation>())
        {
            ILocalSymbol? local = returned.ReturnedValue is { } value ? BufferReturnedBy(value) : null;
            if (local is null || (buffer is not null && !SymbolEqualityComparer.Default.Equals(local, buffer)))
            {
                return false;
            }

            buffer = local;
        }

        if (buffer is null || buffer.Type is not IArrayTypeSymbol { ElementType: var element } || !HandWrittenDropoutSite.IsFloatingPoint(element))
        {
            return false;
        }

        var finder = new SiteFinder(this, semanticModel, cancellationToken);
        bool drawn = false;
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is not IAssignmentOperation assignment
                || HandWrittenDropoutSite.StripConversions(assignment.Target) is not IArrayElementReferenceOperation { ArrayReference: var array }
                || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(array), buffer))
            {
                continue;
            }

            // Every element write is a uniform draw in [0, 1), in a loop; anything else (a scaled draw, a constant) is not.
            if (assignment is not ISimpleAssignmentOperation simple || !IsInLoop(simple, body)
                || !finder.TryRandomValue(simple.Value, 1, out RandomValue draw) || draw.Bound is not null
                || HandWrittenDropoutSite.StripConversions(simple.Value) is IBinaryOperation)
            {
                return false;
            }

            drawn = true;
        }

        return drawn;
    }

    // `return data;` or `return new Tensor(shape, data);`: the local array the returned value is, or is built from.
    private static ILocalSymbol? BufferReturnedBy(IOperation value)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        if (value is ILocalReferenceOperation { Local: var local })
        {
            return local;
        }

        if (value is IObjectCreationOperation creation)
        {
            var arrays = creation.Arguments
                .Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value))
                .OfType<ILocalReferenceOperation>()
                .Where(reference => reference.Local.Type is IArrayTypeSymbol { ElementType: var element } && HandWrittenDropoutSite.IsFloatingPoint(element))
                .ToList();
            return arrays.Count == 1 ? arrays[0].Local : null;
        }

        return null;
    }
}

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// A method that returns what another method of the compilation returns, handing it some of its own parameters:
    /// directly (<c>return Gen.Weights(sizes, keep);</c>), through a local (<c>var w = Gen.Weights(sizes, keep); return w;</c>), or
    /// as the data of a new tensor (<c>var t = new Tensor(sizes); t.SetElements(w); return t;</c>, <c>return new Tensor(sizes,
    /// w);</c>). Whether the inner method makes a mask is known only at compilation end, where the summaries are joined.
    /// </summary>
    public static MaskProducer? ReturnsThroughCallOf(IMethodSymbol method, IOperation body)
    {
        if (method.ReturnsVoid || method.MethodKind != MethodKind.Ordinary || method.Parameters.Length == 0)
        {
            return null;
        }

        var returns = body.Descendants().OfType<IReturnOperation>().ToList();
        if (returns.Count != 1 || returns[0].ReturnedValue is not { } returned)
        {
            return null;
        }

        IInvocationOperation? inner = InnerCallOf(HandWrittenDropoutSite.StripConversions(returned), body, 0);
        if (inner is null || inner.TargetMethod.DeclaringSyntaxReferences.Length == 0
            || SymbolEqualityComparer.Default.Equals(inner.TargetMethod.OriginalDefinition, method.OriginalDefinition))
        {
            return null;
        }

        var mapping = new int[inner.TargetMethod.Parameters.Length];
        for (int i = 0; i < mapping.Length; i++)
        {
            mapping[i] = -1;
        }

        foreach (IArgumentOperation argument in inner.Arguments)
        {
            if (argument.Parameter is { Ordinal: var ordinal } && ordinal < mapping.Length
                && HandWrittenDropoutSite.StripConversions(argument.Value) is IParameterReferenceOperation { Parameter: var parameter }
                && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method))
            {
                mapping[ordinal] = parameter.Ordinal;
            }
        }

        return mapping.Any(ordinal => ordinal >= 0) ? MaskProducer.Through(inner.TargetMethod.OriginalDefinition, mapping.ToImmutableArray()) : null;
    }

    // The call whose returned buffer `value` is: the call itself, a local holding it, or a new object built from (or filled
    // by one call on it with) a local holding it.
    private static IInvocationOperation? InnerCallOf(IOperation value, IOperation body, int depth)
    {
        if (depth > 2)
        {
            return null;
        }

        switch (value)
        {
            case IInvocationOperation invocation:
                return invocation;
            case IObjectCreationOperation creation:
                var built = creation.Arguments
                    .Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value))
                    .Where(argument => argument is ILocalReferenceOperation { Local.Type: IArrayTypeSymbol })
                    .ToList();
                return built.Count == 1 ? InnerCallOf(built[0], body, depth + 1) : null;
            case ILocalReferenceOperation { Local: var local }:
                if (SingleValueOf(local, body) is not { } initial)
                {
                    return null;
                }

                if (initial is IInvocationOperation or IObjectCreationOperation { Arguments.Length: > 0 } && InnerCallOf(initial, body, depth + 1) is { } direct)
                {
                    return direct;
                }

                // `var t = new Tensor(sizes); t.SetElementsAsFloat(w);`: exactly one call on the local hands it a local buffer.
                var fills = body.Descendants().OfType<IInvocationOperation>()
                    .Where(call => call.Instance is { } receiver && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(receiver), local))
                    .SelectMany(call => call.Arguments.Select(argument => HandWrittenDropoutSite.StripConversions(argument.Value)))
                    .Where(argument => argument is ILocalReferenceOperation { Local.Type: IArrayTypeSymbol })
                    .ToList();
                return initial is IObjectCreationOperation && fills.Count == 1 ? InnerCallOf(fills[0], body, depth + 1) : null;
            default:
                return null;
        }
    }

    /// <summary>The one value a local is given in <paramref name="body"/>: its initializer, when nothing else assigns it.</summary>
    public static IOperation? SingleValueOf(ILocalSymbol local, IOperation body)
    {
        IOperation? value = null;
        foreach (IOperation operation in body.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    if (declarator.GetVariableInitializer()?.Value is not { } initializer || value is not null)
                    {
                        return null;
                    }

                    value = HandWrittenDropoutSite.StripConversions(initializer);
                    break;
                case IAssignmentOperation assignment when SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), local) && assignment.Target is ILocalReferenceOperation:
                    return null;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument when argument.Value is ILocalReferenceOperation { Local: var passed } && SymbolEqualityComparer.Default.Equals(passed, local):
                    return null;
            }
        }

        return value;
    }
}
