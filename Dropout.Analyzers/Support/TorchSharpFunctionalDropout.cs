using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>What DRP022 and DRP023 share with their code fix: where <c>this.training</c> is in scope, and how the fix is told what to do.</summary>
internal static class TorchSharpFunctionalDropout
{
    /// <summary>The diagnostic property that tells the code fix what to write.</summary>
    public const string FixProperty = "TorchSharpTrainingFix";

    /// <summary>Add a <c>training: this.training</c> argument to the call.</summary>
    public const string AddArgument = "Add";

    /// <summary>Replace the constant argument with <c>this.training</c>.</summary>
    public const string ReplaceArgument = "Replace";

    /// <summary>Whether code in <paramref name="containingSymbol"/> can read the module's own <c>training</c>: an instance member of a module class.</summary>
    public static bool IsInModuleInstanceCode(ISymbol? containingSymbol, TorchSharpSymbols symbols) =>
        containingSymbol is { IsStatic: false } member
        && member.Kind is SymbolKind.Method or SymbolKind.Property
        && !(member is IMethodSymbol { MethodKind: MethodKind.Constructor })
        && symbols.IsSourceModuleClass(member.ContainingType);

    public static ImmutableDictionary<string, string?> Properties(string? fix) =>
        fix is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(FixProperty, fix);
}
