using System.Globalization;
using Dropout.Samples.Training;

namespace Dropout.Samples.Reporting;

/// <summary>Writes the final tables as Markdown, so they read well in a terminal and paste into the docs unchanged.</summary>
public static class ResultTable
{
    /// <summary>Writes the training table and the prediction (calibration, Monte Carlo) table.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="result">The experiment's results.</param>
    public static void Write(TextWriter writer, ExperimentResult result)
    {
        ExperimentSettings settings = result.Settings;
        IReadOnlyList<ConfigurationSummary> summaries = result.Summaries;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.TrainingCount} training / {result.TestCount} test digits, 64-{settings.HiddenSize}-{settings.HiddenSize}-10 MLP, " +
            $"{settings.Epochs} epochs, seeds 1..{settings.Seeds}; mean ± standard deviation over seeds."));
        writer.WriteLine();
        writer.WriteLine("| configuration | train accuracy | test accuracy | gap (train − test) | test loss | fastest epoch |");
        writer.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (ConfigurationSummary summary in summaries)
        {
            writer.WriteLine(
                $"| {summary.Name} | {Percent(summary.TrainAccuracy)} | {Percent(summary.TestAccuracy)} | " +
                $"{Points(summary.GeneralizationGap)} | {Plain(summary.TestLoss, "F3")} | {Plain(summary.EpochMilliseconds, "F1")} ms |");
        }

        writer.WriteLine();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Test-set predictions: dropout off (inference) and Monte Carlo dropout (T = {settings.MonteCarloSamples} passes averaged). " +
            $"ECE: expected calibration error, 15 bins. Entropy in nats."));
        writer.WriteLine();
        writer.WriteLine("| model | prediction | accuracy | mean confidence | ECE | entropy, right | entropy, wrong |");
        writer.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (ConfigurationSummary summary in summaries)
        {
            WritePredictionRow(writer, summary.Name, "inference", summary.Inference);
            if (summary.MonteCarlo is { } monteCarlo)
            {
                WritePredictionRow(writer, summary.Name, "Monte Carlo", monteCarlo);
            }
        }
    }

    private static void WritePredictionRow(TextWriter writer, string name, string prediction, PredictionSummary summary) =>
        writer.WriteLine(
            $"| {name} | {prediction} | {Percent(summary.Accuracy)} | {Percent(summary.MeanConfidence)} | {Plain(summary.ExpectedCalibrationError, "F3")} | " +
            $"{Plain(summary.MeanEntropyCorrect, "F3")} | {Plain(summary.MeanEntropyWrong, "F3")} |");

    private static string Percent(MeanAndDeviation value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value.Mean * 100:F2} ± {value.StandardDeviation * 100:F2} %");

    private static string Points(MeanAndDeviation value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value.Mean * 100:F2} ± {value.StandardDeviation * 100:F2} pt");

    private static string Plain(MeanAndDeviation value, string format) => double.IsNaN(value.Mean)
        ? "n/a"
        : $"{value.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {value.StandardDeviation.ToString(format, CultureInfo.InvariantCulture)}";
}
