using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP008 for hand-written code across calls and classes: a backward that, before a component's backward, re-runs that
/// component's forward (to rebuild cached values, say) while the owner's own forward already ran it. The component's
/// forward draws a fresh dropout mask into a member on every call, and the component's backward reads that member, so the
/// backward masks the gradient with the re-run's mask, not with the one that produced the loss. Method summaries (which
/// members a method draws a fresh mask into, which it reads, what it calls) are joined at compilation end
/// (<see cref="ForwardRerunSummaries"/>), so this diagnostic appears on build, not live in the editor.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ForwardRerunBeforeBackwardAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BackwardMaskMismatchAcrossCalls);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ForwardRerunSummaries.Register(context);
    }
}
