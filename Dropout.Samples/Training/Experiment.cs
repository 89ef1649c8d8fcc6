using System.Diagnostics;
using Dropout.Samples.Data;
using Dropout.Samples.Evaluation;
using Dropout.Samples.Model;

namespace Dropout.Samples.Training;

/// <summary>
/// Trains the same multilayer perceptron without dropout, with hidden dropout, and with input and hidden dropout, from
/// the same seeds, on a small training set, and measures what dropout changes: test accuracy, the generalization gap,
/// calibration, and Monte Carlo dropout.
/// </summary>
/// <remarks>
/// For a seed s every configuration starts from the same weights (<c>new Random(s)</c>) and sees the batches in the same
/// order; the dropout masks come from <c>new DropoutContext(s)</c>. Everything is single-threaded and seeded,
/// so a run is reproducible bit for bit on the same machine and runtime (the vector width of the CPU changes the order
/// of float additions, so other machines give slightly different, equally reproducible, numbers).
/// </remarks>
/// <param name="settings">What to train.</param>
public sealed class Experiment(ExperimentSettings settings)
{
    /// <summary>Gets the settings.</summary>
    public ExperimentSettings Settings { get; } = settings;

    /// <summary>Runs every seed in every configuration.</summary>
    /// <param name="progress">Receives a report after every epoch, on the calling thread; may be null.</param>
    /// <param name="cancellationToken">Stops the experiment between epochs.</param>
    /// <returns>Every run's results.</returns>
    public ExperimentResult Run(IProgress<EpochProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Settings.Validate();
        DigitsDataset digits = DigitsDataset.Load(Settings.DataPath);
        (DigitsSplit training, DigitsSplit test) = digits.Split(Settings.TrainingSize, Settings.SplitSeed);

        var runs = new List<RunResult>();
        int runCount = ExperimentResult.Configurations.Count * Settings.Seeds;
        for (int seed = 1; seed <= Settings.Seeds; seed++)
        {
            foreach (DropoutConfiguration configuration in ExperimentResult.Configurations)
            {
                int runNumber = runs.Count + 1;
                var reporter = progress is null
                    ? null
                    : new Action<EpochRecord>(epoch => progress.Report(new EpochProgress(runNumber, runCount, seed, configuration, Settings.Epochs, epoch)));
                runs.Add(TrainOne(seed, configuration, training, test, reporter, cancellationToken));
            }
        }

        return new ExperimentResult(Settings, training.Count, test.Count, runs);
    }

    /// <summary>Trains and evaluates one network.</summary>
    /// <param name="seed">The seed of its weights, batch order and masks.</param>
    /// <param name="configuration">Which dropout layers it has.</param>
    /// <param name="training">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <param name="onEpoch">Called after every epoch; may be null.</param>
    /// <param name="cancellationToken">Stops training between epochs.</param>
    /// <returns>The run's results.</returns>
    public RunResult TrainOne(int seed, DropoutConfiguration configuration, DigitsSplit training, DigitsSplit test, Action<EpochRecord>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var model = new MultilayerPerceptron(Settings.HiddenSize, configuration, random, new DropoutContext((ulong)seed));
        var optimizer = new MomentumSgd(Settings.LearningRate, Settings.Momentum);

        int[] order = Enumerable.Range(0, training.Count).ToArray();
        var batchImages = new float[Settings.BatchSize * MultilayerPerceptron.InputSize];
        var batchLabels = new byte[Settings.BatchSize];
        var trainingProbabilities = new float[training.Count * MultilayerPerceptron.OutputSize];
        var testProbabilities = new float[test.Count * MultilayerPerceptron.OutputSize];
        var epochs = new List<EpochRecord>(Settings.Epochs);

        for (int epoch = 1; epoch <= Settings.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long started = Stopwatch.GetTimestamp();
            double lossSum = 0;
            int batches = 0;
            random.Shuffle(order);

            using (model.DropoutContext.Training())
            {
                for (int start = 0; start < order.Length; start += Settings.BatchSize)
                {
                    int rows = Math.Min(Settings.BatchSize, order.Length - start);
                    Gather(training, order.AsSpan(start, rows), batchImages, batchLabels);
                    lossSum += model.ComputeGradients(batchImages.AsSpan(0, rows * MultilayerPerceptron.InputSize), batchLabels.AsSpan(0, rows));
                    optimizer.Step(model.Parameters);
                    batches++;
                }
            }

            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

            // Predict runs inside an inference scope: dropout off, every unit present.
            model.Predict(training.Pixels, trainingProbabilities);
            model.Predict(test.Pixels, testProbabilities);
            var record = new EpochRecord(
                epoch,
                lossSum / batches,
                PredictionMetrics.Accuracy(trainingProbabilities, training.Labels, MultilayerPerceptron.OutputSize),
                PredictionMetrics.Accuracy(testProbabilities, test.Labels, MultilayerPerceptron.OutputSize),
                PredictionMetrics.MeanCrossEntropy(testProbabilities, test.Labels, MultilayerPerceptron.OutputSize),
                seconds);
            epochs.Add(record);
            onEpoch?.Invoke(record);
        }

        PredictionQuality inference = PredictionMetrics.Evaluate(testProbabilities, test.Labels, MultilayerPerceptron.OutputSize);
        PredictionQuality? monteCarlo = null;
        if (configuration != DropoutConfiguration.None)
        {
            model.PredictMonteCarlo(test.Pixels, Settings.MonteCarloSamples, testProbabilities);
            monteCarlo = PredictionMetrics.Evaluate(testProbabilities, test.Labels, MultilayerPerceptron.OutputSize);
        }

        return new RunResult(seed, configuration, epochs, inference, monteCarlo);
    }

    private static void Gather(DigitsSplit source, ReadOnlySpan<int> indices, Span<float> images, Span<byte> labels)
    {
        const int pixels = MultilayerPerceptron.InputSize;
        for (int i = 0; i < indices.Length; i++)
        {
            source.Pixels.AsSpan(indices[i] * pixels, pixels).CopyTo(images.Slice(i * pixels, pixels));
            labels[i] = source.Labels[indices[i]];
        }
    }
}
