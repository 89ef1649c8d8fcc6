using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward written inside the training step rather than in a backward-named method: <c>Train</c> runs the forward
/// (which draws a mask into a field, directly or through a helper <c>Dropout(h, _mask, y)</c>), then calls backward
/// helpers (<c>BackpropDense</c>, <c>ReluBackward</c>) with buffers or weights the forward read before its dropout, so the
/// gradient reaches the layers below the dropout. If no code of the type reads the mask outside the dropout itself, that
/// gradient passed through the dropped units: the backward never applied the forward's mask. Judged by data flow (who
/// reads the mask, what the backward calls receive), not by the method's name.
/// </summary>
internal static class TrainingStepBackward
{
    /// <summary>A training step that backpropagates through a dropout without its mask.</summary>
    public sealed class Finding(MethodDeclarationSyntax step, string forward, string mask)
    {
        public MethodDeclarationSyntax Step { get; } = step;

        public string Forward { get; } = forward;

        public string Mask { get; } = mask;
    }

    public static IEnumerable<Finding> Find(DropoutTypeFacts facts, IEnumerable<HandWrittenDropoutSite> maskSites, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        foreach (HandWrittenDropoutSite site in maskSites)
        {
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax siteDeclaration } siteRoot
                || facts.SemanticModelOf(siteDeclaration).GetDeclaredSymbol(siteDeclaration, cancellationToken) is not IMethodSymbol siteMethod
                || site.MaskSymbol is not { } mask)
            {
                continue;
            }

            // Where the mask lives and where the dropout runs: the site's own field, or the fields a helper is handed.
            var stored = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var dropouts = new List<(IOperation Root, IOperation At)>();
            if (mask is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, siteMethod))
            {
                foreach (IOperation root in facts.Roots)
                {
                    foreach (IInvocationOperation call in root.Descendants().OfType<IInvocationOperation>())
                    {
                        if (SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, siteMethod)
                            && call.Arguments.FirstOrDefault(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter, parameter)) is { } argument
                            && HandWrittenDropoutSite.ReferencedSymbol(argument.Value) is IFieldSymbol or IPropertySymbol)
                        {
                            stored.Add(HandWrittenDropoutSite.ReferencedSymbol(argument.Value)!);
                            dropouts.Add((root, call));
                        }
                    }
                }
            }
            else if (mask is IFieldSymbol or IPropertySymbol)
            {
                stored.Add(mask);
                dropouts.Add((siteRoot, site.Decision));
            }

            if (dropouts.Count == 0 || IsReadOutsideTheDropout(facts, stored, siteRoot, siteMethod))
            {
                continue;
            }

            foreach ((IOperation forwardRoot, IOperation at) in dropouts)
            {
                if (forwardRoot is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax forwardDeclaration }
                    || facts.SemanticModelOf(forwardDeclaration).GetDeclaredSymbol(forwardDeclaration, cancellationToken) is not IMethodSymbol forward)
                {
                    continue;
                }

                // What the forward computed before the dropout: the layers below it.
                var below = new HashSet<ISymbol>(
                    forwardRoot.Descendants()
                        .Where(operation => operation.Syntax.Span.End <= at.Syntax.SpanStart)
                        .Select(HandWrittenDropoutSite.ReferencedSymbol)
                        .Where(symbol => symbol is IFieldSymbol or IPropertySymbol && IsBuffer(symbol) && !stored.Contains(symbol))!,
                    SymbolEqualityComparer.Default);
                if (below.Count == 0)
                {
                    continue;
                }

                foreach (IOperation root in facts.Roots)
                {
                    if (root is IMethodBodyOperation { Syntax: MethodDeclarationSyntax stepDeclaration }
                        && root != forwardRoot && root != siteRoot
                        && !DropoutTypeFacts.IsBackwardName(stepDeclaration.Identifier.ValueText)
                        && !reported.Contains(stepDeclaration)
                        && BackpropagatesBelow(root, forward, below))
                    {
                        reported.Add(stepDeclaration);
                        yield return new Finding(stepDeclaration, forward.Name, stored.First().Name);
                    }
                }
            }
        }
    }

    // Weights and activation buffers (arrays, matrices, tensors), not a lock object, a flag or a rate.
    private static bool IsBuffer(ISymbol symbol)
    {
        ITypeSymbol? type = symbol is IFieldSymbol or IPropertySymbol ? SymbolValues.TypeOf(symbol) : null;
        return type is IArrayTypeSymbol
            || (type?.Name is { } name && (name.IndexOf("Matrix", StringComparison.Ordinal) >= 0 || name.IndexOf("Tensor", StringComparison.Ordinal) >= 0 || name.IndexOf("Vector", StringComparison.Ordinal) >= 0));
    }

    // Any read of the mask other than the dropout's own (the site's method, the argument handing the mask to the helper)
    // and other than writes (`_mask = new bool[n]`, `_mask[i] = ...`): some code may apply it, so nothing is claimed.
    private static bool IsReadOutsideTheDropout(DropoutTypeFacts facts, HashSet<ISymbol> stored, IOperation siteRoot, IMethodSymbol siteMethod)
    {
        foreach (IOperation root in facts.Roots)
        {
            if (root == siteRoot)
            {
                continue;
            }

            foreach (IOperation operation in root.Descendants())
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(operation) is not { } symbol || !stored.Contains(symbol) || HandWrittenDropoutSite.IsReceiver(operation))
                {
                    continue;
                }

                IOperation written = operation.Parent is IArrayElementReferenceOperation element && element.ArrayReference == operation ? element : operation;
                bool isWrite = written.Parent is IAssignmentOperation assignment && assignment.Target == written;
                bool handsToTheDropout = operation.Parent is IArgumentOperation { Parent: IInvocationOperation call }
                    && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, siteMethod);
                if (!isWrite && !handsToTheDropout)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // The step calls the forward on this object (with the dropout on: no `false` handed to it or assigned to a flag before),
    // then a backward-named method that receives something the forward computed below the dropout.
    private static bool BackpropagatesBelow(IOperation step, IMethodSymbol forward, HashSet<ISymbol> below)
    {
        IInvocationOperation? forwardCall = step.Descendants().OfType<IInvocationOperation>().FirstOrDefault(call =>
            SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, forward)
            && HandWrittenDropoutModel.IsSelf(call.Instance));
        if (forwardCall is null
            || forwardCall.Arguments.Any(argument => argument.Value.ConstantValue is { HasValue: true, Value: false })
            || step.Descendants().Any(operation => operation.Syntax.SpanStart < forwardCall.Syntax.SpanStart
                && operation is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: false } }))
        {
            return false;
        }

        return step.Descendants().OfType<IInvocationOperation>().Any(call =>
            call.Syntax.SpanStart > forwardCall.Syntax.Span.End
            && DropoutTypeFacts.IsBackwardName(call.TargetMethod.Name)
            && call.Arguments.Any(argument => HandWrittenDropoutSite.ReferencedSymbol(argument.Value) is { } symbol && below.Contains(symbol)));
    }
}
