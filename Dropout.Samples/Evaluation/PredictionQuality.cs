namespace Dropout.Samples.Evaluation;

/// <summary>How good a set of predicted class probabilities is: accuracy, calibration, and uncertainty where it is right and wrong.</summary>
/// <param name="Accuracy">The fraction of images whose most probable class is the true one.</param>
/// <param name="MeanConfidence">The mean probability of the predicted class: above the accuracy is overconfident, below underconfident.</param>
/// <param name="ExpectedCalibrationError">
/// The expected calibration error over <see cref="PredictionMetrics.CalibrationBins"/> equal-width confidence bins:
/// the mean gap between confidence and accuracy, weighted by the bins' sizes (0 is perfectly calibrated).
/// </param>
/// <param name="MeanEntropyCorrect">The mean predictive entropy (nats) on correctly classified images; null if there are none.</param>
/// <param name="MeanEntropyWrong">The mean predictive entropy (nats) on misclassified images; null if there are none.</param>
public sealed record PredictionQuality(double Accuracy, double MeanConfidence, double ExpectedCalibrationError, double? MeanEntropyCorrect, double? MeanEntropyWrong);
