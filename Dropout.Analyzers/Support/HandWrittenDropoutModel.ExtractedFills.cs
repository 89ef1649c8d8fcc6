using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// Whether <paramref name="call"/> hands <paramref name="buffer"/> (a local or a field, passed as it is) to a helper
        /// whose body writes only uniform draws into it (<see cref="HelperFill"/>): <c>var u = new float[n]; Fill(n, u);</c>
        /// followed by <c>u[j] &lt; rate ? 0 : x</c> is the buffer of draws the inline loop made. Where the loop lives must not
        /// decide whether the buffer holds draws.
        /// </summary>
        private bool FillsByHelper(IInvocationOperation call, ISymbol buffer, IOperation root)
        {
            if (call.TargetMethod.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            foreach (IArgumentOperation argument in call.Arguments)
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(HandWrittenDropoutSite.StripConversions(argument.Value)) is { } handed
                    && SymbolEqualityComparer.Default.Equals(handed, buffer))
                {
                    return model.HelperFill(call, argument, root, semanticModel, IsInLoop(call, root), 0, cancellationToken) == HelperWrite.Draws;
                }
            }

            return false;
        }
    }
}
