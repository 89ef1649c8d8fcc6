using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP011: a hand-written dropout mask drawn from <c>new Random()</c> or <c>Random.Shared</c>, which are seeded from
/// the environment, so no two training runs draw the same masks. The generator is followed through locals, fields,
/// properties (<c>_rng ??= new Random()</c>), <c>ThreadLocal&lt;Random&gt;</c> and draw helpers of the same file; it is
/// reported only when every value it can hold is unseeded, so a parameter, or a generator built anywhere with a seed, is trusted.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnseededDropoutRandomAnalyzer : DiagnosticAnalyzer
{
    private const int MaxDepth = 4;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnseededDropoutRandom);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        HandWrittenDropoutRules.RegisterTypeAnalysis(context, (nodeContext, facts) =>
        {
            if (nodeContext.Compilation.GetTypeByMetadataName("System.Random") is not { } randomType)
            {
                return;
            }

            HandWrittenDropoutModel model = HandWrittenDropoutModel.For(nodeContext.Compilation);
            var reported = new HashSet<Location>();
            foreach (HandWrittenDropoutSite site in facts.Sites)
            {
                if (site.DrawCall is not { } call || GeneratorOf(call) is not { } generator
                    || !IsUnseeded(generator, randomType, model, facts.SemanticModelOf(generator.Syntax), nodeContext.CancellationToken, 0))
                {
                    continue;
                }

                // The generator call when it is in the site's own body, else the helper call or draw the site reads.
                Location location = facts.RootOf(site).Syntax.Span.Contains(call.Syntax.Span) && call.Syntax.SyntaxTree == site.Draw.Syntax.SyntaxTree
                    ? call.Syntax.GetLocation()
                    : site.Draw.Syntax.GetLocation();
                if (reported.Add(location))
                {
                    nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnseededDropoutRandom, location, generator.Syntax.ToString()));
                }
            }
        });
    }

    // `rng.NextDouble()` reads `rng`; `random?.NextDouble()` reads the conditional access's receiver.
    private static IOperation? GeneratorOf(IInvocationOperation call)
    {
        if (call.Instance is IConditionalAccessInstanceOperation)
        {
            for (IOperation? current = call.Parent; current is not null; current = current.Parent)
            {
                if (current is IConditionalAccessOperation access)
                {
                    return access.Operation;
                }
            }

            return null;
        }

        return call.Instance;
    }

    private static bool IsUnseeded(IOperation generator, INamedTypeSymbol randomType, HandWrittenDropoutModel model, SemanticModel semanticModel, CancellationToken cancellationToken, int depth)
    {
        generator = HandWrittenDropoutSite.StripConversions(generator);
        if (IsUnseededValue(generator, randomType))
        {
            return true;
        }

        if (depth >= MaxDepth || generator.SemanticModel is not { } generatorModel)
        {
            return false;
        }

        // A value from another declaration of a partial dropout type is followed in its own tree; any other file is not.
        if (generatorModel.SyntaxTree != semanticModel.SyntaxTree)
        {
            if (generatorModel.GetEnclosingSymbol(generator.Syntax.SpanStart, cancellationToken) is not { } owner
                || HandWrittenDropoutModel.SemanticModelFor(semanticModel, generatorModel.SyntaxTree, owner, cancellationToken) is null)
            {
                return false;
            }

            semanticModel = generatorModel;
        }

        switch (generator)
        {
            case ICoalesceOperation coalesce:
                return IsUnseeded(coalesce.Value, randomType, model, semanticModel, cancellationToken, depth + 1)
                    && IsUnseeded(coalesce.WhenNull, randomType, model, semanticModel, cancellationToken, depth + 1);
            case ICoalesceAssignmentOperation coalesceAssignment:
                return IsUnseeded(coalesceAssignment.Value, randomType, model, semanticModel, cancellationToken, depth + 1)
                    && IsUnseeded(coalesceAssignment.Target, randomType, model, semanticModel, cancellationToken, depth + 1);
            case IPropertyReferenceOperation { Property.Name: "Value", Instance: { } threadLocal } when threadLocal.Type is INamedTypeSymbol { Name: "ThreadLocal" }:
                return IsUnseeded(threadLocal, randomType, model, semanticModel, cancellationToken, depth + 1);
            case IObjectCreationOperation { Type.Name: "ThreadLocal", Arguments.Length: > 0 } creation:
                return HandWrittenDropoutSite.StripConversions(creation.Arguments[0].Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation factory }
                    && Returned(factory.Body).ToList() is { Count: > 0 } values
                    && values.All(value => IsUnseeded(value, randomType, model, semanticModel, cancellationToken, depth + 1));
        }

        if (HandWrittenDropoutSite.ReferencedSymbol(generator) is not { } variable || variable is IParameterSymbol)
        {
            return false;
        }

        SymbolValues values2 = model.ValuesOf(variable, generator, semanticModel, cancellationToken);
        // A field that other code may assign is trusted unless the type itself only ever gives it unseeded values.
        bool privateOrReadOnly = values2.IsComplete || (variable is IFieldSymbol or IPropertySymbol && !values2.Values.IsEmpty && variable.ContainingType?.DeclaringSyntaxReferences.Length == 1);
        return privateOrReadOnly
            && !values2.Values.IsEmpty
            && values2.Values.All(value => IsUnseeded(value, randomType, model, semanticModel, cancellationToken, depth + 1));
    }

    private static IEnumerable<IOperation> Returned(IBlockOperation body) =>
        body.Descendants().OfType<IReturnOperation>().Select(returned => returned.ReturnedValue).OfType<IOperation>();

    private static bool IsUnseededValue(IOperation value, INamedTypeSymbol randomType) => value switch
    {
        IObjectCreationOperation { Arguments.Length: 0 } creation => SymbolEqualityComparer.Default.Equals(creation.Type, randomType),
        IPropertyReferenceOperation { Property: { Name: "Shared", IsStatic: true } property } => SymbolEqualityComparer.Default.Equals(property.ContainingType, randomType),
        _ => false,
    };
}
