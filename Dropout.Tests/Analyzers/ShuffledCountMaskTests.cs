using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9: exact-count dropout whose mask is a shuffled 0/1 array. <c>k</c> of <c>n</c> entries are 1 (the count a fraction
/// of the size), the array is permuted by a shuffle drawn where it is applied, and each entry multiplies an activation: an
/// entry is then 1 with probability <c>k / n</c>, so the mask is dropout with that keep probability and owes its scale.
/// Shuffles that reorder data, bootstrap samples, random feature subsets and top-k masks are not such masks.
/// </summary>
public sealed class ShuffledCountMaskTests
{
    [Fact]
    public Task OnesFilledInTheConstructor_SwappedIntoPlaceEachForward_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ShuffleDropLayer
            {
                private readonly Random _rng = new(7);
                private readonly float _keep;
                private readonly float[] _ones;
                public readonly float[] Output;
                public ShuffleDropLayer(int size, float keep)
                {
                    _keep = keep;
                    _ones = new float[size];
                    Output = new float[size];
                    Array.Fill(_ones, 1f, 0, (int)Math.Ceiling(size * keep));
                }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length - 1; i++)
                    {
                        int j = _rng.Next(i, x.Length);
                        float picked = _ones[j];
                        _ones[j] = _ones[i];
                        _ones[i] = picked;
                        Output[i] = {|DRP004:x[i] * picked|};
                    }
                }
            }
            """);

    [Fact]
    public Task OnesFilledInTheConstructor_SwappedIntoPlaceEachForward_DividedByTheKeepFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ShuffleDropLayer
            {
                private readonly Random _rng = new(7);
                private readonly float _keep;
                private readonly float[] _ones;
                public readonly float[] Output;
                public ShuffleDropLayer(int size, float keep)
                {
                    _keep = keep;
                    _ones = new float[size];
                    Output = new float[size];
                    Array.Fill(_ones, 1f, 0, (int)Math.Ceiling(size * keep));
                }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length - 1; i++)
                    {
                        int j = _rng.Next(i, x.Length);
                        float picked = _ones[j];
                        _ones[j] = _ones[i];
                        _ones[i] = picked;
                        Output[i] = x[i] * picked / _keep;
                    }
                }
            }
            """);

    [Fact]
    public Task DropCountOfZeros_SizeLessTheCount_ShuffledByRandomShuffle_NoScale_IsReportedWithTheComplement() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class CountedDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public CountedDropout(double rate) => _rate = rate;
                public void Apply(double[] h)
                {
                    int n = h.Length;
                    int kept = n - (int)Math.Round(n * _rate);
                    var gate = new double[n];
                    for (int i = 0; i < n; i++) gate[i] = i < kept ? 1.0 : 0.0;
                    _rng.Shuffle(gate);
                    for (int i = 0; i < n; i++) {|DRP004:h[i] *= gate[i]|};
                }
            }
            """);

    [Fact]
    public Task DropCountOfZeros_ScaledByTheKeptFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class CountedDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public CountedDropout(double rate) => _rate = rate;
                public void Apply(double[] h)
                {
                    int n = h.Length;
                    int kept = n - (int)Math.Round(n * _rate);
                    var gate = new double[n];
                    for (int i = 0; i < n; i++) gate[i] = i < kept ? 1.0 : 0.0;
                    _rng.Shuffle(gate);
                    for (int i = 0; i < n; i++) h[i] *= gate[i] / (1 - _rate);
                }
            }
            """);

    [Fact]
    public Task ZerosBelowTheDropCount_OrderedByADraw_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class PermutedMaskDropout
            {
                private readonly Random _random = new(11);
                private readonly double _dropRate;
                public PermutedMaskDropout(double dropRate) => _dropRate = dropRate;
                public double[] Forward(double[] x)
                {
                    int dropCount = (int)(_dropRate * x.Length);
                    var keepMask = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) keepMask[i] = i < dropCount ? 0.0 : 1.0;
                    keepMask = keepMask.OrderBy(_ => _random.Next()).ToArray();
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP004:x[i] * keepMask[i]|};
                    return y;
                }
            }
            """);

    [Fact]
    public Task ClassicExactCount_MultipliedByTheKeepFractionAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ClassicShuffleDropout
            {
                private readonly Random _rng = new(5);
                private readonly float _keep;
                private readonly float[] _mask;
                public ClassicShuffleDropout(int size, float keep)
                {
                    _keep = keep;
                    _mask = new float[size];
                    int ones = (int)Math.Round(size * keep);
                    for (int i = 0; i < ones; i++) _mask[i] = 1f;
                }
                public void Train(float[] x)
                {
                    for (int i = x.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (_mask[i], _mask[j]) = (_mask[j], _mask[i]);
                    }

                    for (int i = 0; i < x.Length; i++) x[i] = x[i] * _mask[i];
                }
                public void Infer(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] *= _keep;
                }
            }
            """);

    [Fact]
    public Task MiniBatchOrderShuffled_RowsWeighted_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SgdTrainer
            {
                private readonly Random _rng = new(1);
                private readonly double[] _weights = new double[4];
                public void Epoch(double[][] inputs, double[] targets, double learningRate)
                {
                    int[] order = Enumerable.Range(0, inputs.Length).ToArray();
                    for (int i = order.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (order[i], order[j]) = (order[j], order[i]);
                    }

                    int batch = (int)(order.Length * 0.25);
                    foreach (int row in order.Take(batch))
                    {
                        double prediction = 0;
                        for (int k = 0; k < _weights.Length; k++) prediction += _weights[k] * inputs[row][k];
                        double error = prediction - targets[row];
                        for (int k = 0; k < _weights.Length; k++) _weights[k] -= learningRate * error * inputs[row][k];
                    }
                }
            }
            """);

    [Fact]
    public Task TrainTestSplitFlagsShuffled_UsedToWeightTheLoss_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Splitter
            {
                private readonly Random _rng = new(2);
                public double TrainLoss(double[] losses, double trainFraction)
                {
                    int n = losses.Length;
                    var inTrain = new double[n];
                    for (int i = 0; i < n; i++) inTrain[i] = i < (int)(n * trainFraction) ? 1.0 : 0.0;
                    for (int i = n - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (inTrain[i], inTrain[j]) = (inTrain[j], inTrain[i]);
                    }

                    double total = 0;
                    for (int i = 0; i < n; i++) total += losses[i] * inTrain[i];
                    return total;
                }
            }
            """);

    [Fact]
    public Task BootstrapSampleDrawnWithReplacement_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Bagging
            {
                private readonly Random _rng = new(9);
                public double[] Resample(double[] values, double[] weights)
                {
                    var sample = new double[values.Length];
                    for (int i = 0; i < values.Length; i++) sample[i] = values[_rng.Next(values.Length)] * weights[i];
                    return sample;
                }
            }
            """);

    [Fact]
    public Task RandomForestFeatureSubset_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class RandomSubspaceTree
            {
                private readonly Random _rng = new(4);
                public double Score(double[] features, double[] coefficients, double subsetFraction)
                {
                    int[] picked = Enumerable.Range(0, features.Length).ToArray();
                    for (int i = picked.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (picked[i], picked[j]) = (picked[j], picked[i]);
                    }

                    int count = (int)Math.Ceiling(features.Length * subsetFraction);
                    double score = 0;
                    for (int k = 0; k < count; k++) score += features[picked[k]] * coefficients[picked[k]];
                    return score;
                }
            }
            """);

    [Fact]
    public Task TopKMask_NotShuffled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class TopKGate
            {
                public void Apply(float[] h, float keepFraction)
                {
                    int k = (int)Math.Ceiling(h.Length * keepFraction);
                    int[] byMagnitude = Enumerable.Range(0, h.Length).OrderByDescending(i => Math.Abs(h[i])).ToArray();
                    var gate = new float[h.Length];
                    for (int r = 0; r < k; r++) gate[byMagnitude[r]] = 1f;
                    for (int i = 0; i < h.Length; i++) h[i] *= gate[i];
                }
            }
            """);

    [Fact]
    public Task DropCountOfZeros_DividedByTheDropRate_IsReportedAsScaleByTheRate() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class CountedDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public CountedDropout(double rate) => _rate = rate;
                public void Apply(double[] h, bool training)
                {
                    if (!training) return;
                    int n = h.Length;
                    int dropped = (int)Math.Round(n * _rate);
                    var gate = new double[n];
                    for (int i = 0; i < n; i++) gate[i] = i < dropped ? 0.0 : 1.0;
                    _rng.Shuffle(gate);
                    for (int i = 0; i < n; i++) h[i] = {|DRP012:h[i] * gate[i] / _rate|};
                }
            }
            """);

    [Fact]
    public Task DropCountOfZeros_DividedByTheKeptFraction_IsNoScaleByTheRate() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class CountedDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public CountedDropout(double rate) => _rate = rate;
                public void Apply(double[] h, bool training)
                {
                    if (!training) return;
                    int n = h.Length;
                    int dropped = (int)Math.Round(n * _rate);
                    var gate = new double[n];
                    for (int i = 0; i < n; i++) gate[i] = i < dropped ? 0.0 : 1.0;
                    _rng.Shuffle(gate);
                    for (int i = 0; i < n; i++) h[i] = h[i] * gate[i] / (1 - _rate);
                }
            }
            """);

    [Fact]
    public Task ShuffledOnes_ScaledInTrainingAndAgainAtInference_IsReportedAsDoubleScaling() =>
        AnalyzerTest.VerifyAsync<DoubleScalingAnalyzer>("""
            public sealed class ShuffleDropLayer
            {
                private readonly Random _rng = new(7);
                private readonly float _keep;
                private readonly float[] _ones;
                public ShuffleDropLayer(int size, float keep)
                {
                    _keep = keep;
                    _ones = new float[size];
                    Array.Fill(_ones, 1f, 0, (int)Math.Ceiling(size * keep));
                }
                public void Forward(float[] x, bool training)
                {
                    if (!training)
                    {
                        for (int i = 0; i < x.Length; i++) {|DRP005:x[i] *= _keep|};
                        return;
                    }

                    for (int i = x.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (_ones[i], _ones[j]) = (_ones[j], _ones[i]);
                    }

                    for (int i = 0; i < x.Length; i++) x[i] = x[i] * _ones[i] / _keep;
                }
            }
            """);

    [Fact]
    public Task ShuffledOnes_ScaledButAppliedOnEveryCall_IsReportedAsNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class ShuffleDropLayer
            {
                private readonly Random _rng = new(7);
                private readonly float _keep;
                private readonly float[] _ones;
                public ShuffleDropLayer(int size, float keep)
                {
                    _keep = keep;
                    _ones = new float[size];
                    Array.Fill(_ones, 1f, 0, (int)Math.Ceiling(size * keep));
                }
                public float[] Forward(float[] x)
                {
                    for (int i = x.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (_ones[i], _ones[j]) = (_ones[j], _ones[i]);
                    }

                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP014:x[i] * _ones[i]|} / _keep;
                    return y;
                }
            }
            """);

    [Fact]
    public Task ShuffledOnes_SkippedWhenNotTraining_HasAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class ShuffleDropLayer
            {
                private readonly Random _rng = new(7);
                private readonly float _keep;
                private readonly float[] _ones;
                public ShuffleDropLayer(int size, float keep)
                {
                    _keep = keep;
                    _ones = new float[size];
                    Array.Fill(_ones, 1f, 0, (int)Math.Ceiling(size * keep));
                }
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    for (int i = x.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (_ones[i], _ones[j]) = (_ones[j], _ones[i]);
                    }

                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = x[i] * _ones[i] / _keep;
                    return y;
                }
            }
            """);

    [Fact]
    public Task OnesShuffledByAHelperOfTheType_AppliedUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HelperShuffleDropout
            {
                private readonly Random _rng = new(3);
                private readonly float[] _mask;
                public HelperShuffleDropout(int n, float keep)
                {
                    _mask = new float[n];
                    for (int i = 0; i < (int)(n * keep); i++) _mask[i] = 1f;
                }
                private void ShuffleMask()
                {
                    for (int i = _mask.Length - 1; i > 0; i--) { int j = _rng.Next(i + 1); (_mask[i], _mask[j]) = (_mask[j], _mask[i]); }
                }
                public void Forward(float[] x, bool training)
                {
                    if (!training) return;
                    ShuffleMask();
                    for (int i = 0; i < x.Length; i++) x[i] = {|DRP004:x[i] * _mask[i]|};
                }
            }
            """);

    [Fact]
    public Task OnesShuffledByAHelperOfTheType_DividedByTheKeepFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HelperShuffleDropout
            {
                private readonly Random _rng = new(3);
                private readonly float _keep;
                private readonly float[] _mask;
                public HelperShuffleDropout(int n, float keep)
                {
                    _keep = keep;
                    _mask = new float[n];
                    for (int i = 0; i < (int)(n * keep); i++) _mask[i] = 1f;
                }
                private void ShuffleMask()
                {
                    for (int i = _mask.Length - 1; i > 0; i--) { int j = _rng.Next(i + 1); (_mask[i], _mask[j]) = (_mask[j], _mask[i]); }
                }
                public void Forward(float[] x, bool training)
                {
                    if (!training) return;
                    ShuffleMask();
                    for (int i = 0; i < x.Length; i++) x[i] = x[i] * _mask[i] / _keep;
                }
            }
            """);

    [Fact]
    public Task ShuffledBooleanMaskTrueBelowTheKeptCount_NoScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class BoolCountDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _keep;
                public BoolCountDropout(double keep) => _keep = keep;
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    int n = x.Length;
                    int kept = (int)(n * _keep);
                    var mask = new bool[n];
                    for (int i = 0; i < n; i++) mask[i] = i < kept;
                    for (int i = n - 1; i > 0; i--) { int j = _rng.Next(i + 1); (mask[i], mask[j]) = (mask[j], mask[i]); }
                    var y = new double[n];
                    for (int i = 0; i < n; i++) y[i] = {|DRP004:mask[i]|} ? x[i] : 0.0;
                    return y;
                }
            }
            """);

    [Fact]
    public Task ShuffledBooleanMaskTrueBelowTheDropCount_KeptScaledByTheKeptFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class BoolCountDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public BoolCountDropout(double rate) => _rate = rate;
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    int n = x.Length;
                    int dropped = (int)(n * _rate);
                    var isDropped = new bool[n];
                    for (int i = 0; i < n; i++) isDropped[i] = i < dropped;
                    for (int i = n - 1; i > 0; i--) { int j = _rng.Next(i + 1); (isDropped[i], isDropped[j]) = (isDropped[j], isDropped[i]); }
                    var y = new double[n];
                    for (int i = 0; i < n; i++) y[i] = isDropped[i] ? 0.0 : x[i] / (1 - _rate);
                    return y;
                }
            }
            """);

    [Fact]
    public Task ShuffledBooleanMaskTrueBelowTheDropCount_KeptScaledByTheRate_IsReportedAsScaleByTheRate() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class BoolCountDropout
            {
                private readonly Random _rng = new(3);
                private readonly double _rate;
                public BoolCountDropout(double rate) => _rate = rate;
                public double[] Forward(double[] x, bool training)
                {
                    if (!training) return x;
                    int n = x.Length;
                    int dropped = (int)(n * _rate);
                    var isDropped = new bool[n];
                    for (int i = 0; i < n; i++) isDropped[i] = i < dropped;
                    for (int i = n - 1; i > 0; i--) { int j = _rng.Next(i + 1); (isDropped[i], isDropped[j]) = (isDropped[j], isDropped[i]); }
                    var y = new double[n];
                    for (int i = 0; i < n; i++) y[i] = isDropped[i] ? 0.0 : {|DRP012:x[i] / _rate|};
                    return y;
                }
            }
            """);

    [Fact]
    public Task ShuffledBooleanSplit_SelectingTrainingRows_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HoldOut
            {
                private readonly Random _rng = new(3);
                public List<double[]> TrainingRows(List<double[]> rows, double trainFraction)
                {
                    int n = rows.Count;
                    int inTrain = (int)(n * trainFraction);
                    var isTrain = new bool[n];
                    for (int i = 0; i < n; i++) isTrain[i] = i < inTrain;
                    for (int i = n - 1; i > 0; i--) { int j = _rng.Next(i + 1); (isTrain[i], isTrain[j]) = (isTrain[j], isTrain[i]); }
                    var selected = new List<double[]>();
                    for (int i = 0; i < n; i++) if (isTrain[i]) selected.Add(rows[i]);
                    return selected;
                }
            }
            """);
}
