namespace Dropout.Samples.Evaluation;

/// <summary>Scores predicted class probabilities against the true labels.</summary>
public static class PredictionMetrics
{
    /// <summary>The number of equal-width confidence bins of the expected calibration error (15, as in Guo et al., 2017).</summary>
    public const int CalibrationBins = 15;

    /// <summary>Scores <paramref name="probabilities"/> (one row of <paramref name="classCount"/> per label).</summary>
    /// <param name="probabilities">The predicted probabilities, row-major.</param>
    /// <param name="labels">The true classes.</param>
    /// <param name="classCount">Probabilities per row.</param>
    /// <returns>Accuracy, calibration error and mean entropies.</returns>
    public static PredictionQuality Evaluate(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels, int classCount)
    {
        int count = labels.Length;
        if (count == 0 || probabilities.Length < count * classCount)
        {
            throw new ArgumentException("Need one row of probabilities per label, and at least one label.", nameof(probabilities));
        }

        Span<int> binCounts = stackalloc int[CalibrationBins];
        Span<int> binCorrect = stackalloc int[CalibrationBins];
        Span<double> binConfidence = stackalloc double[CalibrationBins];
        int correct = 0;
        double confidenceSum = 0;
        double entropyCorrect = 0, entropyWrong = 0;

        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(i * classCount, classCount);
            int predicted = ArgMax(row);
            bool isCorrect = predicted == labels[i];
            double confidence = row[predicted];
            double entropy = Entropy(row);

            // Bins are (k/15, (k+1)/15]; a confidence of exactly 1 belongs to the last one.
            int bin = Math.Clamp((int)Math.Ceiling(confidence * CalibrationBins) - 1, 0, CalibrationBins - 1);
            confidenceSum += confidence;
            binCounts[bin]++;
            binConfidence[bin] += confidence;
            if (isCorrect)
            {
                correct++;
                binCorrect[bin]++;
                entropyCorrect += entropy;
            }
            else
            {
                entropyWrong += entropy;
            }
        }

        double calibrationError = 0;
        for (int bin = 0; bin < CalibrationBins; bin++)
        {
            if (binCounts[bin] > 0)
            {
                double binAccuracy = binCorrect[bin] / (double)binCounts[bin];
                double meanConfidence = binConfidence[bin] / binCounts[bin];
                calibrationError += binCounts[bin] / (double)count * Math.Abs(binAccuracy - meanConfidence);
            }
        }

        int wrong = count - correct;
        return new PredictionQuality(
            Accuracy: correct / (double)count,
            MeanConfidence: confidenceSum / count,
            ExpectedCalibrationError: calibrationError,
            MeanEntropyCorrect: correct > 0 ? entropyCorrect / correct : null,
            MeanEntropyWrong: wrong > 0 ? entropyWrong / wrong : null);
    }

    /// <summary>Returns the fraction of rows whose most probable class is the label.</summary>
    /// <param name="probabilities">The predicted probabilities (or logits: only the order matters), row-major.</param>
    /// <param name="labels">The true classes.</param>
    /// <param name="classCount">Values per row.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    public static double Accuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels, int classCount)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (ArgMax(probabilities.Slice(i * classCount, classCount)) == labels[i])
            {
                correct++;
            }
        }

        return correct / (double)labels.Length;
    }

    /// <summary>Returns the mean cross-entropy (negative log-likelihood, nats) of the true classes.</summary>
    /// <param name="probabilities">The predicted probabilities, row-major.</param>
    /// <param name="labels">The true classes.</param>
    /// <param name="classCount">Probabilities per row.</param>
    /// <returns>The mean of <c>-log p[label]</c>, with p clamped to 1e-12 so that one certain mistake stays finite.</returns>
    public static double MeanCrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels, int classCount)
    {
        double total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            total -= Math.Log(Math.Max(probabilities[(i * classCount) + labels[i]], 1e-12));
        }

        return total / labels.Length;
    }

    // The first maximum wins ties, so a prediction is a pure function of the probabilities.
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double Entropy(ReadOnlySpan<float> row)
    {
        double entropy = 0;
        foreach (float probability in row)
        {
            if (probability > 0f)
            {
                entropy -= probability * Math.Log(probability);
            }
        }

        return entropy;
    }
}
