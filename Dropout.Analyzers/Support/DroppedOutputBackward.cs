using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that differentiates through the output of an INVERTED dropout with nothing of the dropout: the forward
/// scales its kept values by 1/p and leaves the dropped output in a member of the type (it zeroes the member's elements in
/// place, directly or through a helper it hands the member to, also a helper that copies the member to a host array, drops
/// there and copies it back; or it stores the array or value the dropout returned, <c>_acts.Add(dropped)</c>); a
/// backward-named method of the type reads that member and also reads something the forward used below the dropout (the
/// weights, the input, a pre-activation), so its gradient reaches the layers below. The derivative of <c>x·m/p</c> is
/// <c>m/p</c>: whatever the backward does with the dropped values (a ReLU derivative of them recovers <c>m</c>, a tanh or
/// GELU derivative does not), the 1/p can only come from the probability. So when the backward, and the methods of the type
/// it calls, read neither the mask, nor any member the dropout's decision, probability, scale or gate depends on (the
/// rate, the flag, the config member the caller passes in), nor divide by a probability of their own (a parameter), the
/// gradient misses at least the 1/p. Classic dropout (no training scale) is not judged here: a ReLU or sigmoid derivative
/// of the dropped output is then exactly the mask. Dropout on the network's input (the member only ever holds a
/// parameter) is not judged either: nothing below it is trained.
/// </summary>
internal static partial class DroppedOutputBackward
{
    private static readonly string[] StoringCalls = ["Add", "Insert", "Push", "Enqueue", "AddRange", "SetValue"];

    /// <summary>The backwards that read the dropped output and nothing of the dropout.</summary>
    public static IEnumerable<BackwardFinding> Find(DropoutTypeFacts facts, CancellationToken cancellationToken)
    {
        var reported = new HashSet<SyntaxNode>();
        INamedTypeSymbol? type = facts.Type?.OriginalDefinition;
        foreach (HandWrittenDropoutSite site in facts.Sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (facts.RootOf(site) is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax siteDeclaration } siteRoot
                || DropoutTypeFacts.IsBackwardName(siteDeclaration.Identifier.ValueText)
                || facts.SemanticModelOf(siteDeclaration).GetDeclaredSymbol(siteDeclaration, cancellationToken) is not IMethodSymbol siteMethod)
            {
                continue;
            }

            // Inverted dropout: a 1/p reaches the kept values in training. Classic dropout's backward may be exactly a
            // derivative of the dropped output (ReLU, sigmoid), so it is not judged.
            if (!facts.ScalesFor(site, cancellationToken).Any(scale => scale.Place == ScalePlace.Training && scale.Kind == ScaleKind.InverseKeep))
            {
                continue;
            }

            // The forward places: the site's own method, or each call of it (a private helper) in another method of the type.
            var places = new List<(IOperation Root, IOperation At)>();
            var dropped = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            DroppedInBody(site, siteRoot, siteMethod, dropped);
            if (dropped.Count > 0)
            {
                places.Add((siteRoot, site.Decision));
            }

            foreach (IOperation root in facts.Roots)
            {
                if (root == siteRoot)
                {
                    continue;
                }

                foreach (IInvocationOperation call in root.Descendants().OfType<IInvocationOperation>())
                {
                    if (SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, siteMethod.OriginalDefinition)
                        && HandWrittenDropoutModel.IsSelf(call.Instance)
                        && DroppedAtCall(site, siteRoot, siteMethod, root, call, dropped))
                    {
                        places.Add((root, call));
                    }
                }
            }

            dropped.RemoveWhere(member => OnlyEverHoldsParameters(facts, site, member));
            if (dropped.Count == 0 || places.Count == 0)
            {
                continue;
            }

            // Some code outside the dropout reads a stored mask: it may apply it.
            // (A "mask" that is the dropped output itself, `_h[i] = u < rate ? 0 : z / keep`, is not a mask of its own.)
            if (site.MaskSymbol is IFieldSymbol or IPropertySymbol && !dropped.Contains(site.MaskSymbol.OriginalDefinition)
                && facts.Roots.Any(root => root != siteRoot && PreDropRecordBackward.ReadsMember(root, site.MaskSymbol.OriginalDefinition)))
            {
                continue;
            }

            HashSet<ISymbol> state = State(site, siteRoot, places, type);
            state.ExceptWith(dropped);

            // What the forward used below the dropout (weights, the input, a pre-activation): a backward that reads one of
            // them carries the gradient below the dropped units.
            HashSet<ISymbol> below = MembersReadBefore(places, state, member => dropped.Contains(member.OriginalDefinition));

            // Units that record their own value before the drop: the kept value comes from a call on an element of a member
            // collection (`foreach (var n in Neurons) { double output = n.FeedForward(x); if (u < rate) output = 0; ... }`),
            // and each element keeps what it computed (its output, its input) for the update.
            HashSet<ISymbol> unitRecords = UnitRecords(site, siteRoot);

            foreach (IOperation root in facts.Roots)
            {
                if (root is not IMethodBodyOperation { Syntax: MethodDeclarationSyntax declaration }
                    || places.Any(place => place.Root == root) || root == siteRoot
                    || reported.Contains(declaration)
                    || facts.Sites.Any(other => declaration.Encloses(other.Decision.Syntax)))
                {
                    continue;
                }

                ISymbol? read = DropoutTypeFacts.IsBackwardName(declaration.Identifier.ValueText)
                    ? dropped.FirstOrDefault(member => PreDropRecordBackward.ReadsMember(root, member)) ?? unitRecords.FirstOrDefault(member => ReadsUnitState(root, member))
                    : IsDerivativeUpdate(declaration, root) ? unitRecords.FirstOrDefault(member => ReadsUnitState(root, member)) : null;
                // Any method that updates what the forward multiplied with a derivative at the unit's own record (its name aside).
                read ??= DifferentiatedUnitRecord(site, siteRoot, places, root, dropped, state);
                if (read is null
                    || !OwesTheForwardsMaskAndScale(facts, site, root, below, state, cancellationToken))
                {
                    continue;
                }

                reported.Add(declaration);
                yield return new BackwardFinding(declaration, dropped.Contains(read)
                    ? "'" + read.Name + "', the output of an inverted dropout,"
                    : "what the units of '" + read.Name + "' recorded before their output was dropped (inverted dropout),");
            }
        }
    }

    // Members of the type that hold the site's dropped values after its method ran: the member whose elements it zeroes
    // (`_h[i] = 0`, through a local row of a member), the member a host copy is copied back into
    // (`data.CopyToHost(host); ... host[i] = 0; ... data.CopyToDevice(host)` with `data` a member), and the member the dropped
    // value or collection is stored into (`_outputs.Add(output)`, `_acts[l] = result`).
    private static void DroppedInBody(HandWrittenDropoutSite site, IOperation root, IMethodSymbol method, HashSet<ISymbol> dropped)
    {
        foreach (IOperation holder in DroppedHolders(site, root))
        {
            if (PreDropRecordBackward.MemberBuffer(holder, root) is { } member)
            {
                dropped.Add(member);
            }
            else if (HandWrittenDropoutSite.StripConversions(holder) is ILocalReferenceOperation local)
            {
                foreach (ISymbol stored in StoredInto(root, local.Local))
                {
                    dropped.Add(stored);
                }
            }
        }
    }

    // The operations that hold the dropped values in the site's method: the zeroed collection (or the zeroed local itself),
    // and the local that receives the decision's result.
    private static IEnumerable<IOperation> DroppedHolders(HandWrittenDropoutSite site, IOperation root)
    {
        var holders = new List<IOperation>();

        if (site.ZeroedTarget is { } target)
        {
            holders.Add(HandWrittenDropoutModel.ElementCollection(target) is { } collection ? HandWrittenDropoutSite.StripConversions(collection) : HandWrittenDropoutSite.StripConversions(target));
        }

        for (IOperation? current = site.Decision.Parent; current is not null and not IBlockOperation; current = current.Parent)
        {
            // A boolean flag recorded by the decision is the mask, not the dropped values.
            if (current is ISimpleAssignmentOperation { Target: var assigned } && assigned.Type?.SpecialType != SpecialType.System_Boolean)
            {
                holders.Add(HandWrittenDropoutModel.ElementCollection(assigned) is { } collection ? HandWrittenDropoutSite.StripConversions(collection) : HandWrittenDropoutSite.StripConversions(assigned));
                break;
            }

            // `double dropped = u < rate ? 0 : z / keep;`: the local holds the dropped value.
            if (current is IVariableDeclaratorOperation declarator && HandWrittenDropoutSite.IsNumeric(declarator.Symbol.Type))
            {
                if (root.Descendants().OfType<ILocalReferenceOperation>().FirstOrDefault(use => SymbolEqualityComparer.Default.Equals(use.Local, declarator.Symbol)) is { } reference)
                {
                    holders.Add(reference);
                }

                break;
            }
        }

        // A boolean mask recorded by the decision and tested in a branch that zeroes the unit (`m[l][i] = u < rate; if
        // (m[l][i]) h[i] = 0; else h[i] /= keep;`): the zeroed collection holds the dropped values.
        if (site.MaskSymbol is { } mask)
        {
            foreach (IConditionalOperation branch in root.Descendants().OfType<IConditionalOperation>())
            {
                if (!HandWrittenDropoutSite.EnumerateSelfAndDescendants(branch.Condition).Any(part => part is IArrayElementReferenceOperation entry
                    && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutModel.MaskCollectionSymbol(entry.ArrayReference), mask)))
                {
                    continue;
                }

                foreach (IOperation write in new[] { branch.WhenTrue, branch.WhenFalse }.Where(part => part is not null).SelectMany(part => HandWrittenDropoutSite.EnumerateSelfAndDescendants(part!)))
                {
                    if (write is ISimpleAssignmentOperation zeroing && HandWrittenDropoutSite.IsZero(zeroing.Value)
                        && HandWrittenDropoutModel.ElementCollection(zeroing.Target) is { } zeroed)
                    {
                        holders.Add(HandWrittenDropoutSite.StripConversions(zeroed));
                    }
                }
            }
        }

        // A host copy dropped and copied back into a parameter (`data.CopyToHost(host); ... data.CopyToDevice(host)`): the
        // parameter holds the dropped values when the method returns.
        foreach (IOperation holder in holders.ToList())
        {
            if (holder is not ILocalReferenceOperation { Local: var local })
            {
                continue;
            }

            foreach (ILocalReferenceOperation use in root.Descendants().OfType<ILocalReferenceOperation>())
            {
                if (SymbolEqualityComparer.Default.Equals(use.Local, local)
                    && HandWrittenDropoutSite.ClimbConversions(use).Parent is IArgumentOperation { Parent: IInvocationOperation { Instance: { } instance } call }
                    && call.Syntax.SpanStart > site.Decision.Syntax.SpanStart
                    && IsStoringCall(call.TargetMethod.Name)
                    && HandWrittenDropoutSite.StripConversions(instance) is IParameterReferenceOperation parameter)
                {
                    holders.Add(parameter);
                }
            }
        }

        // A decision that writes a 0/1 or 0/scale mask (`_mask[j] = keep ? scale : 0f`, then `_hidden[j] = a * _mask[j]`)
        // stores the mask, not the dropped values: a collection whose elements the method multiplies by is a mask.
        holders.RemoveAll(holder => MultipliesByElementsOf(root, holder));
        return holders;
    }

    private static bool MultipliesByElementsOf(IOperation root, IOperation holder)
    {
        if (HandWrittenDropoutModel.MaskCollectionSymbol(holder) is not { } collection)
        {
            return false;
        }

        return root.Descendants().Any(operation => operation switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product => IsElementOf(product.LeftOperand, collection) || IsElementOf(product.RightOperand, collection),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound => IsElementOf(compound.Value, collection),
            _ => false,
        });
    }

    private static bool IsElementOf(IOperation operand, ISymbol collection) =>
        HandWrittenDropoutModel.ElementCollection(operand) is { } elements
        && SymbolEqualityComparer.Default.Equals(HandWrittenDropoutModel.MaskCollectionSymbol(elements), collection);

    private static IEnumerable<IOperation> EnclosingConditions(IOperation operation, IOperation root)
    {
        for (IOperation? current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IConditionalOperation { Condition: var condition })
            {
                yield return condition;
            }
        }
    }

    // `g / keep`, `g / (1 - rate)`, `g * (1 / keep)` with the probability a parameter of the backward: the caller passes the
    // forward's probability in. A product with a parameter (`lr * g`) is a learning rate, not a 1/p.

    /// <summary>
    /// The fields and properties of the type a forward reads before each of its drop places (weights, the input, a
    /// pre-activation), other than the dropout's own state, scalars and what <paramref name="excluded"/> names: a backward
    /// that reads one of them carries the gradient below the dropped units.
    /// </summary>
    private static HashSet<ISymbol> MembersReadBefore(IEnumerable<(IOperation Root, IOperation At)> places, HashSet<ISymbol> state, Func<ISymbol, bool> excluded)
    {
        var below = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach ((IOperation root, IOperation at) in places)
        {
            foreach (IOperation operation in root.Descendants())
            {
                if (operation.Syntax.Span.End <= at.Syntax.SpanStart
                    && HandWrittenDropoutModel.IsSelfMember(operation)
                    && HandWrittenDropoutSite.ReferencedSymbol(operation) is IFieldSymbol or IPropertySymbol
                    && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } member
                    && !state.Contains(member.OriginalDefinition)
                    && !PreDropRecordBackward.IsScalar(member)
                    && !excluded(member))
                {
                    below.Add(member.OriginalDefinition);
                }
            }
        }

        return below;
    }

    /// <summary>
    /// A backward owes the forward's mask and 1/p when it carries the gradient below the dropped units (it reads what the
    /// forward used below the dropout), reads nothing the dropout depends on, divides by no probability parameter, and no
    /// keep-probability scale of the site reaches its body. Shared by the dropped-output and returned-output checks.
    /// </summary>
    private static bool OwesTheForwardsMaskAndScale(DropoutTypeFacts facts, HandWrittenDropoutSite site, IOperation root, HashSet<ISymbol> below, HashSet<ISymbol> state, CancellationToken cancellationToken) =>
        below.Any(member => PreDropRecordBackward.ReadsMember(root, member))
        && !PreDropRecordBackward.ReadsDropout(facts, root, state, depth: 2)
        && !DividesByScalarParameter(root)
        && !facts.ScalesInOtherBody(root, site, cancellationToken).Any(scale => scale.Kind is ScaleKind.InverseKeep or ScaleKind.InverseDrop or ScaleKind.Keep);
    private static bool DividesByScalarParameter(IOperation body) =>
        body.Descendants().Any(operation => operation switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } division => ReadsScalarParameter(division.RightOperand),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Divide } compound => ReadsScalarParameter(compound.Value),
            _ => false,
        });

    private static bool ReadsScalarParameter(IOperation operation) =>
        HandWrittenDropoutSite.EnumerateSelfAndDescendants(operation).Any(part => part is IParameterReferenceOperation { Parameter: var parameter }
            && PreDropRecordBackward.IsScalarParameter(parameter) && parameter.Type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal);

    // The member collections whose elements computed the site's kept value (`n.FeedForward(x)` with `n` an element of `Neurons`,
    // by `foreach` or by index), found from the definitions of the local the site zeroes.
    private static HashSet<ISymbol> UnitRecords(HandWrittenDropoutSite site, IOperation root)
    {
        var records = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        if (site.ZeroedTarget is not { } target || HandWrittenDropoutSite.StripConversions(target) is not ILocalReferenceOperation zeroed)
        {
            return records;
        }

        foreach (IOperation definition in PreDropRecordBackward.DefinitionsOf(root, zeroed.Local))
        {
            if (HandWrittenDropoutSite.StripConversions(definition) is IInvocationOperation { Instance: { } instance }
                && HandWrittenDropoutSite.StripConversions(instance) is ILocalReferenceOperation { Local: var unit }
                && UnitCollection(root, unit) is { } collection)
            {
                records.Add(collection);
            }
        }

        return records;
    }

    // The member collection a local walks: `foreach (var n in Neurons)` or `var n = Neurons[i]`.
    private static ISymbol? UnitCollection(IOperation root, ILocalSymbol unit)
    {
        foreach (IOperation operation in root.Descendants())
        {
            if (operation is IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation { Symbol: var variable } } loop
                && SymbolEqualityComparer.Default.Equals(variable, unit))
            {
                return PreDropRecordBackward.MemberBuffer(loop.Collection, root) ?? (HandWrittenDropoutSite.StripConversions(loop.Collection) is IMemberReferenceOperation member && HandWrittenDropoutModel.IsSelf(member.Instance) ? HandWrittenDropoutSite.ReferencedSymbol(member)?.OriginalDefinition : null);
            }
        }

        List<IOperation> definitions = PreDropRecordBackward.DefinitionsOf(root, unit).ToList();
        return definitions.Count == 1 && HandWrittenDropoutModel.ElementCollection(definitions[0]) is { } collection
            ? PreDropRecordBackward.MemberBuffer(collection, root) ?? HandWrittenDropoutSite.ReferencedSymbol(collection)?.OriginalDefinition
            : null;
    }

    // The backward reads what an element of the collection recorded: a member of a local that walks the collection
    // (`foreach (var n in Neurons) ... n.Output`).
    private static bool ReadsUnitState(IOperation body, ISymbol collection) =>
        body.Descendants().Any(operation => operation is IMemberReferenceOperation { Instance: { } instance } and (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
            && HandWrittenDropoutSite.StripConversions(instance) is ILocalReferenceOperation { Local: var unit }
            && SymbolEqualityComparer.Default.Equals(UnitCollection(body, unit), collection));

    // A weight update that computes derivatives itself (`UpdateWeights` calling `SigmoidDerivative(n.Output)`): the name says
    // update, the calls say it differentiates.
    private static bool IsDerivativeUpdate(MethodDeclarationSyntax declaration, IOperation body) =>
        declaration.Identifier.ValueText.IndexOf("Update", StringComparison.Ordinal) >= 0
        && body.Descendants().Any(operation => operation is IInvocationOperation call && call.TargetMethod.Name.IndexOf("Deriv", StringComparison.OrdinalIgnoreCase) >= 0);

    private static bool IsStoringCall(string name) =>
        StoringCalls.Contains(name) || name.StartsWith("CopyTo", StringComparison.Ordinal) || name.StartsWith("CopyFrom", StringComparison.Ordinal);

    // Members a local's value (or its elements) ends up in within the body: `member.Add(local)`, `member[k] = local`,
    // `member = local`, or a call on a member that takes the local (`member.CopyFrom(local)`, `member.CopyToDevice(local)`).
    private static IEnumerable<ISymbol> StoredInto(IOperation body, ILocalSymbol local)
    {
        foreach (ILocalReferenceOperation use in body.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(use.Local, local))
            {
                continue;
            }

            IOperation value = HandWrittenDropoutSite.ClimbConversions(use);
            if (value.Parent is ISimpleAssignmentOperation assignment && assignment.Value == value
                && PreDropRecordBackward.MemberBuffer(HandWrittenDropoutModel.ElementCollection(assignment.Target) ?? assignment.Target, body) is { } target)
            {
                yield return target;
            }
            else if (value.Parent is IArgumentOperation { Parent: IInvocationOperation { Instance: { } instance } call }
                && IsStoringCall(call.TargetMethod.Name)
                && PreDropRecordBackward.MemberBuffer(instance, body) is { } receiver)
            {
                yield return receiver;
            }
        }
    }

    // A call of the site's method (a private dropout helper) in a forward: the member the helper's dropped collection
    // parameter is handed (`ApplyDropout(_hidden[l], l)`, `Drop(_h)`), and the members its returned dropped array is stored
    // into (`var a = Dropout(h, rate); _acts.Add(a);`). The value handed in must not be a parameter of the forward (dropout
    // on the input).
    private static bool DroppedAtCall(HandWrittenDropoutSite site, IOperation siteRoot, IMethodSymbol siteMethod, IOperation root, IInvocationOperation call, HashSet<ISymbol> dropped)
    {
        bool found = false;
        foreach (IOperation holder in DroppedHolders(site, siteRoot))
        {
            if (holder is IParameterReferenceOperation { Parameter: var parameter }
                && call.Arguments.FirstOrDefault(argument => SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition)) is { } argument)
            {
                IOperation value = HandWrittenDropoutSite.StripConversions(argument.Value);
                if (PreDropRecordBackward.MemberBuffer(value, root) is { } member)
                {
                    dropped.Add(member);
                    found = true;
                }
            }
            else if (holder is ILocalReferenceOperation { Local: var local } && Returns(siteRoot, local)
                && !call.Arguments.Any(argument => HandWrittenDropoutSite.StripConversions(argument.Value) is IParameterReferenceOperation))
            {
                IOperation value = HandWrittenDropoutSite.ClimbConversions(call);
                if (value.Parent is ISimpleAssignmentOperation assignment && assignment.Value == value)
                {
                    if (PreDropRecordBackward.MemberBuffer(HandWrittenDropoutModel.ElementCollection(assignment.Target) ?? assignment.Target, root) is { } member)
                    {
                        dropped.Add(member);
                        found = true;
                    }
                    else if (HandWrittenDropoutSite.StripConversions(assignment.Target) is ILocalReferenceOperation target)
                    {
                        found |= AddAll(dropped, StoredInto(root, target.Local));
                    }
                }
                else if (value.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
                {
                    found |= AddAll(dropped, StoredInto(root, declarator.Symbol));
                }
                else if (value.Parent is IArgumentOperation { Parent: IInvocationOperation { Instance: { } instance } store }
                    && StoringCalls.Contains(store.TargetMethod.Name)
                    && PreDropRecordBackward.MemberBuffer(instance, root) is { } receiver)
                {
                    dropped.Add(receiver);
                    found = true;
                }
            }
        }

        return found;
    }

    private static bool AddAll(HashSet<ISymbol> set, IEnumerable<ISymbol> items)
    {
        bool any = false;
        foreach (ISymbol item in items)
        {
            set.Add(item);
            any = true;
        }

        return any;
    }

    private static bool Returns(IOperation root, ILocalSymbol local) =>
        root.Descendants().Any(operation => operation is IReturnOperation { ReturnedValue: { } returned }
            && HandWrittenDropoutSite.StripConversions(returned) is ILocalReferenceOperation reference
            && SymbolEqualityComparer.Default.Equals(reference.Local, local));

    // A member whose every write stores a parameter (or a copy of one): the network's input, dropped in place. Nothing below
    // it is trained, so its backward needs no mask.
    private static bool OnlyEverHoldsParameters(DropoutTypeFacts facts, HandWrittenDropoutSite site, ISymbol member)
    {
        bool any = false;
        foreach (IOperation root in facts.Roots)
        {
            foreach (IOperation operation in root.Descendants())
            {
                IOperation? value = operation switch
                {
                    IAssignmentOperation assignment when PreDropRecordBackward.MemberBuffer(HandWrittenDropoutModel.ElementCollection(assignment.Target) ?? assignment.Target, root) is { } target
                        && SymbolEqualityComparer.Default.Equals(target, member) => assignment.Value,
                    IInvocationOperation { Instance: { } instance, Arguments.Length: > 0 } call when StoringCalls.Contains(call.TargetMethod.Name)
                        && SymbolEqualityComparer.Default.Equals(PreDropRecordBackward.MemberBuffer(instance, root), member) => call.Arguments[call.Arguments.Length - 1].Value,
                    _ => null,
                };
                // The drop itself (`_x[i] = u < rate ? 0 : _x[i] / keep`, or the writes of its branches) is not what the member holds before it.
                if (value is null || operation is IAssignmentOperation { Value: IArrayCreationOperation or IObjectCreationOperation }
                    || site.Decision.Syntax.Encloses(operation.Syntax) || operation.Syntax.Encloses(site.Decision.Syntax))
                {
                    continue;
                }

                any = true;
                IOperation stripped = HandWrittenDropoutSite.StripConversions(value);
                if (!(stripped is IParameterReferenceOperation
                    || (stripped is IArrayElementReferenceOperation { ArrayReference: var array } && HandWrittenDropoutSite.StripConversions(array) is IParameterReferenceOperation)
                    || (stripped is IInvocationOperation { TargetMethod.Name: "ToArray" or "Clone" or "ToList" } copy
                        && copy.Instance is { } copied && HandWrittenDropoutSite.StripConversions(copied) is IParameterReferenceOperation)))
                {
                    return false;
                }
            }
        }

        return any;
    }

    // The dropout's state: the site's own (mask, scalar members its decision, probability, kept value and gate read), plus
    // what each forward place reads for it: the scalar members handed to the helper's parameters (`layer.DropoutRate`,
    // `config.dropoutRate`, of any object) and those of the conditions guarding the call (`if (_training && _rate > 0)`).
    private static HashSet<ISymbol> State(HandWrittenDropoutSite site, IOperation siteRoot, List<(IOperation Root, IOperation At)> places, INamedTypeSymbol? type)
    {
        HashSet<ISymbol> state = PreDropRecordBackward.DropoutState(site, siteRoot, type);
        var sources = new List<IOperation> { site.Probability, site.Decision };
        sources.AddRange(site.KeptValue is { } kept ? new[] { kept } : []);
        // The helper's parameters the dropout depends on (its rate, its flag), not the sizes it is handed.
        var parameters = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation source in sources.Concat(EnclosingConditions(site.Decision, siteRoot)))
        {
            foreach (IOperation part in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source))
            {
                if (part is IParameterReferenceOperation { Parameter: var parameter } && PreDropRecordBackward.IsScalarParameter(parameter))
                {
                    parameters.Add(parameter.OriginalDefinition);
                }
            }
        }

        sources.AddRange(EnclosingConditions(site.Decision, siteRoot));
        foreach ((IOperation root, IOperation at) in places)
        {
            if (at is IInvocationOperation call && root != siteRoot)
            {
                sources.AddRange(call.Arguments.Where(argument => argument.Parameter is { } parameter && parameters.Contains(parameter.OriginalDefinition)).Select(argument => argument.Value));
            }

            for (IOperation? current = at.Parent; current is not null && current != root; current = current.Parent)
            {
                if (current is IConditionalOperation { Condition: var condition })
                {
                    sources.Add(condition);
                }
            }
        }

        foreach (IOperation source in sources)
        {
            foreach (IOperation part in HandWrittenDropoutSite.EnumerateSelfAndDescendants(source))
            {
                if (part is IMemberReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(part) is { } member
                    && PreDropRecordBackward.IsScalar(member) && member.Name is not ("Length" or "Count"))
                {
                    state.Add(member.OriginalDefinition);
                }
            }
        }

        return state;
    }
}
