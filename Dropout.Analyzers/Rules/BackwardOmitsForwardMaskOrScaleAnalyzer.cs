using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP013: the hand-written backward of a hand-written dropout (a method named Backward, Backprop or Gradient in the type
/// whose forward draws the mask) that does not compute <c>grad ⊙ m / p</c>: it reads the mask but leaves out the 1/p the
/// forward applied to the activations, it tests an element against 0 instead of reading the mask, or it passes the
/// gradient through untouched.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BackwardOmitsForwardMaskOrScaleAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            CancellationToken cancellationToken = nodeContext.CancellationToken;
            var masks = new HashSet<ISymbol>(facts.Sites.Where(StoresMask).Select(site => site.MaskSymbol!), SymbolEqualityComparer.Default);
            HashSet<ISymbol> forwardState = ForwardState(facts, masks);
            var backwards = facts.Roots.Where(root => root is IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration }
                && DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)).ToList();
            // Backwards already reported for a shape without the mask: the pre-drop-record check below adds no second diagnostic.
            var judged = new HashSet<SyntaxNode>();
            foreach (IOperation root in backwards)
            {
                if (root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration } body)
                {
                    continue;
                }

                // A backward that draws its own mask while a forward of the type drew one: the gradient reaches other units
                // than the ones the forward kept.
                if (facts.Sites.FirstOrDefault(site => declaration.Encloses(site.Decision.Syntax)) is { } redrawn)
                {
                    if (facts.Sites.Any(site => facts.RootOf(site) is IMethodBodyOperation { Syntax: MethodDeclarationSyntax forward } && !DropoutTypeFacts.IsBackwardName(forward.Identifier.ValueText))
                        && !DropoutEvidence.RedrawsForTheNextForward(redrawn, body))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, redrawn.Comparison.Syntax.GetLocation(), declaration.Identifier.ValueText, "draws a new mask ('" + redrawn.Comparison.Syntax + "') instead of reusing the mask the forward drew"));
                    }

                    continue;
                }

                string name = declaration.Identifier.ValueText;
                bool readsMask = body.Descendants().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && masks.Contains(symbol));

                // A method is this dropout's backward by data flow: it reads what the forward recorded (its mask, its saved
                // input), or it is the type's only backward. In a type holding several operations (a tensor class with Relu,
                // Sigmoid and Dropout) a backward that reads nothing of the dropout's belongs to another operation.
                bool paired = readsMask || backwards.Count == 1 || ReadsAny(body, forwardState);
                if (!paired)
                {
                    continue;
                }

                if (readsMask)
                {
                    if (MissesForwardScale(facts, body, cancellationToken) && !ScalesByOwnProbabilityParameter(body))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), name, "reads the forward's mask but not the 1/p the forward scaled the kept values by"));
                        judged.Add(declaration);
                    }
                    else if (InvertsForwardScale(facts, body, cancellationToken))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), name, "multiplies the gradient by p where the forward divided the kept values by p"));
                        judged.Add(declaration);
                    }
                    else if (NonzeroTestOfScaledMask(facts, body, cancellationToken) is { } nonzeroTest && !ScalesByOwnProbabilityParameter(body))
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), name, "reads the mask that holds the forward's 1/p only as '" + nonzeroTest.Syntax + "'"));
                        judged.Add(declaration);
                    }
                    else if (DroppedUnitsGradientLeftAsIs.Find(body, masks) is { } keptOnly)
                    {
                        string where = DroppedUnitsGradientLeftAsIs.IsSkipTest(keptOnly) ? "but skips the units where '" + keptOnly.Syntax + "'" : "only where '" + keptOnly.Syntax + "'";
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, keptOnly.Syntax.GetLocation(), name, "updates the gradient it was given " + where + ", leaving the dropped units' entries as they came"));
                        judged.Add(declaration);
                    }
                    else if (UnmaskedGradientOutflow.Find(facts, body, masks) is { } incoming)
                    {
                        nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), name,
                            "applies the forward's mask to its own update but returns the gradient computed from '" + incoming.Name + "' without it"));
                        judged.Add(declaration);
                    }

                    continue;
                }

                if (ZeroTest(body) is { } zeroTest && (ForwardScalesWithoutBackward(facts, body, cancellationToken) || TestsTheInput(zeroTest)))
                {
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, zeroTest.Syntax.GetLocation(), name, "masks the gradient by '" + zeroTest.Syntax + "' instead of the mask the forward drew"));
                    judged.Add(declaration);
                }
                else if (PassesThrough(body, forwardState))
                {
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), name, "passes the gradient through without the forward's mask"));
                    judged.Add(declaration);
                }
            }

            // A backward inside the training step (`Train` runs the forward, then backward helpers below the dropout) that
            // nothing of the type's mask reaches.
            if (facts.IsWholeType)
            {
                foreach (TrainingStepBackward.Finding finding in TrainingStepBackward.Find(facts, facts.Sites.Where(StoresMask), cancellationToken))
                {
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, finding.Step.Identifier.GetLocation(), finding.Step.Identifier.ValueText,
                        "backpropagates through the dropout of '" + finding.Forward + "' without reading its mask '" + finding.Mask + "'"));
                }
            }

            // A backward that differentiates through the member the forward multiplied by the mask (DropConnect's weights)
            // with that member alone.
            if (facts.IsWholeType)
            {
                foreach (MaskedOperandBackward.Finding finding in MaskedOperandBackward.Find(facts, facts.Sites.Where(StoresMask), cancellationToken).Where(finding => !judged.Contains(finding.Backward)))
                {
                    judged.Add(finding.Backward);
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, finding.Backward.Identifier.GetLocation(), finding.Backward.Identifier.ValueText,
                        "differentiates through '" + finding.Operand + "', which the forward multiplied by the mask '" + finding.Mask + "', without that mask"));
                }
            }

            // A backward that differentiates through what the forward recorded before its drop, with nothing of the dropout.
            if (facts.IsWholeType)
            {
                foreach (BackwardFinding finding in PreDropRecordBackward.Find(facts, cancellationToken).Where(finding => !judged.Contains(finding.Backward)))
                {
                    judged.Add(finding.Backward);
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, finding.Backward.Identifier.GetLocation(), finding.Backward.Identifier.ValueText,
                        "differentiates through '" + finding.Through + "', recorded before the dropout, without its mask or 1/p"));
                }
            }

            // A backward that differentiates through an inverted dropout's stored output with nothing of the dropout, or (in a
            // training step) through a hidden layer a helper dropped without keeping its mask.
            if (facts.IsWholeType)
            {
                foreach (BackwardFinding finding in DroppedOutputBackward.Find(facts, cancellationToken).Concat(DroppedOutputBackward.FindInSteps(facts, cancellationToken)).Concat(DroppedOutputBackward.FindForReturnedOutput(facts, cancellationToken)).Concat(DroppedOutputBackward.FindForHelperCallersInOtherTypes(facts, cancellationToken)).Where(finding => !judged.Contains(finding.Backward)))
                {
                    judged.Add(finding.Backward);
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, finding.Backward.Identifier.GetLocation(), finding.Backward.Identifier.ValueText,
                        "differentiates through " + finding.Through + " with neither its mask nor its 1/p"));
                }
            }

            // A backward after the forward's call in the same method (a training loop) that gates the gradient by the mask
            // the forward wrote and leaves out the factor the forward multiplied the kept values by.
            if (facts.IsWholeType)
            {
                foreach (MaskGatedStepBackward.Finding finding in MaskGatedStepBackward.Find(facts, cancellationToken).Where(finding => !judged.Contains(finding.Step)))
                {
                    judged.Add(finding.Step);
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, finding.Step.Identifier.GetLocation(), finding.Step.Identifier.ValueText,
                        "gates the gradient by the forward's mask '" + finding.Mask + "' but not by '" + finding.Factor + "', the factor the forward multiplied the kept values by"));
                }
            }

            // A training step whose inline backward (found by its zero test of the forward's activations) multiplies by p where
            // the forward divided by p.
            foreach (MethodDeclarationSyntax step in InlineBackwardScale.Find(facts, cancellationToken).Where(step => !judged.Contains(step)))
            {
                judged.Add(step);
                nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, step.Identifier.GetLocation(), step.Identifier.ValueText, "multiplies the gradient by p where the forward divided the kept values by p"));
            }

            AnalyzeBackwardsInOtherTypes(nodeContext, facts, masks);
            AnalyzeBackwardClosures(nodeContext, facts, masks);
        });
    }

    // Whether the value an operation computes is stored into the symbol (an element of it, or the symbol itself).
    private static bool WritesInto(IOperation operation, ISymbol symbol)
    {
        for (IOperation? current = operation; current is not null; current = current.Parent)
        {
            // `mask[i] = ...` and `mask[i] /= keep` (the compound form writes its value into its own target).
            if (current is ISimpleAssignmentOperation or ICompoundAssignmentOperation)
            {
                IOperation written = ((IAssignmentOperation)current).Target;
                IOperation target = written is IArrayElementReferenceOperation element ? element.ArrayReference
                    : written is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } ? instance
                    : written;
                return SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(target), symbol);
            }

            if (current is IExpressionStatementOperation or IBlockOperation)
            {
                return false;
            }
        }

        return false;
    }

    // A backward written in another class of the same file, or of another file whose text names the mask (an autodiff node
    // holding the forward op), is matched to its forward by the mask it reads: a public field or property of the forward
    // type. Only backward-named methods whose text names such a mask are bound, so the cost is paid where the shape is.
    private static void AnalyzeBackwardsInOtherTypes(TypeAnalysisContext context, DropoutTypeFacts facts, HashSet<ISymbol> masks)
    {
        var shared = masks.Where(mask => mask is IFieldSymbol or IPropertySymbol && mask.DeclaredAccessibility is not (Accessibility.Private or Accessibility.Protected)).ToList();
        if (shared.Count == 0 || facts.Type is not { } type || !facts.IsWholeType)
        {
            return;
        }

        // Every file the type is declared in (a partial type's parts), each declaration of the type itself left out, and the
        // other files whose text names a shared mask (a gradient class kept in a file of its own).
        var forwardDeclarations = type.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(context.CancellationToken)).ToList();
        var ownTrees = forwardDeclarations.Select(declaration => declaration.SyntaxTree).Distinct().ToList();
        var otherTrees = HandWrittenDropoutModel.OtherFilesNaming(context.Compilation, shared.Select(mask => mask.Name).Distinct().ToList(), ownTrees).ToList();
        SemanticModel ModelOf(SyntaxNode node) => otherTrees.Contains(node.SyntaxTree) ? HandWrittenDropoutModel.ModelOfOtherFile(context.Compilation, node.SyntaxTree) : facts.SemanticModelOf(node);
        IEnumerable<MethodDeclarationSyntax> candidates = ownTrees.Concat(otherTrees)
            .SelectMany(tree => tree.GetRoot(context.CancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>());
        foreach (MethodDeclarationSyntax declaration in candidates)
        {
            if (declaration.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } owner || forwardDeclarations.Contains(owner)
                || !DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)
                || (declaration.Body is null && declaration.ExpressionBody is null)
                || !declaration.DescendantTokens().Any(token => token.RawKind == (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken && shared.Any(mask => mask.Name == token.ValueText)))
            {
                continue;
            }

            if (ModelOf(declaration).GetOperation(declaration, context.CancellationToken) is not { } body
                || !body.Descendants().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && shared.Contains(symbol, SymbolEqualityComparer.Default)))
            {
                continue;
            }

            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (!StoresMask(site) || !shared.Contains(site.MaskSymbol!, SymbolEqualityComparer.Default))
                {
                    continue;
                }

                var scales = facts.ScalesFor(site, context.CancellationToken).ToList();
                bool maskCarriesScale = scales.Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown && CarriedByMask(site, scale));
                bool forwardScalesActivations = scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep);
                bool backwardScales = facts.ScalesInOtherBody(body, site, context.CancellationToken).Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown or ScaleKind.Keep);
                if (!maskCarriesScale && forwardScalesActivations && !backwardScales)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, declaration.Identifier.GetLocation(), declaration.Identifier.ValueText, "reads the forward's mask but not the 1/p the forward scaled the kept values by"));
                    break;
                }
            }
        }
    }

    // An autograd-style forward registers its backward as a closure, passed to a call (`output.SetBackward(() => ...)`)
    // or assigned to the output's backward member (`result.BackwardFn = () => ...`), capturing the forward's mask. The
    // closure is the dropout's backward, judged as a backward method is: the mask read without the forward's 1/p, or a
    // zero test instead of the mask while the forward scaled. A closure that itself holds a dropout decision is a forward.
    private static void AnalyzeBackwardClosures(TypeAnalysisContext context, DropoutTypeFacts facts, HashSet<ISymbol> masks)
    {
        foreach (IOperation root in facts.Sites.Select(facts.RootOf).Distinct())
        {
            foreach (IAnonymousFunctionOperation closure in root.Descendants().OfType<IAnonymousFunctionOperation>())
            {
                if (BackwardRegistration(closure) is not { } registration
                    || facts.Sites.Any(site => closure.Syntax.Encloses(site.Decision.Syntax)))
                {
                    continue;
                }

                IOperation body = closure.Body;
                bool readsMask = masks.Count > 0 && body.Descendants().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && masks.Contains(symbol));
                if (readsMask)
                {
                    if (MissesForwardScale(facts, closure, context.CancellationToken, insideForward: true) && !ScalesByOwnProbabilityParameter(body))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, registration.Location, registration.Name, "reads the forward's mask but not the 1/p the forward scaled the kept values by"));
                    }
                }
                else if (ZeroTest(body) is { } zeroTest && (ForwardScalesWithoutBackward(facts, body, context.CancellationToken) || TestsTheInput(zeroTest)))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardMaskOrScale, zeroTest.Syntax.GetLocation(), registration.Name, "masks the gradient by '" + zeroTest.Syntax + "' instead of the mask the forward drew"));
                }
            }
        }
    }

    // The name a closure is registered under as a backward, and where: the call it is passed to (`SetBackward(() => ...)`,
    // at `output.SetBackward`) or the member it is stored in (`result.Backward = () => ...`, at `result.Backward`), when
    // that name says backward or gradient.
    private static (string Name, Location Location)? BackwardRegistration(IAnonymousFunctionOperation closure)
    {
        IOperation current = closure;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        (string Name, Location Location)? registration = current.Parent switch
        {
            IArgumentOperation { Parent: IInvocationOperation invocation } => (invocation.TargetMethod.Name,
                (invocation.Syntax is InvocationExpressionSyntax call ? call.Expression : invocation.Syntax).GetLocation()),
            ISimpleAssignmentOperation { Target: var target } assignment when assignment.Value == current
                && HandWrittenDropoutSite.ReferencedSymbol(target) is { } member => (member.Name, target.Syntax.GetLocation()),
            _ => null,
        };
        return registration is { } found && DropoutTypeFacts.IsBackwardName(found.Name) ? found : null;
    }

    // Testing the output against 0 finds the dropped units; it loses only the 1/p, so it matters when the forward applied one.
    private static bool ForwardScalesWithoutBackward(DropoutTypeFacts facts, IOperation backward, CancellationToken cancellationToken) =>
        facts.Sites.Any(site =>
        {
            var scales = facts.ScalesFor(site, cancellationToken).ToList();
            return scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep)
                && !scales.Any(scale => backward.Syntax.Encloses(scale.Use.Operation.Syntax) && scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown);
        });

    // An input is non-zero where the unit was dropped: testing it says nothing about the mask.
    private static bool TestsTheInput(IBinaryOperation zeroTest)
    {
        IOperation tested = HandWrittenDropoutSite.IsZero(zeroTest.RightOperand) ? zeroTest.LeftOperand : zeroTest.RightOperand;
        return HandWrittenDropoutSite.StripConversions(tested) is IArrayElementReferenceOperation element
            && HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference)?.Name.IndexOf("input", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    // A scale inside the decision is carried by the mask into backward when the mask stores it (`mask[i] = u < p ? 0 : 1 / p`).
    // An `if`/`else` decision may record a boolean flag and write the activation in the same branches
    // (`if (u < rate) { dropped[i] = true; y[i] = 0; } else { dropped[i] = false; y[i] = x[i] / (1 - rate); }`): there the
    // scale goes to the activation, the flag stays 0/1, and a backward reading the flag still owes the 1/p.
    // A scale written into the stored mask by the forward after the draw (`mask[i] = u < keep ? 1 : 0; mask[i] /= keep;`)
    // is carried the same way: what the backward reads from the mask already holds the 1/p.
    private static bool CarriedByMask(HandWrittenDropoutSite site, (ScaleUse Use, ScaleKind Kind, ScalePlace Place) scale) =>
        (site.Decision.Syntax.Encloses(scale.Use.Operation.Syntax)
            && (site.Shape != DropoutSiteShape.ZeroingIf || WritesInto(scale.Use.Operation, site.MaskSymbol!)))
        || (scale.Place == ScalePlace.Training && WritesInto(scale.Use.Operation, site.MaskSymbol!));

    // A mask proper (0/1, 0/scale or bool entries), not the activations the site writes in place.
    private static bool StoresMask(HandWrittenDropoutSite site) =>
        site.MaskSymbol is not null
        && (site.Shape is DropoutSiteShape.BooleanMask or DropoutSiteShape.MultipliedByDraw or DropoutSiteShape.ZeroingIf
            || (site.KeptValue is { } kept && DropoutTypeFacts.IsMaskValue(kept)));

    // The forward divided its activations by p (not the mask entries, which would carry the scale into backward), and the
    // backward has no such factor. A backward closure registered inside the forward's body (`insideForward`) shares that
    // body's spans, so there a scale in the decision counts as carried by the mask only when it is written into the mask
    // (`mask[i] = u < p ? 0 : 1 / p`), not when the kept branch writes the scaled activation (`else y[i] = x[i] / (1 - p);`),
    // and the closure's own scales are not the forward's.
    private static bool MissesForwardScale(DropoutTypeFacts facts, IOperation backward, CancellationToken cancellationToken, bool insideForward = false)
    {
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            if (!StoresMask(site))
            {
                continue;
            }

            var scales = facts.ScalesFor(site, cancellationToken).ToList();
            bool maskCarriesScale = scales.Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown
                && CarriedByMask(site, scale)
                && (!insideForward || WritesInto(scale.Use.Operation, site.MaskSymbol!)));
            bool forwardScalesActivations = scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep
                && !(insideForward && backward.Syntax.Encloses(scale.Use.Operation.Syntax)));
            bool backwardScales = scales.Any(scale => backward.Syntax.Encloses(scale.Use.Operation.Syntax)
                && scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown or ScaleKind.Keep);
            if (!maskCarriesScale && forwardScalesActivations && !backwardScales)
            {
                return true;
            }
        }

        return false;
    }

    // The forward stored its scale in the mask (`mask[j] = keep ? 1 / p : 0`, then `y = a * mask[j]`), and the backward
    // reads every value of that mask only to ask whether it is nonzero (`m > 0f ? 1f : 0f`, `if (mask[j] != 0)`), with no
    // 1/p of its own: the comparison keeps the mask and throws away the scale it carried. Returns the first such test.
    private static IBinaryOperation? NonzeroTestOfScaledMask(DropoutTypeFacts facts, IOperation backward, CancellationToken cancellationToken)
    {
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            if (!StoresMask(site))
            {
                continue;
            }

            var scales = facts.ScalesFor(site, cancellationToken).ToList();
            bool maskCarriesScale = scales.Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop
                && site.Decision.Syntax.Encloses(scale.Use.Operation.Syntax)
                && WritesInto(scale.Use.Operation, site.MaskSymbol!));
            bool backwardScales = scales.Any(scale => backward.Syntax.Encloses(scale.Use.Operation.Syntax)
                && scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown or ScaleKind.Keep);
            if (maskCarriesScale && !backwardScales && OnlyNonzeroTests(backward, site.MaskSymbol!) is { } test)
            {
                return test;
            }
        }

        return null;
    }

    // Every read of the mask's values in the body ends in a comparison with zero, directly or through one local
    // (`float m = mask != null ? mask[j] : 1f; ... m > 0f`); null checks and `.Length` are not reads of its values.
    private static IBinaryOperation? OnlyNonzeroTests(IOperation body, ISymbol mask)
    {
        IBinaryOperation? first = null;
        foreach (IOperation reference in body.Descendants())
        {
            if (reference is not (IFieldReferenceOperation or IPropertyReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation)
                || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(reference), mask))
            {
                continue;
            }

            IOperation value = reference;
            while (value.Parent is IArrayElementReferenceOperation element && element.ArrayReference == value)
            {
                value = element;
            }

            if (IsNullCheck(value) || value.Parent is IPropertyReferenceOperation { Property.Name: "Length" or "Count" })
            {
                continue;
            }

            if (value == reference || NonzeroTest(body, value, followLocal: true) is not { } test)
            {
                return null;
            }

            first ??= test;
        }

        return first;
    }

    private static IBinaryOperation? NonzeroTest(IOperation body, IOperation value, bool followLocal)
    {
        IOperation current = value;
        while (current.Parent is IConversionOperation or IParenthesizedOperation
            || current.Parent is IConditionalOperation conditional && (conditional.WhenTrue == current || conditional.WhenFalse == current))
        {
            current = current.Parent;
        }

        if (current.Parent is IBinaryOperation comparison
            && comparison.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.GreaterThan
                or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
            && HandWrittenDropoutSite.IsZero(comparison.LeftOperand == current ? comparison.RightOperand : comparison.LeftOperand))
        {
            return comparison;
        }

        ILocalSymbol? local = current.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == current => target.Local,
            _ => null,
        };
        if (!followLocal || local is null)
        {
            return null;
        }

        IBinaryOperation? first = null;
        foreach (ILocalReferenceOperation use in body.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(use.Local, local)
                || use.Parent is ISimpleAssignmentOperation written && written.Target == use)
            {
                continue;
            }

            if (NonzeroTest(body, use, followLocal: false) is not { } test)
            {
                return null;
            }

            first ??= test;
        }

        return first;
    }

    private static bool IsNullCheck(IOperation value)
    {
        // `array != null` compares as objects: the array reaches the comparison through an implicit conversion.
        while (value.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion;
        }

        return value.Parent is IIsPatternOperation
        || value.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } check
            && IsNullLiteral(check.LeftOperand == value ? check.RightOperand : check.LeftOperand);
    }

    private static bool IsNullLiteral(IOperation operand)
    {
        while (operand is IConversionOperation conversion)
        {
            operand = conversion.Operand;
        }

        return operand is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation;
    }

    // The forward divided its kept activations by the keep probability p, and the backward's only factor of p multiplies
    // by it (`g * mask * keep` beside `x * mask / keep`): the derivative of x·m/p is m/p, so the gradient comes out a
    // factor p² too small. A backward with any 1/p factor of its own is left to the other checks.
    private static bool InvertsForwardScale(DropoutTypeFacts facts, IOperation backward, CancellationToken cancellationToken)
    {
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            if (!StoresMask(site))
            {
                continue;
            }

            var scales = facts.ScalesFor(site, cancellationToken).ToList();
            bool maskCarriesScale = scales.Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Unknown
                && CarriedByMask(site, scale));
            bool forwardScalesActivations = scales.Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep
                && !backward.Syntax.Encloses(scale.Use.Operation.Syntax));
            var inBackward = scales.Where(scale => backward.Syntax.Encloses(scale.Use.Operation.Syntax)).ToList();
            if (!maskCarriesScale && forwardScalesActivations
                && inBackward.Any(scale => scale.Kind == ScaleKind.Keep)
                && inBackward.All(scale => scale.Kind == ScaleKind.Keep))
            {
                return true;
            }
        }

        return false;
    }

    // `input[i] != 0`, `output[i] == 0 ? 0 : g`, `x[i] > 0`: the backward guesses the mask from the values.
    private static IBinaryOperation? ZeroTest(IOperation backward) =>
        backward.Descendants().OfType<IBinaryOperation>().FirstOrDefault(comparison =>
            comparison.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.GreaterThan
            && (HandWrittenDropoutSite.IsZero(comparison.RightOperand) || HandWrittenDropoutSite.IsZero(comparison.LeftOperand))
            && DropoutTypeFacts.IsActivation(HandWrittenDropoutSite.IsZero(comparison.RightOperand) ? comparison.LeftOperand : comparison.RightOperand));

    // `grad`, `grad.ToArray()`, `(float[])grad.Clone()`, `grad.ToList()`: the parameter as it came.
    private static bool IsParameterOrCopyOfOne(IOperation value)
    {
        value = HandWrittenDropoutSite.StripConversions(value);
        return value is IParameterReferenceOperation
            || (value is IInvocationOperation { TargetMethod.Name: "ToArray" or "Clone" or "ToList" } copy
                && (copy.Instance is { } instance ? HandWrittenDropoutSite.StripConversions(instance) is IParameterReferenceOperation
                    : copy.Arguments.Length > 0 && HandWrittenDropoutSite.StripConversions(copy.Arguments[0].Value) is IParameterReferenceOperation));
    }

    // The fields and properties the dropout's forward writes (the mask and whatever it records beside it, such as the
    // input it saved): a backward that reads one of them is fed by that forward.
    private static HashSet<ISymbol> ForwardState(DropoutTypeFacts facts, HashSet<ISymbol> masks)
    {
        var state = new HashSet<ISymbol>(masks, SymbolEqualityComparer.Default);
        foreach (IOperation root in facts.Sites.Select(facts.RootOf).Distinct())
        {
            foreach (IOperation operation in root.Descendants())
            {
                IOperation? target = operation switch
                {
                    IAssignmentOperation assignment => assignment.Target,
                    _ => null,
                };
                while (target is IArrayElementReferenceOperation element)
                {
                    target = element.ArrayReference;
                }

                // Only this object's own members: the output tensor the forward writes into (`result.Data[i]`) is not state.
                if (target is not null && HandWrittenDropoutModel.IsSelfMember(target) && HandWrittenDropoutSite.ReferencedSymbol(target) is { } symbol)
                {
                    state.Add(symbol.OriginalDefinition);
                }
            }
        }

        return state;
    }

    private static bool ReadsAny(IOperation body, HashSet<ISymbol> symbols) =>
        symbols.Count > 0 && body.Descendants().Any(operation => operation is IFieldReferenceOperation or IPropertyReferenceOperation
            && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && symbols.Contains(symbol.OriginalDefinition));

    // `g / (1 - dropProbability)` or `g * scale` with the probability a parameter of the backward itself: the caller passes
    // the forward's probability in (a tensor library's DropoutGradient(input, grad, p, result)), which this analysis cannot
    // link to the forward's, so the backward counts as scaling.
    // A product subtracted from what it updates (`w -= lr * g`, `b = b - g * lr`) is a gradient-descent step: its scalar
    // parameter is the learning rate, not the probability.
    private static bool ScalesByOwnProbabilityParameter(IOperation backward) =>
        backward.Descendants().Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide or BinaryOperatorKind.Multiply } binary
            && (binary.OperatorKind == BinaryOperatorKind.Divide ? new[] { binary.RightOperand } : new[] { binary.LeftOperand, binary.RightOperand })
                .Any(factor => DependsOnScalarParameter(factor))
            && !(binary.OperatorKind == BinaryOperatorKind.Multiply && IsSubtractedStep(binary)));

    private static bool IsSubtractedStep(IOperation product)
    {
        IOperation current = product;
        while (current.Parent is IParenthesizedOperation or IConversionOperation or IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply })
        {
            current = current.Parent;
        }

        return current.Parent is ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Subtract } step && step.Value == current
            || current.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference && difference.RightOperand == current;
    }

    private static bool DependsOnScalarParameter(IOperation factor)
    {
        factor = HandWrittenDropoutSite.StripConversions(factor);
        return factor is IParameterReferenceOperation { Parameter.Type.SpecialType: SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal }
            || (factor is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract or BinaryOperatorKind.Divide } arithmetic
                && (DependsOnScalarParameter(arithmetic.LeftOperand) || DependsOnScalarParameter(arithmetic.RightOperand)))
            || (factor is IParenthesizedOperation parenthesized && DependsOnScalarParameter(parenthesized.Operand));
    }

    // No arithmetic at all: the gradient is returned or copied as it came, on every path. A backward that hands the
    // forward's state (its mask) to a call, calls a method of its own type (a helper that masks), or copies on one branch
    // of an if/else (the inference branch) while the other does something else is not a pass-through.
    private static bool PassesThrough(IOperation backward, HashSet<ISymbol> forwardState) =>
        !ReadsAny(backward, forwardState)
        && !backward.Descendants().Any(operation => operation is IInvocationOperation invocation
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, (backward.SemanticModel?.GetDeclaredSymbol(backward.Syntax) as IMethodSymbol)?.ContainingType?.OriginalDefinition)
            && !invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty)
        && !backward.Descendants().Any(operation => operation is IConditionalOperation { Type: null, WhenFalse: not null })
        && PassesThroughUnguarded(backward);

    private static bool PassesThroughUnguarded(IOperation backward) =>
        !backward.Descendants().Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } or ICompoundAssignmentOperation or IConditionalOperation { Type: not null })
        && backward.Descendants().Any(operation => operation is IReturnOperation { ReturnedValue: { } returned } && IsParameterOrCopyOfOne(returned)
            || (operation is ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation, Value: var value } && HandWrittenDropoutSite.StripConversions(value) is IArrayElementReferenceOperation { ArrayReference: IParameterReferenceOperation })
            || (operation is IInvocationOperation invocation && invocation.TargetMethod.Name is "Copy" or "CopyTo" or "Clone"));
}
