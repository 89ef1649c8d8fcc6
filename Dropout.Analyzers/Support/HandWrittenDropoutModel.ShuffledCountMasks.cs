using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Exact-count dropout whose mask is a shuffled 0/1 (or boolean) array: <c>k</c> of its <c>n</c> entries are 1
/// (<c>k = ceil(n · p)</c>, <c>n - round(n · rate)</c>, ...), the array is permuted by a shuffle drawn in the method that
/// applies it (or in a method of the type it calls), and each entry multiplies one activation or decides a <c>?:</c>/<c>if</c>. An entry of a random permutation of <c>k</c> ones among <c>n</c> is 1 with
/// probability <c>k / n</c>, so the count's fraction is the keep probability, and the site is reasoned over as a product
/// with a Bernoulli draw is (missing or double scale, no inference path).
/// </summary>
/// <remarks>
/// All three facts come from data flow, none from a name: the factor is an entry of the array (directly or through a local
/// holding one), the array is written at a drawn index (a Fisher–Yates swap, <c>rng.Next(i, n)</c> or <c>rng.Next(i + 1)</c>),
/// shuffled by <see cref="System.Random"/>'s <c>Shuffle</c>, or rebuilt by <c>OrderBy</c> a draw, and its entries are set to
/// 1 (or 0) for exactly the positions below a count that is a fraction of a size (<c>Array.Fill(m, 1, 0, count)</c>,
/// <c>for (i = 0; i &lt; count; i++) m[i] = 1</c>, <c>m[i] = i &lt; count ? 1 : 0</c>). A shuffle that only reorders data
/// (mini-batches, a train/test split), a bootstrap sample (read at drawn indices, never written there) and a random subset
/// of features (indices, not 0/1 factors of a count) lack one of them.
/// </remarks>
internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        // Per array: the draw that shuffles it in the tree being searched, and its count fill (null when none); a finder
        // searches one tree, so both are computed once for it.
        private Dictionary<ISymbol, IInvocationOperation?>? _shuffles;
        private Dictionary<ISymbol, (IOperation Fraction, bool OnesCounted)?>? _countFills;

        // How many arrays `root` shuffles: zero for almost every body, which ends the search at once.
        private int ShuffledArrayCount(IOperation root) => (_shuffles ??= FindShuffles(root)).Count;

        /// <summary>
        /// <c>y[i] = x[i] * mask[i]</c>, <c>var k = mask[j]; ... x[i] * k</c>, <c>x[i] *= mask[i]</c>: a product with an entry
        /// of a shuffled 0/1 array holding an exact count of ones.
        /// </summary>
        private HandWrittenDropoutSite? FromShuffledCountFactor(IOperation multiply, IOperation root)
        {
            (IOperation First, IOperation Second)? operands = multiply switch
            {
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product => (product.LeftOperand, product.RightOperand),
                ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Multiply } compound => (compound.Value, compound.Target),
                _ => null,
            };
            if (operands is not var (first, second))
            {
                return null;
            }

            if (ShuffledArrayCount(root) == 0)
            {
                return null;
            }

            foreach ((IOperation factor, IOperation other) in new[] { (first, second), (second, first) })
            {
                if (ShuffledEntry(factor) is not { } entry
                    || EntryCollection(entry) is not { } mask
                    || ShuffleOf(mask, root) is not { } draw
                    || CountFillOf(mask, root) is not var (fraction, onesCounted))
                {
                    continue;
                }

                if (!IsPerElement(multiply, root) || !IsWrittenPerElement(multiply))
                {
                    return null;
                }

                IOperation kept = multiply is ICompoundAssignmentOperation assignment ? assignment.Target : HandWrittenDropoutSite.StripConversions(other);
                // The entry is 1 with probability k / n: the fraction when the count is of ones, its complement when it is
                // of zeros (or of ones as `n - count`).
                return Build(multiply, draw, entry, fraction, null, !onesCounted, DropoutSiteShape.MultipliedByDraw, multiply, kept, null, null, mask, IsGatedByControl(multiply, root), root);
            }

            return null;
        }

        /// <summary>
        /// <c>y[i] = mask[i] ? x[i] : 0</c>, <c>if (!mask[i]) h[i] = 0;</c>: an entry of a shuffled boolean array true for
        /// exactly <c>k</c> of its <c>n</c> entries decides as a draw true with probability <c>k / n</c>, and is climbed as one.
        /// </summary>
        private HandWrittenDropoutSite? FromShuffledCountFlag(IArrayElementReferenceOperation element, IOperation root)
        {
            if (element.Indices.Length != 1 || element.Type?.SpecialType != SpecialType.System_Boolean || IsWriteTarget(element)
                || ShuffledArrayCount(root) == 0
                || HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference) is not { } mask
                || ShuffleOf(mask, root) is not { } draw
                || CountFillOf(mask, root) is not var (fraction, trueCounted))
            {
                return null;
            }

            return Climb(element, element, draw, fraction, null, trueCounted, root, 0);
        }

        // The masked value is written where an activation lives (an element, a field or property, a lambda's result), not
        // summed into a local: `total += loss[i] * inTrain[i]` over a shuffled split weighs data, it drops no unit.
        private static bool IsWrittenPerElement(IOperation multiply)
        {
            if (multiply is ICompoundAssignmentOperation compound)
            {
                return compound.Target is not ILocalReferenceOperation;
            }

            IOperation current = multiply;
            while (current.Parent is IConversionOperation or IParenthesizedOperation
                   || current.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide })
            {
                current = current.Parent;
            }

            return current.Parent switch
            {
                ISimpleAssignmentOperation assignment => assignment.Value == current && assignment.Target is not ILocalReferenceOperation,
                IReturnOperation { Parent: IBlockOperation { Parent: IAnonymousFunctionOperation } } => true,
                _ => false,
            };
        }

        // `mask[i]` (one index, a number; an array's or a list's), or a local whose only value is one.
        private static IOperation? ShuffledEntry(IOperation factor)
        {
            IOperation current = HandWrittenDropoutSite.StripConversions(factor);
            if (current is ILocalReferenceOperation local && SymbolValues.OfLocal(local.Local, current) is { IsComplete: true, Values.Length: 1 } values)
            {
                current = HandWrittenDropoutSite.StripConversions(values.Values[0]);
            }

            return current is IArrayElementReferenceOperation { Indices.Length: 1 } or IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 }
                && current.Type is { SpecialType: not SpecialType.System_Boolean } type
                && (HandWrittenDropoutSite.IsNumeric(type) || type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Byte)
                ? current
                : null;
        }

        // The collection one entry is read from or written to: the array of `mask[i]`, or the list (or other indexed
        // collection) of `mask[i]` through its indexer, as a ported `Vec<f32>` mask is a List<float>.
        private static ISymbol? EntryCollection(IOperation entry) => entry switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } element => HandWrittenDropoutSite.ReferencedSymbol(element.ArrayReference),
            IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } instance } => HandWrittenDropoutSite.ReferencedSymbol(instance),
            _ => null,
        };

        // The one index of an entry (`i` of `mask[i]`).
        private static IOperation? EntryIndex(IOperation entry) => entry switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } element => element.Indices[0],
            IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexed => indexed.Arguments[0].Value,
            _ => null,
        };

        // A shuffle of a collection by a generator: System.Random's `Shuffle(span)`, or a shuffle of another library (the
        // ported `mask.shuffle(rng)` of Rust's SliceRandom) given the collection and a generator. The generator is told by its
        // type (Random, or a type named for one): a shuffle without one permutes by a fixed rule, or by a draw elsewhere.
        private static bool IsShuffleByGenerator(IInvocationOperation call) =>
            string.Equals(call.TargetMethod.Name, "Shuffle", StringComparison.OrdinalIgnoreCase)
            && (call.TargetMethod.ContainingType is { Name: "Random", ContainingNamespace.Name: "System" }
                || call.Arguments.Any(argument => argument.Value.Type is INamedTypeSymbol { } generator
                    && (generator.Name.IndexOf("Random", StringComparison.OrdinalIgnoreCase) >= 0 || generator.Name.IndexOf("Rng", StringComparison.OrdinalIgnoreCase) >= 0)));

        // The draw that permutes `mask` in `root`: a write to mask[j] with j drawn, Random.Shuffle(mask), or mask rebuilt by
        // OrderBy a draw. The arrays shuffled in `root` are found once, so a body that shuffles nothing costs one walk.
        private IInvocationOperation? ShuffleOf(ISymbol mask, IOperation root)
        {
            _shuffles ??= FindShuffles(root);
            return _shuffles.TryGetValue(mask, out IInvocationOperation? draw) ? draw : null;
        }

        private Dictionary<ISymbol, IInvocationOperation?> FindShuffles(IOperation root)
        {
            var shuffles = new Dictionary<ISymbol, IInvocationOperation?>(SymbolEqualityComparer.Default);
            AddShuffles(root, shuffles, helperDepth: 0);
            return shuffles;
        }

        // The shuffles of `body`, and of the fields shuffled by a method of the same type that `body` calls (one level:
        // `ShuffleMask(); for (...) y[i] = x[i] * _mask[i];`), since the mask is permuted before every application either way.
        private void AddShuffles(IOperation body, Dictionary<ISymbol, IInvocationOperation?> shuffles, int helperDepth)
        {
            foreach (IOperation operation in body.Descendants())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Ordinary, IsVirtual: false, IsAbstract: false, IsOverride: false } helper } call
                        when helperDepth == 0 && SymbolEqualityComparer.Default.Equals(helper.ContainingType, semanticModel.GetEnclosingSymbol(call.Syntax.SpanStart, cancellationToken)?.ContainingType)
                             && helper.DeclaringSyntaxReferences.Length == 1 && helper.DeclaringSyntaxReferences[0].SyntaxTree == semanticModel.SyntaxTree
                             && NamesRandomness(helper.DeclaringSyntaxReferences[0].SyntaxTree, helper.DeclaringSyntaxReferences[0].Span)
                             && !call.Syntax.Ancestors().Contains(helper.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken))
                             && semanticModel.GetOperation(helper.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken) is { } helperBody:
                        var inHelper = new Dictionary<ISymbol, IInvocationOperation?>(SymbolEqualityComparer.Default);
                        AddShuffles(helperBody, inHelper, helperDepth + 1);
                        foreach (KeyValuePair<ISymbol, IInvocationOperation?> shuffled in inHelper.Where(entry => entry.Key is IFieldSymbol))
                        {
                            shuffles[shuffled.Key] = shuffled.Value;
                        }

                        break;
                    case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }
                        when IsWriteTarget(operation) && EntryCollection(operation) is { } written
                             && EntryIndex(operation) is { } index && IndexDraw(index) is { } indexDraw:
                        shuffles[written] = indexDraw;
                        break;
                    case IInvocationOperation shuffle when IsShuffleByGenerator(shuffle):
                        foreach (IOperation shuffledValue in shuffle.Arguments.Select(argument => argument.Value).Append(shuffle.Instance).OfType<IOperation>())
                        {
                            if (HandWrittenDropoutSite.ReferencedSymbol(shuffledValue) is { } shuffled && shuffledValue.Type is not INamedTypeSymbol { Name: "Random" })
                            {
                                shuffles[shuffled] = shuffle;
                            }
                        }

                        break;
                    case ISimpleAssignmentOperation assignment when HandWrittenDropoutSite.ReferencedSymbol(assignment.Target) is { } rebuilt:
                        foreach (IInvocationOperation orderBy in assignment.Value.DescendantsAndSelf().OfType<IInvocationOperation>().Where(call => call.TargetMethod.Name == "OrderBy"))
                        {
                            if (orderBy.Descendants().OfType<IInvocationOperation>().FirstOrDefault(inner => inner.TargetMethod.Name is "Next" or "NextDouble" or "NextSingle") is { } orderDraw)
                            {
                                shuffles[rebuilt] = orderDraw;
                            }
                        }

                        break;
                }
            }
        }

        // Written, not only read: the target of an assignment or an element of a deconstruction's target tuple (the swap).
        private static bool IsWriteTarget(IOperation element)
        {
            IOperation current = element;
            while (current.Parent is ITupleOperation tuple)
            {
                current = tuple;
            }

            return current.Parent is IAssignmentOperation assignment && assignment.Target == current;
        }

        // An integer index drawn by a generator: rng.Next(n), rng.Next(i, n), rng.Next(i + 1), directly or through a local.
        private static IInvocationOperation? IndexDraw(IOperation index)
        {
            IOperation current = HandWrittenDropoutSite.StripConversions(index);
            if (current is ILocalReferenceOperation local && SymbolValues.OfLocal(local.Local, current) is { IsComplete: true, Values.Length: 1 } values)
            {
                current = HandWrittenDropoutSite.StripConversions(values.Values[0]);
            }

            return current is IInvocationOperation { TargetMethod.Name: "Next", Arguments.Length: 1 or 2, Type.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 } call
                ? call
                : null;
        }

        // Where `mask` gets exactly `count` ones (or zeros) at the positions below `count`, in `root` or, for a field, in a
        // member of its type declared in this file: the fraction of the size that the count is, and whether it counts ones.
        private (IOperation Fraction, bool OnesCounted)? CountFillOf(ISymbol mask, IOperation root)
        {
            _countFills ??= new Dictionary<ISymbol, (IOperation, bool)?>(SymbolEqualityComparer.Default);
            if (!_countFills.TryGetValue(mask, out (IOperation Fraction, bool OnesCounted)? fill))
            {
                fill = FindCountFill(mask, root);
                _countFills[mask] = fill;
            }

            return fill;
        }

        private (IOperation Fraction, bool OnesCounted)? FindCountFill(ISymbol mask, IOperation root)
        {
            if (CountFillIn(mask, root) is { } inRoot)
            {
                return inRoot;
            }

            if (mask is not IFieldSymbol { ContainingType: { } type })
            {
                return null;
            }

            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != semanticModel.SyntaxTree)
                {
                    continue;
                }

                foreach (MemberDeclarationSyntax member in ((TypeDeclarationSyntax)reference.GetSyntax(cancellationToken)).Members)
                {
                    if (member is not BaseMethodDeclarationSyntax method || method.Span.Contains(root.Syntax.Span)
                        || !method.DescendantTokens().Any(token => token.ValueText == mask.Name)
                        || semanticModel.GetOperation(method, cancellationToken) is not { } body
                        || CountFillIn(mask, body) is not { } fill)
                    {
                        continue;
                    }

                    return fill;
                }
            }

            return null;
        }

        private (IOperation Fraction, bool OnesCounted)? CountFillIn(ISymbol mask, IOperation root)
        {
            foreach (IOperation operation in root.Descendants())
            {
                cancellationToken.ThrowIfCancellationRequested();
                (IOperation Count, bool Ones)? filled = operation switch
                {
                    // Array.Fill(mask, 1, 0, count): the first `count` entries are 1, the rest keep the array's zeros.
                    IInvocationOperation { TargetMethod: { Name: "Fill", ContainingType.Name: "Array" }, Arguments.Length: 4 } fill
                        when SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(Argument(fill, 0)), mask)
                             && HandWrittenDropoutSite.IsZero(Argument(fill, 2)) && HandWrittenDropoutSite.IsOne(Argument(fill, 1)) =>
                        (Argument(fill, 3), true),
                    ISimpleAssignmentOperation { Target: var entry } assignment
                        when SymbolEqualityComparer.Default.Equals(EntryCollection(entry), mask)
                             && EntryIndex(entry) is { } index && HandWrittenDropoutSite.StripConversions(index) is ILocalReferenceOperation position =>
                        CountOfPositionWrite(assignment, position.Local),
                    _ => null,
                };
                if (filled is var (count, ones) && CountFraction(count, out bool complement) is { } fraction)
                {
                    return (fraction, ones != complement);
                }
            }

            return null;
        }

        private static IOperation Argument(IInvocationOperation call, int ordinal) =>
            call.Arguments.First(argument => argument.Parameter?.Ordinal == ordinal).Value;

        // `mask[i] = i < count ? 1 : 0` (ones below the count; `? 0 : 1` zeros), or `mask[i] = 1` in `for (...; i < count; ...)`.
        private static (IOperation Count, bool Ones)? CountOfPositionWrite(ISimpleAssignmentOperation assignment, ILocalSymbol position)
        {
            IOperation value = HandWrittenDropoutSite.StripConversions(assignment.Value);
            if (value is IConditionalOperation { WhenFalse: { } whenFalse } conditional
                && PositionBelow(conditional.Condition, position) is var (count, below)
                && (HandWrittenDropoutSite.IsOne(conditional.WhenTrue) && HandWrittenDropoutSite.IsZero(whenFalse)
                    || HandWrittenDropoutSite.IsZero(conditional.WhenTrue) && HandWrittenDropoutSite.IsOne(whenFalse)))
            {
                // The true branch is taken for the positions below the count when the condition says `i < count`.
                bool onesBelow = HandWrittenDropoutSite.IsOne(conditional.WhenTrue) == below;
                return (count, onesBelow);
            }

            // `mask[i] = i < kept`: a boolean mask true exactly below the count.
            if (value.Type?.SpecialType == SpecialType.System_Boolean && PositionBelow(value, position) is var (flagCount, flagBelow))
            {
                return (flagCount, flagBelow);
            }

            if (HandWrittenDropoutSite.IsOne(value))
            {
                for (IOperation? current = assignment.Parent; current is not null and not IMethodBodyBaseOperation; current = current.Parent)
                {
                    if (current is IForLoopOperation { Condition: { } condition } && PositionBelow(condition, position) is (var loopCount, true))
                    {
                        return (loopCount, true);
                    }
                }
            }

            return null;
        }

        // `i < count` (or `count > i`, `<=`): the count, and whether the condition holds for the positions below it.
        private static (IOperation Count, bool Below)? PositionBelow(IOperation condition, ILocalSymbol position)
        {
            if (HandWrittenDropoutSite.StripConversions(condition) is not IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual } comparison)
            {
                return null;
            }

            bool isLess = comparison.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual;
            if (IsPosition(comparison.LeftOperand, position))
            {
                return (comparison.RightOperand, isLess);
            }

            return IsPosition(comparison.RightOperand, position) ? (comparison.LeftOperand, !isLess) : null;
        }

        private static bool IsPosition(IOperation operand, ILocalSymbol position) =>
            HandWrittenDropoutSite.StripConversions(operand) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, position);

        // A count that is a fraction of a size (`(int)Math.Ceiling(n * p)`, `rate * n`, a local holding one), or the size
        // less one (`n - (int)Math.Round(n * rate)`, the complement's count).
        private static IOperation? CountFraction(IOperation count, out bool complement)
        {
            complement = false;
            IOperation current = HandWrittenDropoutSite.StripConversions(count);
            for (int step = 0; step < 3 && current is ILocalReferenceOperation local
                 && SymbolValues.OfLocal(local.Local, current) is { IsComplete: true, Values.Length: 1 } values; step++)
            {
                current = HandWrittenDropoutSite.StripConversions(values.Values[0]);
            }

            if (current is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference
                && !HandWrittenDropoutSite.IsFloatingPoint(difference.LeftOperand.Type)
                && CountFraction(difference.RightOperand) is { } subtracted)
            {
                complement = true;
                return subtracted;
            }

            return CountFraction(current);
        }
    }
}
