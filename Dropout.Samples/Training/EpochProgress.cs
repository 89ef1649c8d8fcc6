namespace Dropout.Samples.Training;

/// <summary>Reported after every epoch, for a progress display.</summary>
/// <param name="RunNumber">The run, from 1.</param>
/// <param name="RunCount">The number of runs.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Configuration">Which dropout layers the run's network has.</param>
/// <param name="EpochCount">The number of epochs per run.</param>
/// <param name="Epoch">The epoch just finished.</param>
public sealed record EpochProgress(int RunNumber, int RunCount, int Seed, Model.DropoutConfiguration Configuration, int EpochCount, EpochRecord Epoch);
