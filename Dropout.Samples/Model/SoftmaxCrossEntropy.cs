using System.Numerics.Tensors;

namespace Dropout.Samples.Model;

/// <summary>Softmax followed by the cross-entropy with the true class: the loss of a classifier that outputs probabilities.</summary>
public static class SoftmaxCrossEntropy
{
    // log(0) would make one confidently wrong prediction an infinite loss; clamp as PyTorch and Keras do.
    private const float SmallestProbability = 1e-12f;

    /// <summary>
    /// Computes the mean loss of a batch and its gradient with respect to the logits, <c>(softmax(z) - onehot(y)) / B</c>.
    /// </summary>
    /// <param name="logits">The batch's logits, <see cref="Data.DigitsDataset.ClassCount"/> per row.</param>
    /// <param name="labels">The true classes.</param>
    /// <param name="logitGradient">Receives the gradient; may be <paramref name="logits"/> itself.</param>
    /// <returns>The mean cross-entropy over the batch.</returns>
    public static float LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, Span<float> logitGradient)
    {
        const int classes = Data.DigitsDataset.ClassCount;
        int batchSize = labels.Length;
        float inverseBatchSize = 1f / batchSize;
        double totalLoss = 0;
        for (int row = 0; row < batchSize; row++)
        {
            Span<float> gradient = logitGradient.Slice(row * classes, classes);
            TensorPrimitives.SoftMax(logits.Slice(row * classes, classes), gradient);
            int label = labels[row];
            totalLoss -= Math.Log(Math.Max(gradient[label], SmallestProbability));
            gradient[label] -= 1f;
            TensorPrimitives.Multiply(gradient, inverseBatchSize, gradient);
        }

        return (float)(totalLoss / batchSize);
    }
}
