using Dropout.Samples.Evaluation;
using Dropout.Samples.Model;

namespace Dropout.Samples.Training;

/// <summary>One configuration's results over all seeds: each number is a mean and a standard deviation.</summary>
/// <param name="Configuration">The configuration.</param>
/// <param name="Name">Its human-readable name.</param>
/// <param name="TrainAccuracy">Final training-set accuracy.</param>
/// <param name="TestAccuracy">Final test-set accuracy.</param>
/// <param name="GeneralizationGap">Train minus test accuracy.</param>
/// <param name="TestLoss">Final test-set cross-entropy.</param>
/// <param name="EpochMilliseconds">Wall time of the fastest epoch's training steps.</param>
/// <param name="Inference">Test-set predictions with dropout off.</param>
/// <param name="MonteCarlo">Test-set Monte Carlo dropout predictions; null without dropout.</param>
public sealed record ConfigurationSummary(
    DropoutConfiguration Configuration,
    string Name,
    MeanAndDeviation TrainAccuracy,
    MeanAndDeviation TestAccuracy,
    MeanAndDeviation GeneralizationGap,
    MeanAndDeviation TestLoss,
    MeanAndDeviation EpochMilliseconds,
    PredictionSummary Inference,
    PredictionSummary? MonteCarlo)
{
    /// <summary>Summarizes the runs of one configuration.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="runs">Its runs, at least one.</param>
    /// <returns>The summary.</returns>
    public static ConfigurationSummary Of(DropoutConfiguration configuration, IReadOnlyList<RunResult> runs) => new(
        configuration,
        configuration.Describe(),
        MeanAndDeviation.Of(runs.Select(run => run.TrainAccuracy)),
        MeanAndDeviation.Of(runs.Select(run => run.TestAccuracy)),
        MeanAndDeviation.Of(runs.Select(run => run.GeneralizationGap)),
        MeanAndDeviation.Of(runs.Select(run => run.Epochs[^1].TestLoss)),
        MeanAndDeviation.Of(runs.Select(run => run.FastestEpochSeconds * 1000)),
        PredictionSummary.Of(runs.Select(run => run.Inference).ToList()),
        runs.All(run => run.MonteCarlo is not null) ? PredictionSummary.Of(runs.Select(run => run.MonteCarlo!).ToList()) : null);
}

/// <summary><see cref="PredictionQuality"/> over several seeds.</summary>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="MeanConfidence">Mean probability of the predicted class.</param>
/// <param name="ExpectedCalibrationError">Expected calibration error (15 bins).</param>
/// <param name="MeanEntropyCorrect">Mean predictive entropy on correct predictions (seeds that had any).</param>
/// <param name="MeanEntropyWrong">Mean predictive entropy on wrong predictions (seeds that had any).</param>
public sealed record PredictionSummary(
    MeanAndDeviation Accuracy,
    MeanAndDeviation MeanConfidence,
    MeanAndDeviation ExpectedCalibrationError,
    MeanAndDeviation MeanEntropyCorrect,
    MeanAndDeviation MeanEntropyWrong)
{
    /// <summary>Summarizes the predictions of several seeds.</summary>
    /// <param name="qualities">One per seed.</param>
    /// <returns>The summary.</returns>
    public static PredictionSummary Of(IReadOnlyList<PredictionQuality> qualities) => new(
        MeanAndDeviation.Of(qualities.Select(quality => quality.Accuracy)),
        MeanAndDeviation.Of(qualities.Select(quality => quality.MeanConfidence)),
        MeanAndDeviation.Of(qualities.Select(quality => quality.ExpectedCalibrationError)),
        MeanAndDeviation.Of(qualities.Where(quality => quality.MeanEntropyCorrect.HasValue).Select(quality => quality.MeanEntropyCorrect!.Value)),
        MeanAndDeviation.Of(qualities.Where(quality => quality.MeanEntropyWrong.HasValue).Select(quality => quality.MeanEntropyWrong!.Value)));
}
