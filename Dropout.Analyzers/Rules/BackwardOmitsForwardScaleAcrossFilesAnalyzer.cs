using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP013 for hand-written dropout split across the files of one compilation: a drop flag drawn into a field or property
/// in one file, the kept values scaled by 1/p in another file's forward, and a backward that reads the flag without the
/// scale. The parts are summarized per file and joined at compilation end (<see cref="CrossFileDropoutSummaries"/>), so
/// this diagnostic appears on build, not live in the editor; the same mistake within one file is
/// <see cref="BackwardOmitsForwardMaskOrScaleAnalyzer"/>'s.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BackwardOmitsForwardScaleAcrossFilesAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BackwardOmitsForwardScaleAcrossFiles);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        CrossFileDropoutSummaries.Register(context);
        UnrecordedDropBackward.Register(context);
    }
}
