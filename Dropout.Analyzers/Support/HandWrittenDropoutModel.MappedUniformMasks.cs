using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A matrix library's mask drawn whole and thresholded by an element-wise map:
/// <c>Mask = Matrix.Build.Random(n, 1, new ContinuousUniform(0, 1)); Mask.MapInplace(x =&gt; x &gt; keep ? 0.0 : 1.0);</c>.
/// The factory fills the matrix with uniforms in [0, 1) (its distribution argument says so), so the map's element is a
/// draw, and the map's result (the receiver for an in-place map, the assigned value otherwise) is the 0/1 mask. Only the
/// assignment that last precedes the map in the same block counts: a matrix drawn elsewhere, or drawn from another
/// distribution (<c>new Normal(0, 0.1)</c>, weights), leaves the map's element unknown.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    private static readonly string[] ElementMapNames = ["Map", "MapInplace", "MapInPlace", "Apply", "ApplyInPlace", "Transform", "Select"];

    private sealed partial class SiteFinder
    {
        // `x` of `Mask.MapInplace(x => ...)` when Mask was last assigned a matrix of unit uniforms in the same block.
        private bool IsMappedUniformElement(IParameterReferenceOperation parameter)
        {
            return MapOverParameter(parameter) is { } map
                && map.Instance is { } receiver && HandWrittenDropoutSite.ReferencedSymbol(receiver) is { } matrix
                && LastAssignedBefore(matrix, map) is { } drawn && IsUnitUniformFactory(drawn);
        }

        // The element-wise map whose lambda's first parameter is `parameter`.
        private static IInvocationOperation? MapOverParameter(IParameterReferenceOperation parameter)
        {
            if (parameter.Parameter is not { Ordinal: 0, ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } lambdaSymbol })
            {
                return null;
            }

            for (IOperation? current = parameter.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation lambda && SymbolEqualityComparer.Default.Equals(lambda.Symbol, lambdaSymbol))
                {
                    IOperation outer = lambda;
                    while (outer.Parent is IDelegateCreationOperation or IConversionOperation)
                    {
                        outer = outer.Parent;
                    }

                    return outer.Parent is IArgumentOperation { Parent: IInvocationOperation map } && Array.IndexOf(ElementMapNames, map.TargetMethod.Name) >= 0 ? map : null;
                }
            }

            return null;
        }

        // The value of the last `symbol = value;` statement before the statement holding `use`, in the same block.
        private static IOperation? LastAssignedBefore(ISymbol symbol, IOperation use)
        {
            IOperation statement = use;
            while (statement.Parent is not (IBlockOperation or null))
            {
                statement = statement.Parent;
            }

            if (statement.Parent is not IBlockOperation block)
            {
                return null;
            }

            int index = block.Operations.IndexOf(statement);
            for (int before = index - 1; before >= 0; before--)
            {
                if (block.Operations[before] is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment }
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), symbol))
                {
                    return HandWrittenDropoutSite.StripConversions(assignment.Value);
                }
            }

            return null;
        }

        // `Matrix<double>.Build.Random(r, c, new ContinuousUniform(0, 1))`: a factory named for random values given a uniform
        // distribution on [0, 1].
        private static bool IsUnitUniformFactory(IOperation value) =>
            value is IInvocationOperation factory
            && factory.TargetMethod.Name.IndexOf("Random", StringComparison.OrdinalIgnoreCase) >= 0
            && factory.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is IObjectCreationOperation { Type.Name: var distribution, Arguments.Length: 2 } creation
                && distribution.IndexOf("Uniform", StringComparison.Ordinal) >= 0
                && HandWrittenDropoutSite.IsZero(creation.Arguments[0].Value) && HandWrittenDropoutSite.IsOne(creation.Arguments[1].Value));

        // `Mask.MapInplace(x => x > keep ? 0 : 1)`: the lambda's result is the receiver's new entry, so the receiver is the mask;
        // `m = u.Map(x => ...)` makes the assigned symbol the mask.
        private static ISymbol? MappedMask(IReturnOperation returned)
        {
            IOperation? current = returned.Parent;
            while (current is not null and not IAnonymousFunctionOperation)
            {
                current = current.Parent;
            }

            if (current is not IAnonymousFunctionOperation lambda)
            {
                return null;
            }

            IOperation outer = lambda;
            while (outer.Parent is IDelegateCreationOperation or IConversionOperation)
            {
                outer = outer.Parent;
            }

            if (outer.Parent is not IArgumentOperation { Parent: IInvocationOperation { Instance: { } receiver } map } || Array.IndexOf(ElementMapNames, map.TargetMethod.Name) < 0)
            {
                return null;
            }

            if (map.TargetMethod.ReturnsVoid)
            {
                return HandWrittenDropoutSite.ReferencedSymbol(receiver);
            }

            return HandWrittenDropoutSite.ClimbConversions(map).Parent is ISimpleAssignmentOperation assignment ? HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) : null;
        }
    }
}
