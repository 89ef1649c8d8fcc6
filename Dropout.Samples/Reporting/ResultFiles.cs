using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dropout.Samples.Model;
using Dropout.Samples.Training;

namespace Dropout.Samples.Reporting;

/// <summary>Writes the experiment's files: the learning curves as a picture and as numbers, and every result as JSON.</summary>
public static class ResultFiles
{
    /// <summary>The learning curves as an SVG picture.</summary>
    public const string CurvesSvg = "learning-curves.svg";

    /// <summary>Every epoch of every run as CSV.</summary>
    public const string CurvesCsv = "learning-curves.csv";

    /// <summary>Settings, per-configuration summaries and per-run results as JSON.</summary>
    public const string ResultsJson = "results.json";

    /// <summary>Writes the three files into <paramref name="directory"/>, creating it if needed.</summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="result">The experiment's results.</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(string directory, ExperimentResult result)
    {
        Directory.CreateDirectory(directory);
        string svg = Path.Combine(directory, CurvesSvg);
        string csv = Path.Combine(directory, CurvesCsv);
        string json = Path.Combine(directory, ResultsJson);
        File.WriteAllText(svg, LearningCurveChart.Render(result));
        File.WriteAllText(csv, CurvesAsCsv(result));
        File.WriteAllText(json, JsonSerializer.Serialize(new ResultsDocument(result.Settings, result.TrainingCount, result.TestCount, result.Summaries, result.Runs), ResultsJsonContext.Default.ResultsDocument));
        return [svg, csv, json];
    }

    /// <summary>Formats every epoch of every run as CSV with a header row, numbers in the invariant culture.</summary>
    /// <param name="result">The experiment's results.</param>
    /// <returns>The CSV text.</returns>
    public static string CurvesAsCsv(ExperimentResult result)
    {
        var text = new StringBuilder("configuration,seed,epoch,training_loss,train_accuracy,test_accuracy,test_loss,training_seconds\n");
        foreach (RunResult run in result.Runs)
        {
            foreach (EpochRecord epoch in run.Epochs)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{run.Configuration.Identifier()},{run.Seed},{epoch.Epoch},{epoch.TrainingLoss:R},{epoch.TrainAccuracy:R},{epoch.TestAccuracy:R},{epoch.TestLoss:R},{epoch.TrainingSeconds:R}\n");
            }
        }

        return text.ToString();
    }
}

/// <summary>The content of <c>results.json</c>.</summary>
/// <param name="Settings">The settings the experiment ran with.</param>
/// <param name="TrainingCount">Training images.</param>
/// <param name="TestCount">Test images.</param>
/// <param name="Summaries">Each configuration, mean and standard deviation over seeds.</param>
/// <param name="Runs">Every run with every epoch.</param>
public sealed record ResultsDocument(
    ExperimentSettings Settings,
    int TrainingCount,
    int TestCount,
    IReadOnlyList<ConfigurationSummary> Summaries,
    IReadOnlyList<RunResult> Runs);

// Source-generated serialization: no reflection at run time, and the property names are fixed at compile time.
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ResultsDocument))]
internal sealed partial class ResultsJsonContext : JsonSerializerContext;
