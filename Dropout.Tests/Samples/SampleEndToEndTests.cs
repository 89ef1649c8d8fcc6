using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Dropout.Samples.Model;
using Dropout.Samples.Reporting;
using Dropout.Samples.Training;

namespace Dropout.Tests.Samples;

/// <summary>Guards the README's first command: the sample trains, writes its files, and reports numbers that make sense.</summary>
public sealed class SampleEndToEndTests : IDisposable
{
    // Small enough to run in a few seconds, large enough that every configuration clearly learns.
    private static readonly ExperimentSettings s_tinySettings = new()
    {
        Epochs = 40,
        Seeds = 2,
        HiddenSize = 64,
        TrainingSize = 100,
        MonteCarloSamples = 4,
    };

    private readonly string _outputDirectory = Path.Combine(Path.GetTempPath(), "dropout-samples-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_outputDirectory))
        {
            Directory.Delete(_outputDirectory, recursive: true);
        }
    }

    [Fact]
    public void Experiment_WithTinySettings_TrainsEveryConfigurationAndReportsSaneNumbers()
    {
        ExperimentResult result = new Experiment(s_tinySettings).Run();

        Assert.Equal(100, result.TrainingCount);
        Assert.Equal(1797 - 100, result.TestCount);
        Assert.Equal(3 * 2, result.Runs.Count);
        foreach (RunResult run in result.Runs)
        {
            Assert.Equal(s_tinySettings.Epochs, run.Epochs.Count);
            foreach (EpochRecord epoch in run.Epochs)
            {
                Assert.InRange(epoch.TrainAccuracy, 0, 1);
                Assert.InRange(epoch.TestAccuracy, 0, 1);
                Assert.True(double.IsFinite(epoch.TrainingLoss) && epoch.TrainingLoss >= 0);
                Assert.True(double.IsFinite(epoch.TestLoss) && epoch.TestLoss >= 0);
            }

            Assert.True(run.Epochs[^1].TrainingLoss < run.Epochs[0].TrainingLoss, $"{run.Configuration} seed {run.Seed}: the training loss did not decrease.");

            // Chance is 10 %; a network that learned anything at all is far above it.
            Assert.True(run.TestAccuracy > 0.5, $"{run.Configuration} seed {run.Seed}: test accuracy {run.TestAccuracy}.");
            Assert.InRange(run.Inference.ExpectedCalibrationError, 0, 1);
            Assert.Equal(run.Configuration != DropoutConfiguration.None, run.MonteCarlo is not null);
            if (run.MonteCarlo is { } monteCarlo)
            {
                Assert.InRange(monteCarlo.Accuracy, 0, 1);
                Assert.InRange(monteCarlo.ExpectedCalibrationError, 0, 1);
                Assert.InRange(monteCarlo.MeanEntropyCorrect!.Value, 0, Math.Log(10));
            }
        }
    }

    [Fact]
    public void ResultFiles_AfterARun_ExistAndParse()
    {
        ExperimentResult result = new Experiment(s_tinySettings with { Seeds = 1, Epochs = 3 }).Run();

        IReadOnlyList<string> written = ResultFiles.Write(_outputDirectory, result);

        Assert.All(written, path => Assert.True(File.Exists(path), path));

        string[] csvLines = File.ReadAllLines(Path.Combine(_outputDirectory, ResultFiles.CurvesCsv));
        Assert.Equal(1 + (3 * 3), csvLines.Length);
        string[] header = csvLines[0].Split(',');
        Assert.Contains("test_accuracy", header);
        foreach (string line in csvLines.Skip(1))
        {
            string[] fields = line.Split(',');
            Assert.Equal(header.Length, fields.Length);
            double testAccuracy = double.Parse(fields[Array.IndexOf(header, "test_accuracy")], CultureInfo.InvariantCulture);
            Assert.InRange(testAccuracy, 0, 1);
        }

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_outputDirectory, ResultFiles.ResultsJson)));
        Assert.Equal(3, json.RootElement.GetProperty("summaries").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("runs").GetArrayLength());
        double meanTestAccuracy = json.RootElement.GetProperty("summaries")[0].GetProperty("testAccuracy").GetProperty("mean").GetDouble();
        Assert.InRange(meanTestAccuracy, 0, 1);

        XDocument svg = XDocument.Load(Path.Combine(_outputDirectory, ResultFiles.CurvesSvg));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);

        // Two panels, each with a mean line and one line per seed for each of the three configurations.
        Assert.Equal(2 * 3 * 2, svg.Descendants(ns + "polyline").Count());
    }

    [Fact]
    public async Task Program_RunAsAProcess_PrintsTheTableAndWritesItsFiles()
    {
        string sample = Path.Combine(AppContext.BaseDirectory, "Dropout.Samples.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { sample, "--epochs", "2", "--seeds", "1", "--hidden", "16", "--train-size", "50", "--mc-samples", "2", "--output", _outputDirectory },
        };

        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
        string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await error}");
        Assert.Contains("| no dropout |", output);
        Assert.Contains("| input 0.8 + hidden 0.5 | Monte Carlo |", output);
        Assert.True(File.Exists(Path.Combine(_outputDirectory, ResultFiles.CurvesSvg)));
    }

    [Fact]
    public async Task Program_WithABadOption_FailsWithAMessage()
    {
        string sample = Path.Combine(AppContext.BaseDirectory, "Dropout.Samples.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { sample, "--epochs", "0" },
        };

        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        string error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--epochs must be a positive whole number", error);
    }
}
