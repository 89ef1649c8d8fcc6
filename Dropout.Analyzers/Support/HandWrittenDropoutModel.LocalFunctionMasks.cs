using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    /// <summary>
    /// The sites of a method's body that are its own: a site inside a local function declared in the body that hands its
    /// 0/1 mask to its caller (fills a parameter of the local function with the local function's probability) is
    /// summarized at the local function's call, where the method passes the mask on. <c>int[] SampleMask(double keep)</c>
    /// whose loop moved into <c>static void Fill(double keep, int[] mask)</c> still has one site: the call.
    /// </summary>
    private ImmutableArray<HandWrittenDropoutSite> OwnSitesIn(IMethodSymbol method, IOperation body, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        SitesIn(body, semanticModel, cancellationToken).Where(site => !IsHandedOutByNestedLocalFunction(site, method)).ToImmutableArray();

    private static bool IsHandedOutByNestedLocalFunction(HandWrittenDropoutSite site, IMethodSymbol method) =>
        site.EscapesToCaller
        && site.Probability is IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.LocalFunction } localFunction }
        && !SymbolEqualityComparer.Default.Equals(localFunction.OriginalDefinition, method.OriginalDefinition);
}
