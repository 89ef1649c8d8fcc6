using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP015 for prediction that reaches hand-written dropout across calls the per-type rule
/// (<see cref="HandWrittenDropoutInInferenceAnalyzer"/>) cannot follow: a <c>Predict</c> in one file running a layer's
/// always-dropping forward declared in another, a virtual, abstract or interface call on a base-typed receiver
/// (<c>layers[i].Forward()</c>) that resolves to such a forward, or a forward whose training flag every construction fixes
/// to "training". Summaries per file are joined at compilation end (<see cref="DispatchedDropoutCalls"/>), so this
/// diagnostic appears on build, not live in the editor.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandWrittenDropoutInInferenceAcrossCallsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.HandWrittenDropoutInInferenceAcrossCalls);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        DispatchedDropoutCalls.Register(context);
        ModeArgumentsFromPrediction.Register(context);
    }
}
