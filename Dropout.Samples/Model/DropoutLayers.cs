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
/// Dropout on a hidden layer's activations: while training, each unit is kept with probability 0.5 and scaled by 2, so
/// no unit can rely on any particular other one being present.
/// </summary>
[Dropout(0.5)]
public sealed partial class HiddenDropout
{
}
