using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // Words of another technique that real dropout classes also use for their names (FeatureNoiseLayer, InputCorruption, a
    // forward over `features`): they reject a site only when the code itself does not say dropout (see IsDropoutDespiteNoiseWords).
    private static readonly string[] SoftNotDropoutVocabulary = ["noise", "corrupt", "feature"];

    // Words naming a probability as a drop or keep probability (not mask or train, which name other things too).
    private static readonly string[] DropOrKeepProbabilityWords = ["drop", "keep", "survival", "retain"];

    private sealed partial class SiteFinder
    {
        /// <summary>
        /// A site whose names speak of noise, corruption or features (and of no other technique) is still dropout when the
        /// code says so three ways at once: the compared probability is named as a drop or keep probability, the zeroing
        /// runs in training only (under a condition on a training flag), and the type rescales by that probability
        /// somewhere (a division by it or by one minus it, or a product with it: the kept values' 1/p, a precomputed scale,
        /// the classic test-time factor). Masking noise as a denoising autoencoder uses it never rescales, so without the
        /// rescale the site is left alone even with a drop-named rate: that code is a legitimate technique, not a mistake.
        /// Runs only for sites that the vocabulary would otherwise reject, so it costs nothing on other code.
        /// </summary>
        private bool IsDropoutDespiteNoiseWords(HandWrittenDropoutSite site, List<string> names, IOperation root)
        {
            foreach (string name in names)
            {
                foreach (string word in NotDropoutVocabulary)
                {
                    if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0 && !ContainsAny(word, SoftNotDropoutVocabulary))
                    {
                        return false;
                    }
                }
            }

            var probabilityNames = new HashSet<string>(StringComparer.Ordinal);
            if (site.ProbabilitySymbol is { } probabilitySymbol)
            {
                probabilityNames.Add(probabilitySymbol.Name);
            }

            foreach (IOperation operation in HandWrittenDropoutSite.EnumerateSelfAndDescendants(site.Probability))
            {
                if (HandWrittenDropoutSite.ReferencedSymbol(operation) is { } symbol)
                {
                    probabilityNames.Add(symbol.Name);
                }
            }

            probabilityNames.RemoveWhere(name => !ContainsAny(name, DropOrKeepProbabilityWords));
            if (probabilityNames.Count == 0 || !(IsTrainingOnly(site.Comparison.Syntax.Span, root) || IsTrainingOnlyAtEveryCall(site.Comparison, root, 0)))
            {
                return false;
            }

            ISymbol? enclosing = semanticModel.GetEnclosingSymbol(site.Decision.Syntax.SpanStart, cancellationToken);
            if (enclosing?.ContainingType is not { } type)
            {
                return false;
            }

            bool speaksOfNetwork = names.Concat(type.MemberNames).Any(name => NeuralVocabulary.Any(word => word != "feature" && name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0));
            return speaksOfNetwork
                && type.DeclaringSyntaxReferences.Any(reference => RescalesBy(reference.GetSyntax(cancellationToken), probabilityNames));
        }

        // A condition on a training flag (`if (!training) return x;`, `if (IsTraining) { ... }`, `training && u < p`), without a
        // draw of its own, that holds the site or exits (return, continue, break, throw) before it in a block that holds it.
        private static bool IsTrainingOnly(Microsoft.CodeAnalysis.Text.TextSpan decision, IOperation root)
        {
            foreach (IOperation operation in root.DescendantsAndSelf())
            {
                (IOperation? condition, bool gates) = operation switch
                {
                    IConditionalOperation conditional => (conditional.Condition,
                        conditional.Syntax.Span.Contains(decision) && !conditional.Condition.Syntax.Span.Contains(decision)
                        || conditional.Syntax.Span.End <= decision.Start && conditional.Parent is IBlockOperation block && block.Syntax.Span.Contains(decision)
                            && conditional.WhenTrue.DescendantsAndSelf().Any(exit => exit is IReturnOperation or IThrowOperation or IBranchOperation)),
                    IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } logical => (logical.LeftOperand, logical.RightOperand.Syntax.Span.Contains(decision)),
                    _ => (null, false),
                };
                if (gates && !ContainsRandom(condition!) && condition!.DescendantsAndSelf().Any(read => HandWrittenDropoutSite.ReferencedSymbol(read) is { } flag
                        && InferencePath.FlagValueAtInference(flag.Name) == false
                        && (flag is IPropertySymbol { Type.SpecialType: SpecialType.System_Boolean } or IFieldSymbol { Type.SpecialType: SpecialType.System_Boolean }
                            or IParameterSymbol { Type.SpecialType: SpecialType.System_Boolean } or ILocalSymbol { Type.SpecialType: SpecialType.System_Boolean })))
                {
                    return true;
                }
            }

            return false;
        }

        // A division (or `/=`) whose divisor names the probability (`x / keep`, `1f / (1f - dropRate)`), or a product (or
        // `*=`) with the probability or one minus it as a factor (`x * keep`, `h * (1 - dropRate)`), anywhere in the type.
        private static bool RescalesBy(SyntaxNode type, HashSet<string> probabilityNames)
        {
            foreach (SyntaxNode node in type.DescendantNodes())
            {
                (ExpressionSyntax? left, ExpressionSyntax? right, bool divides) = node switch
                {
                    BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.DivideExpression) => (binary.Left, binary.Right, true),
                    BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) => (binary.Left, binary.Right, false),
                    AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.DivideAssignmentExpression) => (assignment.Left, assignment.Right, true),
                    AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.MultiplyAssignmentExpression) => (assignment.Left, assignment.Right, false),
                    _ => (null, null, false),
                };
                if (right is null)
                {
                    continue;
                }

                if (divides ? Names(right, probabilityNames) : IsProbabilityFactor(left!, probabilityNames) || IsProbabilityFactor(right, probabilityNames))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Names(ExpressionSyntax expression, HashSet<string> probabilityNames) =>
            expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(identifier => probabilityNames.Contains(identifier.Identifier.ValueText));

        // `keep`, `this.keep`, `(1 - dropRate)`, `(float)keep`.
        private static bool IsProbabilityFactor(ExpressionSyntax expression, HashSet<string> probabilityNames)
        {
            expression = StripParenthesesAndCasts(expression);

            return expression switch
            {
                IdentifierNameSyntax identifier => probabilityNames.Contains(identifier.Identifier.ValueText),
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => probabilityNames.Contains(name.Identifier.ValueText),
                BinaryExpressionSyntax subtraction when subtraction.IsKind(SyntaxKind.SubtractExpression) && subtraction.Left is LiteralExpressionSyntax => IsProbabilityFactor(subtraction.Right, probabilityNames),
                _ => false,
            };
        }
    }
}
