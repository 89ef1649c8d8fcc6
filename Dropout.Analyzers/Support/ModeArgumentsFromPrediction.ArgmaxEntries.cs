using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// A prediction entry found by what the code does rather than by its name: a method that takes the index of the largest
/// output of a model call (<c>output.IndexOf(output.Max())</c>, <c>ArgMax(output)</c>: a predicted class) and trains nothing
/// (no backward, loss, gradient, update or training call, no write of a member). A demo named <c>demo_deep_learning</c> that
/// runs <c>cnn.forward(sample)</c>, whose <c>training</c> parameter defaults to true, and prints the predicted class predicts
/// with dropout on; its name's "learning" is a noun, and the body says it learns nothing. Monte Carlo names and attributes
/// still opt out, and the values the chain passes must still decide a drop (a default of false is silent).
/// </summary>
internal static partial class ModeArgumentsFromPrediction
{
    private static readonly string[] TrainingCallWords = ["backward", "backprop", "grad", "loss", "update", "step", "optimi", "train", "fit", "learn"];

    // Where each tree's text names a maximum's index, found once per tree (a text search): a type without a draw or an
    // inference name is admitted only when one of those places is inside it.
    private static readonly ConditionalWeakTable<SyntaxTree, int[]> MaximumIndexPositions = new();

    private static bool SelectsAMaximumIndex(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(reference => MaximumIndexPositions.GetValue(reference.SyntaxTree, tree => FindMaximumIndexWords(tree, cancellationToken))
            .Any(position => reference.Span.Contains(position)));

    private static int[] FindMaximumIndexWords(SyntaxTree tree, CancellationToken cancellationToken)
    {
        string text = tree.GetText(cancellationToken).ToString();
        var positions = new List<int>();
        foreach (string word in new[] { "IndexOf(", "argmax", "ArgMax" })
        {
            for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.OrdinalIgnoreCase))
            {
                positions.Add(at);
            }
        }

        return positions.ToArray();
    }

    // A model that holds a component that draws (`public Dropout dropout;`) sits between a prediction and the dropout: its
    // forward is a link of the chain, summarized as the component's own methods are. Only a field of a source type of the
    // compilation is asked about, so a type of library fields costs a symbol walk.
    private static bool HoldsADrawingComponent(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.GetMembers().OfType<IFieldSymbol>().Any(field => field.Type is INamedTypeSymbol { DeclaringSyntaxReferences.IsEmpty: false } component
            && !SymbolEqualityComparer.Default.Equals(component, type)
            && HandWrittenDropoutModel.MayDraw(component, cancellationToken));

    private static bool PredictsByDataFlow(IMethodSymbol method, IOperation root)
    {
        if (HandWrittenDropoutInInferenceAnalyzer.IsMonteCarloName(method.Name)
            || method.GetAttributes().Any(attribute => attribute.AttributeClass?.Name is "MonteCarloDropoutAttribute" or "FactAttribute" or "TheoryAttribute" or "TestAttribute" or "TestMethodAttribute" or "TestCaseAttribute")
            || !MayNameMaximumIndex(root))
        {
            return false;
        }

        bool selects = false;
        foreach (IOperation operation in root.Descendants())
        {
            switch (operation)
            {
                case IInvocationOperation call when TrainingCallWords.Any(word => call.TargetMethod.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0):
                    return false;
                case IAssignmentOperation { Target: var target } when target is not ILocalReferenceOperation && !IsLocalElement(target):
                    return false;
                case IInvocationOperation call when !selects && MaximumIndexOf(call) is ILocalReferenceOperation { Local: var output }:
                    selects = IsModelOutput(output, root);
                    break;
            }
        }

        return selects;
    }

    private static bool MayNameMaximumIndex(IOperation root) =>
        MaximumIndexPositions.GetValue(root.Syntax.SyntaxTree, tree => FindMaximumIndexWords(tree, CancellationToken.None)).Any(position => root.Syntax.Span.Contains(position));

    private static bool IsLocalElement(IOperation target) =>
        HandWrittenDropoutModel.ElementCollection(target) is { } collection && HandWrittenDropoutSite.StripConversions(collection) is ILocalReferenceOperation;

    // `v.IndexOf(v.Max())` (the same local twice) or `ArgMax(v)` / `v.ArgMax()` / `np.argmax(v)`: the local whose largest
    // element's index is taken.
    private static IOperation? MaximumIndexOf(IInvocationOperation call)
    {
        if (call.TargetMethod.Name == "IndexOf" && call.Instance is { } instance && call.Arguments.Length >= 1
            && HandWrittenDropoutSite.StripConversions(call.Arguments[0].Value) is IInvocationOperation { TargetMethod.Name: "Max" } max
            && (max.Instance ?? (max.Arguments.Length == 1 ? max.Arguments[0].Value : null)) is { } maxOf
            && HandWrittenDropoutSite.StripConversions(maxOf) is ILocalReferenceOperation maxLocal
            && HandWrittenDropoutSite.StripConversions(instance) is ILocalReferenceOperation indexLocal
            && SymbolEqualityComparer.Default.Equals(maxLocal.Local, indexLocal.Local))
        {
            return indexLocal;
        }

        if (string.Equals(call.TargetMethod.Name, "ArgMax", StringComparison.OrdinalIgnoreCase))
        {
            IOperation? of = call.Arguments.Length >= 1 && call.Arguments[0].Value.Type is { } argumentType && argumentType.SpecialType == SpecialType.None
                ? call.Arguments[0].Value
                : call.Instance;
            return of is null ? null : HandWrittenDropoutSite.StripConversions(of);
        }

        return null;
    }

    // The local holds what an instance call returned (`var output = cnn.forward(sample);`): a model's output.
    private static bool IsModelOutput(ILocalSymbol output, IOperation root) =>
        SymbolValues.OfLocal(output, root) is { IsComplete: true, Values.Length: 1 } values
        && HandWrittenDropoutSite.StripConversions(values.Values[0]) is IInvocationOperation { Instance: { } receiver }
        && receiver.Type is { SpecialType: SpecialType.None, TypeKind: TypeKind.Class or TypeKind.Struct };
}
