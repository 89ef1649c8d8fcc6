using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>What a factor is, relative to one site's keep probability <c>k</c> and drop rate <c>1 - k</c>.</summary>
internal enum ScaleKind
{
    /// <summary>The factor 1: no scale.</summary>
    One,

    /// <summary><c>1/k</c>: inverted dropout's training scale.</summary>
    InverseKeep,

    /// <summary><c>k</c>: classic dropout's inference scale.</summary>
    Keep,

    /// <summary><c>1/(1 - k)</c>: one over the drop rate, a keep/drop confusion when used as a training scale.</summary>
    InverseDrop,

    /// <summary><c>1 - k</c>: the drop rate, a keep/drop confusion when used as an inference scale.</summary>
    Drop,

    /// <summary>Not derived from the probability (a fan-in, a learning rate, an activation).</summary>
    Unrelated,

    /// <summary>Derived from the probability in a way the model does not follow, or not visible; never reported.</summary>
    Unknown,
}

/// <summary>Where a scale is applied, relative to one site.</summary>
internal enum ScalePlace
{
    /// <summary>On the path that drops: the site's kept value, its method outside exclusive branches, or a helper it calls.</summary>
    Training,

    /// <summary>Where the site does not run: the other branch of a training flag, or another method that does not draw.</summary>
    Inference,

    /// <summary>In a backward (gradient) method.</summary>
    Backward,

    /// <summary>In a constructor, an initializer or a property: a value computed for later use.</summary>
    Definition,
}

/// <summary>A multiplication or division in a type, with the factor it applies.</summary>
internal sealed class ScaleUse(IOperation operation, IOperation factor, bool reciprocal, IOperation? other, IOperation root)
{
    /// <summary>The <c>*</c>, <c>/</c>, <c>*=</c> or <c>/=</c> (or the kept value of a mask entry).</summary>
    public IOperation Operation { get; } = operation;

    /// <summary>The operand that may be a dropout scale.</summary>
    public IOperation Factor { get; } = factor;

    /// <summary>Whether the factor divides (<c>x / p</c>).</summary>
    public bool Reciprocal { get; } = reciprocal;

    /// <summary>The value the factor is applied to, when there is one.</summary>
    public IOperation? Other { get; } = other;

    /// <summary>The operation tree (member body) the use is in.</summary>
    public IOperation Root { get; } = root;
}

/// <summary>
/// The model's facts about one type, over all its declarations: its dropout sites, the member bodies they are in, and every
/// multiplication or division in the type, so that a rule can ask which scale reaches a site's kept values in training
/// and which factor reaches the output at inference. A scale counts only when its value is derived from the site's own
/// probability (<see cref="ProbabilityTerm"/>), so <c>2.0f / fanIn</c> next to dropout code is not a dropout scale.
/// </summary>
internal sealed partial class DropoutTypeFacts
{
    private static readonly string[] BackwardWords = ["Backward", "Backprop", "BackProp", "Gradient"];

    private readonly HandWrittenDropoutModel _model;
    private readonly Dictionary<HandWrittenDropoutSite, IOperation> _siteRoots;

    private DropoutTypeFacts(HandWrittenDropoutModel model, SemanticModel semanticModel, INamedTypeSymbol? type, bool isWholeType, ImmutableArray<IOperation> roots, Dictionary<HandWrittenDropoutSite, IOperation> siteRoots, ImmutableArray<ScaleUse> uses)
    {
        _model = model;
        SemanticModel = semanticModel;
        Type = type;
        IsWholeType = isWholeType;
        Roots = roots;
        _siteRoots = siteRoots;
        AllSites = siteRoots.Keys.OrderBy(site => site.Decision.Syntax.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(site => site.Decision.Syntax.SpanStart).ToImmutableArray();
        Sites = AllSites.Where(site => !site.EscapesToCaller).ToImmutableArray();
        Uses = uses;
    }

    public SemanticModel SemanticModel { get; }

    public INamedTypeSymbol? Type { get; }

    /// <summary>Whether every declaration of the type was read (a partial type's parts in other files too, unless one is generated code the driver did not hand over), so that the absence of a scale means something.</summary>
    public bool IsWholeType { get; }

    public ImmutableArray<IOperation> Roots { get; }

    /// <summary>The sites whose keep/drop decision is applied here (mask helpers, judged at their call sites, left out).</summary>
    public ImmutableArray<HandWrittenDropoutSite> Sites { get; }

    /// <summary>Every site, mask helpers included (for rule 11, which judges the generator wherever it draws).</summary>
    public ImmutableArray<HandWrittenDropoutSite> AllSites { get; }

    public ImmutableArray<ScaleUse> Uses { get; }

    public static DropoutTypeFacts? Create(HandWrittenDropoutModel model, INamedTypeSymbol type, IEnumerable<IOperation> memberBlocks, CancellationToken cancellationToken)
    {
        // Every declaration of the type: a partial type's draw, scale, mask, backward and inference path may each be in
        // another file. Each member body is read with its own tree's semantic model (the one the driver built it with).
        var roots = new List<IOperation>();
        var seen = new HashSet<SyntaxNode>();
        foreach (IOperation block in memberBlocks)
        {
            IOperation root = block.TreeRoot();

            if (root.SemanticModel is not null && seen.Add(root.Syntax))
            {
                roots.Add(root);
            }
        }

        if (roots.Count == 0)
        {
            return null;
        }

        // Declarations in file order (by path, then position), so that the facts do not depend on the order the driver ran.
        roots.Sort((a, b) =>
        {
            int byTree = string.CompareOrdinal(a.Syntax.SyntaxTree.FilePath, b.Syntax.SyntaxTree.FilePath);
            return byTree != 0 ? byTree : a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart);
        });
        SemanticModel semanticModel = roots[0].SemanticModel!;
        bool isWholeType = IsEveryDeclarationRead(type, roots, cancellationToken);
        var siteRoots = new Dictionary<HandWrittenDropoutSite, IOperation>();
        foreach (IOperation root in roots)
        {
            foreach (HandWrittenDropoutSite site in model.SitesIn(root, root.SemanticModel!, cancellationToken))
            {
                siteRoots[site] = root;
            }
        }

        ImmutableArray<IOperation> rootArray = roots.ToImmutableArray();
        ImmutableArray<ScaleUse> uses = siteRoots.Count == 0 ? ImmutableArray<ScaleUse>.Empty : CollectUses(rootArray, siteRoots.Keys);
        return new DropoutTypeFacts(model, semanticModel, type, isWholeType, rootArray, siteRoots, uses);
    }

    // A declaration the driver gave no member body of (generated code, which the rules do not analyze) while it has one
    // leaves the type partly unseen, so the absence of a scale means nothing.
    private static bool IsEveryDeclarationRead(INamedTypeSymbol type, List<IOperation> roots, CancellationToken cancellationToken)
    {
        ImmutableArray<SyntaxReference> references = type.DeclaringSyntaxReferences;
        if (references.Length == 1)
        {
            return true;
        }

        foreach (SyntaxReference reference in references)
        {
            SyntaxNode declaration = reference.GetSyntax(cancellationToken);
            bool hasBody = declaration.DescendantNodes().Any(node => node is BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ConstructorInitializerSyntax);
            if (hasBody && !roots.Any(root => root.Syntax.SyntaxTree == reference.SyntaxTree && reference.Span.Contains(root.Syntax.Span)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The semantic model of the tree an operation of this type is in (a partial type's declarations are in several trees).</summary>
    public SemanticModel SemanticModelOf(SyntaxNode node)
    {
        if (node.SyntaxTree == SemanticModel.SyntaxTree)
        {
            return SemanticModel;
        }

        foreach (IOperation root in Roots)
        {
            if (root.Syntax.SyntaxTree == node.SyntaxTree)
            {
                return root.SemanticModel!;
            }
        }

        return HandWrittenDropoutModel.SemanticModelFor(SemanticModel, node.SyntaxTree, Type) ?? SemanticModel;
    }

    private static ImmutableArray<ScaleUse> CollectUses(ImmutableArray<IOperation> roots, IEnumerable<HandWrittenDropoutSite> sites)
    {
        var comparisons = sites.Select(site => site.Comparison.Syntax).ToList();
        ImmutableArray<ScaleUse>.Builder uses = ImmutableArray.CreateBuilder<ScaleUse>();
        foreach (IOperation root in roots)
        {
            foreach (IOperation operation in root.Descendants())
            {
                if (comparisons.Any(comparison => comparison.Encloses(operation.Syntax)) || IsCount(operation))
                {
                    continue;
                }

                switch (operation)
                {
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product:
                        uses.Add(new ScaleUse(product, product.LeftOperand, false, product.RightOperand, root));
                        uses.Add(new ScaleUse(product, product.RightOperand, false, product.LeftOperand, root));
                        break;
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } quotient:
                        uses.Add(new ScaleUse(quotient, quotient.RightOperand, true, quotient.LeftOperand, root));
                        break;
                    case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } compound:
                        uses.Add(new ScaleUse(compound, compound.Value, compound.OperatorKind == BinaryOperatorKind.Divide, compound.Target, root));
                        break;
                    case IInvocationOperation invocation when IsDividingCall(invocation):
                        // ops.Divide(x, keep), x.Div(keep): the last argument divides.
                        IOperation divisor = invocation.Arguments[invocation.Arguments.Length - 1].Value;
                        if (HandWrittenDropoutSite.IsNumeric(divisor.Type))
                        {
                            uses.Add(new ScaleUse(invocation, divisor, true, invocation.Arguments.Length > 1 ? invocation.Arguments[0].Value : invocation.Instance, root));
                        }

                        break;
                    case IInvocationOperation invocation when !IsScalingCall(invocation) && MultipliedParameterNames(invocation.TargetMethod) is { Count: > 0 } multiplied:
                        // `mat_scale(dst, a, 1 - rate)` whose body writes `a.data[i] * s`: the argument for a parameter the
                        // callee multiplies by scales what it is given, whatever the callee is named.
                        foreach (IArgumentOperation argument in invocation.Arguments)
                        {
                            if (argument.Parameter is { } parameter && multiplied.Contains(parameter.Name) && HandWrittenDropoutSite.IsNumeric(argument.Value.Type))
                            {
                                uses.Add(new ScaleUse(invocation, argument.Value, false, null, root));
                            }
                        }

                        break;
                    case IInvocationOperation invocation when IsScalingCall(invocation):
                        foreach (IArgumentOperation argument in invocation.Arguments)
                        {
                            if (HandWrittenDropoutSite.IsNumeric(argument.Value.Type))
                            {
                                uses.Add(new ScaleUse(invocation, argument.Value, false, null, root));
                            }
                        }

                        break;
                }
            }
        }

        // A mask entry that stores its scale (u < p ? scale : 0, or mask[i] = scale in the kept branch) applies it.
        foreach (HandWrittenDropoutSite site in sites)
        {
            if (roots.FirstOrDefault(candidate => candidate.Syntax.Encloses(site.Decision.Syntax)) is not { } root)
            {
                continue;
            }

            if (site.KeptValue is { } kept && IsMaskValue(kept))
            {
                uses.Add(new ScaleUse(site.Decision, kept, false, null, root));
            }

            if (site.KeptBranch is { } branch)
            {
                foreach (ISimpleAssignmentOperation assignment in branch.DescendantsAndSelf().OfType<ISimpleAssignmentOperation>())
                {
                    if (IsMaskValue(assignment.Value))
                    {
                        uses.Add(new ScaleUse(assignment, assignment.Value, false, null, root));
                    }
                }
            }
        }

        AddMaskEntriesWrittenElsewhere(roots, sites, uses);

        // `a[i] *= u < p ? 1 : 0`: the factor is the decision itself, whose kept value was added above; the p in its condition is no scale.
        uses.RemoveAll(use => comparisons.Any(comparison => use.Factor.Syntax.Encloses(comparison)));
        // `x[i] = (x[i] * s) * (u < keep ? 1 : 0)`: the product writes the site's value; its operand `x[i] * s` is the kept
        // value (whose own factors are uses above), not a factor applied to the 0/1 decision.
        var keptBesideDecision = sites.Where(site => site.Shape == DropoutSiteShape.KeptOrZero && site.KeptValue is not null && site.Decision is IConditionalOperation)
            .Select(site => (Kept: site.KeptValue!.Syntax, Decision: site.Decision.Syntax)).ToList();
        uses.RemoveAll(use => use.Other is { } other && keptBesideDecision.Any(pair =>
            use.Factor.Syntax.SyntaxTree == pair.Kept.SyntaxTree && use.Factor.Syntax.Span == pair.Kept.Span && HandWrittenDropoutSite.StripConversions(other).Syntax.Encloses(pair.Decision)));
        return uses.ToImmutable();
    }

    // `(int)(rate * n)`, `(int)Math.Round(n * keep)`: a product that is made a whole number counts units (how many to drop,
    // a per-mille threshold); it scales no activation.
    private static bool IsCount(IOperation operation)
    {
        if (operation is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } binary)
        {
            return false;
        }

        if (IsIntegral(binary.Type))
        {
            return true;
        }

        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IParenthesizedOperation:
                case IArgumentOperation:
                case IInvocationOperation { TargetMethod: { Name: "Round" or "Floor" or "Ceiling" or "Truncate", ContainingType.Name: "Math" or "MathF" } }:
                    continue;
                case IConversionOperation conversion:
                    if (IsIntegral(conversion.Type))
                    {
                        return true;
                    }

                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool IsIntegral(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Byte;

    // A value stored in a mask rather than an activation: it reads no element.
    public static bool IsMaskValue(IOperation value) =>
        !value.DescendantsAndSelf().Any(operation => ReadsElement(operation)
            || (operation is ILocalReferenceOperation { Local: var local } && (local.RefKind != RefKind.None
                || SymbolValues.OfLocal(local, operation) is { IsComplete: true } values && values.Values.Any(assigned => assigned.DescendantsAndSelf().Any(ReadsElement)))));

    // An element of an array, span or indexer, or the element parameter of a lambda: an activation, not a mask constant.
    private static bool ReadsElement(IOperation operation) =>
        HandWrittenDropoutModel.IsElement(operation) || operation is IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } };

    // The floating-point parameters of a method of the compilation (one declaration in view) that its body multiplies by
    // (`dst[i] = a[i] * s`, `a[i] *= s`): read from syntax, since the callee may be in another file.
    private static HashSet<string> MultipliedParameterNames(IMethodSymbol method)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (method.DeclaringSyntaxReferences.Length != 1 || method.IsAbstract)
        {
            return names;
        }

        var candidates = method.Parameters.Where(parameter => parameter.Type.SpecialType is SpecialType.System_Single or SpecialType.System_Double)
            .Select(parameter => parameter.Name).ToList();
        if (candidates.Count == 0)
        {
            return names;
        }

        foreach (SyntaxNode node in method.DeclaringSyntaxReferences[0].GetSyntax().DescendantNodes())
        {
            ExpressionSyntax[] operands = node switch
            {
                BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) => [binary.Left, binary.Right],
                AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression) => [assignment.Right],
                _ => [],
            };
            foreach (ExpressionSyntax operand in operands)
            {
                if (operand is IdentifierNameSyntax identifier && candidates.Contains(identifier.Identifier.ValueText))
                {
                    names.Add(identifier.Identifier.ValueText);
                }
            }
        }

        return names;
    }

    // Divide(x, p), x.Div(p), Divide(x, p, destination) is not: a call with one or two arguments whose name says it divides.
    private static bool IsDividingCall(IInvocationOperation invocation) =>
        invocation.Arguments.Length is 1 or 2
        && invocation.TargetMethod.Name is "Divide" or "Div" or "DivideBy" or "DivideScalar" or "Divide_"
            // PyTorch's spelling, which TorchSharp keeps: `t.div(keep)`, in place `t.div_(keep)`.
            or "div" or "div_" or "divide" or "divide_" or "true_divide" or "true_divide_";

    // Multiply(x, scale, destination), Scale(x, s), x.Multiply(s): library calls that scale their input; PyTorch's
    // lowercase `t.mul(s)`, `t.mul_(s)` too (a lowercase "mul" inside a longer name, as in accumulate, is not one).
    private static bool IsScalingCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name.IndexOf("Mul", StringComparison.Ordinal) >= 0 || invocation.TargetMethod.Name.IndexOf("Scale", StringComparison.Ordinal) >= 0
        || invocation.TargetMethod.Name is "mul" or "mul_" or "multiply" or "multiply_";

    /// <summary>An activation: a floating-point element (<c>a[i]</c>, <c>span[i]</c>) or the element parameter of a lambda.</summary>
    public static bool IsActivation(IOperation value)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        return !value.ConstantValue.HasValue
            && HandWrittenDropoutSite.IsFloatingPoint(value.Type)
            && (HandWrittenDropoutModel.IsElement(value)
                || value is IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } });
    }

    /// <summary>The member body a site is in.</summary>
    public IOperation RootOf(HandWrittenDropoutSite site) => _siteRoots[site];

    /// <summary>Every use in the type that applies a factor derived from the site's probability, with what it is and where it applies.</summary>
    public IEnumerable<(ScaleUse Use, ScaleKind Kind, ScalePlace Place)> ScalesFor(HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        foreach (ScaleUse use in Uses)
        {
            if (IsInsideAnotherDecision(use, site) || IsTheSitesOwnDraw(use.Factor, site))
            {
                continue;
            }

            ScaleKind kind = Classify(use, site, cancellationToken);
            if (kind is ScaleKind.One or ScaleKind.Unrelated)
            {
                continue;
            }

            ScalePlace place = PlaceOf(use, site);
            if (kind == ScaleKind.Unknown && (DropoutEvidence.IsNonScalarAwayFromTheSite(use, place) || NormFactor.DividesByASquareRoot(use)))
            {
                continue;
            }

            yield return (use, kind, place);
        }
    }

    // `double m = rng.Binomial(1, p); x[i] *= m;`: the factor is the 0/1 the site drew (its local is initialized by the
    // site's draw), not a scale derived from p.
    private static bool IsTheSitesOwnDraw(IOperation factor, HandWrittenDropoutSite site) =>
        HandWrittenDropoutSite.StripConversions(factor) is ILocalReferenceOperation local
        && local.Local.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == site.Comparison.Syntax.SyntaxTree && reference.Span.Contains(site.Comparison.Syntax.Span));

    /// <summary>
    /// The factors derived from the site's probability in a body of another type of this file (a gradient class that reads
    /// the forward's public mask), classified as <see cref="ScalesFor"/> classifies the type's own.
    /// </summary>
    public IEnumerable<(ScaleUse Use, ScaleKind Kind)> ScalesInOtherBody(IOperation body, HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        foreach (ScaleUse use in CollectUses(ImmutableArray.Create(body), Array.Empty<HandWrittenDropoutSite>()))
        {
            ScaleKind kind = Classify(use, site, cancellationToken);
            if (kind is not (ScaleKind.One or ScaleKind.Unrelated))
            {
                yield return (use, kind);
            }
        }
    }

    /// <summary>What a use's factor is relative to the site's keep probability.</summary>
    public ScaleKind Classify(ScaleUse use, HandWrittenDropoutSite site, CancellationToken cancellationToken)
    {
        ProbabilityTerm factor = _model.Evaluate(use.Factor, site, SemanticModelOf(use.Factor.Syntax), cancellationToken);
        if (use.Reciprocal)
        {
            factor = factor.Reciprocal();
        }

        ScaleKind kind = Classify(factor, site.KeepTerm, site.DropTerm);

        // By value, second: a factor that does not read the site's probability symbol but comes to a known number (a
        // local `dropoutRate = 0.5` of another method, a literal `1 / 0.5`, a constant) is compared with the number the
        // symbol holds, when the symbol holds one. The symbolic reading above goes first, so `1 / rate` with the drop
        // rate `rate = 0.5` is still the drop-rate confusion even though it equals `1 / (1 - rate)`; a number cannot say
        // which of two equal values it was meant as, and it is the right number, so keep and 1/keep are tried first.
        // A number is linked by value alone, so it counts only where it scales an activation (a floating-point value
        // read from an element) or is itself the kept or mask value: `i * 0.8 / (n - 1)` in a colour ramp beside a keep
        // probability of 0.8 scales an integer index, not a unit.
        if (kind == ScaleKind.Unrelated && factor.Kind == ProbabilityTermKind.Constant && site.KeepTerm.Kind == ProbabilityTermKind.Power
            && (use.Other is null || (HandWrittenDropoutSite.IsFloatingPoint(use.Other.Type) && !use.Other.ConstantValue.HasValue && !IsMaskValue(use.Other)
                && !MultipliesAFreshDraw(use.Other) && !IsConvertedInteger(use.Other)))
            && _model.ProbabilityNumber(site, SemanticModelOf(site.Probability.Syntax), cancellationToken) is { } number)
        {
            return Classify(factor, site.KeepTerm.At(number), site.DropTerm.At(number));
        }

        return kind;
    }

    // `weight[w] = (rnd.NextSingle() * 2 - 1) * limit * 0.5f`: a number beside a uniform draw shapes the spread of a
    // weight initialization. A dropout scale applied at inference multiplies an activation, never a value drawn on the
    // spot, so a number equal to p there is a coincidence of values, not the classic scale.
    private static bool MultipliesAFreshDraw(IOperation other) =>
        other.DescendantsAndSelf().Any(operation => operation is IInvocationOperation invocation
            && HandWrittenDropoutModel.IsDrawCallName(invocation.TargetMethod.Name) && invocation.Arguments.Length == 0);

    // `MathF.Sqrt(fanIn * fanOut * 0.5f)`: an integer count converted to floating point is a size, not an activation.
    private static bool IsConvertedInteger(IOperation other) =>
        other is IConversionOperation { Operand.Type.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64 };

    public static ScaleKind Classify(ProbabilityTerm factor, ProbabilityTerm keep) => Classify(factor, keep, keep.OneMinus());

    private static ScaleKind Classify(ProbabilityTerm factor, ProbabilityTerm keep, ProbabilityTerm drop)
    {
        if (factor.Kind == ProbabilityTermKind.Unrelated)
        {
            return ScaleKind.Unrelated;
        }

        if (factor.Kind == ProbabilityTermKind.Unknown)
        {
            return ScaleKind.Unknown;
        }

        // A drop rate known when the keep probability is not (percent / 100): only the drop-rate confusions can be named.
        if (keep.Kind is ProbabilityTermKind.Unknown or ProbabilityTermKind.Unrelated)
        {
            return drop.Kind is ProbabilityTermKind.Power && factor.Equals(drop.Reciprocal()) ? ScaleKind.InverseDrop
                : drop.Kind is ProbabilityTermKind.Power && factor.Equals(drop) ? ScaleKind.Drop
                : factor.Kind == ProbabilityTermKind.Constant ? (factor.Equals(ProbabilityTerm.Constant(1)) ? ScaleKind.One : ScaleKind.Unrelated)
                : ScaleKind.Unknown;
        }

        if (factor.Equals(keep.Reciprocal()))
        {
            return ScaleKind.InverseKeep;
        }

        if (factor.Equals(keep))
        {
            return ScaleKind.Keep;
        }

        if (factor.Equals(drop.Reciprocal()))
        {
            return ScaleKind.InverseDrop;
        }

        if (factor.Equals(drop))
        {
            return ScaleKind.Drop;
        }

        if (factor.Kind == ProbabilityTermKind.Constant)
        {
            return factor.Equals(ProbabilityTerm.Constant(1)) ? ScaleKind.One : ScaleKind.Unrelated;
        }

        return ScaleKind.Unknown;
    }

    private bool IsInsideAnotherDecision(ScaleUse use, HandWrittenDropoutSite site)
    {
        foreach (HandWrittenDropoutSite other in Sites)
        {
            if (other != site && other.Decision.Syntax.Encloses(use.Operation.Syntax) && !site.Decision.Syntax.Encloses(other.Decision.Syntax))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where a use applies relative to a site: in training, at inference, in backward, or as a definition.</summary>
    public ScalePlace PlaceOf(ScaleUse use, HandWrittenDropoutSite site)
    {
        if (site.Decision.Syntax.Encloses(use.Operation.Syntax))
        {
            return ScalePlace.Training;
        }

        ISymbol? owner = SemanticModelOf(use.Operation.Syntax).GetEnclosingSymbol(use.Operation.Syntax.SpanStart);
        while (owner is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
        {
            owner = nested.ContainingSymbol;
        }

        if (owner is not IMethodSymbol method || method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.PropertyGet)
        {
            return ScalePlace.Definition;
        }

        if (IsBackwardName(method.Name))
        {
            return ScalePlace.Backward;
        }

        IOperation siteRoot = RootOf(site);
        if (use.Root == siteRoot)
        {
            return AreExclusive(use.Operation, site.Decision) ? ScalePlace.Inference : ScalePlace.Training;
        }

        if (_siteRoots.Values.Contains(use.Root) || Calls(siteRoot, method))
        {
            return ScalePlace.Training;
        }

        // The site is in a private helper the use's method calls (a loop body extracted into `ApplyStep`): the helper's
        // work runs where it is called, so the use is on the dropping path unless it is exclusive with that call.
        if (CallOfPrivateHelper(use.Root, siteRoot) is { } helperCall)
        {
            return AreExclusive(use.Operation, helperCall) ? ScalePlace.Inference : ScalePlace.Training;
        }

        return ScalePlace.Inference;
    }

    public static bool IsBackwardName(string name) => BackwardWords.Any(word => name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);

    /// <summary>The first call in <paramref name="caller"/> of the private method whose body is <paramref name="helperRoot"/>, if any.</summary>
    public IOperation? CallOfPrivateHelper(IOperation caller, IOperation helperRoot)
    {
        if (SemanticModelOf(helperRoot.Syntax).GetDeclaredSymbol(helperRoot.Syntax) is not IMethodSymbol { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary } helper)
        {
            return null;
        }

        return caller.Descendants().FirstOrDefault(operation => operation is IInvocationOperation invocation
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, helper.OriginalDefinition));
    }

    private static bool Calls(IOperation root, IMethodSymbol method) =>
        root.Descendants().Any(operation => operation is IInvocationOperation invocation && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, method.OriginalDefinition));

    /// <summary>Whether two operations of one body never run on the same path: the two branches of an <c>if</c> or a conditional, or an early-returning <c>if</c> and the code after it.</summary>
    public static bool AreExclusive(IOperation first, IOperation second)
    {
        var secondAncestors = new Dictionary<IOperation, IOperation>();
        IOperation child = second;
        for (IOperation? current = second.Parent; current is not null; child = current, current = current.Parent)
        {
            secondAncestors[current] = child;
        }

        child = first;
        for (IOperation? current = first.Parent; current is not null; child = current, current = current.Parent)
        {
            if (!secondAncestors.TryGetValue(current, out IOperation? secondChild))
            {
                continue;
            }

            if (current is IConditionalOperation conditional)
            {
                return child != secondChild && child != conditional.Condition && secondChild != conditional.Condition;
            }

            if (current is IBlockOperation block)
            {
                int firstIndex = block.Operations.IndexOf(child);
                int secondIndex = block.Operations.IndexOf(secondChild);
                IOperation earlier = firstIndex < secondIndex ? child : secondChild;
                IOperation earlierInner = firstIndex < secondIndex ? first : second;
                return firstIndex != secondIndex
                    && earlier is IConditionalOperation { WhenFalse: null } guard
                    && guard.WhenTrue.Syntax.Encloses(earlierInner.Syntax)
                    && guard.WhenTrue.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IThrowOperation);
            }

            return false;
        }

        return false;
    }

    /// <summary>Whether the type's value of a symbol is computed in a file this analysis cannot see, or the site's scale may be applied by another type (the probability is a public member read elsewhere in a product).</summary>
    public bool MayBeScaledElsewhere(HandWrittenDropoutSite site, Compilation compilation, CancellationToken cancellationToken)
    {
        if (!IsWholeType || IsRescaledByItsOwnerElsewhere(site, cancellationToken))
        {
            return true;
        }

        // The compared member itself (layer.KeepProbability) may be what another type multiplies by, even when its value
        // comes from a constructor parameter.
        foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Probability))
        {
            if (HandWrittenDropoutSite.ReferencedSymbol(operation) is IFieldSymbol or IPropertySymbol && HandWrittenDropoutSite.ReferencedSymbol(operation) is { DeclaredAccessibility: not Accessibility.Private } member
                && IsMultipliedInAnotherType(member.Name, compilation, cancellationToken))
            {
                return true;
            }
        }

        // A public property of this type that exposes the probability (Rate => _rate, KeepProbability => 1 - _rate) may be
        // what the network multiplies by.
        if (Type is not null && site.ProbabilitySymbol is { } probabilitySymbol)
        {
            foreach (IPropertySymbol property in Type.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.DeclaredAccessibility != Accessibility.Private && !property.IsIndexer
                    && _model.ValuesOf(property, site.Probability, SemanticModelOf(site.Probability.Syntax), cancellationToken).Values.Any(value => value.DescendantsAndSelf().Any(operation =>
                        HandWrittenDropoutSite.ReferencedSymbol(operation) is { } read
                        && (SymbolEqualityComparer.Default.Equals(read, probabilitySymbol) || SymbolEqualityComparer.Default.Equals(read, HandWrittenDropoutSite.ReferencedSymbol(site.Probability)))))
                    && IsMultipliedInAnotherType(property.Name, compilation, cancellationToken))
                {
                    return true;
                }
            }
        }

        ISymbol? symbol = site.ProbabilitySymbol;
        if (symbol is null or ILocalSymbol)
        {
            return false;
        }

        if (symbol is IParameterSymbol parameter)
        {
            // A public method's parameter: its caller may scale the result (h = Dropout(h, p) then h[i] *= p elsewhere).
            return parameter.ContainingSymbol is IMethodSymbol { MethodKind: not MethodKind.Constructor, DeclaredAccessibility: not Accessibility.Private } method
                && IsMultipliedInAnotherType(method.Name, compilation, cancellationToken);
        }

        return symbol.DeclaredAccessibility != Accessibility.Private && IsMultipliedInAnotherType(symbol.Name, compilation, cancellationToken);
    }

    // A syntactic look across the compilation (other files cannot be bound here): another type that multiplies or divides by a
    // name of the site's probability (layer.KeepProbability in the network's Predict) may be the classic inference scale.
    private bool IsMultipliedInAnotherType(string name, Compilation compilation, CancellationToken cancellationToken)
    {
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.GetText(cancellationToken).ToString().IndexOf(name, StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes())
            {
                if (node is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == name
                    && identifier.Ancestors().Any(ancestor => ancestor is BinaryExpressionSyntax or AssignmentExpressionSyntax && ProbabilityScaling.MultiplicativeOperands(ancestor) is not null)
                    && identifier.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } declaration
                    && (Type is null || !IsOfTheTypeOrItsReceiverHelpers(identifier, declaration, compilation, cancellationToken)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
