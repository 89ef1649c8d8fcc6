using Dropout.Samples.Data;

namespace Dropout.Samples.Training;

/// <summary>What the experiment trains, on what, and for how long. The defaults are the documented run of <c>docs/sample.md</c>.</summary>
public sealed record ExperimentSettings
{
    /// <summary>Gets the number of passes over the training set.</summary>
    public int Epochs { get; init; } = 150;

    /// <summary>Gets the number of seeds; the runs use seeds 1, 2, ..., <see cref="Seeds"/>.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Gets the width of each of the two hidden layers.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Gets the number of training images; all other images are the test set.</summary>
    public int TrainingSize { get; init; } = 300;

    /// <summary>Gets the number of passes T that Monte Carlo dropout averages.</summary>
    public int MonteCarloSamples { get; init; } = 30;

    /// <summary>Gets the number of images per training step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Gets the SGD step size.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Gets the SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Gets the seed of the train/test split, fixed so that every run is judged on the same test images.</summary>
    public int SplitSeed { get; init; }

    /// <summary>Gets the path of the digits data set (not written to results.json: it names a folder of this machine).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DataPath { get; init; } = DigitsDataset.DefaultPath;

    /// <summary>Checks every setting and throws with a message a command-line user can act on.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        Require(Epochs >= 1, "epochs must be at least 1");
        Require(Seeds >= 1, "seeds must be at least 1");
        Require(HiddenSize >= 1, "hidden must be at least 1");
        Require(TrainingSize >= DigitsDataset.ClassCount && TrainingSize <= MaximumTrainingSize,
            $"train-size must be between {DigitsDataset.ClassCount} and {MaximumTrainingSize} (the other images are the test set)");
        Require(MonteCarloSamples >= 1, "mc-samples must be at least 1");
        Require(BatchSize >= 1 && BatchSize <= Model.MultilayerPerceptron.BatchCapacity,
            $"batch size must be between 1 and {Model.MultilayerPerceptron.BatchCapacity}");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), "learning rate must be positive");
        Require(Momentum >= 0 && Momentum < 1, "momentum must be in [0, 1)");
    }

    /// <summary>The largest training set that leaves 100 test images.</summary>
    public const int MaximumTrainingSize = 1697;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
