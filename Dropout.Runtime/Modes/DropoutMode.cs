namespace Dropout;

/// <summary>Whether dropout layers draw masks.</summary>
public enum DropoutMode
{
    /// <summary>Training: each forward call draws a fresh mask and scales kept elements by 1/p.</summary>
    Training = 0,

    /// <summary>Inference: dropout is off and a dropout layer is the identity (no scaling, no random draws).</summary>
    Inference = 1,

    /// <summary>
    /// Monte Carlo dropout (Gal and Ghahramani, 2016): the model is evaluated, but dropout stays on so that
    /// repeated passes sample an ensemble. An explicit opt-in, never the result of forgetting to switch modes.
    /// </summary>
    MonteCarlo = 2,
}
