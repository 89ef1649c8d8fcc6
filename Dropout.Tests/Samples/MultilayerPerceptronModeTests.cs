using Dropout.Samples.Data;
using Dropout.Samples.Model;

namespace Dropout.Tests.Samples;

public sealed class MultilayerPerceptronModeTests
{
    private static readonly DigitsDataset s_digits = DigitsDataset.Load(DigitsDataset.DefaultPath);

    private static MultilayerPerceptron NewModel(DropoutContext context) =>
        new(hiddenSize: 32, DropoutConfiguration.InputAndHidden, new Random(3), context);

    [Fact]
    public void Predict_CalledTwice_GivesIdenticalProbabilities_BecauseDropoutIsOffInInference()
    {
        MultilayerPerceptron model = NewModel(new DropoutContext(5));
        ReadOnlySpan<float> images = s_digits.Pixels.AsSpan(0, 20 * DigitsDataset.PixelCount);
        var first = new float[20 * DigitsDataset.ClassCount];
        var second = new float[20 * DigitsDataset.ClassCount];

        model.Predict(images, first);
        model.Predict(images, second);

        Assert.Equal(first, second);
    }

    [Fact]
    public void PredictMonteCarlo_CalledTwice_DrawsFreshMasks()
    {
        MultilayerPerceptron model = NewModel(new DropoutContext(5));
        ReadOnlySpan<float> images = s_digits.Pixels.AsSpan(0, 20 * DigitsDataset.PixelCount);
        var first = new float[20 * DigitsDataset.ClassCount];
        var second = new float[20 * DigitsDataset.ClassCount];

        model.PredictMonteCarlo(images, samples: 1, first);
        model.PredictMonteCarlo(images, samples: 1, second);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void PredictMonteCarlo_AveragesProbabilities_SoEachRowSumsToOne()
    {
        MultilayerPerceptron model = NewModel(new DropoutContext(5));
        ReadOnlySpan<float> images = s_digits.Pixels.AsSpan(0, 200 * DigitsDataset.PixelCount);
        var probabilities = new float[200 * DigitsDataset.ClassCount];

        model.PredictMonteCarlo(images, samples: 5, probabilities);

        for (int row = 0; row < 200; row++)
        {
            Assert.Equal(1.0, probabilities.AsSpan(row * 10, 10).ToArray().Sum(), precision: 5);
        }
    }

    [Theory]
    [InlineData(DropoutMode.Training)]
    [InlineData(DropoutMode.Inference)]
    public void PredictAndPredictMonteCarlo_RestoreTheContextsMode(DropoutMode mode)
    {
        var context = new DropoutContext(5) { Mode = mode };
        MultilayerPerceptron model = NewModel(context);
        var probabilities = new float[DigitsDataset.ClassCount];

        model.Predict(s_digits.Image(0), probabilities);
        Assert.Equal(mode, context.Mode);
        model.PredictMonteCarlo(s_digits.Image(0), samples: 2, probabilities);
        Assert.Equal(mode, context.Mode);
    }
}
