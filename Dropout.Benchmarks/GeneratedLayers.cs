using Dropout;

namespace Dropout.Benchmarks;

/// <summary>A generated layer for p = 0.5: 1 random bit per element, 2,048 elements per Philox tile.</summary>
[Dropout(0.5)]
public sealed partial class GeneratedHalfKeepLayer
{
}

/// <summary>A generated layer for p = 0.8: 16-bit fields, threshold 52429, 128 elements per Philox tile.</summary>
[Dropout(0.8)]
public sealed partial class GeneratedInputKeepLayer
{
}

/// <summary>The p = 0.5 layer without a recorded mask (backward regenerates it), for comparing the cost of recording bits.</summary>
[Dropout(0.5, MaskStorage = DropoutMaskStorage.Regenerate)]
public sealed partial class GeneratedHalfKeepRegeneratingLayer
{
}

/// <summary>
/// A generated layer that spends 32 random bits per element (p = 0.001 is below 1/256 and not dyadic, so each element
/// reads a whole word: 64 elements per tile): the same generated loop as the layers above, for measuring what fewer
/// random bits per element save.
/// </summary>
[Dropout(0.001)]
public sealed partial class GeneratedThirtyTwoBitLayer
{
}

/// <summary>
/// Generated fused epilogues (bias + ReLU + dropout) for the two keep probabilities of <see cref="FusedEpilogueBenchmarks"/>:
/// the same runtime driver as <see cref="FusedEpilogue"/>, compiled for a per-site struct whose p is a constant.
/// </summary>
public sealed partial class GeneratedReLUEpilogues
{
    [Dropout(0.5, Activation = DropoutActivation.ReLU)]
    public partial void HalfKeep(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);

    [Dropout(0.8, Activation = DropoutActivation.ReLU)]
    public partial void InputKeep(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);
}
