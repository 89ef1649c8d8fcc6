using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP018: hand-written inverted dropout whose training flag gates only the zeroing, while the 1/p scale is applied on
/// every call: with the flag false no element is dropped, but the output is still divided by p, so inference sees a/p
/// instead of a. Decided on the method's inference path (<see cref="InferencePath"/>): the site drops nothing when the
/// flag is false, a factor the shared model classifies as 1/p (of the site's own probability) reaches the activations on
/// that path, and no other factor derived from the probability (a classic <c>× p</c>, a mask entry set to p) does.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvertedScaleAtInferenceAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.InvertedScaleAtInference);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (typeContext, facts) =>
        {
            var reported = new HashSet<IOperation>();
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                // 1/p must be told apart from every other factor: a keep probability the model follows, and not 0.5 (where 1/p = 1/(1 - p)).
                if (site.KeepTerm.Kind is ProbabilityTermKind.Unknown or ProbabilityTermKind.Unrelated || site.KeepTerm.Equals(site.DropTerm))
                {
                    continue;
                }

                IOperation root = facts.RootOf(site);
                // The site in a private helper of one method (a training block or a loop body extracted into `ApplyStep`): the
                // flag may gate the draw in the helper or the call in the caller, and the scale may follow the call there.
                (IOperation Root, ImmutableArray<IOperation> Calls)? caller = CallerOfHelper(facts, root);
                bool offInHelper = InferencePath.IsOffAtInference(site, root);
                if (!offInHelper && !(caller is { } gating && gating.Calls.All(call => InferencePath.IsSkippedAtInference(call, gating.Root))))
                {
                    continue;
                }

                // Gated by the caller, nothing in the helper runs at inference: only the caller's factors can.
                IOperation[] roots = caller is not { } called ? [root] : offInHelper ? [root, called.Root] : [called.Root];
                // The scale moved into a private helper (`output[i] = input[i] * _mask[i] * _scale;` in `ApplyStep`) that a body above
                // calls on its inference path runs at inference as much as when it was inline.
                roots = [.. roots, .. HelpersCalledAtInference(facts, roots).Where(helper => !roots.Contains(helper))];
                var scales = facts.ScalesFor(site, typeContext.CancellationToken).Where(scale => roots.Contains(scale.Use.Root) && scale.Place != ScalePlace.Backward).ToList();
                // Another factor at inference cancels the 1/p or is not understood; a factor that merely contains a 1/p use (the kept
                // value `activation / keep` read as a mask entry) is that use, not another factor.
                var inverse = scales.Where(scale => scale.Kind == ScaleKind.InverseKeep).Select(scale => scale.Use.Operation.Syntax).ToList();
                if (scales.Any(scale => scale.Kind != ScaleKind.InverseKeep && !inverse.Any(node => scale.Use.Factor.Syntax.Encloses(node))
                        && InferencePath.RunsAtInference(scale.Use.Operation, scale.Use.Root))
                    || roots.Any(body => AssignsAnotherFactorAtInference(facts, site, body, typeContext.CancellationToken)))
                {
                    continue;
                }

                // A mask prefilled with 1/p on every call (`Array.Fill(_mask, _scale)`) whose entries training only zeroes: the
                // inference path multiplies by the prefilled 1/p.
                foreach (IOperation prefill in roots.SelectMany(body => ScaledPrefills(facts, site, body, body != root, typeContext.CancellationToken)))
                {
                    if (reported.Add(prefill))
                    {
                        typeContext.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.InvertedScaleAtInference,
                            prefill.Syntax.GetLocation(),
                            prefill.Syntax.ToString(),
                            MissingInvertedScalingAnalyzer.KeepProbabilityText(site)));
                    }
                }

                foreach ((ScaleUse use, ScaleKind kind, ScalePlace _) in scales)
                {
                    if (kind == ScaleKind.InverseKeep && AppliesToValues(use, site) && InferencePath.RunsAtInference(use.Operation, use.Root) && reported.Add(use.Operation))
                    {
                        IOperation location = use.Operation == site.Decision ? use.Factor : use.Operation;
                        typeContext.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.InvertedScaleAtInference,
                            location.Syntax.GetLocation(),
                            location.Syntax.ToString(),
                            MissingInvertedScalingAnalyzer.KeepProbabilityText(site)));
                    }
                }
            }
        });
    }

    // The one method of the type that calls the private helper whose body is `root`, with every call of it there; null when
    // the site is not in such a helper or two methods call it (each caller is then its own question).
    private static (IOperation Root, ImmutableArray<IOperation> Calls)? CallerOfHelper(DropoutTypeFacts facts, IOperation root)
    {
        (IOperation Root, ImmutableArray<IOperation> Calls)? found = null;
        foreach (IOperation candidate in facts.Uses.Select(use => use.Root).Concat(facts.Sites.Select(facts.RootOf)).Distinct())
        {
            if (candidate == root || facts.CallOfPrivateHelper(candidate, root) is not IInvocationOperation first)
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = (candidate, candidate.Descendants().Where(operation => operation is IInvocationOperation call
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, first.TargetMethod.OriginalDefinition)).ToImmutableArray());
        }

        return found;
    }

    // The bodies of private helpers of the type that one of `bodies` calls where the call runs at inference.
    private static IEnumerable<IOperation> HelpersCalledAtInference(DropoutTypeFacts facts, IOperation[] bodies) =>
        facts.Uses.Select(use => use.Root).Distinct().Where(helper => bodies.Any(body => body != helper
            && facts.CallOfPrivateHelper(body, helper) is IInvocationOperation first
            && body.Descendants().Any(operation => operation is IInvocationOperation call
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, first.TargetMethod.OriginalDefinition)
                && InferencePath.RunsAtInference(call, body))));

    // The scale multiplies activations (the kept value, an element, a local holding one, a tensor), or is the entry of the site's mask
    // (`mask[i] = !training || u > rate ? scale : 0`); `float scale = 1f / keep;` defines a scale and applies none.
    private static bool AppliesToValues(ScaleUse use, HandWrittenDropoutSite site)
    {
        // The site's own kept value (`!training || u > rate ? activation / (1 - rate) : 0`) is what is output.
        if (site.KeptValue is { } kept && kept.Syntax.Encloses(use.Operation.Syntax))
        {
            return true;
        }

        if (use.Other is not { } other)
        {
            return site.Decision.Syntax.Encloses(use.Operation.Syntax);
        }

        other = HandWrittenDropoutSite.StripConversions(other);
        if (other.ConstantValue.HasValue)
        {
            return false;
        }

        return !DropoutTypeFacts.IsMaskValue(other)
            || (other.Type is INamedTypeSymbol { SpecialType: SpecialType.None, TypeKind: TypeKind.Class or TypeKind.Struct } && HandWrittenDropoutSite.ReferencedSymbol(other) is not null);
    }

    // `else mask[i] = keep;`: a mask entry (or any value) set from the probability on the inference path, other than 1/p,
    // may cancel the scale (p / p = 1) or be something the model cannot follow; either way the rule stays silent.
    private static bool AssignsAnotherFactorAtInference(DropoutTypeFacts facts, HandWrittenDropoutSite site, IOperation root, CancellationToken cancellationToken)
    {
        foreach (IOperation operation in root.Descendants())
        {
            IOperation? value = operation switch
            {
                ISimpleAssignmentOperation assignment => assignment.Value,
                IVariableInitializerOperation initializer => initializer.Value,
                _ => null,
            };
            // Values that read activations are the products judged above; only mask entries and scalars can cancel the scale.
            // The site's own decision (`output = cond ? a / keep : 0`) is judged above, not a second factor.
            if (value is null || site.Decision.Syntax.Encloses(operation.Syntax))
            {
                continue;
            }

            foreach (IOperation written in ValuesBesideDecision(value, site.Decision))
            {
                if (!DropoutTypeFacts.IsMaskValue(written) || !InferencePath.RunsAtInference(written, root))
                {
                    continue;
                }

                ScaleKind kind = facts.Classify(new ScaleUse(operation, written, false, null, root), site, cancellationToken);
                if (kind is not (ScaleKind.One or ScaleKind.Unrelated or ScaleKind.InverseKeep))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // The values an assignment may write other than the site's own decision: the whole value when it does not hold the
    // decision, else the arms of the conditionals around the decision that do not hold it (`mask[i] = training ? (u < keep ? 1 : 0) : keep`
    // writes `keep` at inference, as `if (training) mask[i] = u < keep ? 1 : 0; else mask[i] = keep;` does).
    private static IEnumerable<IOperation> ValuesBesideDecision(IOperation value, IOperation decision)
    {
        if (!value.Syntax.Encloses(decision.Syntax))
        {
            yield return value;
            yield break;
        }

        if (value == decision || HandWrittenDropoutSite.StripConversions(value) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional)
        {
            yield break;
        }

        foreach (IOperation arm in new[] { conditional.WhenTrue, whenFalse })
        {
            foreach (IOperation written in ValuesBesideDecision(arm, decision))
            {
                yield return written;
            }
        }
    }

    // Writes of 1/p into the site's mask (`_mask[i] = scale`, `Array.Fill(_mask, scale)`) that run at inference, when an
    // entry of that mask is multiplied into the activations at inference as well.
    // In the caller of the site's helper (`callerBody`), the array the helper zeroes (a field or property: `_factors[k] = 0`) is
    // the mask when the caller multiplies its entries into the activations, though the helper alone cannot tell.
    private static IEnumerable<IOperation> ScaledPrefills(DropoutTypeFacts facts, HandWrittenDropoutSite site, IOperation root, bool callerBody, CancellationToken cancellationToken)
    {
        ISymbol? zeroedArray = callerBody && site.ZeroedTarget is IArrayElementReferenceOperation zeroed
            && HandWrittenDropoutSite.ReferencedSymbol(zeroed.ArrayReference) is IFieldSymbol or IPropertySymbol
                ? HandWrittenDropoutSite.ReferencedSymbol(zeroed.ArrayReference)
                : null;
        if ((site.MaskSymbol ?? zeroedArray) is not { } mask || !MaskIsAppliedAtInference(mask, root))
        {
            yield break;
        }

        foreach (IOperation operation in root.Descendants())
        {
            IOperation? value = operation switch
            {
                ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment when IsMask(element.ArrayReference, mask) => assignment.Value,
                IInvocationOperation { TargetMethod.Name: "Fill", Arguments.Length: >= 2 } fill when IsMask(fill.Arguments[0].Value, mask) => fill.Arguments[1].Value,
                _ => null,
            };
            if (value is not null && !site.Decision.Syntax.Encloses(operation.Syntax) && DropoutTypeFacts.IsMaskValue(value)
                && InferencePath.RunsAtInference(operation, root)
                && facts.Classify(new ScaleUse(operation, value, false, null, root), site, cancellationToken) == ScaleKind.InverseKeep)
            {
                yield return operation;
            }
        }
    }

    private static bool MaskIsAppliedAtInference(ISymbol mask, IOperation root) =>
        root.Descendants().Any(operation => operation switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product => (IsMaskEntry(product.LeftOperand, mask) || IsMaskEntry(product.RightOperand, mask)) && InferencePath.RunsAtInference(product, root),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound => IsMaskEntry(compound.Value, mask) && InferencePath.RunsAtInference(compound, root),
            _ => false,
        });

    private static bool IsMaskEntry(IOperation operation, ISymbol mask) =>
        HandWrittenDropoutSite.StripConversions(operation) is IArrayElementReferenceOperation element && IsMask(element.ArrayReference, mask);

    private static bool IsMask(IOperation operation, ISymbol mask) =>
        SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(operation), mask);
}
