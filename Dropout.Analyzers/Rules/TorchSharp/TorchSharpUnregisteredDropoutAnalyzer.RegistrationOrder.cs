using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP020 for a dropout stored after registration: <c>RegisterComponents()</c> registers the fields that hold a module
/// when it runs and marks the module registered, so a later call (the module's own, or a registering parent's) returns at
/// once. A dropout module (or a <c>Sequential</c> holding one) created and stored into a member after the constructor's
/// unconditional <c>RegisterComponents()</c>, with no later call in that constructor, is never a registered submodule:
/// <c>eval()</c> never reaches it, whoever holds the module.
/// </summary>
public sealed partial class TorchSharpUnregisteredDropoutAnalyzer
{
    private static void RecordRegistration(OperationAnalysisContext context, IInvocationOperation invocation, TypeState state)
    {
        if (context.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor && IsUnconditionalStatement(invocation))
        {
            state.Registrations.Add((constructor, invocation.Syntax.SpanStart));
        }
    }

    private static void RecordConstructorStore(OperationAnalysisContext context, IOperation creation, ISymbol member, TypeState state)
    {
        if (context.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
        {
            state.ConstructorStores.Add((constructor, creation.Syntax.SpanStart, member, creation.Syntax.GetLocation()));
        }
    }

    // `RegisterComponents();` as a statement of the constructor's body itself, not inside a branch or a loop: it runs on
    // every construction, at that point.
    private static bool IsUnconditionalStatement(IOperation operation)
    {
        IOperation? current = operation.Parent;
        if (current is not IExpressionStatementOperation)
        {
            return false;
        }

        for (current = current.Parent; current is IBlockOperation; current = current.Parent)
        {
        }

        return current is IConstructorBodyOperation or IMethodBodyOperation;
    }

    /// <summary>Reports the members a constructor fills with dropout after its last registration.</summary>
    private static void ReportStoresAfterRegistration(SymbolAnalysisContext context, TorchSharpModels models, TypeState state)
    {
        var registrations = state.Registrations.ToList();
        if (registrations.Count == 0)
        {
            return;
        }

        var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach ((IMethodSymbol constructor, int position, ISymbol member, Location location) in state.ConstructorStores.OrderBy(store => store.Position))
        {
            var own = registrations.Where(registration => SymbolEqualityComparer.Default.Equals(registration.Constructor, constructor)).Select(registration => registration.Position).ToList();
            if (own.Count == 0 || own.Max() > position
                || TorchSharpModels.MemberType(member) is not { } memberType || IsSkippedCollection(memberType, models)
                || !seen.Add(member))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.TorchSharpUnregisteredDropout,
                location,
                $"'{member.Name}' is assigned after RegisterComponents() has run, which registers only the modules its fields already hold",
                $"'{member.Name}'"));
        }
    }
}
