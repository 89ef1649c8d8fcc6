using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>How a hand-written dropout site applies its Bernoulli keep/drop decision.</summary>
internal enum DropoutSiteShape
{
    /// <summary><c>u &lt; p ? kept : 0</c>: a value or a 0/1 (or 0/scale) mask entry chosen by the draw.</summary>
    KeptOrZero,

    /// <summary><c>if (u &gt;= p) a[i] = 0;</c>: an element zeroed (or flagged as dropped) when the draw says drop.</summary>
    ZeroingIf,

    /// <summary><c>mask[i] = u &lt; p;</c>: the decision stored as a <see cref="bool"/> mask.</summary>
    BooleanMask,

    /// <summary><c>a[i] *= Bernoulli(p)</c>: the activation multiplied by a 0/1 draw.</summary>
    MultipliedByDraw,

    /// <summary><c>_mask = ZeroOnes(x, p, rng)</c>, <c>FillBernoulli(_mask, rng, p)</c>: a 0/1 mask built by a helper of this file.</summary>
    MaskFromHelper,

    /// <summary><c>if (u &lt; p) sum += w[i] * x[i];</c>: the kept element's contribution is computed, a dropped one's skipped (zero).</summary>
    SkippedTerm,

    /// <summary>Exact-count dropout: indices shuffled (Fisher-Yates), the elements at the first <c>k</c> positions zeroed.</summary>
    ExactCount,
}

/// <summary>
/// One hand-written dropout site: a per-element random decision (a uniform or integer draw compared with a
/// probability, or a Bernoulli helper) whose outcome zeroes an activation or writes a 0/1 (or 0/scale) mask entry.
/// Sites are found by <see cref="HandWrittenDropoutModel"/>; every hand-written rule starts from one.
/// </summary>
internal sealed class HandWrittenDropoutSite
{
    public HandWrittenDropoutSite(
        IOperation draw,
        IInvocationOperation? drawCall,
        IOperation comparison,
        IOperation probability,
        ProbabilityTerm comparedTerm,
        ISymbol? probabilitySymbol,
        bool keepProbabilityIsComplement,
        DropoutSiteShape shape,
        IOperation decision,
        IOperation? keptValue,
        IOperation? keptBranch,
        IOperation? zeroedTarget,
        ISymbol? maskSymbol,
        bool isGated,
        IOperation? bound,
        bool escapesToCaller = false,
        string? comparedText = null)
    {
        ComparedText = comparedText;
        Bound = bound;
        EscapesToCaller = escapesToCaller;
        Draw = draw;
        DrawCall = drawCall;
        Comparison = comparison;
        Probability = probability;
        KeepProbabilityIsComplement = keepProbabilityIsComplement;
        ProbabilitySymbol = probabilitySymbol;
        Shape = shape;
        Decision = decision;
        KeptValue = keptValue;
        KeptBranch = keptBranch;
        ZeroedTarget = zeroedTarget;
        MaskSymbol = maskSymbol;
        IsGated = isGated;
        ComparedTerm = comparedTerm;
        KeepTerm = keepProbabilityIsComplement ? comparedTerm.OneMinus() : comparedTerm;
    }

    /// <summary>The random value the decision reads: the draw call, a local or buffer element holding a draw, or the Bernoulli helper call.</summary>
    public IOperation Draw { get; }

    /// <summary>The generator call that produced the random value (<c>rng.NextDouble()</c>), when it can be seen; rule 11 checks its generator.</summary>
    public IInvocationOperation? DrawCall { get; }

    /// <summary>The comparison of the draw with the probability (or the Bernoulli call); most diagnostics are reported on it.</summary>
    public IOperation Comparison { get; }

    /// <summary>
    /// Whether the site builds a 0/1 mask that leaves its method (returned, or written into a parameter) for a caller to
    /// apply: such a helper is judged where it is called (<see cref="DropoutSiteShape.MaskFromHelper"/>), not in its body.
    /// </summary>
    public bool EscapesToCaller { get; }

    /// <summary>For an integer draw (<c>rng.Next(n) &lt; k</c>), the bound <c>n</c>; the probability is then <c>k / n</c>.</summary>
    public IOperation? Bound { get; }

    /// <summary>
    /// The compared probability as C# source when it is not <see cref="Probability"/>'s text: a coin flip <c>rng.Next(2) == 0</c>
    /// is true with probability <c>1.0 / 2</c>, while the operand it compares with is <c>0</c>.
    /// </summary>
    public string? ComparedText { get; }

    /// <summary>The probability the draw is compared with (conversions removed).</summary>
    public IOperation Probability { get; }

    /// <summary>The symbol the probability is a monomial of (a parameter, field or property, after following <c>_rate = rate</c>), or <see langword="null"/> for a constant.</summary>
    public ISymbol? ProbabilitySymbol { get; }

    /// <summary>Whether the keep probability is <c>1 - Probability</c> (the compared value is a drop rate) rather than <c>Probability</c>.</summary>
    public bool KeepProbabilityIsComplement { get; }

    /// <summary>The keep probability as a term of <see cref="ProbabilitySymbol"/>; <see cref="ProbabilityTermKind.Unknown"/> when the model cannot follow it.</summary>
    public ProbabilityTerm KeepTerm { get; }

    /// <summary>The compared probability as a term (the drop rate when <see cref="KeepProbabilityIsComplement"/>).</summary>
    public ProbabilityTerm ComparedTerm { get; }

    /// <summary>
    /// The drop rate, <c>1 - keep</c>: the compared term itself when it is the drop rate, so that it stays known when its
    /// complement is not a monomial (<c>rng.Next(100) &lt; percent</c> drops with <c>percent / 100</c>; the keep probability
    /// <c>1 - percent / 100</c> is unknown to the model).
    /// </summary>
    public ProbabilityTerm DropTerm => KeepProbabilityIsComplement ? ComparedTerm : KeepTerm.OneMinus();

    public DropoutSiteShape Shape { get; }

    /// <summary>The conditional expression, the if statement, the boolean assignment or the multiplication that applies the decision.</summary>
    public IOperation Decision { get; }

    /// <summary>For <see cref="DropoutSiteShape.KeptOrZero"/> and <see cref="DropoutSiteShape.MultipliedByDraw"/>, the value that is kept.</summary>
    public IOperation? KeptValue { get; }

    /// <summary>For <see cref="DropoutSiteShape.ZeroingIf"/>, the branch that runs when the element is kept (often absent).</summary>
    public IOperation? KeptBranch { get; }

    /// <summary>For <see cref="DropoutSiteShape.ZeroingIf"/>, the element that is set to 0.</summary>
    public IOperation? ZeroedTarget { get; }

    /// <summary>The array (local, field, parameter or property) the site writes mask entries into, when it does.</summary>
    public ISymbol? MaskSymbol { get; }

    /// <summary>Whether the decision is combined with another condition (<c>!training || u &gt; rate</c>) or sits under an <c>if</c> or early return that does not draw: the site has a path that does not drop.</summary>
    public bool IsGated { get; }

    /// <summary>Recognizes the site whose draw is <paramref name="draw"/> (for rules that start from a generator call), or returns <see langword="null"/>.</summary>
    public static HandWrittenDropoutSite? TryRecognize(IInvocationOperation draw)
    {
        // Most invocations are not draws: only generator calls start the (cached) search of their method.
        if (draw.SemanticModel is not { } semanticModel || !HandWrittenDropoutModel.IsDrawCallName(draw.TargetMethod.Name))
        {
            return null;
        }

        // The model's prefilter applies here too: a type whose draws decide nothing (a shuffle, weight initialization) has no site.
        if (draw.Syntax.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>() is { } type && !HandWrittenDropoutModel.MayDraw(type))
        {
            return null;
        }

        HandWrittenDropoutModel model = HandWrittenDropoutModel.For(semanticModel.Compilation);
        IOperation root = draw.TreeRoot();

        foreach (HandWrittenDropoutSite site in model.SitesIn(root, semanticModel, CancellationToken.None))
        {
            if (site.DrawCall == draw || site.Draw == draw)
            {
                return site;
            }
        }

        return null;
    }

    public static IEnumerable<IOperation> EnumerateSelfAndDescendants(IOperation operation)
    {
        yield return operation;
        foreach (IOperation descendant in operation.Descendants())
        {
            yield return descendant;
        }
    }

    /// <summary>The local, parameter, field or property an operation reads, if it is a plain reference.</summary>
    public static ISymbol? ReferencedSymbol(IOperation operation) => StripConversions(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
        _ => null,
    };

    /// <summary>Whether an operation is the object a field or property is read from (<c>_config</c> in <c>_config.Rate</c>).</summary>
    public static bool IsReceiver(IOperation operation) =>
        operation.Parent is IMemberReferenceOperation member && member.Instance == operation;

    public static IOperation StripConversions(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IInvocationOperation { Arguments.Length: 1 } invocation when IsNumericConversionCall(invocation):
                    operation = invocation.Arguments[0].Value;
                    break;
                default:
                    return operation;
            }
        }
    }

    public static IOperation ClimbConversions(IOperation operation)
    {
        while (operation.Parent is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    // Generic math writes its conversions as calls (ops.FromDouble(u), T.CreateChecked(p), Convert.ToSingle(x)): the value is unchanged.
    private static bool IsNumericConversionCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "FromDouble" or "FromSingle" or "FromFloat" or "CreateChecked" or "CreateTruncating" or "CreateSaturating" or "ToDouble" or "ToSingle" or "ToFloat"
        && IsNumeric(invocation.Type)
        && IsNumeric(invocation.Arguments[0].Value.Type);

    /// <summary>A floating-point type, or a type parameter (generic math: <c>T</c> stands for float or double).</summary>
    public static bool IsNumeric(ITypeSymbol? type) => IsFloatingPoint(type) || type is ITypeParameterSymbol;

    // decimal counts: a fraction such as a probability or an activation may be held in decimal (NN frameworks written
    // over decimal arithmetic compare `NextPositive() < DropoutProbability` with both sides decimal).
    public static bool IsFloatingPoint(ITypeSymbol? type) =>
        type is { SpecialType: SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal }
        || type is { Name: "Half", ContainingNamespace.Name: "System" };

    public static bool IsOne(IOperation operation) =>
        StripConversions(operation).ConstantValue is { HasValue: true, Value: var value } && ProbabilityScaling.ToDouble(value) == 1;

    public static bool IsZero(IOperation operation) =>
        StripConversions(operation) is IPropertyReferenceOperation { Property: { Name: "Zero", IsIndexer: false } } or IFieldReferenceOperation { Field.Name: "Zero" }
        || StripConversions(operation).ConstantValue is { HasValue: true, Value: var value }
        && value switch
        {
            int i => i == 0,
            long l => l == 0,
            float f => f == 0,
            double d => d == 0,
            decimal m => m == 0,
            _ => false,
        };
}
