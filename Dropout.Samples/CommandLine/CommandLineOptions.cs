using System.Globalization;
using Dropout.Samples.Training;

namespace Dropout.Samples.CommandLine;

/// <summary>The parsed command line: the experiment's settings, where to write the files, or a request for help.</summary>
/// <param name="Settings">The experiment's settings.</param>
/// <param name="OutputDirectory">The folder that receives the learning curves and results.</param>
/// <param name="ShowHelp">Whether <c>--help</c> was given (nothing else is done then).</param>
public sealed record CommandLineOptions(ExperimentSettings Settings, string OutputDirectory, bool ShowHelp)
{
    /// <summary>The output folder when <c>--output</c> is not given, relative to the current directory.</summary>
    public const string DefaultOutputDirectory = "samples-output";

    /// <summary>Gets the text <c>--help</c> prints.</summary>
    public static string Usage { get; } = BuildUsage();

    /// <summary>Parses the arguments. Each option takes one value, as <c>--epochs 150</c> or <c>--epochs=150</c>.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The options.</returns>
    /// <exception cref="CommandLineException">An option is unknown, lacks its value, or has a value out of range.</exception>
    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var settings = new ExperimentSettings();
        string output = DefaultOutputDirectory;

        for (int i = 0; i < args.Count; i++)
        {
            string argument = args[i];
            if (argument is "--help" or "-h" or "-?")
            {
                return new CommandLineOptions(settings, output, ShowHelp: true);
            }

            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            string name = equals >= 0 ? argument[..equals] : argument;
            string Value()
            {
                if (equals >= 0)
                {
                    return argument[(equals + 1)..];
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"{name} needs a value.");
                }

                return args[++i];
            }

            settings = name switch
            {
                "--epochs" => settings with { Epochs = PositiveInteger(name, Value()) },
                "--seeds" => settings with { Seeds = PositiveInteger(name, Value()) },
                "--hidden" => settings with { HiddenSize = PositiveInteger(name, Value()) },
                "--train-size" => settings with { TrainingSize = TrainingSize(name, Value()) },
                "--mc-samples" => settings with { MonteCarloSamples = PositiveInteger(name, Value()) },
                "--output" => WithOutput(settings, Value(), ref output),
                _ => throw new CommandLineException(name.StartsWith('-')
                    ? $"Unknown option '{name}'."
                    : $"Unexpected argument '{argument}': every value follows its option, as in --epochs 150."),
            };
        }

        return new CommandLineOptions(settings, output, ShowHelp: false);
    }

    private static ExperimentSettings WithOutput(ExperimentSettings settings, string value, ref string output)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CommandLineException("--output needs a folder name.");
        }

        output = value;
        return settings;
    }

    private static int PositiveInteger(string name, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1)
        {
            throw new CommandLineException($"{name} must be a positive whole number, not '{value}'.");
        }

        return number;
    }

    private static int TrainingSize(string name, string value)
    {
        int size = PositiveInteger(name, value);
        if (size < Data.DigitsDataset.ClassCount || size > ExperimentSettings.MaximumTrainingSize)
        {
            throw new CommandLineException(
                $"{name} must be between {Data.DigitsDataset.ClassCount} and {ExperimentSettings.MaximumTrainingSize} " +
                $"(the 1,797 images are split into training and test sets), not {size}.");
        }

        return size;
    }

    private static string Row(string option, string meaning, string fallback) => $"  {option,-16} {meaning,-50} ({fallback})";

    private static string BuildUsage()
    {
        var defaults = new ExperimentSettings();
        return $"""
            Dropout.Samples: trains a multilayer perceptron on the UCI handwritten digits without dropout, with hidden
            dropout, and with input + hidden dropout, from the same seeds, and shows what dropout does to overfitting.

            Usage: dotnet run --project Dropout.Samples -c Release -- [options]

            Options:
            {Row("--epochs N", "passes over the training set per run", $"default {defaults.Epochs}")}
            {Row("--seeds N", "runs per configuration, seeds 1..N", $"default {defaults.Seeds}")}
            {Row("--hidden N", "units in each of the two hidden layers", $"default {defaults.HiddenSize}")}
            {Row("--train-size N", "training images; the others are the test set", $"default {defaults.TrainingSize}, at most {ExperimentSettings.MaximumTrainingSize}")}
            {Row("--mc-samples T", "passes that Monte Carlo dropout averages", $"default {defaults.MonteCarloSamples}")}
            {Row("--output DIR", "folder for learning-curves.svg/.csv, results.json", $"default {DefaultOutputDirectory}")}
              --help           show this text

            Fixed: batch {defaults.BatchSize}, SGD with momentum {defaults.Momentum.ToString(CultureInfo.InvariantCulture)}, learning rate {defaults.LearningRate.ToString(CultureInfo.InvariantCulture)}, split seed {defaults.SplitSeed}.
            See docs/sample.md for what the numbers mean.
            """;
    }
}

/// <summary>A command line that cannot be run; the message says what to change.</summary>
/// <param name="message">What is wrong.</param>
public sealed class CommandLineException(string message) : Exception(message);
