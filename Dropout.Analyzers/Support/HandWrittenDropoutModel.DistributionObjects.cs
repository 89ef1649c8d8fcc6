using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// <c>int[] ones = _bernoulli.Generate(n)</c> where <c>_bernoulli = new BinomialDistribution(keep, rng)</c>: a library
        /// distribution object (a type named for Bernoulli or Binomial, whose body is not in view) made with one probability
        /// and no trial count other than 1, sampled into a container. Each entry is a 0/1 draw that is 1 with that
        /// probability, so the container is a mask kept with it, as <c>Bernoulli.Samples(rng, p)</c> is. The probability is
        /// read where the object is made (a field written in the constructor resolves to that creation).
        /// </summary>
        private HandWrittenDropoutSite? FromDistributionObjectFill(IInvocationOperation invocation, IOperation root)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (method.IsStatic
                || invocation.Instance is not { Type: INamedTypeSymbol distribution } instance
                || (distribution.Name.IndexOf("Bernoulli", StringComparison.Ordinal) < 0 && distribution.Name.IndexOf("Binomial", StringComparison.Ordinal) < 0)
                || VisibleBodyDraws(method)
                || !IsElementContainer(method.ReturnType)
                || invocation.Arguments.Any(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type)))
            {
                return null;
            }

            IOperation source = HandWrittenDropoutSite.StripConversions(instance);
            if (HandWrittenDropoutSite.ReferencedSymbol(source) is { } variable && model.SingleValueOf(variable, source, semanticModel, cancellationToken) is { } single)
            {
                source = HandWrittenDropoutSite.StripConversions(single);
            }

            if (source is not IObjectCreationOperation creation
                || creation.Arguments.Where(argument => HandWrittenDropoutSite.IsFloatingPoint(argument.Value.Type)).ToArray() is not { Length: 1 } floating
                || creation.Arguments.Any(argument => argument.Value.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
                    && argument.Value.ConstantValue is not { HasValue: true, Value: 1 or 1L }))
            {
                return null;
            }

            IOperation outer = HandWrittenDropoutSite.ClimbConversions(invocation);
            (ISymbol? mask, IOperation decision) = outer.Parent switch
            {
                ISimpleAssignmentOperation assignment when assignment.Value == outer => (HandWrittenDropoutSite.ReferencedSymbol(assignment.Target), (IOperation)assignment),
                IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } initializer => (declarator.Symbol, initializer),
                _ => (null, invocation),
            };
            IOperation probability = HandWrittenDropoutSite.StripConversions(floating[0].Value);
            return mask is null
                ? null
                : Build(invocation, null, invocation, probability, null, false, DropoutSiteShape.MaskFromHelper, decision, null, null, null, mask, IsGatedByControl(decision, root), root);
        }
    }
}
