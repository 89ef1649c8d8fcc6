using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A tensor library's Bernoulli draw as ported code writes it: <c>mask = MLXRandom.bernoulli(1 - rate, x.shape).asType(dtype)</c>.
/// The library's tensor type is named for an array (<c>MLXArray</c>, as <c>NDArray</c> is), the mask is cast to the
/// activations' element type before it is stored (the cast keeps each 0/1 entry), and the library's body, when a port
/// stubs it in another file of the compilation, is not read there either: only a body the model reads for this file is a
/// helper that may already hold 1/p.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    // Element-type casts of a tensor: the entries keep their values (a 0/1 mask stays one).
    private static readonly string[] ElementTypeCastNames = ["astype", "to", "type", "totype", "cast", "float", "double", "half", "tofloat", "todouble"];

    private sealed partial class SiteFinder
    {
        // `bernoulli(p, shape).asType(dtype)`: an instance call on the draw that returns the draw's own type, takes no number
        // and no tensor, and is named for an element-type cast.
        private static bool IsElementTypeCast(IOperation drawn, out IInvocationOperation? cast)
        {
            cast = HandWrittenDropoutSite.ClimbConversions(drawn).Parent as IInvocationOperation;
            return cast is { Instance: { } receiver }
                && receiver == HandWrittenDropoutSite.ClimbConversions(drawn)
                && SymbolEqualityComparer.Default.Equals(cast.Type, drawn.Type)
                && Array.IndexOf(ElementTypeCastNames, cast.TargetMethod.Name.ToLowerInvariant()) >= 0
                && cast.Arguments.All(argument => argument.Value.Type is { } type && !IsNumberType(type) && !SymbolEqualityComparer.Default.Equals(type, drawn.Type));
        }

        // The draw, climbed through element-type casts of its result.
        private static IOperation ThroughElementTypeCasts(IOperation drawn)
        {
            IOperation current = drawn;
            for (int step = 0; step < 3 && IsElementTypeCast(current, out IInvocationOperation? cast); step++)
            {
                current = cast!;
            }

            return current;
        }

        // A method whose body the model reads for this file (this file, or another declaration of a partial type in it).
        private bool BodyReadHere(IMethodSymbol method) =>
            method.DeclaringSyntaxReferences.Any(reference => SemanticModelFor(semanticModel, reference.SyntaxTree, method, cancellationToken) is not null);
    }
}
