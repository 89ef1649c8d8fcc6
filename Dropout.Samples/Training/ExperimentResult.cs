using Dropout.Samples.Evaluation;
using Dropout.Samples.Model;

namespace Dropout.Samples.Training;

/// <summary>One epoch of one run.</summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="TrainingLoss">The mean cross-entropy of the epoch's training steps (with dropout on, if the network has it).</param>
/// <param name="TrainAccuracy">Accuracy on the training set after the epoch, dropout off.</param>
/// <param name="TestAccuracy">Accuracy on the test set after the epoch, dropout off.</param>
/// <param name="TestLoss">Mean cross-entropy on the test set after the epoch, dropout off: it rises when a network grows overconfident.</param>
/// <param name="TrainingSeconds">Wall time of the epoch's training steps (the evaluation excluded).</param>
public sealed record EpochRecord(int Epoch, double TrainingLoss, double TrainAccuracy, double TestAccuracy, double TestLoss, double TrainingSeconds);

/// <summary>One network trained from one seed.</summary>
/// <param name="Seed">The seed of the weights, the batch order and the dropout masks.</param>
/// <param name="Configuration">Which dropout layers the network had.</param>
/// <param name="Epochs">Every epoch, in order.</param>
/// <param name="Inference">The final model's predictions on the test set with dropout off.</param>
/// <param name="MonteCarlo">The final model's Monte Carlo dropout predictions on the test set; null without dropout.</param>
public sealed record RunResult(int Seed, DropoutConfiguration Configuration, IReadOnlyList<EpochRecord> Epochs, PredictionQuality Inference, PredictionQuality? MonteCarlo)
{
    /// <summary>Gets the final training-set accuracy.</summary>
    public double TrainAccuracy => Epochs[^1].TrainAccuracy;

    /// <summary>Gets the final test-set accuracy.</summary>
    public double TestAccuracy => Epochs[^1].TestAccuracy;

    /// <summary>Gets the generalization gap: train accuracy minus test accuracy.</summary>
    public double GeneralizationGap => TrainAccuracy - TestAccuracy;

    /// <summary>
    /// Gets the wall time of the run's fastest epoch (training steps only). The fastest, not the mean or the median:
    /// the first epochs of a process include JIT compilation, and on a shared machine other processes stretch whole
    /// stretches of epochs by half or more, while nothing makes an epoch faster than the code allows.
    /// </summary>
    public double FastestEpochSeconds => Epochs.Min(epoch => epoch.TrainingSeconds);
}

/// <summary>Everything the experiment measured.</summary>
/// <param name="Settings">The settings it ran with.</param>
/// <param name="TrainingCount">The number of training images.</param>
/// <param name="TestCount">The number of test images.</param>
/// <param name="Runs">Every run: for each seed, each configuration in the order of <see cref="Configurations"/>.</param>
public sealed record ExperimentResult(ExperimentSettings Settings, int TrainingCount, int TestCount, IReadOnlyList<RunResult> Runs)
{
    /// <summary>Gets the configurations every seed trains, in order: no dropout first, the literature's recipe last.</summary>
    public static IReadOnlyList<DropoutConfiguration> Configurations { get; } =
        [DropoutConfiguration.None, DropoutConfiguration.Hidden, DropoutConfiguration.InputAndHidden];

    /// <summary>Gets the runs of one configuration, in seed order.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>Its runs.</returns>
    public IReadOnlyList<RunResult> RunsOf(DropoutConfiguration configuration) => Runs.Where(run => run.Configuration == configuration).ToList();

    /// <summary>Gets each configuration's results, mean and standard deviation over seeds, in the order of <see cref="Configurations"/>.</summary>
    public IReadOnlyList<ConfigurationSummary> Summaries =>
        Configurations.Where(configuration => RunsOf(configuration).Count > 0).Select(configuration => ConfigurationSummary.Of(configuration, RunsOf(configuration))).ToList();
}

/// <summary>A mean and a sample standard deviation over seeds.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="StandardDeviation">The sample standard deviation (n − 1); 0 for a single value.</param>
public readonly record struct MeanAndDeviation(double Mean, double StandardDeviation)
{
    /// <summary>Summarizes <paramref name="values"/>.</summary>
    /// <param name="values">At least one value.</param>
    /// <returns>Their mean and standard deviation.</returns>
    public static MeanAndDeviation Of(IEnumerable<double> values)
    {
        double[] all = values.ToArray();
        if (all.Length == 0)
        {
            return new MeanAndDeviation(double.NaN, double.NaN);
        }

        double mean = all.Average();
        double variance = all.Length > 1 ? all.Sum(value => (value - mean) * (value - mean)) / (all.Length - 1) : 0;
        return new MeanAndDeviation(mean, Math.Sqrt(variance));
    }
}
