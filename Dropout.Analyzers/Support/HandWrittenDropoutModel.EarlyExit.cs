using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    private sealed partial class SiteFinder
    {
        /// <summary>
        /// Dropout whose zeroing is an exit rather than a write: the draw's <c>if</c> leaves, and what it leaves out is the
        /// dropped value.
        /// <list type="bullet">
        /// <item><c>if (u &lt; rate) continue;</c> before <c>sum += w[i] * x[i];</c> in the same loop body: the skipped product
        /// (as <see cref="DropoutSiteShape.SkippedTerm"/> with the accumulation after the exit as its kept value);</item>
        /// <item><c>if (u &gt;= survival) return x;</c> where <c>x</c> is the method's input and a later <c>return</c> computes
        /// from it (<c>return x + Residual(x) / survival;</c>): per-sample drop-path or stochastic depth, whose dropped branch
        /// is the residual and whose kept value is the later returned value;</item>
        /// <item><c>if (u &lt; rate) { output = 0; return; }</c> before <c>output = Activate(sum);</c> (or <c>continue</c> in a
        /// loop): the unit is zeroed and left, and the later write of the same value is the kept value.</item>
        /// </list>
        /// <c>break</c> is not read (it ends a search, not one element's contribution), nor a return of anything other than
        /// the untouched input (an epsilon-greedy random action, an early exit with a default).
        /// </summary>
        private HandWrittenDropoutSite? FromEarlyExit(IOperation condition, IOperation draw, IInvocationOperation? call, IOperation probability, IOperation? bound, bool trueWithProbability, IConditionalOperation conditional, bool gated, IOperation root)
        {
            if (conditional.WhenFalse is not null || conditional.Parent is not IBlockOperation block)
            {
                return null;
            }

            IOperation exit = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } single ? single.Operations[0] : conditional.WhenTrue;
            IEnumerable<IOperation> following = StatementsAfter(conditional, block);
            IOperation? kept = exit switch
            {
                IBranchOperation { BranchKind: BranchKind.Continue } when IsPerElement(conditional, root) => SkippedAccumulation(following) ?? SkippedReceiverAccumulation(following) ?? SkippedElementWrite(conditional, block, following),
                IReturnOperation { ReturnedValue: { } returned } => ResidualAfterIdentity(returned, following) ?? ValueReturnedAfterZero(returned, conditional, following, root),
                IBlockOperation zeroing => KeptAfterZeroingExit(zeroing, following),
                _ => null,
            };

            // The condition holds for a dropped element, so the element is kept with the other probability.
            return kept is null
                ? null
                : Build(condition, call, draw, probability, bound, trueWithProbability, DropoutSiteShape.SkippedTerm, conditional, kept, null, null, null, gated || IsGatedByControl(conditional, root), root);
        }

        // `sum += w[i] * x[i];` among the statements the `continue` skips: a product that reads an element, added to a scalar.
        private static IOperation? SkippedAccumulation(IEnumerable<IOperation> following)
        {
            foreach (IOperation statement in following)
            {
                if (statement is IExpressionStatementOperation { Operation: ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add } accumulation }
                    && HandWrittenDropoutSite.IsNumeric(accumulation.Target.Type)
                    && accumulation.Target is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
                    && HandWrittenDropoutSite.StripConversions(accumulation.Value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } weighted
                    && weighted.DescendantsAndSelf().Any(operation => operation is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
                {
                    return accumulation.Value;
                }
            }

            return null;
        }

        // `acc.MultiplyAdd(w, v);` among the statements the `continue` skips: a void call of a source method of another
        // object that adds a product of its parameters into its receiver's elements (`values[i] += w * o.values[i]`), the
        // weighted sum written as a vector method; skipping the call skips the term. Read from the callee's syntax only.
        private static IOperation? SkippedReceiverAccumulation(IEnumerable<IOperation> following)
        {
            foreach (IOperation statement in following)
            {
                if (statement is IExpressionStatementOperation { Operation: IInvocationOperation { Instance: { } receiver, TargetMethod: { ReturnsVoid: true, IsStatic: false } target } call }
                    && receiver is not IInstanceReferenceOperation
                    && !call.Arguments.IsEmpty
                    && AccumulatesProductIntoReceiver(target))
                {
                    return call;
                }
            }

            return null;
        }

        private static bool AccumulatesProductIntoReceiver(IMethodSymbol target)
        {
            if (target.DeclaringSyntaxReferences.Length != 1 || target.Parameters.IsEmpty
                || target.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax declaration)
            {
                return false;
            }

            foreach (Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax assignment in declaration.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax>())
            {
                if (assignment.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AddAssignmentExpression)
                    && assignment.Left is Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax } }
                    && StripParenthesesAndCasts(assignment.Right) is Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax product
                    && product.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.MultiplyExpression)
                    && product.DescendantNodesAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>()
                        .Any(name => target.Parameters.Any(parameter => parameter.Name == name.Identifier.ValueText)))
                {
                    return true;
                }
            }

            return false;
        }

        // `if (u < rate) { output = 0; derivative = 0; return; }` before `output = Activate(sum);`: the unit's value is
        // zeroed and the method (or the loop body, with `continue`) is left, so the later write of the same value is what
        // a kept unit gets. Only floating-point values written 0 count, and only a later plain write of one of them.
        private static IOperation? KeptAfterZeroingExit(IBlockOperation zeroing, IEnumerable<IOperation> following)
        {
            int last = zeroing.Operations.Length - 1;
            if (last < 1 || zeroing.Operations[last] is not (IReturnOperation { ReturnedValue: null } or IBranchOperation { BranchKind: BranchKind.Continue }))
            {
                return null;
            }

            var zeroedTargets = zeroing.Operations.Take(last)
                .Select(statement => statement is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment }
                    && HandWrittenDropoutSite.IsZero(assignment.Value) && HandWrittenDropoutSite.IsFloatingPoint(assignment.Target.Type) ? assignment.Target : null)
                .OfType<IOperation>()
                .ToList();
            if (zeroedTargets.Count == 0)
            {
                return null;
            }

            foreach (IOperation statement in following)
            {
                if (LaterWrite(statement, zeroedTargets, depth: 0) is { } kept)
                {
                    return kept;
                }
            }

            return null;
        }

        // A plain write of a zeroed value in a statement that runs after the exit, also inside the branches of an `if` or the
        // sections of a `switch` over activation kinds (`case Sigmoid: output = Sigmoid(sum); break;`): each branch computes
        // the kept value one way, and the first found stands for them. Loops and lambdas are not entered (a write there is
        // not the unit's one value).
        private static IOperation? LaterWrite(IOperation statement, List<IOperation> zeroedTargets, int depth)
        {
            switch (statement)
            {
                case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation later }
                    when !HandWrittenDropoutSite.IsZero(later.Value) && zeroedTargets.Any(target => SameLocation(target, later.Target)):
                    return later.Value;
                case IBlockOperation block when depth < 4:
                    return block.Operations.Select(inner => LaterWrite(inner, zeroedTargets, depth + 1)).FirstOrDefault(found => found is not null);
                case IConditionalOperation { Type: null } branches when depth < 4:
                    return LaterWrite(branches.WhenTrue, zeroedTargets, depth + 1)
                        ?? (branches.WhenFalse is { } otherwise ? LaterWrite(otherwise, zeroedTargets, depth + 1) : null);
                case ISwitchOperation choice when depth < 4:
                    return choice.Cases.SelectMany(section => section.Body).Select(inner => LaterWrite(inner, zeroedTargets, depth + 1)).FirstOrDefault(found => found is not null);
                default:
                    return null;
            }
        }

        // The statements that run after an `if` whose exit is not taken: the rest of its block, and when that block is a branch
        // of an enclosing `if` (`if (training) { if (u < rate) { ...; return; } } else { ... }`), the statements after that
        // `if` too, up to the enclosing loop body or method body.
        private static IEnumerable<IOperation> StatementsAfter(IOperation statement, IBlockOperation block)
        {
            while (true)
            {
                foreach (IOperation following in block.Operations.SkipWhile(candidate => candidate != statement).Skip(1))
                {
                    yield return following;
                }

                if (block.Parent is not IConditionalOperation { Type: null, Parent: IBlockOperation outer } enclosing)
                {
                    yield break;
                }

                statement = enclosing;
                block = outer;
            }
        }

        // `if (u < rate) continue;` before `y[i] = x[i] * w[i];`: the skipped element keeps the zero it already holds, either
        // because the buffer was just made (`var y = new double[n];`) or because the same element was zeroed earlier in the loop
        // body (`y[i] = 0;`). The first element write after the exit decides; a buffer holding anything else (an output
        // parameter, last call's values) is not read as dropout.
        private static IOperation? SkippedElementWrite(IConditionalOperation conditional, IBlockOperation block, IEnumerable<IOperation> following)
        {
            foreach (IOperation statement in following)
            {
                if (statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation write }
                    || write.Target is not (IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true }))
                {
                    continue;
                }

                IOperation? buffer = write.Target switch
                {
                    IArrayElementReferenceOperation element => element.ArrayReference,
                    IPropertyReferenceOperation { Instance: { } instance } => instance,
                    _ => null,
                };
                if (buffer is null || !HandWrittenDropoutSite.IsFloatingPoint(write.Target.Type) || HandWrittenDropoutSite.IsZero(write.Value)
                    || !write.Value.DescendantsAndSelf().Any(read => read is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true })
                    || write.Value.DescendantsAndSelf().Any(read => SameLocation(read, buffer)))
                {
                    return null;
                }

                bool freshBuffer = buffer is ILocalReferenceOperation local
                    && SymbolValues.OfLocal(local.Local, block) is { IsComplete: true, Values.Length: 1 } values
                    && HandWrittenDropoutSite.StripConversions(values.Values[0]) is IArrayCreationOperation { Initializer: null };
                bool zeroedBefore = block.Operations.TakeWhile(earlier => earlier != conditional).Any(earlier =>
                    earlier is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation zeroing }
                    && HandWrittenDropoutSite.IsZero(zeroing.Value) && zeroing.Target.Syntax.IsEquivalentTo(write.Target.Syntax));
                return freshBuffer || zeroedBefore ? write.Value : null;
            }

            return null;
        }

        // `if (u < rate) return 0;` before `return Activate(sum);` in a method that computes one unit's value: the dropped unit
        // returns zero, a kept one the later returned value. Not inside a loop (a zero returned from a loop ends every
        // element, not one), and only a floating-point zero.
        private static IOperation? ValueReturnedAfterZero(IOperation returned, IConditionalOperation conditional, IEnumerable<IOperation> following, IOperation root)
        {
            if (!HandWrittenDropoutSite.IsZero(returned) || !HandWrittenDropoutSite.IsFloatingPoint(returned.Type))
            {
                return null;
            }

            for (IOperation? current = conditional.Parent; current is not null && current != root; current = current.Parent)
            {
                // The lambda of an element-wise map (`xs.Select(x => { if (u < rate) return 0; return x / keep; })`) computes
                // one element's value per call, like a method computing one unit's value: its early zero drops that element.
                if (current is IAnonymousFunctionOperation lambda && IsElementMap(lambda))
                {
                    break;
                }

                if (current is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return null;
                }
            }

            foreach (IOperation statement in following)
            {
                foreach (IReturnOperation later in statement.DescendantsAndSelf().OfType<IReturnOperation>())
                {
                    if (later.ReturnedValue is { } value && !HandWrittenDropoutSite.IsZero(value) && !value.ConstantValue.HasValue
                        && !InsideNestedFunction(later, statement))
                    {
                        return value;
                    }
                }
            }

            return null;
        }

        // The lambda passed to `Select` (LINQ or a look-alike on a tensor or vector type): called once per element.
        private static bool IsElementMap(IAnonymousFunctionOperation lambda) =>
            lambda.Parent is IDelegateCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Select" } } };

        private static bool InsideNestedFunction(IOperation operation, IOperation statement)
        {
            // From the operation itself: a `return` that is the statement is in no nested function of it, even when the
            // statement is inside a lambda (the element-map lambda of ValueReturnedAfterZero).
            for (IOperation? current = operation; current is not null && current != statement; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        // The same variable, member or element: by symbol where there is one, else by the written expression.
        private static bool SameLocation(IOperation first, IOperation second) =>
            HandWrittenDropoutSite.ReferencedSymbol(first) is { } symbol
                ? SymbolEqualityComparer.Default.Equals(symbol, HandWrittenDropoutSite.ReferencedSymbol(second))
                : first.Syntax.IsEquivalentTo(second.Syntax);

        // `return x;` of the method's own input, and a later `return` whose value adds something computed to it (the residual
        // branch): the early return drops that branch for this sample.
        private static IOperation? ResidualAfterIdentity(IOperation returned, IEnumerable<IOperation> following)
        {
            if (HandWrittenDropoutSite.StripConversions(returned) is not IParameterReferenceOperation { Parameter: { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Ordinary } } input })
            {
                return null;
            }

            foreach (IOperation statement in following)
            {
                foreach (IReturnOperation later in statement.DescendantsAndSelf().OfType<IReturnOperation>())
                {
                    if (later.ReturnedValue is { } value
                        && HandWrittenDropoutSite.StripConversions(value) is not IParameterReferenceOperation
                        && value.DescendantsAndSelf().Any(operation => operation is IParameterReferenceOperation parameter && SymbolEqualityComparer.Default.Equals(parameter.Parameter, input))
                        && value.DescendantsAndSelf().Any(operation => operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } or IInvocationOperation { TargetMethod.Name: "Add" }))
                    {
                        return value;
                    }
                }
            }

            return null;
        }
    }
}
