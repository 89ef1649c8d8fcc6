using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// Values followed by what they hold rather than by the name that holds them: the one value a symbol is given, and the
/// number a probability or a scale comes to when every write of it can be seen. Two locals named <c>dropoutRate</c> in
/// two methods, each set to <c>0.5</c>, are one probability by value; a constant <c>KeepProb</c> and a literal in another
/// method are too. The symbolic reading stays first (see <see cref="DropoutTypeFacts.Classify(ScaleUse, HandWrittenDropoutSite, CancellationToken)"/>):
/// the value is consulted only for a factor that does not read the site's own probability symbol.
/// </summary>
internal sealed partial class HandWrittenDropoutModel
{
    private readonly ConcurrentDictionary<HandWrittenDropoutSite, double?> _probabilityNumbers = new();

    /// <summary>
    /// The one value a local, field, property or parameter is given (conversions stripped), when every write of it can be
    /// seen and there is exactly one; null otherwise.
    /// </summary>
    public IOperation? SingleValueOf(ISymbol symbol, IOperation context, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        SymbolValues values = ValuesOf(symbol, context, semanticModel, cancellationToken);
        return values.IsComplete && values.Values.Length == 1 ? HandWrittenDropoutSite.StripConversions(values.Values[0]) : null;
    }

    /// <summary>
    /// The number a local, constant, field, property or parameter holds when every value it can be given is seen and all
    /// come to the same number (<c>double dropoutRate = 0.5;</c>, <c>const float KeepProb = 0.8f;</c>, a read-only field
    /// set once, a private helper's parameter every caller passes <c>0.5</c>); null when a value is unknown or two differ.
    /// <paramref name="reference"/> is a read of the symbol (for a local, an operation of its own body).
    /// </summary>
    public double? KnownNumber(ISymbol symbol, IOperation reference, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (symbol is IFieldSymbol { HasConstantValue: true } constant)
        {
            return ProbabilityScaling.ToDouble(constant.ConstantValue);
        }

        if (symbol is not (ILocalSymbol or IFieldSymbol or IPropertySymbol or IParameterSymbol))
        {
            return null;
        }

        ProbabilityTerm term = new TermEvaluator(this, probabilitySymbol: null, semanticModel, cancellationToken).EvaluateValuesOf(symbol, reference);
        return term.Kind == ProbabilityTermKind.Constant ? term.Coefficient : null;
    }

    /// <summary>The number a site's probability symbol holds (see <see cref="KnownNumber"/>), computed once per site.</summary>
    public double? ProbabilityNumber(HandWrittenDropoutSite site, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        site.ProbabilitySymbol is not { } symbol
            ? null
            : _probabilityNumbers.GetOrAdd(site, _ => KnownNumber(symbol, site.Probability, semanticModel, cancellationToken));
}
