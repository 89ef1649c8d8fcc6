using Dropout.Samples.Data;
using Dropout.Samples.Model;
using Dropout.Samples.Training;

namespace Dropout.Tests.Samples;

public sealed class SampleReproducibilityTests
{
    private static readonly ExperimentSettings s_settings = new() { Epochs = 4, HiddenSize = 24, TrainingSize = 60, MonteCarloSamples = 3 };

    [Theory]
    [InlineData(DropoutConfiguration.None)]
    [InlineData(DropoutConfiguration.InputAndHidden)]
    public void TrainOne_TwiceWithTheSameSeed_GivesIdenticalLossesAndAccuracies(DropoutConfiguration configuration)
    {
        var experiment = new Experiment(s_settings);
        (DigitsSplit training, DigitsSplit test) = DigitsDataset.Load(s_settings.DataPath).Split(s_settings.TrainingSize, s_settings.SplitSeed);

        RunResult first = experiment.TrainOne(seed: 7, configuration, training, test);
        RunResult second = experiment.TrainOne(seed: 7, configuration, training, test);

        // Bit for bit: compared exactly, not within a tolerance.
        Assert.Equal(first.Epochs.Select(epoch => epoch.TrainingLoss), second.Epochs.Select(epoch => epoch.TrainingLoss));
        Assert.Equal(first.Epochs.Select(epoch => epoch.TestLoss), second.Epochs.Select(epoch => epoch.TestLoss));
        Assert.Equal(first.Epochs.Select(epoch => epoch.TestAccuracy), second.Epochs.Select(epoch => epoch.TestAccuracy));
        Assert.Equal(first.Inference, second.Inference);
        Assert.Equal(first.MonteCarlo, second.MonteCarlo);
    }

    [Fact]
    public void TrainOne_WithAnotherSeed_TrainsADifferentNetwork()
    {
        var experiment = new Experiment(s_settings);
        (DigitsSplit training, DigitsSplit test) = DigitsDataset.Load(s_settings.DataPath).Split(s_settings.TrainingSize, s_settings.SplitSeed);

        RunResult seven = experiment.TrainOne(seed: 7, DropoutConfiguration.InputAndHidden, training, test);
        RunResult eight = experiment.TrainOne(seed: 8, DropoutConfiguration.InputAndHidden, training, test);

        Assert.NotEqual(seven.Epochs.Select(epoch => epoch.TrainingLoss), eight.Epochs.Select(epoch => epoch.TrainingLoss));
    }

    [Fact]
    public void TrainOne_WithDropout_TrainsDifferentlyFromTheSameSeedWithout()
    {
        var experiment = new Experiment(s_settings);
        (DigitsSplit training, DigitsSplit test) = DigitsDataset.Load(s_settings.DataPath).Split(s_settings.TrainingSize, s_settings.SplitSeed);

        RunResult without = experiment.TrainOne(seed: 7, DropoutConfiguration.None, training, test);
        RunResult with = experiment.TrainOne(seed: 7, DropoutConfiguration.Hidden, training, test);

        // Same weights and batch order, so only the masks can make the first epoch's loss differ.
        Assert.NotEqual(without.Epochs[0].TrainingLoss, with.Epochs[0].TrainingLoss);
    }
}
