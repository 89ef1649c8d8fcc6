using Dropout.Samples.Evaluation;

namespace Dropout.Tests.Samples;

public sealed class PredictionMetricsTests
{
    [Fact]
    public void Evaluate_TwoPredictions_GivesTheHandComputedCalibrationError()
    {
        // Image 0: class 0 with confidence 0.9, right. Image 1: class 1 with confidence 0.6, wrong (label 2).
        // They fall in different bins, so ECE = 1/2 |1 - 0.9| + 1/2 |0 - 0.6| = 0.35.
        float[] threeClass = [0.9f, 0.1f, 0f, 0f, 0.6f, 0.4f];

        PredictionQuality quality = PredictionMetrics.Evaluate(threeClass, [0, 2], classCount: 3);

        Assert.Equal(0.5, quality.Accuracy);
        Assert.Equal(0.75, quality.MeanConfidence, precision: 6);
        Assert.Equal(0.35, quality.ExpectedCalibrationError, precision: 6);
    }

    [Fact]
    public void Evaluate_UniformPrediction_HasEntropyLogOfTheClassCount()
    {
        float[] uniform = Enumerable.Repeat(0.1f, 10).ToArray();

        PredictionQuality quality = PredictionMetrics.Evaluate(uniform, [0], classCount: 10);

        Assert.Equal(Math.Log(10), quality.MeanEntropyCorrect!.Value, precision: 5);
        Assert.Null(quality.MeanEntropyWrong);
    }

    [Fact]
    public void Evaluate_ConfidentAndAlwaysRight_IsPerfectlyCalibrated()
    {
        float[] certain = [1f, 0f, 0f, 1f];

        PredictionQuality quality = PredictionMetrics.Evaluate(certain, [0, 1], classCount: 2);

        Assert.Equal(1.0, quality.Accuracy);
        Assert.Equal(0.0, quality.ExpectedCalibrationError);
        Assert.Equal(0.0, quality.MeanEntropyCorrect);
    }
}
