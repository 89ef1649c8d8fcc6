using System.Globalization;
using Dropout.Samples.Model;
using Dropout.Samples.Training;

namespace Dropout.Samples.Reporting;

/// <summary>
/// Shows training progress: one line rewritten in place when the output is a terminal, and a line every tenth of a run
/// when it is redirected to a file or a CI log (where carriage returns would pile up).
/// </summary>
/// <remarks>It reports synchronously on the training thread, unlike <see cref="Progress{T}"/>, so lines never arrive out of order.</remarks>
/// <param name="writer">Where to write.</param>
/// <param name="isTerminal">Whether <paramref name="writer"/> is an interactive terminal.</param>
public sealed class ConsoleProgress(TextWriter writer, bool isTerminal) : IProgress<EpochProgress>
{
    private int _lastLength;

    /// <inheritdoc/>
    public void Report(EpochProgress value)
    {
        EpochRecord epoch = value.Epoch;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"run {value.RunNumber}/{value.RunCount}  seed {value.Seed}  {value.Configuration.Describe(),-22}  epoch {epoch.Epoch,4}/{value.EpochCount}  " +
            $"loss {epoch.TrainingLoss:F4}  train {epoch.TrainAccuracy * 100:F1}%  test {epoch.TestAccuracy * 100:F2}%");

        if (isTerminal)
        {
            writer.Write('\r' + line.PadRight(_lastLength));
            _lastLength = line.Length;
            if (epoch.Epoch == value.EpochCount)
            {
                writer.WriteLine();
                _lastLength = 0;
            }
        }
        else if (epoch.Epoch == 1 || epoch.Epoch == value.EpochCount || epoch.Epoch % Math.Max(1, value.EpochCount / 10) == 0)
        {
            writer.WriteLine(line);
        }
    }
}
