using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP015 across calls the per-type rule cannot follow: prediction code in one file that runs a layer's always-dropping
/// forward declared in another, directly or through a virtual, abstract or interface call on a receiver of a base type
/// (<c>layers[i].Forward()</c> over a <c>List&lt;Layer&gt;</c>), or a forward whose training flag is fixed to "training" at
/// construction (<c>TrainFlag</c> set only by the constructor, and every <c>new</c> in the compilation passes nothing or
/// <see langword="true"/>).
/// </summary>
/// <remarks>
/// Each method body is summarized (its unguarded calls, the types it tests, whether it switches a mode) by an
/// operation-block action while its own file is analyzed; each dropout type's always-dropping methods come from the shared
/// model at the type's symbol end; a compilation-end action joins them. A call resolves to every method of the compilation
/// that overrides or implements its target, so a base-typed receiver reaches the dropout layer among its implementations.
/// Prediction is followed one call deep (<c>Predict</c> calling a <c>ForwardAll</c> helper), never into training code.
/// Silent when the call is under a condition or after an early exit (<c>if (layer is Dropout d) d.ForwardTest(x); else
/// layer.Forward(x);</c>), when the prediction tests the dropout type at all, switches a mode first, or is Monte Carlo
/// dropout, a unit test or training code by name or attribute.
/// </remarks>
internal static class DispatchedDropoutCalls
{
    private const int MaxDepth = 2;

    /// <summary>Registers the summaries and the join that reports DRP015 for prediction that reaches dropout across calls.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerType(context, () => new State(), Admit);

    private static TypeSummarizer? Admit(State state, INamedTypeSymbol type, SymbolStartAnalysisContext context)
    {
        // Only dropout types and types that declare a prediction method are summarized: asking for every method's
        // operation tree would make the driver build trees no other rule needs.
        bool draws = HandWrittenDropoutModel.MayDraw(type, context.CancellationToken);
        if (!draws && !DeclaresInferenceMethod(type, context.Options, context.CancellationToken))
        {
            return null;
        }

        return new TypeSummarizer(
            (root, block) => state.Summarize(root, block.OwningSymbol),
            draws ? (roots, end) => state.AddDroppingMethods(type, roots, end.Compilation, end.CancellationToken) : null);
    }

    private static bool DeclaresInferenceMethod(INamedTypeSymbol type, AnalyzerOptions options, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(cancellationToken).ChildNodes().OfType<MethodDeclarationSyntax>()
            .Any(method => HandWrittenDropoutInInferenceAnalyzer.IsInferenceMethodName(method.Identifier.ValueText, options, reference.SyntaxTree)));

    /// <summary>A call that runs whenever its method runs: under no condition and after no early exit.</summary>
    private sealed class Call(IMethodSymbol target, Location location, bool passesFlag)
    {
        public IMethodSymbol Target { get; } = target;

        public Location Location { get; } = location;

        public bool PassesFlag { get; } = passesFlag;
    }

    /// <summary>What one method body does with calls: its unconditional calls, the types it tests, whether it switches a mode.</summary>
    private sealed class MethodSummary(IMethodSymbol method, ImmutableArray<Call> calls, ImmutableHashSet<ITypeSymbol> testedTypes, bool assignsMode, ImmutableArray<IMethodSymbol> modeCalls)
    {
        public IMethodSymbol Method { get; } = method;

        public ImmutableArray<Call> Calls { get; } = calls;

        public ImmutableHashSet<ITypeSymbol> TestedTypes { get; } = testedTypes;

        public bool AssignsMode { get; } = assignsMode;

        public ImmutableArray<IMethodSymbol> ModeCalls { get; } = modeCalls;
    }

    /// <summary>
    /// A method with a dropout site that runs on every call, or whose only gates are flags that must be fixed to "training"
    /// by every construction of the type (<see cref="FixedFlags"/>, checked at compilation end).
    /// </summary>
    private sealed class DroppingMethod(IMethodSymbol method, INamedTypeSymbol type, ImmutableArray<FixedFlag> fixedFlags)
    {
        public IMethodSymbol Method { get; } = method;

        public INamedTypeSymbol Type { get; } = type;

        public ImmutableArray<FixedFlag> FixedFlags { get; } = fixedFlags;
    }

    /// <summary>What decides whether a site runs when its method runs, and whether it is off at inference.</summary>
    private sealed class SiteGate(IOperation decision, IOperation root, bool gated, bool offAtInference)
    {
        public IOperation Decision { get; } = decision;

        public IOperation Root { get; } = root;

        public bool Gated { get; } = gated;

        public bool OffAtInference { get; } = offAtInference;
    }

    /// <summary>A training flag written only at construction: from the constant (when it is one) or a constructor parameter.</summary>
    private sealed class FixedFlag(ISymbol flag, ImmutableArray<IParameterSymbol> fromParameters)
    {
        public ISymbol Flag { get; } = flag;

        public ImmutableArray<IParameterSymbol> FromParameters { get; } = fromParameters;
    }

    private sealed class State : ICompilationEndJoin
    {
        private readonly ConcurrentDictionary<IMethodSymbol, MethodSummary> _summaries = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentBag<DroppingMethod> _dropping = [];
        private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentBag<IObjectCreationOperation>> _creations = new(SymbolEqualityComparer.Default);

        /// <summary>Summarizes an ordinary method's body; any other block (constructors, field initializers) builds the layers.</summary>
        public void Summarize(IOperation root, ISymbol owner)
        {
            if (owner is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                SummarizeMethod(method, root);
                return;
            }

            foreach (IObjectCreationOperation creation in root.Descendants().OfType<IObjectCreationOperation>())
            {
                AddCreation(creation);
            }
        }

        /// <summary>The type's methods that drop on every call, from the model's facts over all its blocks.</summary>
        public void AddDroppingMethods(INamedTypeSymbol type, IEnumerable<IOperation> roots, Compilation compilation, CancellationToken cancellationToken)
        {
            DropoutTypeFacts? facts = HandWrittenDropoutModel.For(compilation).FactsFor(type, roots, cancellationToken);
            if (facts is not null)
            {
                AddDroppingMethods(type, facts, compilation, cancellationToken);
            }
        }

        private void SummarizeMethod(IMethodSymbol method, IOperation root)
        {
            ImmutableArray<Call>.Builder calls = ImmutableArray.CreateBuilder<Call>();
            var tested = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
            bool assignsMode = false;
            ImmutableArray<IMethodSymbol>.Builder modeCalls = ImmutableArray.CreateBuilder<IMethodSymbol>();
            foreach (IOperation operation in root.Descendants())
            {
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        // A static method of the compilation counts as an instance one does: a dropout extension method or a static
                        // helper class in a file of its own (`x.WithDropout(rate, rng)`) runs whenever the prediction runs.
                        if (invocation.TargetMethod.MethodKind == MethodKind.Ordinary
                            && (!invocation.TargetMethod.IsStatic || !invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty)
                            && !HandWrittenDropoutInInferenceAnalyzer.IsUnderCondition(invocation, root) && !FollowsEarlyExit(invocation, root))
                        {
                            calls.Add(new Call(invocation.TargetMethod.OriginalDefinition, invocation.Syntax.GetLocation(),
                                invocation.Arguments.Any(argument => argument.ArgumentKind == ArgumentKind.Explicit && argument.Parameter?.Type.SpecialType == SpecialType.System_Boolean)));
                        }

                        if (invocation.TargetMethod is { Name: "OfType" or "Cast", TypeArguments.Length: 1 })
                        {
                            tested.Add(invocation.TargetMethod.TypeArguments[0]);
                        }

                        if (HandWrittenDropoutInInferenceAnalyzer.IsModeSwitchCall(invocation))
                        {
                            modeCalls.Add(invocation.TargetMethod.OriginalDefinition);
                        }

                        break;
                    case IObjectCreationOperation creation:
                        AddCreation(creation);
                        break;
                    case IIsTypeOperation isType:
                        tested.Add(isType.TypeOperand);
                        break;
                    case IDeclarationPatternOperation { MatchedType: { } matched }:
                        tested.Add(matched);
                        break;
                    case ITypePatternOperation { MatchedType: { } matched }:
                        tested.Add(matched);
                        break;
                    // `(layers["D1"] as Dropout).Forward(y)` is a downcast, not a test: only an `as` whose result is checked
                    // (assigned, compared with null) can send the layer elsewhere.
                    case IConversionOperation { IsTryCast: true, Type: { } castTo } tryCast
                        when !(tryCast.Parent is IInvocationOperation { Instance: var instance } && instance == tryCast)
                            && !(tryCast.Parent is IMemberReferenceOperation { Instance: var memberInstance } && memberInstance == tryCast):
                        tested.Add(castTo);
                        break;
                    case ITypeOfOperation typeOf:
                        tested.Add(typeOf.TypeOperand);
                        break;
                    case ISimpleAssignmentOperation assignment:
                        assignsMode |= HandWrittenDropoutInInferenceAnalyzer.IsModeSwitchAssignment(assignment);
                        break;
                }
            }

            MethodSummary summary = new(method.OriginalDefinition, calls.ToImmutable(), tested.ToImmutableHashSet<ITypeSymbol>(SymbolEqualityComparer.Default), assignsMode, modeCalls.ToImmutable());
            _summaries.AddOrUpdate(summary.Method, summary, (_, existing) => existing.Calls.Length >= summary.Calls.Length ? existing : summary);
        }

        // `if (layer is DropLayer) continue; layer.Forward();`: an earlier `if` in an enclosing block that leaves (return,
        // continue, break, throw) may skip the call. Read from the enclosing blocks only, so every body costs one walk up per call.
        private static bool FollowsEarlyExit(IOperation call, IOperation root)
        {
            IOperation child = call;
            for (IOperation? current = call.Parent; current is not null; child = current, current = current.Parent)
            {
                if (current is IBlockOperation block
                    && block.Operations.TakeWhile(statement => statement != child).OfType<IConditionalOperation>()
                        .Any(guard => guard.DescendantsAndSelf().Any(operation => operation is IReturnOperation or IBranchOperation or IThrowOperation)))
                {
                    return true;
                }

                if (current == root)
                {
                    break;
                }
            }

            return false;
        }

        private void AddCreation(IObjectCreationOperation creation)
        {
            if (creation.Constructor is { } constructor && constructor.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean))
            {
                _creations.GetOrAdd(constructor.OriginalDefinition, _ => []).Add(creation);
            }
        }

        /// <summary>The type's methods that drop on every call (or behind flags fixed at construction), as DRP015 judges a site.</summary>
        private void AddDroppingMethods(INamedTypeSymbol type, DropoutTypeFacts facts, Compilation compilation, CancellationToken cancellationToken)
        {
            if (HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(type.Name))
            {
                return;
            }

            var added = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (HandWrittenDropoutSite site in facts.AllSites)
            {
                SemanticModel model = facts.SemanticModelOf(site.Decision.Syntax);
                // A static dropout method (an extension method, a static helper) is run by its callers as an instance one is.
                if (DropoutWithoutInferencePathAnalyzer.OwningMethod(site, model) is not { } method
                    || HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(method)
                    || DropoutTypeFacts.IsBackwardName(method.Name)
                    || method.Parameters.Any(parameter => parameter.Type.SpecialType == SpecialType.System_Boolean || parameter.Type.TypeKind == TypeKind.Enum)
                    || added.Contains(method.OriginalDefinition)
                    || Gate(site, method, facts, model) is not { } gate)
                {
                    continue;
                }

                if (!gate.Gated)
                {
                    added.Add(method.OriginalDefinition);
                    _dropping.Add(new DroppingMethod(method.OriginalDefinition, type, ImmutableArray<FixedFlag>.Empty));
                }
                else if (FixedTrainingFlags(gate.Decision, gate.Root, gate.OffAtInference, type, facts, compilation, cancellationToken) is { IsDefaultOrEmpty: false } flags)
                {
                    added.Add(method.OriginalDefinition);
                    _dropping.Add(new DroppingMethod(method.OriginalDefinition, type, flags));
                }
            }
        }

        // What decides whether the site runs when its owning method runs: the site itself, or (for a mask helper the owner
        // calls, `Mask = Rand(rows, cols)` in `Forward`) the owner's call of the helper. Null for a helper whose call is not
        // in the type's bodies, or a site whose own method is not its owner and does not escape to it.
        private static SiteGate? Gate(HandWrittenDropoutSite site, IMethodSymbol owner, DropoutTypeFacts facts, SemanticModel model)
        {
            ISymbol? enclosing = model.GetEnclosingSymbol(site.Decision.Syntax.SpanStart);
            while (enclosing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
            {
                enclosing = nested.ContainingSymbol;
            }

            if (SymbolEqualityComparer.Default.Equals(enclosing, owner))
            {
                if (site.EscapesToCaller)
                {
                    return null;
                }

                // `_mask[i] = !IsTraining || u > rate`: a flag inside the decision's own condition gates it too.
                IOperation root = facts.RootOf(site);
                bool offAtInference = InferencePath.IsOffAtInference(site, root);
                return new SiteGate(site.Decision, root, site.IsGated || offAtInference || ReadsTrainingFlag(site.Decision), offAtInference);
            }

            if (enclosing is not IMethodSymbol helper)
            {
                return null;
            }

            foreach (IOperation root in facts.Roots)
            {
                foreach (IInvocationOperation call in root.Descendants().OfType<IInvocationOperation>())
                {
                    if (SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, helper.OriginalDefinition)
                        && SymbolEqualityComparer.Default.Equals(facts.SemanticModelOf(call.Syntax).GetEnclosingSymbol(call.Syntax.SpanStart), owner))
                    {
                        bool offAtInference = !InferencePath.RunsAtInference(call, root);
                        return new SiteGate(call, root, HandWrittenDropoutModel.IsGated(call, root) || offAtInference, offAtInference);
                    }
                }
            }

            return null;
        }

        // A training flag read by the decision itself (`_mask[i] = !IsTraining || u > rate`, kept as a boolean mask): the
        // flag decides what the mask holds, whichever way the model reads the mask later.
        private static bool ReadsTrainingFlag(IOperation decision) =>
            decision.DescendantsAndSelf().Any(operation => HandWrittenDropoutSite.ReferencedSymbol(operation) is IFieldSymbol or IPropertySymbol
                && !HandWrittenDropoutSite.IsReceiver(operation)
                && operation.Type?.SpecialType == SpecialType.System_Boolean
                && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } flag && InferencePath.FlagValueAtInference(flag.Name) is not null);

        // `if (TrainFlag) { mask = ...; }` with `TrainFlag` a flag of the type that only construction writes and no code outside
        // the type can set: its value comes from constants and constructor parameters, decided at compilation end by the
        // arguments of every `new`. Only a site whose branch the flag alone decides (on at training, off at inference) counts.
        private static ImmutableArray<FixedFlag> FixedTrainingFlags(IOperation decision, IOperation root, bool offAtInference, INamedTypeSymbol type, DropoutTypeFacts facts, Compilation compilation, CancellationToken cancellationToken)
        {
            if (!offAtInference)
            {
                return default;
            }

            ImmutableArray<ISymbol> flags = InferencePath.GatingFlags(decision, root).Distinct<ISymbol>(SymbolEqualityComparer.Default).ToImmutableArray();
            if (flags.IsEmpty)
            {
                return default;
            }

            ImmutableArray<FixedFlag>.Builder fixedFlags = ImmutableArray.CreateBuilder<FixedFlag>();
            foreach (ISymbol flag in flags)
            {
                if (!SymbolEqualityComparer.Default.Equals(flag.ContainingType?.OriginalDefinition, type.OriginalDefinition)
                    || IsSettableFromOutside(flag)
                    || flag.DeclaringSyntaxReferences.Length != 1
                    || SettingConditions.IsWrittenOutsideConstruction(compilation, flag.Name, cancellationToken))
                {
                    return default;
                }

                SemanticModel model = facts.SemanticModelOf(flag.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken));
                SymbolValues values = HandWrittenDropoutModel.For(compilation).ValuesOf(flag, root, model, cancellationToken);
                if (!values.IsComplete || values.Values.IsEmpty)
                {
                    return default;
                }

                var parameters = ImmutableArray.CreateBuilder<IParameterSymbol>();
                bool other = false;
                foreach (IOperation value in values.Values)
                {
                    IOperation stripped = HandWrittenDropoutSite.StripConversions(value);
                    if (stripped is IParameterReferenceOperation { Parameter: { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } } parameter })
                    {
                        parameters.Add(parameter);
                    }
                    else if (!InferencePath.SwitchesTrainingOn(flag, stripped))
                    {
                        other = true;
                    }
                }

                if (other)
                {
                    return default;
                }

                fixedFlags.Add(new FixedFlag(flag, parameters.ToImmutable()));
            }

            return fixedFlags.ToImmutable();
        }

        private static bool IsSettableFromOutside(ISymbol flag) => flag switch
        {
            IFieldSymbol field => !field.IsReadOnly && !field.IsConst && field.DeclaredAccessibility is not (Accessibility.Private or Accessibility.Protected),
            IPropertySymbol property => property.SetMethod is { } setter && setter.DeclaredAccessibility is not (Accessibility.Private or Accessibility.Protected),
            _ => true,
        };

        // Every `new` of the type passes, for each constructor parameter a fixed flag is written from, a value that switches
        // training on (an omitted argument is its default). A type never constructed in the compilation is not known.
        private bool IsFixedOn(DroppingMethod dropping, Compilation compilation, CancellationToken cancellationToken)
        {
            foreach (FixedFlag flag in dropping.FixedFlags)
            {
                foreach (IParameterSymbol parameter in flag.FromParameters)
                {
                    if (!_creations.TryGetValue(((IMethodSymbol)parameter.ContainingSymbol).OriginalDefinition, out ConcurrentBag<IObjectCreationOperation>? creations) || creations.IsEmpty
                        || CreationsInSyntax(dropping.Type, compilation, cancellationToken) != creations.Count)
                    {
                        return false;
                    }

                    foreach (IObjectCreationOperation creation in creations)
                    {
                        if (creation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == parameter.Ordinal) is not { } argument
                            || !InferencePath.SwitchesTrainingOn(flag.Flag, argument.Value))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }

        // Every creation of the type is summarized only when it sits in a summarized type: the creations written in the
        // compilation (`new Name(...)`, read from syntax; a target-typed `new(...)` in a file naming the type counts as
        // unseen) must all be among them, or the flag's value at some construction is unknown.
        private static int CreationsInSyntax(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            int count = 0;
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.GetText(cancellationToken).ToString().IndexOf(type.Name, StringComparison.Ordinal) < 0)
                {
                    continue;
                }

                foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes())
                {
                    if (node is ImplicitObjectCreationExpressionSyntax)
                    {
                        return -1;
                    }

                    if (node is ObjectCreationExpressionSyntax { Type: var created }
                        && (created is SimpleNameSyntax simple ? simple.Identifier.ValueText : created is QualifiedNameSyntax qualified ? qualified.Right.Identifier.ValueText : null) == type.Name)
                    {
                        count++;
                    }
                }
            }

            return count;
        }

        public void Report(CompilationAnalysisContext context)
        {
            var dropping = _dropping.Where(method => method.FixedFlags.IsEmpty || IsFixedOn(method, context.Compilation, context.CancellationToken)).ToList();
            if (dropping.Count == 0)
            {
                return;
            }

            var reported = new HashSet<Location>();
            foreach (MethodSummary entry in _summaries.Values)
            {
                if (!HandWrittenDropoutInInferenceAnalyzer.IsInferenceEntry(entry.Method, context.Options) || SwitchesMode(entry, dropping))
                {
                    continue;
                }

                foreach (Call call in entry.Calls)
                {
                    if (Reaches(call, entry, dropping, 1) is { } reached && reported.Add(call.Location))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenDropoutInInferenceAcrossCalls, call.Location, entry.Method.Name, reached.Method.ContainingType.Name + "." + reached.Method.Name));
                    }
                }
            }
        }

        // The dropping method a call of `caller` runs: the target itself or an override or implementation of it, or (one call
        // deeper) one that a helper it calls runs unconditionally. Training, Monte Carlo and mode-switching helpers end the
        // search, and so does a caller that tests the dropping type (it dispatches that layer elsewhere).
        private DroppingMethod? Reaches(Call call, MethodSummary caller, List<DroppingMethod> dropping, int depth)
        {
            foreach (DroppingMethod candidate in dropping)
            {
                if (!call.PassesFlag && Runs(call.Target, candidate.Method) && !IsTypeTested(caller, candidate.Type)
                    && !IsSameFileDirectCall(call, candidate))
                {
                    return candidate;
                }
            }

            if (depth >= MaxDepth || !_summaries.TryGetValue(call.Target, out MethodSummary? helper)
                || SwitchesMode(helper, dropping) || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(helper.Method.Name)
                || HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(helper.Method))
            {
                return null;
            }

            foreach (Call inner in helper.Calls)
            {
                if (Reaches(inner, helper, dropping, depth + 1) is { } reached && !IsTypeTested(caller, reached.Type))
                {
                    return reached;
                }
            }

            return null;
        }

        // Assigning a flag or mode, or calling a mode method (`Eval()`, `SetTraining(false)`), other than the dropout itself.
        private static bool SwitchesMode(MethodSummary summary, List<DroppingMethod> dropping) =>
            summary.AssignsMode || summary.ModeCalls.Any(target => !dropping.Any(candidate => Runs(target, candidate.Method)));

        // The per-type rule already reports a direct call from a file that declares the dropout type.
        private static bool IsSameFileDirectCall(Call call, DroppingMethod candidate) =>
            SymbolEqualityComparer.Default.Equals(call.Target, candidate.Method)
            && candidate.FixedFlags.IsEmpty
            && candidate.Type.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == call.Location.SourceTree);

        private static bool IsTypeTested(MethodSummary caller, INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
            {
                if (caller.TestedTypes.Contains(current.OriginalDefinition) || caller.TestedTypes.Contains(current))
                {
                    return true;
                }
            }

            return type.AllInterfaces.Any(caller.TestedTypes.Contains);
        }

        // Whether calling `target` may run `method`: the same method, an override of it (a virtual or abstract member of a base
        // class), or the implementation of an interface member it declares.
        private static bool Runs(IMethodSymbol target, IMethodSymbol method)
        {
            if (SymbolEqualityComparer.Default.Equals(target, method))
            {
                return true;
            }

            if (target.ContainingType?.TypeKind == TypeKind.Interface)
            {
                return method.ContainingType.FindImplementationForInterfaceMember(target) is IMethodSymbol implementation
                    && SymbolEqualityComparer.Default.Equals(implementation.OriginalDefinition, method);
            }

            if (!(target.IsVirtual || target.IsAbstract || target.IsOverride))
            {
                return false;
            }

            for (IMethodSymbol? current = method.OverriddenMethod; current is not null; current = current.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, target))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
