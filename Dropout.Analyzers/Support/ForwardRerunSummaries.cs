using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Method summaries for a backward that re-runs a component's forward, redrawing its dropout mask, before the component's
/// backward (DRP008 across calls): which members a method draws a fresh mask into, which members it reads, what it calls,
/// and on which member-held components (<c>_blocks[i].Forward(x)</c>).
/// </summary>
/// <remarks>
/// Each method body is summarized (symbols only) by an operation-block action while its own file is analyzed, and a
/// compilation-end action joins the summaries by symbol; no second file is bound. The join reports a backward-named
/// method of an owner type in which a call <c>c.F(...)</c> precedes <c>c.G(...)</c> on the same component, where F draws
/// (itself or through its callees) a fresh mask into a member that G reads (itself or through its callees), when:
/// <list type="bullet">
/// <item>another, non-backward method of the owner calls F on a component of the same member (the owner's forward already
/// ran it, and the loss came from that run);</item>
/// <item>the re-run's result does not reach G's arguments (the re-run is not the forward of a step whose output the
/// backward differentiates);</item>
/// <item>the re-run passes no argument the owner's forward call leaves at its default, and no constant the owner's call
/// does not pass (a <c>reuseMask: true</c>, a stored seed: recomputation that restores the mask);</item>
/// <item>the backward calls nothing else on components of that member and writes none of their members (restoring a
/// generator's state, switching a mode), and the mask's generator is a member assigned only in constructors or a fresh
/// <c>new Random()</c> (a generator re-seeded by a method, or handed in as a parameter, may replay the same mask).</item>
/// </list>
/// </remarks>
internal static class ForwardRerunSummaries
{
    private const int MaxDepth = 6;

    /// <summary>Registers the summaries and the compilation-end join that reports the re-run.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerBlock(context, () => new Summaries(), (summaries, block) => summaries.Summarize(block));

    /// <summary>A call on a component held by a member of the caller's type: <c>_layer.F()</c>, <c>_blocks[i].F()</c>.</summary>
    private sealed class ComponentCall(IInvocationOperation invocation, IMethodSymbol callee, ISymbol member, string key)
    {
        public IInvocationOperation Invocation { get; } = invocation;

        public IMethodSymbol Callee { get; } = callee;

        /// <summary>The member the component is held in (<c>_blocks</c>).</summary>
        public ISymbol Member { get; } = member;

        /// <summary>The component's expression as written (<c>_blocks[i]</c>): two calls with the same key reach the same component.</summary>
        public string Key { get; } = key;
    }

    private sealed class MethodSummary(IMethodSymbol method, IOperation root)
    {
        public IMethodSymbol Method { get; } = method;

        public IOperation Root { get; } = root;

        /// <summary>Members a mask is drawn into here, each with the generator member it is drawn from (null: a fresh generator).</summary>
        public List<(ISymbol Mask, ISymbol? Generator)> Drawn { get; } = [];

        public HashSet<ISymbol> Read { get; } = new(SymbolEqualityComparer.Default);

        public HashSet<ISymbol> Assigned { get; } = new(SymbolEqualityComparer.Default);

        public HashSet<IMethodSymbol> Callees { get; } = new(SymbolEqualityComparer.Default);

        public List<ComponentCall> ComponentCalls { get; } = [];

        /// <summary>Members whose components get a member written here (<c>_blocks[i].Training = false</c>).</summary>
        public HashSet<ISymbol> ComponentWrites { get; } = new(SymbolEqualityComparer.Default);
    }

    private sealed class Summaries : ICompilationEndJoin
    {
        private readonly ConcurrentDictionary<IMethodSymbol, MethodSummary> _methods = new(SymbolEqualityComparer.Default);

        /// <summary>Summarizes the bodies of an ordinary method; every method is summarized, since any may be a callee.</summary>
        public void Summarize(OperationBlockAnalysisContext block)
        {
            if (block.OwningSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                return;
            }

            foreach (IOperation root in block.OperationBlocks)
            {
                if (root is IMethodBodyOperation or IBlockOperation && root.SemanticModel is { } semanticModel)
                {
                    Summarize(method, root, semanticModel, block.Compilation, block.CancellationToken);
                }
            }
        }

        private void Summarize(IMethodSymbol method, IOperation root, SemanticModel semanticModel, Compilation compilation, CancellationToken cancellationToken)
        {
            var summary = new MethodSummary(method.OriginalDefinition, root);
            if (HandWrittenDropoutModel.MayDraw(root.Syntax, cancellationToken))
            {
                foreach (HandWrittenDropoutSite site in HandWrittenDropoutModel.For(compilation).SitesIn(root, semanticModel, cancellationToken))
                {
                    if (!TryGenerator(site, out ISymbol? generator))
                    {
                        continue;
                    }

                    foreach (ISymbol mask in MaskMembers(site))
                    {
                        summary.Drawn.Add((mask, generator));
                    }
                }
            }

            foreach (IOperation operation in root.Descendants())
            {
                switch (operation)
                {
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } reference when HandWrittenDropoutModel.IsSelf(reference.Instance):
                        if (IsWritten(reference))
                        {
                            summary.Assigned.Add(reference.Member.OriginalDefinition);
                        }
                        else
                        {
                            summary.Read.Add(reference.Member.OriginalDefinition);
                        }

                        break;
                    case IMemberReferenceOperation { Instance: { } instance } reference when reference.Parent is ISimpleAssignmentOperation write && write.Target == reference
                        && ComponentOf(instance) is { } written:
                        summary.ComponentWrites.Add(written.Member);
                        break;
                    case IInvocationOperation invocation:
                        IMethodSymbol callee = invocation.TargetMethod.OriginalDefinition;
                        summary.Callees.Add(callee);
                        if (invocation.Instance is { } receiver && ComponentOf(receiver) is { } component)
                        {
                            summary.ComponentCalls.Add(new ComponentCall(invocation, callee, component.Member, component.Key));
                        }

                        break;
                }
            }

            _methods[summary.Method] = summary;
        }

        public void Report(CompilationAnalysisContext context)
        {
            // A generator member assigned by an ordinary method can be re-seeded between two runs of the forward.
            var reseeded = new HashSet<ISymbol>(_methods.Values.SelectMany(summary => summary.Assigned), SymbolEqualityComparer.Default);
            var draws = new Dictionary<IMethodSymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);
            var reads = new Dictionary<IMethodSymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);
            var reported = new HashSet<IInvocationOperation>();

            foreach (MethodSummary backward in _methods.Values)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (!DropoutTypeFacts.IsBackwardName(backward.Method.Name) || backward.ComponentCalls.Count < 2)
                {
                    continue;
                }

                List<ComponentCall> calls = backward.ComponentCalls.OrderBy(call => call.Invocation.Syntax.SpanStart).ToList();
                for (int second = 1; second < calls.Count; second++)
                {
                    ComponentCall componentBackward = calls[second];
                    HashSet<ISymbol> read = Closure(componentBackward.Callee, reads, summary => summary.Read, 0, []);
                    if (read.Count == 0)
                    {
                        continue;
                    }

                    for (int first = second - 1; first >= 0; first--)
                    {
                        ComponentCall rerun = calls[first];
                        if (rerun.Key != componentBackward.Key || SymbolEqualityComparer.Default.Equals(rerun.Callee, componentBackward.Callee)
                            || reported.Contains(rerun.Invocation))
                        {
                            continue;
                        }

                        HashSet<ISymbol> drawn = Closure(rerun.Callee, draws, summary => DrawnFresh(summary, reseeded), 0, []);
                        // A second forward (it draws the mask itself) is not the component's backward.
                        HashSet<ISymbol> drawnBySecond = Closure(componentBackward.Callee, draws, summary => DrawnFresh(summary, reseeded), 0, []);
                        ISymbol? mask = drawn.FirstOrDefault(candidate => read.Contains(candidate) && !drawnBySecond.Contains(candidate));
                        if (mask is null || DropoutTypeFacts.AreExclusive(rerun.Invocation, componentBackward.Invocation))
                        {
                            continue;
                        }

                        if (OwnerForward(backward, rerun) is not { } ownerForward
                            || RestoresState(backward, rerun, componentBackward, draws, reads, reseeded)
                            || ReachesArguments(rerun.Invocation, componentBackward.Invocation, backward.Root)
                            || ChangesTheDraw(rerun.Invocation, ownerForward.Call.Invocation))
                        {
                            continue;
                        }

                        reported.Add(rerun.Invocation);
                        string reason = "re-runs '" + rerun.Invocation.Syntax + "' before '" + componentBackward.Invocation.Syntax + "' (the re-run draws a new '" + mask.Name
                            + "', which the component's backward reads, while '" + ownerForward.Method.Name + "' already ran it for the loss)";
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardMaskMismatchAcrossCalls, rerun.Invocation.Syntax.GetLocation(), reason));
                    }
                }
            }
        }

        private static IEnumerable<ISymbol> DrawnFresh(MethodSummary summary, HashSet<ISymbol> reseeded) =>
            summary.Drawn.Where(drawn => drawn.Generator is null || !reseeded.Contains(drawn.Generator)).Select(drawn => drawn.Mask);

        // What a method does itself and through the methods it calls (with a body in the compilation), to a bounded depth.
        private HashSet<ISymbol> Closure(IMethodSymbol method, Dictionary<IMethodSymbol, HashSet<ISymbol>> memo, Func<MethodSummary, IEnumerable<ISymbol>> own, int depth, HashSet<IMethodSymbol> visiting)
        {
            if (memo.TryGetValue(method, out HashSet<ISymbol>? known))
            {
                return known;
            }

            var result = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            if (depth > MaxDepth || !_methods.TryGetValue(method, out MethodSummary? summary) || !visiting.Add(method))
            {
                return result;
            }

            result.UnionWith(own(summary));
            foreach (IMethodSymbol callee in summary.Callees)
            {
                result.UnionWith(Closure(callee, memo, own, depth + 1, visiting));
            }

            visiting.Remove(method);
            if (depth == 0)
            {
                memo[method] = result;
            }

            return result;
        }

        // Another, non-backward method of the owner type that calls the same forward on a component of the same member.
        private (IMethodSymbol Method, ComponentCall Call)? OwnerForward(MethodSummary backward, ComponentCall rerun)
        {
            foreach (MethodSummary candidate in _methods.Values)
            {
                if (candidate == backward || DropoutTypeFacts.IsBackwardName(candidate.Method.Name)
                    || !SymbolEqualityComparer.Default.Equals(candidate.Method.ContainingType, backward.Method.ContainingType))
                {
                    continue;
                }

                if (candidate.ComponentCalls.FirstOrDefault(call => SymbolEqualityComparer.Default.Equals(call.Callee, rerun.Callee)
                    && SymbolEqualityComparer.Default.Equals(call.Member, rerun.Member)) is { } call)
                {
                    return (candidate.Method, call);
                }
            }

            return null;
        }

        // Anything else done to the components of that member (a state restored, a seed set, a mode switched), or a member
        // of one written: the re-run may replay the forward's mask, so nothing is claimed.
        private bool RestoresState(MethodSummary backward, ComponentCall rerun, ComponentCall componentBackward, Dictionary<IMethodSymbol, HashSet<ISymbol>> draws, Dictionary<IMethodSymbol, HashSet<ISymbol>> reads, HashSet<ISymbol> reseeded)
        {
            if (backward.ComponentWrites.Contains(rerun.Member))
            {
                return true;
            }

            foreach (ComponentCall call in backward.ComponentCalls)
            {
                if (!SymbolEqualityComparer.Default.Equals(call.Member, rerun.Member)
                    || SymbolEqualityComparer.Default.Equals(call.Callee, rerun.Callee) || SymbolEqualityComparer.Default.Equals(call.Callee, componentBackward.Callee))
                {
                    continue;
                }

                // Another forward or backward of the components (drawing or reading masks) is more of the same pass.
                if (Closure(call.Callee, draws, summary => DrawnFresh(summary, reseeded), 0, []).Count == 0
                    && Closure(call.Callee, reads, summary => summary.Read, 0, []).Count == 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    // The generator a site draws from: a member of the type (fresh unless a method re-seeds it), `Random.Shared`, or a
    // `new Random()` with no seed. A generator handed in as a parameter, or made from a seed, is not known to be fresh.
    private static bool TryGenerator(HandWrittenDropoutSite site, out ISymbol? generator)
    {
        generator = null;
        if (site.DrawCall is not { Instance: { } instance })
        {
            return false;
        }

        instance = HandWrittenDropoutSite.StripConversions(instance);
        switch (instance)
        {
            case IFieldReferenceOperation field when HandWrittenDropoutModel.IsSelf(field.Instance):
                generator = field.Field.OriginalDefinition;
                return true;
            case IPropertyReferenceOperation { Property: { IsIndexer: false, IsStatic: true, Name: "Shared" } }:
                return true;
            case IPropertyReferenceOperation { Property.IsIndexer: false } property when HandWrittenDropoutModel.IsSelf(property.Instance):
                generator = property.Property.OriginalDefinition;
                return true;
            case IObjectCreationOperation { Arguments.Length: 0 }:
                return true;
            default:
                return false;
        }
    }

    // The members a site writes its decision into: its mask symbol, and any member (or element of one) assigned inside the
    // decision (`if (u >= rate) { _mask[b, f] = scale; ... } else { _mask[b, f] = 0; ... }`).
    private static IEnumerable<ISymbol> MaskMembers(HandWrittenDropoutSite site)
    {
        var members = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        if (site.MaskSymbol is IFieldSymbol or IPropertySymbol)
        {
            members.Add(site.MaskSymbol.OriginalDefinition);
        }

        IEnumerable<IOperation> decision = HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Decision);
        foreach (IOperation operation in site.Decision.Parent is { } parent ? decision.Append(parent) : decision)
        {
            if (operation is ISimpleAssignmentOperation assignment && OwnMember(assignment.Target) is { } member)
            {
                members.Add(member);
            }
        }

        return members;
    }

    private static ISymbol? OwnMember(IOperation target)
    {
        target = HandWrittenDropoutSite.StripConversions(target);
        if (target is IArrayElementReferenceOperation element)
        {
            target = HandWrittenDropoutSite.StripConversions(element.ArrayReference);
        }
        else if (target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } indexed })
        {
            target = HandWrittenDropoutSite.StripConversions(indexed);
        }

        return target is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } reference && HandWrittenDropoutModel.IsSelf(reference.Instance)
            ? reference.Member.OriginalDefinition
            : null;
    }

    // `_mask = ...`, `_mask[i, j] = ...`: the member (or one of its elements) is written, not read.
    private static bool IsWritten(IOperation reference)
    {
        IOperation target = reference;
        if (target.Parent is IArrayElementReferenceOperation element && element.ArrayReference == target)
        {
            target = element;
        }
        else if (target.Parent is IPropertyReferenceOperation { Property.IsIndexer: true } indexer && indexer.Instance == target)
        {
            target = indexer;
        }

        return target.Parent is IAssignmentOperation assignment && assignment.Target == target;
    }

    // `_layer`, `_blocks[i]`, `Layers[i]`: a component held by a member of this object, with its written form as the key.
    private static (ISymbol Member, string Key)? ComponentOf(IOperation receiver)
    {
        receiver = HandWrittenDropoutSite.StripConversions(receiver);
        IOperation holder = receiver switch
        {
            IArrayElementReferenceOperation element => HandWrittenDropoutSite.StripConversions(element.ArrayReference),
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } indexed } => HandWrittenDropoutSite.StripConversions(indexed),
            _ => receiver,
        };
        if (holder is not IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member
            || !HandWrittenDropoutModel.IsSelf(member.Instance)
            || member.Member is IPropertySymbol { IsIndexer: true })
        {
            return null;
        }

        return (member.Member.OriginalDefinition, string.Concat(receiver.Syntax.ToString().Where(character => !char.IsWhiteSpace(character))));
    }

    // Whether the re-run's value reaches the component backward's arguments (directly, or through locals assigned from it):
    // then the re-run is the forward whose output is being differentiated, not a second run.
    private static bool ReachesArguments(IInvocationOperation rerun, IInvocationOperation backward, IOperation root)
    {
        var tainted = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (IOperation operation in root.Descendants())
            {
                (ILocalSymbol? target, IOperation? value) = operation switch
                {
                    ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment => (local.Local, assignment.Value),
                    IVariableDeclaratorOperation { Initializer: { } initializer } declarator => (declarator.Symbol, initializer.Value),
                    _ => (null, null),
                };
                if (target is not null && value is not null && !tainted.Contains(target) && Mentions(value, rerun, tainted))
                {
                    tainted.Add(target);
                    changed = true;
                }
            }
        }

        return backward.Arguments.Any(argument => Mentions(argument.Value, rerun, tainted));
    }

    private static bool Mentions(IOperation value, IInvocationOperation rerun, HashSet<ILocalSymbol> tainted) =>
        HandWrittenDropoutSite.EnumerateSelfAndDescendants(value).Any(operation => operation == rerun
            || operation is ILocalReferenceOperation local && tainted.Contains(local.Local));

    // The re-run passes an argument the owner's forward left at its default, or a constant the owner's call does not pass
    // (`Forward(x, reuseMask: true)`, `Forward(x, seed: 7)`): it asks the forward for something else than a fresh run.
    private static bool ChangesTheDraw(IInvocationOperation rerun, IInvocationOperation ownerCall)
    {
        foreach (IArgumentOperation argument in rerun.Arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Parameter is not { } parameter)
            {
                continue;
            }

            IArgumentOperation? owner = ownerCall.Arguments.FirstOrDefault(candidate => SymbolEqualityComparer.Default.Equals(candidate.Parameter, parameter));
            if (owner is null || owner.ArgumentKind != ArgumentKind.Explicit)
            {
                return true;
            }

            Optional<object?> constant = HandWrittenDropoutSite.StripConversions(argument.Value).ConstantValue;
            if (constant.HasValue && !Equals(constant.Value, HandWrittenDropoutSite.StripConversions(owner.Value).ConstantValue.Value))
            {
                return true;
            }
        }

        return false;
    }
}
