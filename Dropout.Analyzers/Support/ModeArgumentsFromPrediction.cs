using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP015 decided by the values prediction passes, not by the names of the flags: prediction code whose call chain hands a
/// dropout site's gating flag the very value under which the site draws. The flag is a <see langword="bool"/> parameter
/// (or an enum parameter compared with a member; <c>predict(x)</c> calling <c>predict(cache, x, false)</c>, which hands <c>training</c> to every layer's
/// <c>forward</c>, whose dropout layer returns early when <c>training</c> is true and draws otherwise: the branches are
/// swapped, whatever the parameter is called), or a private <see langword="bool"/> field whose value at rest is known
/// (every method that sets it restores it, so an evaluation that does not set it runs with the initial value; or one method
/// sets it and nothing ever sets it back).
/// </summary>
/// <remarks>
/// The site's polarity is read from its own method: the enclosing branches and the early exits before it, evaluated in
/// three values under the values the chain passes. A site counts only when a passed value decides it (takes the branch
/// the site is in, or keeps a guard from leaving, where the other side would skip it), so an unconditional site, reported
/// by the other DRP015 checks, is not reported again here, and a
/// site that the chain's values switch off (a correct flag) is silent. Each call on the chain must be reached under the
/// same values. Prediction is an inference method by name (as DRP015 names them, plus <c>eval</c> taking data), never
/// Monte Carlo dropout, training code or a unit test; the chain is followed four calls deep, through virtual, abstract and
/// interface calls to every override or implementation of the compilation.
/// </remarks>
internal static partial class ModeArgumentsFromPrediction
{
    private const int MaxDepth = 4;

    /// <summary>Registers the summaries and the compilation-end join.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerType(context, () => new State(), Admit);

    private static TypeSummarizer? Admit(State state, INamedTypeSymbol type, SymbolStartAnalysisContext context)
    {
        bool draws = HandWrittenDropoutModel.MayDraw(type, context.CancellationToken);
        if (!draws && !DeclaresInferenceMethod(type, context.Options, context.CancellationToken) && !SelectsAMaximumIndex(type, context.CancellationToken)
            && !HoldsADrawingComponent(type, context.CancellationToken))
        {
            return null;
        }

        state.Admitted.TryAdd(type.OriginalDefinition, true);
        return new TypeSummarizer(
            (root, block) => state.Summarize(root, block.OwningSymbol, block.Options),
            draws ? (roots, end) => state.AddSites(type, roots, end.Compilation, end.CancellationToken) : null);
    }

    private static bool DeclaresInferenceMethod(INamedTypeSymbol type, AnalyzerOptions options, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(cancellationToken).ChildNodes().OfType<MethodDeclarationSyntax>()
            .Any(method => HandWrittenDropoutInInferenceAnalyzer.IsInferenceMethodName(method.Identifier.ValueText, options, reference.SyntaxTree)
                || IsEvalWithData(method.Identifier.ValueText, method.ParameterList.Parameters.Count)
                || IsAccuracyOfData(method.Identifier.ValueText, method.ParameterList.Parameters.Count)));

    // `accuracy(x, t)`, `ComputeAccuracy(data)`: a metric over data measures the trained model, so what it runs is evaluation
    // (training measures its loss, not its accuracy, under dropout). A word at the start in any case, or a capitalized word inside.
    private static bool IsAccuracyOfData(string name, int parameterCount) =>
        parameterCount > 0 && !HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(name)
        && (name.StartsWith("accuracy", StringComparison.OrdinalIgnoreCase) || name.IndexOf("Accuracy", StringComparison.Ordinal) >= 0);

    // `eval(x, y)`, `EvalAccuracy(data)`: an evaluation that takes data. A parameterless `Eval()` is a mode switch instead.
    private static bool IsEvalWithData(string name, int parameterCount) =>
        parameterCount > 0 && (name.StartsWith("eval", StringComparison.Ordinal) || name.StartsWith("Eval", StringComparison.Ordinal))
        && (name.Length == 4 || char.IsUpper(name[4]));

    // A tensor library's uniform draw (jblas' `DoubleMatrix.rand`, `Tensor.Rand`) and its element-wise comparisons, in
    // place (`gti`, `gt_`) or not.
    private static readonly string[] UniformTensorNames = ["rand", "randu", "randuniform", "uniform", "randomuniform", "uniformrandom", "randlike", "random", "randomtensor"];

    private static readonly string[] ComparisonNames = ["gt", "lt", "ge", "le", "greater", "less", "greaterthan", "lessthan", "greaterthanorequal", "lessthanorequal"];

    /// <summary>
    /// <c>DoubleMatrix.rand(rows, cols).gti(dropoutFraction)</c>: a tensor of uniforms compared element-wise with one number,
    /// a Bernoulli mask. The model's own sites do not read a library's tensor calls; this check only needs where the draw is.
    /// </summary>
    private static bool IsThresholdedUniformTensor(IInvocationOperation call)
    {
        string name = call.TargetMethod.Name.ToLowerInvariant();
        string bare = name.EndsWith("_", StringComparison.Ordinal) || (name.EndsWith("i", StringComparison.Ordinal) && name.Length > 2) ? name.Substring(0, name.Length - 1) : name;
        return Array.IndexOf(ComparisonNames, bare) >= 0
            && call.Arguments.Length == 1 && HandWrittenDropoutSite.IsFloatingPoint(call.Arguments[0].Value.Type)
            && call.Instance is { } receiver && HandWrittenDropoutSite.StripConversions(receiver) is IInvocationOperation producer
            && Array.IndexOf(UniformTensorNames, producer.TargetMethod.Name.ToLowerInvariant()) >= 0
            && SymbolEqualityComparer.Default.Equals(producer.Type, call.Instance.Type);
    }

    private sealed class MethodBody(IMethodSymbol method, IOperation root, ImmutableArray<IInvocationOperation> calls, ImmutableHashSet<ISymbol> writtenFlags, bool isEntry)
    {
        public IMethodSymbol Method { get; } = method;

        public IOperation Root { get; } = root;

        public ImmutableArray<IInvocationOperation> Calls { get; } = calls;

        public ImmutableHashSet<ISymbol> WrittenFlags { get; } = writtenFlags;

        public bool IsEntry { get; } = isEntry;
    }

    private sealed class DropSite(IMethodSymbol method, IOperation decision, IOperation root)
    {
        public IMethodSymbol Method { get; } = method;

        public IOperation Decision { get; } = decision;

        public IOperation Root { get; } = root;
    }

    /// <summary>What one method (or constructor, or initializer) leaves in a <see langword="bool"/> field when it returns.</summary>
    private sealed class FlagWrites
    {
        public ConcurrentBag<bool> Initial { get; } = [];

        public ConcurrentBag<bool> ConstructorExits { get; } = [];

        public ConcurrentBag<bool> MethodExits { get; } = [];

        public bool Unknown { get; set; }
    }

    private sealed class State : ICompilationEndJoin
    {
        private readonly ConcurrentDictionary<IMethodSymbol, MethodBody> _bodies = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentBag<DropSite> _sites = [];
        private readonly ConcurrentDictionary<ISymbol, FlagWrites> _flags = new(SymbolEqualityComparer.Default);

        public ConcurrentDictionary<INamedTypeSymbol, bool> Admitted { get; } = new(SymbolEqualityComparer.Default);

        /// <summary>
        /// One walk over a block: an initializer's value of a flag; a constructor's or method's writes of flags (what it leaves
        /// them at); an ordinary method's calls and tensor draws, and whether it is an entry.
        /// </summary>
        public void Summarize(IOperation root, ISymbol owner, AnalyzerOptions options)
        {
            if (root is IFieldInitializerOperation fieldInitializer)
            {
                foreach (IFieldSymbol field in fieldInitializer.InitializedFields.Where(field => field.Type.SpecialType == SpecialType.System_Boolean))
                {
                    Record(field, fieldInitializer.Value, initial: true);
                }

                return;
            }

            if (root is IPropertyInitializerOperation propertyInitializer)
            {
                foreach (IPropertySymbol property in propertyInitializer.InitializedProperties.Where(property => property.Type.SpecialType == SpecialType.System_Boolean))
                {
                    Record(property, propertyInitializer.Value, initial: true);
                }

                return;
            }

            if (owner is not IMethodSymbol method)
            {
                return;
            }

            bool ordinary = method.MethodKind == MethodKind.Ordinary;
            var calls = ImmutableArray.CreateBuilder<IInvocationOperation>();
            var writes = new List<ISimpleAssignmentOperation>();
            foreach (IOperation operation in root.Descendants())
            {
                if (operation is ISimpleAssignmentOperation assignment && assignment.Target.Type?.SpecialType == SpecialType.System_Boolean
                    && HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is IFieldSymbol or IPropertySymbol)
                {
                    writes.Add(assignment);
                }
                else if (ordinary && operation is IBinaryOperation { OperatorMethod: not null } comparison && CrossCallMaskSummaries.IsWholeArrayDraw(comparison))
                {
                    // A library's whole-array draw (`np.random.rand(x.shape) > rate`) is a site as the scalar model's are.
                    _sites.Add(new DropSite(method.OriginalDefinition, comparison, root));
                }
                else if (ordinary && operation is IInvocationOperation call)
                {
                    if (call.TargetMethod is { MethodKind: MethodKind.Ordinary, DeclaringSyntaxReferences.IsEmpty: false })
                    {
                        calls.Add(call);
                    }

                    if (IsThresholdedUniformTensor(call) || CrossCallMaskSummaries.IsWholeArrayDraw(call))
                    {
                        _sites.Add(new DropSite(method.OriginalDefinition, call, root));
                    }
                }
            }

            RecordFlagWrites(writes, root, method);
            if (ordinary)
            {
                bool isEntry = (HandWrittenDropoutInInferenceAnalyzer.IsInferenceEntry(method, options) || IsEvalWithData(method.Name, method.Parameters.Length)
                    || IsAccuracyOfData(method.Name, method.Parameters.Length))
                    && !HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(method);
                isEntry = isEntry || PredictsByDataFlow(method, root);
                ImmutableHashSet<ISymbol> written = writes.Select(write => HandWrittenDropoutSite.ReferencedSymbol(write.Target)!.OriginalDefinition).ToImmutableHashSet<ISymbol>(SymbolEqualityComparer.Default);
                _bodies[method.OriginalDefinition] = new MethodBody(method.OriginalDefinition, root, calls.ToImmutable(), written, isEntry);
            }
        }

        // The values a private flag can hold between calls: its initializer, what each constructor leaves, what each method
        // leaves (its last write when that is a statement of the body itself, else every value it writes).
        private void RecordFlagWrites(List<ISimpleAssignmentOperation> writes, IOperation root, IMethodSymbol method)
        {
            foreach (IGrouping<ISymbol?, ISimpleAssignmentOperation> group in writes.GroupBy(assignment => HandWrittenDropoutSite.ReferencedSymbol(assignment.Target)!.OriginalDefinition, SymbolEqualityComparer.Default))
            {
                FlagWrites flag = _flags.GetOrAdd(group.Key!, _ => new FlagWrites());
                List<ISimpleAssignmentOperation> ordered = group.OrderBy(assignment => assignment.Syntax.SpanStart).ToList();
                ISimpleAssignmentOperation last = ordered[ordered.Count - 1];
                IEnumerable<ISimpleAssignmentOperation> exits = IsStatementOfBody(last, root) ? [last] : ordered;
                foreach (ISimpleAssignmentOperation exit in exits)
                {
                    if (HandWrittenDropoutSite.StripConversions(exit.Value).ConstantValue is { HasValue: true, Value: bool value })
                    {
                        (method.MethodKind == MethodKind.Constructor ? flag.ConstructorExits : flag.MethodExits).Add(value);
                    }
                    else
                    {
                        flag.Unknown = true;
                    }
                }
            }
        }

        private void Record(ISymbol flag, IOperation value, bool initial)
        {
            FlagWrites writes = _flags.GetOrAdd(flag.OriginalDefinition, _ => new FlagWrites());
            if (HandWrittenDropoutSite.StripConversions(value).ConstantValue is { HasValue: true, Value: bool constant })
            {
                (initial ? writes.Initial : writes.MethodExits).Add(constant);
            }
            else
            {
                writes.Unknown = true;
            }
        }

        private static bool IsStatementOfBody(IOperation write, IOperation root) =>
            write.Parent is IExpressionStatementOperation { Parent: IBlockOperation block } && (block == root || block.Parent == root);

        public void AddSites(INamedTypeSymbol type, IEnumerable<IOperation> roots, Compilation compilation, CancellationToken cancellationToken)
        {
            if (HandWrittenDropoutModel.For(compilation).FactsFor(type, roots, cancellationToken) is not { } facts)
            {
                return;
            }

            foreach (HandWrittenDropoutSite site in facts.AllSites)
            {
                ISymbol? enclosing = facts.SemanticModelOf(site.Decision.Syntax).GetEnclosingSymbol(site.Decision.Syntax.SpanStart, cancellationToken);
                while (enclosing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
                {
                    enclosing = nested.ContainingSymbol;
                }

                if (enclosing is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && !HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(method))
                {
                    _sites.Add(new DropSite(method.OriginalDefinition, site.Decision, facts.RootOf(site)));
                }
            }
        }

        public void Report(CompilationAnalysisContext context)
        {
            if (_sites.IsEmpty)
            {
                return;
            }

            var sitesByMethod = new Dictionary<IMethodSymbol, List<DropSite>>(SymbolEqualityComparer.Default);
            foreach (DropSite site in _sites)
            {
                if (!sitesByMethod.TryGetValue(site.Method, out List<DropSite>? list))
                {
                    sitesByMethod[site.Method] = list = [];
                }

                list.Add(site);
            }

            Dictionary<IMethodSymbol, List<IMethodSymbol>> implementations = Implementations(sitesByMethod.Keys.Concat(_bodies.Keys));
            var reported = new HashSet<Location>();
            foreach (MethodBody entry in _bodies.Values.Where(body => body.IsEntry))
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                foreach (IInvocationOperation call in entry.Calls)
                {
                    var walk = new Walk(this, sitesByMethod, implementations, entry.WrittenFlags);
                    if (walk.ReachesDecidedDrop(call, entry.Method, new object?[entry.Method.Parameters.Length], controlled: false, depth: 0) is { } dropping
                        && !AlreadyReportedInTheFile(call, entry, dropping)
                        && reported.Add(call.Syntax.GetLocation()))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenDropoutInInferenceAcrossCalls, call.Syntax.GetLocation(),
                            entry.Method.Name, dropping.ContainingType.Name + "." + dropping.Name));
                    }
                }
            }
        }

        // The per-type DRP015 already reports a prediction that passes a literal true straight to a dropout method of its file.
        private static bool AlreadyReportedInTheFile(IInvocationOperation call, MethodBody entry, IMethodSymbol dropping) =>
            SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, dropping)
            && dropping.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree == entry.Root.Syntax.SyntaxTree)
            && call.Arguments.Any(argument => argument.Parameter?.Type.SpecialType == SpecialType.System_Boolean && argument.Value.ConstantValue is { HasValue: true, Value: true });

        /// <summary>The value of a private flag between calls when it is certain, or certain after the one method that sets it runs.</summary>
        public bool? RestingValue(ISymbol flag)
        {
            if (!IsPrivateFlag(flag) || !Admitted.ContainsKey(flag.ContainingType.OriginalDefinition) || !_flags.TryGetValue(flag.OriginalDefinition, out FlagWrites? writes) || writes.Unknown)
            {
                return null;
            }

            var atRest = new HashSet<bool>(writes.Initial.Concat(writes.ConstructorExits));
            if (writes.Initial.IsEmpty && writes.ConstructorExits.IsEmpty)
            {
                atRest.Add(false);
            }

            var methodExits = new HashSet<bool>(writes.MethodExits);
            if (methodExits.Count == 0 || methodExits.SetEquals(atRest))
            {
                // Every method that sets the flag leaves it as construction did (`testing = true; ...; testing = false;`).
                return atRest.Count == 1 ? atRest.Single() : null;
            }

            // One value set by methods and never set back: after that method runs the flag stays there.
            return methodExits.Count == 1 && !atRest.Contains(methodExits.Single()) ? methodExits.Single() : null;
        }

        private static bool IsPrivateFlag(ISymbol flag) => flag switch
        {
            IFieldSymbol field => field.DeclaredAccessibility == Accessibility.Private && !field.IsReadOnly && !field.IsConst,
            IPropertySymbol property => property.DeclaredAccessibility == Accessibility.Private || property.SetMethod is null || property.SetMethod.DeclaredAccessibility == Accessibility.Private,
            _ => false,
        };

        public MethodBody? BodyOf(IMethodSymbol method) => _bodies.TryGetValue(method.OriginalDefinition, out MethodBody? body) ? body : null;

        // Each method's overridden and implemented methods, inverted: a call of the base member reaches every one of them.
        private static Dictionary<IMethodSymbol, List<IMethodSymbol>> Implementations(IEnumerable<IMethodSymbol> methods)
        {
            var map = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (IMethodSymbol method in methods.Distinct<IMethodSymbol>(SymbolEqualityComparer.Default))
            {
                var bases = new List<IMethodSymbol>();
                for (IMethodSymbol? overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    bases.Add(overridden.OriginalDefinition);
                }

                foreach (INamedTypeSymbol contract in method.ContainingType.AllInterfaces)
                {
                    foreach (IMethodSymbol member in contract.GetMembers(method.Name).OfType<IMethodSymbol>())
                    {
                        if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member)?.OriginalDefinition, method))
                        {
                            bases.Add(member.OriginalDefinition);
                        }
                    }
                }

                foreach (IMethodSymbol baseMethod in bases)
                {
                    if (!map.TryGetValue(baseMethod, out List<IMethodSymbol>? list))
                    {
                        map[baseMethod] = list = [];
                    }

                    list.Add(method);
                }
            }

            return map;
        }
    }

    /// <summary>
    /// One walk from an entry's call down the call chain, with the known values of the parameters of the method it is in: a
    /// <see langword="bool"/>, or an enum member's constant (<c>Mode.Train</c>).
    /// </summary>
    private sealed class Walk(State state, Dictionary<IMethodSymbol, List<DropSite>> sites, Dictionary<IMethodSymbol, List<IMethodSymbol>> implementations, ImmutableHashSet<ISymbol> entryWrites)
    {
        private readonly HashSet<(IMethodSymbol, string)> _visited = [];
        private ImmutableHashSet<ISymbol> _writtenOnChain = entryWrites;

        /// <summary>The dropout method the call reaches with known values deciding that it draws, or null.</summary>
        public IMethodSymbol? ReachesDecidedDrop(IInvocationOperation call, IMethodSymbol caller, object?[] callerValues, bool controlled, int depth)
        {
            var values = new object?[call.TargetMethod.Parameters.Length];
            foreach (IArgumentOperation argument in call.Arguments)
            {
                if (argument.Parameter is { } parameter && parameter.Ordinal < values.Length)
                {
                    values[parameter.Ordinal] = parameter.Type.SpecialType == SpecialType.System_Boolean ? Evaluate(argument.Value, caller, callerValues)
                        : parameter.Type.TypeKind == TypeKind.Enum ? EnumValue(argument.Value, caller, callerValues)
                        : null;
                }
            }

            ImmutableArray<ITypeSymbol> excluded = TypesTestedAway(call);
            foreach (IMethodSymbol target in Targets(call.TargetMethod.OriginalDefinition))
            {
                if (excluded.Any(type => DerivesFrom(target.ContainingType, type))
                    || HandWrittenDropoutInInferenceAnalyzer.IsTrainingOrMonteCarloName(target.Name) || HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloMethod(target)
                    || !_visited.Add((target, string.Join(",", values.Select(value => value?.ToString() ?? "?")))))
                {
                    continue;
                }

                if (sites.TryGetValue(target, out List<DropSite>? drops)
                    && drops.Any(drop => Reached(drop.Decision, drop.Root, target, values) is { Reached: true } reach && (controlled || reach.Decided)))
                {
                    return target;
                }

                if (depth + 1 >= MaxDepth || state.BodyOf(target) is not { } body)
                {
                    continue;
                }

                ImmutableHashSet<ISymbol> before = _writtenOnChain;
                _writtenOnChain = _writtenOnChain.Union(body.WrittenFlags);
                foreach (IInvocationOperation inner in body.Calls)
                {
                    if (Reached(inner, body.Root, target, values) is { Reached: true } reach
                        && ReachesDecidedDrop(inner, target, values, controlled || reach.Decided, depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                _writtenOnChain = before;
            }

            return null;
        }

        /// <summary>
        /// The types a virtual call's receiver cannot be: the call is in the other branch of a type test of the same local
        /// (`if (layer is Dropout) x = layer.Forward(x, flag); else x = layer.Forward(x);`), so the tested type's overrides
        /// are not what the second call runs.
        /// </summary>
        private static ImmutableArray<ITypeSymbol> TypesTestedAway(IInvocationOperation call)
        {
            if (call.Instance is not { } instance || HandWrittenDropoutSite.ReferencedSymbol(HandWrittenDropoutSite.StripConversions(instance)) is not ILocalSymbol and not IParameterSymbol)
            {
                return ImmutableArray<ITypeSymbol>.Empty;
            }

            ISymbol receiver = HandWrittenDropoutSite.ReferencedSymbol(HandWrittenDropoutSite.StripConversions(instance))!;
            var types = ImmutableArray.CreateBuilder<ITypeSymbol>();
            IOperation child = call;
            for (IOperation? current = call.Parent; current is not null && current is not IMethodBodyOperation; child = current, current = current.Parent)
            {
                if (current is IConditionalOperation conditional && conditional.WhenFalse == child && TestedType(conditional.Condition, receiver) is { } tested)
                {
                    types.Add(tested);
                }
            }

            return types.ToImmutable();
        }

        private static ITypeSymbol? TestedType(IOperation condition, ISymbol receiver) => HandWrittenDropoutSite.StripConversions(condition) switch
        {
            IIsTypeOperation isType when SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(HandWrittenDropoutSite.StripConversions(isType.ValueOperand)), receiver) => isType.TypeOperand,
            IIsPatternOperation { Pattern: ITypePatternOperation or IDeclarationPatternOperation } isPattern
                when SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(HandWrittenDropoutSite.StripConversions(isPattern.Value)), receiver) =>
                isPattern.Pattern is ITypePatternOperation typePattern ? typePattern.MatchedType : ((IDeclarationPatternOperation)isPattern.Pattern).MatchedType,
            _ => null,
        };

        private static bool DerivesFrom(INamedTypeSymbol? type, ITypeSymbol tested)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, tested.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        private IEnumerable<IMethodSymbol> Targets(IMethodSymbol method) =>
            implementations.TryGetValue(method, out List<IMethodSymbol>? overrides) ? overrides.Prepend(method) : [method];

        /// <summary>
        /// Whether <paramref name="operation"/> runs in <paramref name="root"/> under the known values (no enclosing branch and
        /// no earlier early exit excludes it), and whether a known value decided it: it took the branch the operation is in,
        /// or kept a guard from leaving, where the other value would have skipped it.
        /// </summary>
        private (bool Reached, bool Decided) Reached(IOperation operation, IOperation root, IMethodSymbol method, object?[] values)
        {
            bool decided = false;
            IOperation child = operation;
            for (IOperation? current = operation.Parent; current is not null; child = current, current = current.Parent)
            {
                if (current is IConditionalOperation conditional && child != conditional.Condition
                    && Evaluate(conditional.Condition, method, values) is bool value)
                {
                    if ((value ? conditional.WhenTrue : conditional.WhenFalse) != child)
                    {
                        return (false, false);
                    }

                    decided = true;
                }

                if (current is IBlockOperation block)
                {
                    foreach (IOperation statement in block.Operations)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (statement is IConditionalOperation guard && Evaluate(guard.Condition, method, values) is bool taken)
                        {
                            if (Leaves(taken ? guard.WhenTrue : guard.WhenFalse))
                            {
                                return (false, false);
                            }

                            decided |= Leaves(taken ? guard.WhenFalse : guard.WhenTrue);
                        }
                    }
                }

                if (current == root)
                {
                    break;
                }
            }

            return (true, decided);
        }

        // A branch whose last statement returns, throws, or leaves the loop iteration the following statements are in.
        private static bool Leaves(IOperation? branch)
        {
            IOperation? last = branch is IBlockOperation block ? block.Operations.LastOrDefault() : branch;
            return last is IReturnOperation or IThrowOperation or IBranchOperation { BranchKind: BranchKind.Continue or BranchKind.Break }
                || (last is IExpressionStatementOperation { Operation: IThrowOperation });
        }

        /// <summary>A condition's value in three values under the method's known parameter values and the flags' resting values.</summary>
        private bool? Evaluate(IOperation condition, IMethodSymbol method, object?[] values)
        {
            condition = HandWrittenDropoutSite.StripConversions(condition);
            if (condition.ConstantValue is { HasValue: true, Value: bool constant })
            {
                return constant;
            }

            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    return !Evaluate(not.Operand, method, values);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.Or } either when either.Type?.SpecialType == SpecialType.System_Boolean:
                    {
                        bool? left = Evaluate(either.LeftOperand, method, values);
                        bool? right = Evaluate(either.RightOperand, method, values);
                        return left == true || right == true ? true : left == false && right == false ? false : null;
                    }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And } both when both.Type?.SpecialType == SpecialType.System_Boolean:
                    {
                        bool? left = Evaluate(both.LeftOperand, method, values);
                        bool? right = Evaluate(both.RightOperand, method, values);
                        return left == false || right == false ? false : left == true && right == true ? true : null;
                    }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                    {
                        bool isEnum = HandWrittenDropoutSite.StripConversions(comparison.LeftOperand).Type?.TypeKind == TypeKind.Enum;
                        object? left = isEnum ? EnumValue(comparison.LeftOperand, method, values) : Evaluate(comparison.LeftOperand, method, values);
                        object? right = isEnum ? EnumValue(comparison.RightOperand, method, values) : Evaluate(comparison.RightOperand, method, values);
                        return left is not null && right is not null ? Equals(left, right) == (comparison.OperatorKind == BinaryOperatorKind.Equals) : null;
                    }

                case IIsPatternOperation { Pattern: IConstantPatternOperation { Value: var constantPattern } } isPattern when isPattern.Value.Type?.TypeKind == TypeKind.Enum:
                    {
                        object? left = EnumValue(isPattern.Value, method, values);
                        object? right = EnumValue(constantPattern, method, values);
                        return left is not null && right is not null ? Equals(left, right) : null;
                    }
            }

            if (condition.Type?.SpecialType != SpecialType.System_Boolean)
            {
                return null;
            }

            if (condition is IParameterReferenceOperation { Parameter: var parameter })
            {
                return ParameterValue(parameter, method, values) as bool?;
            }

            return condition is IFieldReferenceOperation or IPropertyReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(condition) is { } flag
                && !_writtenOnChain.Contains(flag.OriginalDefinition)
                ? state.RestingValue(flag)
                : null;
        }

        // An enum member's constant (`Mode.Train`), or the known value of an enum parameter.
        private static object? EnumValue(IOperation operand, IMethodSymbol method, object?[] values)
        {
            operand = HandWrittenDropoutSite.StripConversions(operand);
            if (operand.Type?.TypeKind != TypeKind.Enum)
            {
                return null;
            }

            if (operand.ConstantValue is { HasValue: true, Value: { } constant })
            {
                return constant;
            }

            return operand is IParameterReferenceOperation { Parameter: var parameter } ? ParameterValue(parameter, method, values) : null;
        }

        private static object? ParameterValue(IParameterSymbol parameter, IMethodSymbol method, object?[] values) =>
            SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, method) && parameter.Ordinal < values.Length ? values[parameter.Ordinal] : null;
    }
}
