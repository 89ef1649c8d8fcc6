using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP004 for hand-written dropout whose 0/1 mask is made by a call the per-file model cannot read: a fill behind an
/// interface whose implementations all agree, or a sampler on a tensor class of another file, applied by an element-wise
/// product written as a call or a user operator, in a type that applies no factor at all. Producers and callers are
/// summarized per file and joined at compilation end (<see cref="CrossCallMaskSummaries"/>), so this diagnostic appears
/// on build, not live in the editor; the same mistake within one file is <see cref="MissingInvertedScalingAnalyzer"/>'s.
/// The same join reports DRP014 (the compilation-end part of <see cref="DropoutWithoutInferencePathAnalyzer"/>) for such a
/// mask, or a random tensor thresholded by a comparison call (<c>Tensor.Rand(shape).GreaterThan(p)</c>), drawn and applied
/// in a layer's forward that no flag, mode or caller ever switches off: one pass over the calls serves both rules. For
/// whole-array dropout over a library's array type (<c>mask = np.random.rand(x.shape) &gt; rate</c>) the same pass reports
/// DRP012 (a scale or inference factor by the drop rate) and DRP013 (a backward that multiplies by the stored mask but
/// not by the 1/p its forward applied) and DRP005 (a mask or product divided by the keep probability in training, and
/// activations multiplied by it where the draw does not run).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingInvertedScalingAcrossCallsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingInvertedScalingAcrossCalls,
        DiagnosticDescriptors.DropoutWithoutInferencePathAcrossCalls,
        DiagnosticDescriptors.DropRateUsedAsScaleAcrossCalls,
        DiagnosticDescriptors.BackwardOmitsForwardMaskOrScaleAcrossCalls,
        DiagnosticDescriptors.DoubleScalingAcrossCalls);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        CrossCallMaskSummaries.Register(context);
    }
}
