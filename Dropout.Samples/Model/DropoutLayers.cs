namespace Dropout.Samples.Model;

/// <summary>
/// Dropout on the input pixels: while training, each pixel is kept with probability 0.8 and scaled by 1/0.8, as
/// Srivastava et al. (2014) advise for inputs. The generator implements <c>DropoutForward</c> and
/// <c>DropoutBackward</c> for exactly this keep probability.
/// </summary>
[Dropout(0.8)]
public sealed partial class InputDropout
{
}

/// <summary>
/// The epilogue of a hidden layer with dropout: bias add, ReLU and dropout (each unit kept with probability 0.5 and
/// scaled by 2, so no unit can rely on any particular other one being present) in one pass over the layer's output.
/// </summary>
public sealed partial class HiddenDropoutEpilogue : IHiddenEpilogue
{
    /// <summary><c>output = dropout(ReLU(preActivation + bias))</c>; the generator writes it, and <c>ApplyBackward</c>.</summary>
    /// <param name="preActivation">The dense layer's <c>W x</c>, one row per example.</param>
    /// <param name="bias">The dense layer's biases, one per unit (column).</param>
    /// <param name="output">Receives the activations.</param>
    [Dropout(0.5, Activation = DropoutActivation.ReLU)]
    public partial void Apply(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);
}

/// <summary>
/// The epilogue of a hidden layer without dropout (the baseline): bias add and ReLU in one pass. p = 1 draws nothing and
/// scales nothing, so this is exactly the layer of <see cref="HiddenDropoutEpilogue"/> with its dropout removed.
/// </summary>
public sealed partial class HiddenEpilogue : IHiddenEpilogue
{
    /// <summary><c>output = ReLU(preActivation + bias)</c>; the generator writes it, and <c>ApplyBackward</c>.</summary>
    /// <param name="preActivation">The dense layer's <c>W x</c>, one row per example.</param>
    /// <param name="bias">The dense layer's biases, one per unit (column).</param>
    /// <param name="output">Receives the activations.</param>
    // p = 1 on a fused epilogue leaves the bias add and ReLU without dropout: exactly the baseline wanted here.
    [Dropout(1.0, Activation = DropoutActivation.ReLU)]
    public partial void Apply(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);
}

/// <summary>A hidden layer's epilogue, with or without dropout; the generated methods implement it.</summary>
public interface IHiddenEpilogue
{
    /// <summary>Runs the epilogue forward over a batch.</summary>
    /// <param name="preActivation">The dense layer's <c>W x</c>.</param>
    /// <param name="bias">The dense layer's biases.</param>
    /// <param name="output">Receives the activations.</param>
    void Apply(ReadOnlySpan<float> preActivation, ReadOnlySpan<float> bias, Span<float> output);

    /// <summary>Back-propagates through the last <see cref="Apply"/>.</summary>
    /// <param name="gradOutput">The gradient with respect to the activations.</param>
    /// <param name="gradPreActivation">Receives the gradient with respect to the pre-activation; may be <paramref name="gradOutput"/>.</param>
    /// <param name="gradBias">Receives the bias gradient, or is empty for none.</param>
    void ApplyBackward(ReadOnlySpan<float> gradOutput, Span<float> gradPreActivation, Span<float> gradBias);
}
