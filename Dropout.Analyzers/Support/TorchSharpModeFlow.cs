using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// What DRP024 and DRP025 read from a method body: the mode calls (<c>eval()</c>, <c>train()</c>), optimizer steps and
/// module runs, in source order, and the loops around them. A call of a helper method declared in source stands for
/// the mode calls and steps in the helper's body (one level deep), so <c>Evaluate(model)</c> that calls
/// <c>model.eval()</c> counts as an <c>eval()</c> where it is called.
/// </summary>
internal sealed class TorchSharpModeFlow
{
    private static readonly ImmutableArray<string> DefaultMethodNameWords =
        ImmutableArray.Create("Predict", "Infer", "Inference", "Evaluate", "Evaluation", "Test", "Validate", "Validation");

    // Unit tests and benchmarks are named Test... but are not inference paths of a model. Matched by name, with or
    // without the Attribute suffix, so that a test whose framework is not referenced (an unresolved attribute) counts.
    private static readonly ImmutableHashSet<string> TestAttributeNames =
        ImmutableHashSet.Create("Fact", "Theory", "Test", "TestMethod", "DataTestMethod", "TestCase", "Benchmark", "SkippableFact", "SkippableTheory");

    private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<FlowKind>> _summaries = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _configuredWords = new(StringComparer.Ordinal);

    public TorchSharpModeFlow(TorchSharpModels models)
    {
        Models = models;
    }

    public TorchSharpModels Models { get; }

    public TorchSharpSymbols Symbols => Models.Symbols;

    /// <summary>
    /// Registers, for every operation block, the collection of its events (from the invocations the driver visits
    /// anyway, rather than a walk of our own) and <paramref name="analyze"/> at the end of the block, with the events in
    /// source order and the block's loops.
    /// </summary>
    public void RegisterBlockAnalysis(CompilationStartAnalysisContext start, Action<OperationBlockAnalysisContext, ImmutableArray<FlowEvent>, ImmutableArray<ILoopOperation>> analyze)
    {
        start.RegisterOperationBlockStartAction(blockStart =>
        {
            if (blockStart.OwningSymbol is not IMethodSymbol owner)
            {
                return;
            }

            var events = new List<FlowEvent>();
            var loops = new List<ILoopOperation>();
            blockStart.RegisterOperationAction(
                context =>
                {
                    lock (events)
                    {
                        Collect(context.Operation, owner, events, loops, context.CancellationToken);
                    }
                },
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.Invalid,
                OperationKind.Loop);
            blockStart.RegisterOperationBlockEndAction(end =>
            {
                ImmutableArray<FlowEvent> ordered;
                ImmutableArray<ILoopOperation> blockLoops;
                lock (events)
                {
                    if (events.Count == 0)
                    {
                        return;
                    }

                    // Stable by position: a helper's events stay in the order of its body.
                    ordered = events.Select((e, index) => (e, index)).OrderBy(pair => pair.e.Position).ThenBy(pair => pair.index).Select(pair => pair.e).ToImmutableArray();
                    blockLoops = loops.ToImmutableArray();
                }

                analyze(end, ordered, blockLoops);
            });
        });
    }

    private void Collect(IOperation operation, IMethodSymbol owner, List<FlowEvent> events, List<ILoopOperation> loops, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case ILoopOperation loop:
                loops.Add(loop);
                return;
            case IInvalidOperation { Syntax: InvocationExpressionSyntax } invalid:
                if (HelperCandidate(invalid, owner, cancellationToken) is { } candidate)
                {
                    // A helper call that does not bind (an argument of a type the project defines elsewhere, code
                    // being typed): the helper it names still says what it does to the mode.
                    foreach (FlowKind kind in Summary(candidate, cancellationToken))
                    {
                        events.Add(new FlowEvent(kind, invalid.Syntax.SpanStart, invalid, viaHelper: true));
                    }
                }

                return;
            case IObjectCreationOperation { Constructor: { } constructor } creation when constructor.Locations.Any(location => location.IsInSource):
                // A scope object whose constructor switches the model (`using var scope = new EvalScope(model)`).
                foreach (FlowKind kind in Summary(constructor.OriginalDefinition, cancellationToken))
                {
                    if (kind != FlowKind.Step)
                    {
                        events.Add(new FlowEvent(kind, creation.Syntax.SpanStart, creation, viaHelper: true));
                    }
                }

                return;
            case IInvocationOperation invocation:
                int position = invocation.Syntax.SpanStart;
                if (Symbols.ModeCall(invocation) is { } mode)
                {
                    events.Add(new FlowEvent(mode == ModuleMode.Eval ? FlowKind.Eval : FlowKind.Train, position, invocation));
                }
                else if (Symbols.IsOptimizerStep(invocation))
                {
                    events.Add(new FlowEvent(FlowKind.Step, position, invocation));
                }
                else if (Symbols.IsModuleRun(invocation))
                {
                    events.Add(new FlowEvent(FlowKind.Run, position, invocation));
                }
                else if (invocation.TargetMethod.MethodKind == MethodKind.Ordinary && invocation.TargetMethod.Locations.Any(location => location.IsInSource))
                {
                    foreach (FlowKind kind in Summary(invocation.TargetMethod.OriginalDefinition, cancellationToken))
                    {
                        events.Add(new FlowEvent(kind, position, invocation, viaHelper: true));
                    }
                }

                return;
        }
    }

    private static IMethodSymbol? HelperCandidate(IInvalidOperation invalid, ISymbol? owner, CancellationToken cancellationToken)
    {
        // Only a call by simple name (Train(...), this.Test(...)) of a method the calling type declares: the cheap
        // test first, since code with errors has many calls that do not bind (Assert.Equal of an unreferenced xunit).
        var syntax = (InvocationExpressionSyntax)invalid.Syntax;
        string? name = syntax.Expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var member } => member.Identifier.ValueText,
            _ => null,
        };
        if (name is null || owner?.ContainingType is not { } type || !type.GetMembers(name).Any(member => member is IMethodSymbol)
            || invalid.SemanticModel is not { } model)
        {
            return null;
        }

        SymbolInfo info = model.GetSymbolInfo(invalid.Syntax, cancellationToken);
        IMethodSymbol[] candidates = info.CandidateSymbols.OfType<IMethodSymbol>()
            .Where(method => method.MethodKind == MethodKind.Ordinary && method.Locations.Any(location => location.IsInSource))
            .ToArray();
        return candidates.Length == 1 ? candidates[0] : null;
    }

    /// <summary>
    /// Whether <paramref name="call"/> (of an evaluation method that would leave the model in evaluation mode) sits in a
    /// training loop that, after the call and around the back edge, reaches its next optimizer <c>step()</c>, or the next
    /// iteration's run of a model passed to the call, before any <c>train()</c> (unless the model runs again between that
    /// <c>train()</c> and the step): the situation DRP025 reports. The loop is
    /// the innermost one around the call that steps an optimizer; mode calls and steps are read directly or through
    /// helpers declared in source (one level deep).
    /// </summary>
    public bool StepsBeforeTrainAfter(IInvocationOperation call, CancellationToken cancellationToken)
    {
        ILoopOperation? loop = null;
        for (IOperation? current = call.Parent; current is not null && loop is null; current = current.Parent)
        {
            if (current is ILoopOperation candidate && Events(candidate, call, cancellationToken).Any(e => e.Kind == FlowKind.Step))
            {
                loop = candidate;
            }
        }

        if (loop is null)
        {
            return false;
        }

        var passed = new HashSet<ISymbol>(call.Arguments.Select(argument => ReceiverSymbol(argument.Value)).Where(symbol => symbol is not null)!, SymbolEqualityComparer.Default);
        ImmutableArray<(FlowKind Kind, int Position, ISymbol? Receiver)> events = Events(loop, call, cancellationToken);
        int first = events.Select((e, index) => (e, index)).FirstOrDefault(pair => pair.e.Position > call.Syntax.SpanStart).index;
        bool ranEarly = false;
        for (int k = 0; k < events.Length; k++)
        {
            (FlowKind kind, int position, ISymbol? receiver) = events[(first + k) % events.Length];
            if (kind == FlowKind.Train && ranEarly)
            {
                // As DRP025 judges it: a run of the model after this train() and before the step is the trained
                // forward, so the early run was inference on purpose (a policy acting in evaluation mode).
                return !RunsAgainBeforeStep(events, first + k, first + events.Length, passed);
            }

            if (kind is FlowKind.Train or FlowKind.Step)
            {
                return kind == FlowKind.Step;
            }

            if (kind == FlowKind.Run && position < call.Syntax.SpanStart && receiver is not null && passed.Contains(receiver))
            {
                ranEarly = true;
            }
        }

        return ranEarly;
    }

    // Walks from the train() at `train` to the end of the walk (`end`, back at the call), both as offsets that wrap.
    private static bool RunsAgainBeforeStep(ImmutableArray<(FlowKind Kind, int Position, ISymbol? Receiver)> events, int train, int end, HashSet<ISymbol> models)
    {
        for (int at = train + 1; at < end; at++)
        {
            (FlowKind kind, _, ISymbol? receiver) = events[at % events.Length];
            if (kind is FlowKind.Step or FlowKind.Eval)
            {
                return false;
            }

            if (kind == FlowKind.Run && receiver is not null && models.Contains(receiver))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="method"/> calls <c>train()</c> (not <c>train(false)</c>) in its own body: what a caller's
    /// flow (DRP025's, one level deep) sees of it.
    /// </summary>
    public bool CallsTrain(IMethodSymbol method, CancellationToken cancellationToken) =>
        Summary(method.OriginalDefinition, cancellationToken).Contains(FlowKind.Train);

    /// <summary>The variable (local, parameter, field, property) or, for <c>this</c>, the type that an operation names: how two calls are known to act on the same model.</summary>
    public static ISymbol? ReceiverSymbol(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
            IInstanceReferenceOperation => operation.Type,
            _ => null,
        };
    }

    // The mode calls, steps and module runs of a loop body in source order (a helper's mode calls and steps at its
    // call), leaving out the call itself.
    private ImmutableArray<(FlowKind Kind, int Position, ISymbol? Receiver)> Events(ILoopOperation loop, IOperation call, CancellationToken cancellationToken)
    {
        var events = new List<(FlowKind Kind, int Position, ISymbol? Receiver)>();
        foreach (IInvocationOperation invocation in loop.Descendants().OfType<IInvocationOperation>())
        {
            int position = invocation.Syntax.SpanStart;
            if (invocation.Syntax == call.Syntax)
            {
                continue;
            }

            if (Symbols.ModeCall(invocation) is { } mode)
            {
                events.Add((mode == ModuleMode.Eval ? FlowKind.Eval : FlowKind.Train, position, null));
            }
            else if (Symbols.IsOptimizerStep(invocation))
            {
                events.Add((FlowKind.Step, position, null));
            }
            else if (Symbols.IsModuleRun(invocation))
            {
                events.Add((FlowKind.Run, position, invocation.Instance is { } instance ? ReceiverSymbol(instance) : null));
            }
            else if (invocation.TargetMethod.MethodKind == MethodKind.Ordinary && invocation.TargetMethod.Locations.Any(location => location.IsInSource))
            {
                events.AddRange(Summary(invocation.TargetMethod.OriginalDefinition, cancellationToken).Select(kind => (kind, position, (ISymbol?)null)));
            }
        }

        return events.Select((e, index) => (e, index)).OrderBy(pair => pair.e.Position).ThenBy(pair => pair.index).Select(pair => pair.e).ToImmutableArray();
    }

    /// <summary>Whether <paramref name="position"/> lies in <paramref name="loop"/>.</summary>
    public static bool Contains(ILoopOperation loop, int position) => loop.Syntax.Span.Contains(position);

    /// <summary>Whether <paramref name="method"/> is evaluation or prediction code: named with a configured word (Predict, Evaluate, Test, ...), not a training method, not a unit test.</summary>
    public bool IsInferenceMethod(IMethodSymbol method, AnalyzerOptions options, SyntaxTree tree)
    {
        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction)
            || InferenceCode.ContainsWord(method.Name, "Train")
            || IsTest(method)
            || (method.ContainingType is { } containing && containing.GetMembers().Any(member => member is IMethodSymbol other && IsTest(other))))
        {
            return false;
        }

        string name = char.ToUpperInvariant(method.Name[0]) + method.Name.Substring(1);
        foreach (string word in MethodNameWords(options, tree))
        {
            if (InferenceCode.ContainsWord(name, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether every call of <paramref name="method"/> in its type comes after an <c>eval()</c> (or <c>train(false)</c>)
    /// in the calling member: an evaluation helper whose callers switch the model to evaluation mode themselves. Read
    /// from syntax; <see langword="false"/> when the type does not call it at all. An override is also called from the
    /// types that declare the methods it overrides (a trainer base class whose <c>Validate</c> calls <c>eval()</c> and
    /// then the derived class's validation step, possibly in another file: only syntax is read there), and a caller that
    /// does not call <c>eval()</c> itself counts when its own callers do (one level up, the template-method shape
    /// <c>Validate → ValidateStep → RunModelAndUpdateValidationStats</c>).
    /// </summary>
    public static bool CallersPutInEval(IMethodSymbol method, CancellationToken cancellationToken) => CallersPutInEval(method, cancellationToken, depth: 1);

    private static bool CallersPutInEval(IMethodSymbol method, CancellationToken cancellationToken, int depth)
    {
        if (method.ContainingType is null)
        {
            return false;
        }

        var types = new List<INamedTypeSymbol> { method.ContainingType };
        for (IMethodSymbol? overridden = method.OverriddenMethod; overridden is not null && types.Count < 8; overridden = overridden.OverriddenMethod)
        {
            if (!types.Contains(overridden.ContainingType, SymbolEqualityComparer.Default))
            {
                types.Add(overridden.ContainingType);
            }
        }

        int calls = 0;
        foreach (INamedTypeSymbol type in types)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                foreach (InvocationExpressionSyntax call in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (TorchSharpModels.InvokedName(call) != method.Name)
                    {
                        continue;
                    }

                    SyntaxNode? caller = call.Ancestors().FirstOrDefault(node => node is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax);
                    if (caller is null || method.DeclaringSyntaxReferences.Any(declaration => declaration.Span.Contains(call.Span)))
                    {
                        return false;
                    }

                    calls++;
                    bool evaluated = caller.DescendantNodes(node => node.SpanStart < call.SpanStart)
                        .OfType<InvocationExpressionSyntax>()
                        .Any(earlier => earlier.Span.End <= call.SpanStart && IsEvalSyntax(earlier));
                    if (!evaluated && !(depth > 0 && CallerMethod(type, caller) is { } callerMethod && CallersPutInEval(callerMethod, cancellationToken, depth - 1)))
                    {
                        return false;
                    }
                }
            }
        }

        return calls > 0;
    }

    // The method of `type` declared by `caller` (matched by its declaration, since another file's semantic model may
    // not be asked for).
    private static IMethodSymbol? CallerMethod(INamedTypeSymbol type, SyntaxNode caller) =>
        caller is MethodDeclarationSyntax declaration
            ? type.GetMembers(declaration.Identifier.ValueText).OfType<IMethodSymbol>()
                .FirstOrDefault(candidate => candidate.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == caller.SyntaxTree && reference.Span == caller.Span))
            : null;

    /// <summary>
    /// Whether the type that declares <paramref name="member"/> (a field or property holding a model) puts it in
    /// evaluation mode somewhere (<c>_model.eval()</c> after loading it, say) and never back in training mode: a
    /// predictor class whose model is always evaluated. Read from syntax.
    /// </summary>
    public static bool MemberIsKeptInEval(ISymbol member, CancellationToken cancellationToken)
    {
        bool evaluated = false;
        foreach (SyntaxReference reference in member.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (InvocationExpressionSyntax invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (invocation.Expression is not MemberAccessExpressionSyntax { Expression: var receiver } || ReceiverName(receiver) != member.Name)
                {
                    continue;
                }

                if (IsEvalSyntax(invocation))
                {
                    evaluated = true;
                }
                else if (TorchSharpModels.InvokedName(invocation) == "train")
                {
                    return false;
                }
            }
        }

        return evaluated;
    }

    private static string? ReceiverName(ExpressionSyntax receiver) => receiver switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
        _ => null,
    };

    internal static bool IsEvalSyntax(InvocationExpressionSyntax invocation) =>
        TorchSharpModels.InvokedName(invocation) switch
        {
            "eval" => invocation.ArgumentList.Arguments.Count == 0,
            "train" => invocation.ArgumentList.Arguments.Count == 1 && invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression),
            _ => false,
        };

    // A unit test, or (by the test above) any method of a test class: its helpers (TestDropBlocks(...) called by
    // [Fact] methods) exercise dropout on purpose.
    private static bool IsTest(IMethodSymbol method) =>
        method.GetAttributes().Any(attribute => attribute.AttributeClass is { } type && TestAttributeNames.Contains(WithoutAttributeSuffix(type.Name)));

    private static string WithoutAttributeSuffix(string name) =>
        name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;

    private IEnumerable<string> MethodNameWords(AnalyzerOptions options, SyntaxTree tree)
    {
        if (options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(InferenceCode.MethodNamesOptionKey, out string? configured))
        {
            return _configuredWords.GetOrAdd(configured, static text => text.Split(',').Select(word => word.Trim()).Where(word => word.Length > 0).ToImmutableArray());
        }

        return DefaultMethodNameWords;
    }

    // The mode calls and optimizer steps of a helper, read from its syntax: eval(), train(), train(false), and step() on
    // a receiver that is an optimizer parameter or field of the helper, or is named like one.
    private ImmutableArray<FlowKind> Summary(IMethodSymbol method, CancellationToken cancellationToken) => _summaries.GetOrAdd(method, m =>
    {
        var kinds = ImmutableArray.CreateBuilder<FlowKind>();
        foreach (SyntaxReference reference in m.DeclaringSyntaxReferences)
        {
            foreach (InvocationExpressionSyntax invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                string? name = TorchSharpModels.InvokedName(invocation);
                int arguments = invocation.ArgumentList.Arguments.Count;
                switch (name)
                {
                    case "eval" when arguments == 0:
                        kinds.Add(FlowKind.Eval);
                        break;
                    case "train" when arguments <= 1:
                        kinds.Add(arguments == 1 && invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression) ? FlowKind.Eval : FlowKind.Train);
                        break;
                    case "step" when IsOptimizerReceiver(invocation, m):
                        kinds.Add(FlowKind.Step);
                        break;
                }
            }

            // A helper that returns a scope object (`EvalScope(this Module m) => new Restore(m)`): what the scope's
            // constructor does to the mode (one level, by syntax), as if the helper did it.
            if (m.MethodKind != MethodKind.Constructor)
            {
                foreach (ObjectCreationExpressionSyntax creation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
                {
                    kinds.AddRange(ConstructorModeKinds(m, creation, cancellationToken));
                }
            }
        }

        return kinds.ToImmutable();
    });

    // The eval() / train() calls of the source constructors of the type `creation` names, found among the types nested
    // in the helper's type or declared beside it; the optimizer's step is no scope's business.
    private static IEnumerable<FlowKind> ConstructorModeKinds(IMethodSymbol helper, ObjectCreationExpressionSyntax creation, CancellationToken cancellationToken)
    {
        string? name = creation.Type switch
        {
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            _ => null,
        };
        if (name is null || helper.ContainingType is not { } type)
        {
            yield break;
        }

        IEnumerable<INamedTypeSymbol> candidates = type.GetTypeMembers(name)
            .Concat(type.ContainingType?.GetTypeMembers(name) ?? ImmutableArray<INamedTypeSymbol>.Empty)
            .Concat(type.ContainingNamespace?.GetTypeMembers(name) ?? ImmutableArray<INamedTypeSymbol>.Empty);
        foreach (INamedTypeSymbol candidate in candidates)
        {
            foreach (IMethodSymbol constructor in candidate.InstanceConstructors)
            {
                foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
                {
                    foreach (InvocationExpressionSyntax invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
                    {
                        int arguments = invocation.ArgumentList.Arguments.Count;
                        switch (TorchSharpModels.InvokedName(invocation))
                        {
                            case "eval" when arguments == 0:
                                yield return FlowKind.Eval;
                                break;
                            case "train" when arguments <= 1:
                                yield return arguments == 1 && invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression) ? FlowKind.Eval : FlowKind.Train;
                                break;
                        }
                    }
                }
            }
        }
    }

    private bool IsOptimizerReceiver(InvocationExpressionSyntax invocation, IMethodSymbol method)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Expression: var receiver })
        {
            return false;
        }

        string? name = receiver switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => null,
        };
        if (name is null || Symbols.Optimizer is not { } optimizer)
        {
            return false;
        }

        ITypeSymbol? declared = method.Parameters.FirstOrDefault(parameter => parameter.Name == name)?.Type
            ?? method.ContainingType?.GetMembers(name).Select(TorchSharpModels.MemberType).FirstOrDefault(type => type is not null);
        if (declared is not null)
        {
            return TorchSharpSymbols.DerivesFrom(declared, optimizer);
        }

        // A local: judged by its name (optimizer, optim, opt, adamOptimizer), not a scheduler's step().
        return name.IndexOf("optim", StringComparison.OrdinalIgnoreCase) >= 0 || name.Equals("opt", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>What a flow event does.</summary>
internal enum FlowKind
{
    /// <summary><c>eval()</c> or <c>train(false)</c>.</summary>
    Eval,

    /// <summary><c>train()</c>.</summary>
    Train,

    /// <summary>An optimizer's <c>step()</c>.</summary>
    Step,

    /// <summary>A module's <c>forward</c> or <c>call</c>.</summary>
    Run,
}

/// <summary>One mode call, step or run, at a source position (a helper call carries its body's events at the call).</summary>
internal readonly struct FlowEvent
{
    public FlowEvent(FlowKind kind, int position, IOperation invocation, bool viaHelper = false)
    {
        Kind = kind;
        Position = position;
        Invocation = invocation;
        ViaHelper = viaHelper;
    }

    public FlowKind Kind { get; }

    public int Position { get; }

    /// <summary>The call: an <see cref="IInvocationOperation"/>, or an <see cref="IInvalidOperation"/> for a helper call that did not bind.</summary>
    public IOperation Invocation { get; }

    public bool ViaHelper { get; }
}
