using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Follows hand-written dropout whose parts live in different files of one compilation: a drop flag drawn into a field or
/// property in one file (<c>node.Dropped = rng.NextDouble() &lt; rate</c>), the 1/p applied to the kept values by a forward
/// in another file that reads that flag, and a backward that reads the flag but leaves out the scale.
/// </summary>
/// <remarks>
/// An analyzer may not ask for another file's semantic model, so nothing here binds a second file: each member body is
/// summarized (symbols only) by an operation-block action while its own file is analyzed, and a compilation-end action
/// joins the summaries by symbol. Its diagnostics are therefore compilation-end diagnostics: they appear on build, not
/// live in the editor. Only types the hand-written prefilter admits, or whose text reads a member of another object named
/// for dropping or masking (<c>nodes[i].Dropped</c>), are summarized.
/// </remarks>
internal static class CrossFileDropoutSummaries
{
    private static readonly string[] FlagWords = ["drop", "mask"];
    private static readonly string[] ProbabilityWords = ["keep", "prob", "drop", "retain"];
    private static readonly string[] GradientWords = ["grad", "delta"];
    private static readonly ConditionalWeakTable<SyntaxTree, TreeFlagReads> Trees = new();

    /// <summary>Registers the summaries and the join that reports DRP013 for a backward that omits a scale applied in another file.</summary>
    public static void Register(AnalysisContext context) =>
        CompilationEndJoins.RegisterPerType(context, () => new Summaries(), Admit);

    // A type that may draw, or whose text reads a flag-named member of another object.
    private static TypeSummarizer? Admit(Summaries summaries, INamedTypeSymbol type, SymbolStartAnalysisContext context)
    {
        bool draws = HandWrittenDropoutModel.MayDraw(type, context.CancellationToken);
        return draws || type.DeclaringSyntaxReferences.Any(reference => Trees.GetValue(reference.SyntaxTree, TreeFlagReads.Create).AnyIn(reference.Span))
            ? new TypeSummarizer((root, block) => summaries.Summarize(root, block.OwningSymbol, draws))
            : null;
    }

    // Member reads `x.Dropped`, `nodes[i].IsMasked` (not calls) in one tree: found once per tree by a text search confirmed on
    // the token, so a type that reads no such member of another object costs one span lookup.
    private sealed class TreeFlagReads
    {
        private readonly List<int> _positions = [];

        public static TreeFlagReads Create(SyntaxTree tree)
        {
            var reads = new TreeFlagReads();
            string text = tree.GetText().ToString();
            foreach (string word in FlagWords)
            {
                for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.OrdinalIgnoreCase))
                {
                    SyntaxToken token = tree.GetRoot().FindToken(at);
                    if (token.IsKind(SyntaxKind.IdentifierToken)
                        && token.Parent is IdentifierNameSyntax name
                        && name.Parent is MemberAccessExpressionSyntax access && access.Name == name
                        && access.Parent is not InvocationExpressionSyntax)
                    {
                        reads._positions.Add(token.SpanStart);
                    }
                }
            }

            return reads;
        }

        public bool AnyIn(Microsoft.CodeAnalysis.Text.TextSpan span) => _positions.Any(span.Contains);
    }

    private sealed class FlagUse(IMethodSymbol method, Location location)
    {
        public IMethodSymbol Method { get; } = method;

        public Location Location { get; } = location;
    }

    private sealed class Summaries : ICompilationEndJoin
    {
        // Flag member → where a draw was compared into it.
        private readonly ConcurrentDictionary<ISymbol, Location> _drawnFlags = new(SymbolEqualityComparer.Default);

        // Flag member → forwards that zero the dropped value and scale the kept one by a probability.
        private readonly ConcurrentDictionary<ISymbol, ConcurrentBag<FlagUse>> _scaledForwards = new(SymbolEqualityComparer.Default);

        // Flag member → backwards that read the flag, and whether they apply a probability scale anywhere.
        private readonly ConcurrentDictionary<ISymbol, ConcurrentBag<(FlagUse Use, bool Scales)>> _backwards = new(SymbolEqualityComparer.Default);

        public void Summarize(IOperation root, ISymbol owner, bool draws)
        {
            if (owner is not IMethodSymbol method)
            {
                return;
            }

            bool backward = DropoutTypeFacts.IsBackwardName(method.Name);
            bool? scales = null;
            foreach (IOperation operation in root.Descendants())
            {
                if (draws && operation is ISimpleAssignmentOperation { Target: var target, Value: var value }
                    && FlagMember(target) is { } drawn && IsDrawComparison(value))
                {
                    _drawnFlags.TryAdd(drawn, value.Syntax.GetLocation());
                }

                if (operation is not IConditionalOperation conditional || FlagIn(conditional.Condition) is not { } flag)
                {
                    continue;
                }

                if (backward || ZeroesAGradient(conditional))
                {
                    scales ??= root.Descendants().Any(IsProbabilityScale);
                    _backwards.GetOrAdd(flag, _ => []).Add((new FlagUse(method, IdentifierLocation(method, root)), scales.Value));
                }
                else if (ScalesOneBranchAndZeroesTheOther(conditional))
                {
                    _scaledForwards.GetOrAdd(flag, _ => []).Add(new FlagUse(method, conditional.Syntax.GetLocation()));
                }
            }
        }

        public void Report(CompilationAnalysisContext context)
        {
            var reported = new HashSet<Location>();
            foreach (KeyValuePair<ISymbol, Location> drawn in _drawnFlags)
            {
                if (!_scaledForwards.TryGetValue(drawn.Key, out ConcurrentBag<FlagUse>? forwards)
                    || !_backwards.TryGetValue(drawn.Key, out ConcurrentBag<(FlagUse Use, bool Scales)>? backwards))
                {
                    continue;
                }

                foreach ((FlagUse use, bool scales) in backwards)
                {
                    // Only dropout that is really split: the draw, the scaling forward and the backward not all in one file
                    // (one file is the per-file model's).
                    SyntaxTree? drawTree = drawn.Value.SourceTree;
                    FlagUse? forward = forwards.FirstOrDefault(candidate => candidate.Location.SourceTree != drawTree || use.Location.SourceTree != drawTree);
                    if (forward is not null && !scales && reported.Add(use.Location))
                    {
                        string file = Path.GetFileName(forward.Location.SourceTree?.FilePath ?? string.Empty);
                        string reason = "reads the flag '" + drawn.Key.Name + "' but not the 1/p that '" + forward.Method.Name + "'"
                            + (file.Length > 0 ? " in " + file : string.Empty) + " scaled the kept values by";
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardOmitsForwardScaleAcrossFiles, use.Location, use.Method.Name, reason));
                    }
                }
            }
        }
    }

    private static Location IdentifierLocation(IMethodSymbol method, IOperation root) =>
        root.Syntax is MethodDeclarationSyntax declaration ? declaration.Identifier.GetLocation() : method.Locations.FirstOrDefault() ?? root.Syntax.GetLocation();

    // A bool field or property, of this object or another (`_dropped`, `nodes[i].Dropped`), or an element of a bool[] one
    // (`layer.DropoutMask[j]`): the flag is then the member.
    private static ISymbol? FlagMember(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        if (operation.Type?.SpecialType != SpecialType.System_Boolean)
        {
            return null;
        }

        if (operation is IArrayElementReferenceOperation { Indices.Length: 1 } element)
        {
            operation = HandWrittenDropoutSite.StripConversions(element.ArrayReference);
        }

        return operation is IFieldReferenceOperation or IPropertyReferenceOperation && HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol
            ? symbol.OriginalDefinition
            : null;
    }

    // The flag a condition tests: `flag`, `!flag`, `flag == false`.
    private static ISymbol? FlagIn(IOperation condition)
    {
        condition = HandWrittenDropoutSite.StripConversions(condition);
        return condition switch
        {
            IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not => FlagIn(not.Operand),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                when comparison.RightOperand.ConstantValue is { HasValue: true, Value: bool } => FlagIn(comparison.LeftOperand),
            _ => FlagMember(condition),
        };
    }

    // `u < p`, `rng.NextSingle() <= rate`: a uniform draw compared with something.
    private static bool IsDrawComparison(IOperation value) =>
        HandWrittenDropoutSite.StripConversions(value) is IBinaryOperation
        {
            OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual,
        } comparison
        && (IsDraw(comparison.LeftOperand) || IsDraw(comparison.RightOperand));

    private static bool IsDraw(IOperation operation) =>
        HandWrittenDropoutSite.StripConversions(operation) is IInvocationOperation invocation && HandWrittenDropoutModel.IsDrawCallName(invocation.TargetMethod.Name);

    // One branch assigns zero, the other assigns a value scaled by a probability (`y = f(x) / (1 - rate)` else `y = 0`).
    private static bool ScalesOneBranchAndZeroesTheOther(IConditionalOperation conditional)
    {
        if (conditional.WhenFalse is not { } whenFalse)
        {
            return false;
        }

        return (AssignsZero(conditional.WhenTrue) && whenFalse.DescendantsAndSelf().Any(IsProbabilityScale))
            || (AssignsZero(whenFalse) && conditional.WhenTrue.DescendantsAndSelf().Any(IsProbabilityScale))
            || (conditional.IsRef is false && conditional.Type is not null
                && ((HandWrittenDropoutSite.IsZero(conditional.WhenTrue) && whenFalse.DescendantsAndSelf().Any(IsProbabilityScale))
                    || (HandWrittenDropoutSite.IsZero(whenFalse) && conditional.WhenTrue.DescendantsAndSelf().Any(IsProbabilityScale))));
    }

    // A method of any name that zeroes a gradient where the flag says dropped (`if (!layer.Mask[j]) layer.Deltas[j] = 0;
    // else layer.Deltas[j] = error * f'(z);`) is the dropout's backward: a training loop doing backpropagation inline.
    private static bool ZeroesAGradient(IConditionalOperation conditional) =>
        conditional.WhenFalse is { } whenFalse
        && new[] { conditional.WhenTrue, whenFalse }.Any(branch => branch.DescendantsAndSelf().OfType<ISimpleAssignmentOperation>().Any(assignment =>
            HandWrittenDropoutSite.IsZero(assignment.Value) && WrittenMember(assignment.Target) is { } member
            && GradientWords.Any(word => member.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)));

    private static ISymbol? WrittenMember(IOperation target)
    {
        target = HandWrittenDropoutSite.StripConversions(target);
        while (target is IArrayElementReferenceOperation element)
        {
            target = HandWrittenDropoutSite.StripConversions(element.ArrayReference);
        }

        return HandWrittenDropoutSite.ReferencedSymbol(target);
    }

    private static bool AssignsZero(IOperation branch) =>
        branch.DescendantsAndSelf().OfType<ISimpleAssignmentOperation>().Any(assignment => HandWrittenDropoutSite.IsZero(assignment.Value));

    // `x / (1 - rate)`, `x / keepProb`, `x * scale`, `x * (1 / keep)`: a factor that speaks of a probability.
    private static bool IsProbabilityScale(IOperation operation) => operation switch
    {
        IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } divide => IsProbability(divide.RightOperand),
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Divide } divide => IsProbability(divide.Value),
        IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } multiply => IsScale(multiply.LeftOperand) || IsScale(multiply.RightOperand),
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } multiply => IsScale(multiply.Value),
        _ => false,
    };

    private static bool IsProbability(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        return operation switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } complement => HandWrittenDropoutSite.IsOne(complement.LeftOperand),
            _ => HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && ProbabilityWords.Any(word => symbol.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0),
        };
    }

    private static bool IsScale(IOperation operation)
    {
        operation = HandWrittenDropoutSite.StripConversions(operation);
        return operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } reciprocal && HandWrittenDropoutSite.IsOne(reciprocal.LeftOperand) && IsProbability(reciprocal.RightOperand)
            || (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol && symbol.Name.IndexOf("scale", StringComparison.OrdinalIgnoreCase) >= 0
                && (symbol is not ILocalSymbol local || IsProbabilityScaleLocal(local, operation)));
    }

    // A local named scale counts only when it is initialized as one (`var scale = 1f / (1 - rate)`), not a learning-rate
    // step (`float scale = learningRate * delta`).
    private static bool IsProbabilityScaleLocal(ILocalSymbol local, IOperation use)
    {
        IOperation root = use.TreeRoot();

        return root.Descendants().OfType<IVariableDeclaratorOperation>().Any(declarator =>
            SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
            && declarator.Initializer is { Value: var value }
            && HandWrittenDropoutSite.StripConversions(value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Divide } divide
            && IsProbability(divide.RightOperand));
    }
}
