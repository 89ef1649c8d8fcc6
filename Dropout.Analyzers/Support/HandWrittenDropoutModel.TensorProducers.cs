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
        if (method.ReturnsVoid || method.MethodKind != MethodKind.Ordinary)
        {
            return false;
        }

        ILocalSymbol? buffer = null;
        foreach (IReturnOperation returned in body.Descendants().OfType<IReturnOperation>())
        {
            // A local function's or lambda's return (a void one's is implicit) leaves it, not the method.
            if (InsideNestedFunction(returned, body))
            {
                continue;
            }

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
        bool? named = null;
        foreach (IOperation operation in body.Descendants())
        {
            // The buffer handed to a helper of the compilation: what the helper writes into it counts as written here.
            if (operation is IArgumentOperation { Parent: IInvocationOperation call } handed
                && HandWrittenDropoutSite.StripConversions(handed.Value) is ILocalReferenceOperation { Local: var passed }
                && SymbolEqualityComparer.Default.Equals(passed, buffer))
            {
                switch (HelperFill(call, handed, body, semanticModel, IsInLoop(call, body), 0, cancellationToken))
                {
                    case HelperWrite.Draws:
                        drawn = true;
                        break;
                    case HelperWrite.Other:
                        return false;
                }

                continue;
            }

            if (operation is not IAssignmentOperation assignment
                || HandWrittenDropoutSite.StripConversions(assignment.Target) is not IArrayElementReferenceOperation { ArrayReference: var array }
                || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(array), buffer))
            {
                continue;
            }

            // Every element write is a uniform draw in [0, 1), in a loop; anything else (a scaled draw, a constant) is not.
            // The body's own draws are read only where it names a random word (a cheap filter: a helper's are read in it).
            if (assignment is not ISimpleAssignmentOperation simple || !(named ??= NamesRandomness(body.Syntax)) || !IsInLoop(simple, body)
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

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// A fill whose draw is a hand-written generator's bits: <c>void FillMask(Arr array, double p)</c> whose every element write
    /// into a buffer taken from <c>array</c> (<c>float[] data = Internal(array).Data;</c>) is <c>bits &lt; threshold ? 1 : 0</c>, where
    /// <c>bits</c> reads a local that a xorshift step updates (<c>x = w ^ (w &gt;&gt; 19) ^ (t ^ (t &gt;&gt; 8))</c>, also through pointer
    /// casts of its bits) and <c>threshold</c> is made from <c>p</c> (<c>(ushort)Math.Round(p * ushort.MaxValue)</c>). Such a
    /// fill keeps an element with <c>p</c> (or one minus it, by the comparison's direction): a
    /// <see cref="MaskProducerKind.FillsParameter"/> producer whose draw the per-file model does not read.
    /// </summary>
    public static MaskProducer? GeneratorBitsFillOf(IMethodSymbol method, IOperation body)
    {
        if (!method.ReturnsVoid || method.Parameters.Length < 2 || method.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        var generator = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in body.Descendants())
        {
            (ILocalSymbol? local, IOperation? value) = operation switch
            {
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var target } } assignment => (target, assignment.Value),
                IVariableDeclaratorOperation declarator when declarator.GetVariableInitializer() is { } initializer => (declarator.Symbol, initializer.Value),
                _ => (null, null),
            };
            if (local is not null && value is not null && IsXorShiftStep(value))
            {
                generator.Add(local);
            }
        }

        if (generator.Count == 0)
        {
            return null;
        }

        // `uint r = w = w ^ ...`: a local given a generator local's value is one too.
        foreach (IVariableDeclaratorOperation declarator in body.Descendants().OfType<IVariableDeclaratorOperation>())
        {
            if (declarator.GetVariableInitializer()?.Value is ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var chained } } && generator.Contains(chained))
            {
                generator.Add(declarator.Symbol);
            }
        }

        IParameterSymbol? mask = null, probability = null;
        bool? complement = null;
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is not IAssignmentOperation { Target: var target } write
                || HandWrittenDropoutSite.StripConversions(target) is not IArrayElementReferenceOperation { ArrayReference: var array }
                || HandWrittenDropoutSite.ReferencedSymbol(array) is not ILocalSymbol buffer)
            {
                continue;
            }

            IParameterSymbol? filled = ParameterBehind(buffer, body, method, 0);
            if (filled is null || HandWrittenDropoutSite.IsNumeric(filled.Type))
            {
                continue;
            }

            if (write is not ISimpleAssignmentOperation { Value: var value }
                || HandWrittenDropoutSite.StripConversions(value) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional
                || ConstantOf(conditional.WhenTrue) is not { } high || ConstantOf(whenFalse) is not { } low || !((high == 1 && low == 0) || (high == 0 && low == 1))
                || HandWrittenDropoutSite.StripConversions(conditional.Condition) is not IBinaryOperation
                {
                    OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual,
                } comparison)
            {
                return null;
            }

            bool bitsOnLeft = ReadsAny(comparison.LeftOperand, generator) && !ReadsAny(comparison.RightOperand, generator);
            bool bitsOnRight = ReadsAny(comparison.RightOperand, generator) && !ReadsAny(comparison.LeftOperand, generator);
            IParameterSymbol? compared = bitsOnLeft ? FloatingParameterBehind(comparison.RightOperand, body, method)
                : bitsOnRight ? FloatingParameterBehind(comparison.LeftOperand, body, method)
                : null;
            if (compared is null)
            {
                return null;
            }

            // `bits < threshold ? 1 : 0` keeps below the threshold, so with the probability it is made from.
            bool trueWhenBelow = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual ? bitsOnLeft : bitsOnRight;
            bool keptBelow = (high == 1) == trueWhenBelow;
            if ((mask is not null && !SymbolEqualityComparer.Default.Equals(mask, filled))
                || (probability is not null && !SymbolEqualityComparer.Default.Equals(probability, compared))
                || (complement is { } known && known != !keptBelow))
            {
                return null;
            }

            (mask, probability, complement) = (filled, compared, !keptBelow);
        }

        return mask is not null && probability is not null && complement is { } keepIsComplement
            ? new MaskProducer(MaskProducerKind.FillsParameter, mask.Ordinal, probability.Ordinal, keepIsComplement, null)
            : null;
    }

    /// <summary>
    /// <c>void FillMask(Arr array, double p) { Check(p); _inner.FillMask(Check(array), p); }</c>: a method that calls a method of
    /// its own name on another object and hands each of its parameters to the argument in the same position (through casts,
    /// calls and members), writing no element itself.
    /// </summary>
    public static MaskProducer? ForwarderOf(IMethodSymbol method, IOperation body)
    {
        if (!method.ReturnsVoid || method.Parameters.Length < 2 || method.MethodKind != MethodKind.Ordinary
            || body.Descendants().Any(operation => operation is IAssignmentOperation { Target: IArrayElementReferenceOperation }))
        {
            return null;
        }

        foreach (IInvocationOperation call in body.Descendants().OfType<IInvocationOperation>())
        {
            if (call.TargetMethod.Name != method.Name || call.Instance is null || call.Arguments.Length != method.Parameters.Length
                || SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
            {
                continue;
            }

            if (call.Arguments.All(argument => argument.Parameter is { Ordinal: var ordinal } && ordinal < method.Parameters.Length
                && ParameterBehindValue(argument.Value, body, method, 0) is { } handed && handed.Ordinal == ordinal))
            {
                return new MaskProducer(MaskProducerKind.Forwards, -1, -1, false, null);
            }
        }

        // The same call that does not bind (its receiver's type is in a package that is not referenced: a GPU handle):
        // read from its syntax, each argument's own operation giving the parameter it is made from.
        foreach (IInvalidOperation invalid in body.Descendants().OfType<IInvalidOperation>())
        {
            if (invalid.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax
                {
                    Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Name.Identifier.ValueText: var name },
                    ArgumentList.Arguments: var arguments,
                } || name != method.Name || arguments.Count != method.Parameters.Length || invalid.SemanticModel is not { } semanticModel)
            {
                continue;
            }

            bool handsOn = true;
            for (int i = 0; i < arguments.Count && handsOn; i++)
            {
                handsOn = semanticModel.GetOperation(arguments[i].Expression) is { } argument && ParameterBehindValue(argument, body, method, 0) is { } handed && handed.Ordinal == i;
            }

            if (handsOn)
            {
                return new MaskProducer(MaskProducerKind.Forwards, -1, -1, false, null);
            }
        }

        return null;
    }

    // `x ^ (x << 11)`, `w ^ (w >> 19) ^ (t ^ (t >> 8))`: an exclusive or with a shift inside it.
    private static bool IsXorShiftStep(IOperation value)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        return value is IBinaryOperation { OperatorKind: BinaryOperatorKind.ExclusiveOr } xor
            && xor.DescendantsAndSelf().Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift });
    }

    // Read in the operation tree, or in the syntax where the tree has no children to show (a pointer element access,
    // `((ushort*)&x)[1]`, is an operation of no kind).
    private static bool ReadsAny(IOperation operation, HashSet<ILocalSymbol> locals) =>
        operation.DescendantsAndSelf().Any(read => read is ILocalReferenceOperation { Local: var local } && locals.Contains(local))
        || (operation.SemanticModel is { } semanticModel
            && operation.Syntax.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>()
                .Any(identifier => locals.Any(local => local.Name == identifier.Identifier.ValueText) && semanticModel.GetSymbolInfo(identifier).Symbol is ILocalSymbol read && locals.Contains(read)));

    private static double? ConstantOf(IOperation operation) =>
        operation.ConstantValue is { HasValue: true, Value: var value } ? value switch
        {
            int whole => whole,
            float single => single,
            double number => number,
            _ => null,
        } : null;

    // The one parameter of `method` a local's value is taken from (following locals' single values a few levels).
    private static IParameterSymbol? ParameterBehind(ILocalSymbol local, IOperation body, IMethodSymbol method, int depth) =>
        depth < 3 && SingleValueOf(local, body) is { } value ? ParameterBehindValue(value, body, method, depth + 1) : null;

    private static IParameterSymbol? ParameterBehindValue(IOperation value, IOperation body, IMethodSymbol method, int depth)
    {
        var found = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in value.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IParameterReferenceOperation { Parameter: var parameter } when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method):
                    found.Add(parameter);
                    break;
                case ILocalReferenceOperation { Local: var local } when ParameterBehind(local, body, method, depth) is { } behind:
                    found.Add(behind);
                    break;
            }
        }

        return found.Count == 1 ? found.First() : null;
    }

    // `approximate` with `approximate = (ushort)Math.Round((float)p * ushort.MaxValue)`: the floating parameter a threshold is made from.
    private static IParameterSymbol? FloatingParameterBehind(IOperation operand, IOperation body, IMethodSymbol method) =>
        ParameterBehindValue(operand, body, method, 0) is { } parameter && HandWrittenDropoutSite.IsFloatingPoint(parameter.Type) ? parameter : null;
}
