using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9: the shapes of hand-written dropout that the model learned from corpus batches T to Y (coin flips, dropout that
/// skips a term, generic math through calls, exact-count shuffles, library Bernoulli fills, delegate and hash-bit draws,
/// spatial zeroing, list and LINQ masks, keep defaults), each with the correct twin that must stay silent.
/// </summary>
public sealed class DropoutShapeRecognitionTests
{
    [Fact]
    public Task CoinFlip_NextTwoEqualsZero_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HalfDropout
            {
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = {|DRP004:_rng.Next(2) == 0|} ? 0f : x[i];
                    return y;
                }
            }
            """);

    [Fact]
    public Task CoinFlip_NotEqualsWithLargerBound_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void DropoutTenth(double[] h, Random rng)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = {|DRP004:rng.Next(10) != 0|} ? h[i] : 0.0;
                }
            }
            """);

    [Fact]
    public Task CoinFlip_KeptValuesDoubled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HalfDropout
            {
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x)
                {
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++) y[i] = _rng.Next(2) == 0 ? 0f : x[i] * 2f;
                    return y;
                }
            }
            """);

    [Fact]
    public Task CoinFlip_ForAugmentation_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Augmenter
            {
                private readonly Random _rng = new(1);
                public float[] Flip(float[] row)
                {
                    bool flip = _rng.Next(2) == 0;
                    var result = new float[row.Length];
                    for (int i = 0; i < row.Length; i++) result[i] = flip ? row[row.Length - 1 - i] : row[i];
                    return result;
                }
            }
            """);

    [Fact]
    public Task CoinFlip_WithVariableBound_IsNotAssumed() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, int n, Random rng)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = rng.Next(n) == 0 ? 0.0 : h[i];
                }
            }
            """);

    [Fact]
    public Task SkippedTerm_SumNeverRescaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropConnectUnit
            {
                public double[] Weights = new double[4];
                public double KeepProbability = 0.8;
                private readonly Random _random = new(3);
                public double Activate(double[] x)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++)
                        if ({|DRP004:_random.NextDouble() < KeepProbability|}) sum += Weights[i] * x[i];
                    return Math.Tanh(sum);
                }
            }
            """);

    [Fact]
    public Task SkippedTerm_DropRateComparison_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Neuron
            {
                public static float Sum(float[] inputs, float[] weights, float dropRate, Random rng)
                {
                    float total = 0f;
                    for (int i = 0; i < inputs.Length; i++)
                    {
                        if ({|DRP004:rng.NextSingle() >= dropRate|})
                        {
                            total += weights[i] * inputs[i];
                        }
                    }
                    return total;
                }
            }
            """);

    [Fact]
    public Task SkippedTerm_SumDividedByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropConnectUnit
            {
                public float[] Weights = new float[4];
                public float Keep = 0.75f;
                private readonly Random _random = new(3);
                public float Activate(float[] x)
                {
                    float sum = 0f;
                    for (int i = 0; i < x.Length; i++)
                        if (_random.NextSingle() < Keep) sum += Weights[i] * x[i];
                    sum /= Keep;
                    return sum;
                }
            }
            """);

    [Fact]
    public Task SkippedTerm_MonteCarloHitCount_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Estimator
            {
                public static double TrainAcceptance(double[] weights, double keep, Random rng)
                {
                    double hits = 0;
                    for (int i = 0; i < weights.Length; i++)
                        if (rng.NextDouble() < keep) hits += 1.0;
                    return hits / weights.Length;
                }
            }
            """);

    [Fact]
    public Task SkippedTerm_ImportanceSamplingWithoutDropoutWords_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Sampler
            {
                public static double Estimate(double[] values, double acceptance, Random rng)
                {
                    double total = 0;
                    for (int i = 0; i < values.Length; i++)
                        if (rng.NextDouble() < acceptance) total += values[i];
                    return total;
                }
            }
            """);

    [Fact]
    public Task GenericMath_LessThanCall_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public interface INumericOperations<T> { T Zero { get; } T FromDouble(double value); bool LessThan(T a, T b); T Divide(T a, T b); }

            public sealed class GenericDropout<T>
            {
                private readonly INumericOperations<T> _ops;
                private readonly T _keep;
                private readonly Random _random = new(42);
                public GenericDropout(INumericOperations<T> ops, double rate) { _ops = ops; _keep = ops.FromDouble(1 - rate); }
                public T[] Forward(T[] input)
                {
                    var output = new T[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        T u = _ops.FromDouble(_random.NextDouble());
                        output[i] = {|DRP004:_ops.LessThan(u, _keep)|} ? input[i] : _ops.Zero;
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task GenericMath_GreaterThanCallOnRate_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public interface INumericOperations<T> { T Zero { get; } T FromDouble(double value); bool GreaterThan(T a, T b); }

            public static class Layers<T>
            {
                public static void Dropout(T[] x, T rate, INumericOperations<T> numOps, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = {|DRP004:numOps.GreaterThan(rate, numOps.FromDouble(rng.NextDouble()))|} ? numOps.Zero : x[i];
                }
            }
            """);

    [Fact]
    public Task GenericMath_DivideCallByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public interface INumericOperations<T> { T Zero { get; } T FromDouble(double value); bool LessThan(T a, T b); T Divide(T a, T b); }

            public sealed class GenericDropout<T>
            {
                private readonly INumericOperations<T> _ops;
                private readonly T _keep;
                private readonly Random _random = new(42);
                public GenericDropout(INumericOperations<T> ops, double rate) { _ops = ops; _keep = ops.FromDouble(1 - rate); }
                public T[] Forward(T[] input)
                {
                    var output = new T[input.Length];
                    for (int i = 0; i < input.Length; i++)
                        output[i] = _ops.LessThan(_ops.FromDouble(_random.NextDouble()), _keep) ? _ops.Divide(input[i], _keep) : _ops.Zero;
                    return output;
                }
            }
            """);

    [Fact]
    public Task GenericMath_ThresholdOnActivations_IsNotADraw() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public interface INumericOperations<T> { T Zero { get; } bool LessThan(T a, T b); }

            public static class Activations<T>
            {
                public static void DropoutLikeThreshold(T[] x, T keepThreshold, INumericOperations<T> ops)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = ops.LessThan(x[i], keepThreshold) ? ops.Zero : x[i];
                }
            }
            """);

    [Fact]
    public Task BooleanMaskBranches_ThatAlsoCount_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Layer
            {
                public bool[] OutputMask = new bool[8];
                public float[] Output = new float[8];
                public float KeepRate = 0.8f;
                private readonly Random _random = new(5);
                public void SampleDropout()
                {
                    int alive = 0;
                    for (int i = 0; i < OutputMask.Length; i++)
                    {
                        if ({|DRP004:_random.NextSingle() < KeepRate|}) { OutputMask[i] = true; alive++; }
                        else OutputMask[i] = false;
                    }
                    for (int i = 0; i < Output.Length; i++) Output[i] = OutputMask[i] ? Output[i] : 0f;
                }
            }
            """);

    [Fact]
    public Task BooleanMaskBranches_ThatAlsoCount_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Layer
            {
                public bool[] OutputMask = new bool[8];
                public float[] Output = new float[8];
                public float KeepRate = 0.8f;
                private readonly Random _random = new(5);
                public void SampleDropout()
                {
                    int alive = 0;
                    for (int i = 0; i < OutputMask.Length; i++)
                    {
                        if (_random.NextSingle() < KeepRate) { OutputMask[i] = true; alive++; }
                        else OutputMask[i] = false;
                    }
                    for (int i = 0; i < Output.Length; i++) Output[i] = OutputMask[i] ? Output[i] / KeepRate : 0f;
                }
            }
            """);

    [Fact]
    public Task BooleanMaskBranches_WritingTwoMasks_IsNotGuessed() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Layer
            {
                public bool[] KeepMask = new bool[8];
                public bool[] Seen = new bool[8];
                public float KeepRate = 0.8f;
                private readonly Random _random = new(5);
                public void SampleDropout()
                {
                    for (int i = 0; i < KeepMask.Length; i++)
                    {
                        if (_random.NextSingle() < KeepRate) { KeepMask[i] = true; Seen[i] = true; }
                    }
                }
            }
            """);

    [Fact]
    public Task ExactCount_FirstPositionsOfAShuffleZeroed_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ExactDropout
            {
                private readonly double _rate;
                private readonly Random _random = new(1);
                public ExactDropout(double rate) { _rate = rate; }
                public double[] Apply(double[] x)
                {
                    int n = x.Length;
                    var order = Enumerable.Range(0, n).ToArray();
                    for (int i = n - 1; i > 0; i--)
                    {
                        int j = _random.Next(i + 1);
                        (order[i], order[j]) = (order[j], order[i]);
                    }
                    int dropped = (int)(_rate * n);
                    var y = (double[])x.Clone();
                    for (int k = 0; {|DRP004:k < dropped|}; k++) y[order[k]] = 0.0;
                    return y;
                }
            }
            """);

    [Fact]
    public Task ExactCount_ConditionalOnPosition_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static float[] DropoutExact(float[] x, float dropRate, Random rng)
                {
                    int n = x.Length;
                    int[] index = new int[n];
                    for (int i = 0; i < n; i++) index[i] = i;
                    for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); int t = index[i]; index[i] = index[j]; index[j] = t; }
                    int drop = (int)Math.Round(dropRate * n);
                    var y = new float[n];
                    for (int k = 0; k < n; k++) y[index[k]] = {|DRP004:k < drop|} ? 0f : x[index[k]];
                    return y;
                }
            }
            """);

    [Fact]
    public Task ExactCount_OrderByShuffle_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double rate, Random rng)
                {
                    int[] order = Enumerable.Range(0, h.Length).OrderBy(_ => rng.Next()).ToArray();
                    int count = (int)(h.Length * rate);
                    for (int k = 0; {|DRP004:k < count|}; k++) h[order[k]] = 0;
                }
            }
            """);

    [Fact]
    public Task ExactCount_KeptScaledByNOverKept_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static float[] DropoutExact(float[] x, float dropRate, Random rng)
                {
                    int n = x.Length;
                    int[] index = new int[n];
                    for (int i = 0; i < n; i++) index[i] = i;
                    for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); int t = index[i]; index[i] = index[j]; index[j] = t; }
                    int drop = (int)(dropRate * n);
                    float scale = n / (float)(n - drop);
                    var y = new float[n];
                    for (int k = 0; k < n; k++) y[index[k]] = k < drop ? 0f : x[index[k]] * scale;
                    return y;
                }
            }
            """);

    [Fact]
    public Task ExactCount_KeptDividedByKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double rate, Random rng)
                {
                    int[] order = Enumerable.Range(0, h.Length).OrderBy(_ => rng.Next()).ToArray();
                    int count = (int)(h.Length * rate);
                    for (int k = 0; k < count; k++) h[order[k]] = 0;
                    for (int i = 0; i < h.Length; i++) h[i] /= 1 - rate;
                }
            }
            """);

    [Fact]
    public Task ShuffledValidationSplit_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Trainer
            {
                public static (List<double[]> Train, List<double[]> Validation) Split(double[][] data, double validationFraction, Random rng)
                {
                    int[] order = Enumerable.Range(0, data.Length).OrderBy(_ => rng.Next()).ToArray();
                    int held = (int)(validationFraction * data.Length);
                    var train = new List<double[]>();
                    var validation = new List<double[]>();
                    for (int k = 0; k < data.Length; k++) (k < held ? validation : train).Add(data[order[k]]);
                    return (train, validation);
                }
            }
            """);

    [Fact]
    public Task ExactCount_WithACountOfUnknownFraction_IsNotGuessed() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, int dropCount, Random rng)
                {
                    int[] order = Enumerable.Range(0, h.Length).OrderBy(_ => rng.Next()).ToArray();
                    for (int k = 0; k < dropCount; k++) h[order[k]] = 0;
                }
            }
            """);

    [Fact]
    public Task LibraryBernoulliFill_IntoAMaskArgument_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class NativeOps { public static void RandomBernoulli(float[] destination, int seed, float p) => throw new NotSupportedException(); }

            public sealed class DropoutBlock
            {
                private readonly float[] _noise = new float[16];
                public float Rate { get; set; } = 0.2f;
                public void Forward(float[] x, int seed)
                {
                    float keep = 1 - Rate;
                    {|DRP004:NativeOps.RandomBernoulli(_noise, seed, keep)|};
                    for (int i = 0; i < x.Length; i++) x[i] *= _noise[i];
                }
            }
            """);

    [Fact]
    public Task LibraryBernoulliFill_ReturningTheMask_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Tensor { public float[] Data = new float[4]; public static Tensor Bernoulli(int[] shape, double p) => new(); }

            public sealed class DropoutModule
            {
                private readonly double _keepProbability = 0.9;
                private Tensor _mask = new();
                public void Forward(Tensor x)
                {
                    _mask = {|DRP004:Tensor.Bernoulli(new[] { x.Data.Length }, _keepProbability)|};
                    for (int i = 0; i < x.Data.Length; i++) x.Data[i] = x.Data[i] * _mask.Data[i];
                }
            }
            """);

    [Fact]
    public Task LibraryBernoulliFill_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class NativeOps { public static void RandomBernoulli(float[] destination, int seed, float p) => throw new NotSupportedException(); }

            public sealed class DropoutBlock
            {
                private readonly float[] _noise = new float[16];
                public float Rate { get; set; } = 0.2f;
                public void Forward(float[] x, int seed)
                {
                    float keep = 1 - Rate;
                    NativeOps.RandomBernoulli(_noise, seed, keep);
                    for (int i = 0; i < x.Length; i++) x[i] = x[i] * _noise[i] / keep;
                }
            }
            """);

    [Fact]
    public Task LibraryBernoulliFill_ForSyntheticLabels_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class NativeOps { public static void RandomBernoulli(float[] destination, int seed, float p) => throw new NotSupportedException(); }

            public static class SyntheticData
            {
                public static float[] Labels(int count, float positiveFraction, int seed)
                {
                    var labels = new float[count];
                    NativeOps.RandomBernoulli(labels, seed, positiveFraction);
                    return labels;
                }
            }
            """);

    [Fact]
    public Task DelegateOfNextDouble_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class RecurrentCell
            {
                private readonly Func<double> _uniform;
                private readonly double _dropRate;
                private readonly double[] _state = new double[8];
                public RecurrentCell(double dropRate, int seed) { _uniform = new Random(seed).NextDouble; _dropRate = dropRate; }
                public void Step(bool training)
                {
                    for (int i = 0; i < _state.Length; i++)
                        if (training && {|DRP004:_uniform() < _dropRate|}) _state[i] = 0.0;
                }
            }
            """);

    [Fact]
    public Task DelegateLambdaThatDraws_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] h, float keep, int seed)
                {
                    var rng = new Random(seed);
                    Func<float> next = () => rng.NextSingle();
                    for (int i = 0; i < h.Length; i++) h[i] = {|DRP004:next() < keep|} ? h[i] : 0f;
                }
            }
            """);

    [Fact]
    public Task DelegateThatDraws_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] h, float keep, int seed)
                {
                    var rng = new Random(seed);
                    Func<float> next = () => rng.NextSingle();
                    for (int i = 0; i < h.Length; i++) h[i] = next() < keep ? h[i] / keep : 0f;
                }
            }
            """);

    [Fact]
    public Task DelegateThatDoesNotDraw_IsNotADraw() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] h, double keep, Func<double> schedule)
                {
                    Func<double> threshold = () => Math.Sin(h.Length);
                    for (int i = 0; i < h.Length; i++) h[i] = threshold() < keep ? h[i] : 0.0;
                    for (int i = 0; i < h.Length; i++) h[i] = schedule() < keep ? h[i] : 0.0;
                }
            }
            """);

    [Fact]
    public Task RateReadFromAConfigObject_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed record LayerConfig(int Units, double DropoutRate);

            public sealed class Hidden
            {
                private readonly LayerConfig _config;
                private readonly Random _random = new(1);
                public Hidden(LayerConfig config) { _config = config; }
                public void Forward(double[] a, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < a.Length; i++)
                        if ({|DRP004:_random.NextDouble() < _config.DropoutRate|}) a[i] = 0;
                }
            }
            """);

    [Fact]
    public Task RateReadFromAConfigObject_ScaledAtInferenceByTheRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed record LayerConfig(int Units, double DropoutRate);

            public sealed class Hidden
            {
                private readonly LayerConfig _config;
                private readonly Random _random = new(1);
                public Hidden(LayerConfig config) { _config = config; }
                public void Forward(double[] a, bool training)
                {
                    if (training)
                    {
                        for (int i = 0; i < a.Length; i++)
                            if (_random.NextDouble() < _config.DropoutRate) a[i] = 0;
                    }
                    else
                    {
                        for (int i = 0; i < a.Length; i++) {|DRP012:a[i] *= _config.DropoutRate|};
                    }
                }
            }
            """);

    [Fact]
    public Task RateReadFromAConfigObject_ScaledByItsComplement_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed record LayerConfig(int Units, double DropoutRate);

            public sealed class Hidden
            {
                private readonly LayerConfig _config;
                private readonly Random _random = new(1);
                public Hidden(LayerConfig config) { _config = config; }
                public void Forward(double[] a, bool training)
                {
                    if (training)
                    {
                        for (int i = 0; i < a.Length; i++)
                            if (_random.NextDouble() < _config.DropoutRate) a[i] = 0;
                    }
                    else
                    {
                        for (int i = 0; i < a.Length; i++) a[i] *= 1 - _config.DropoutRate;
                    }
                }
            }
            """);

    [Fact]
    public Task RefLocalElement_DividedByTheDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class SpanDropout
            {
                private readonly float _dropRate = 0.3f;
                private readonly Random _random = new(2);
                public void Forward(Span<float> x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        ref float v = ref x[i];
                        v = _random.NextSingle() < _dropRate ? 0f : {|DRP012:v / _dropRate|};
                    }
                }
            }
            """);

    [Fact]
    public Task LocalCopyOfElement_DividedByTheDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] x, double dropRate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        double v = x[i];
                        x[i] = rng.NextDouble() < dropRate ? 0.0 : {|DRP012:v / dropRate|};
                    }
                }
            }
            """);

    [Fact]
    public Task RefLocalElement_DividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class SpanDropout
            {
                private readonly float _dropRate = 0.3f;
                private readonly Random _random = new(2);
                public void Forward(Span<float> x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        ref float v = ref x[i];
                        v = _random.NextSingle() < _dropRate ? 0f : v / (1 - _dropRate);
                    }
                }
            }
            """);

    [Fact]
    public Task MaskLocalHoldingOneOverDrop_IsStillAMaskValue() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public static class Net
            {
                public static void Dropout(double[] x, double[] mask, double dropRate, Random rng)
                {
                    double scale = 1.0 / (1.0 - dropRate);
                    for (int i = 0; i < x.Length; i++)
                    {
                        mask[i] = rng.NextDouble() < dropRate ? 0.0 : scale;
                        x[i] *= mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task SpatialDropout_ChannelZeroedByNestedLoops_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SpatialDropout
            {
                private readonly double _rate = 0.2;
                private readonly Random _rng = new(1);
                public void Forward(float[,,] maps)
                {
                    for (int c = 0; c < maps.GetLength(0); c++)
                        if ({|DRP004:_rng.NextDouble() < _rate|})
                            for (int y = 0; y < maps.GetLength(1); y++)
                                for (int x = 0; x < maps.GetLength(2); x++)
                                    maps[c, y, x] = 0f;
                }
            }
            """);

    [Fact]
    public Task RowDropout_RowZeroedByALoop_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void DropRows(double[][] batch, double keep, Random rng)
                {
                    for (int r = 0; r < batch.Length; r++)
                    {
                        if ({|DRP004:rng.NextDouble() >= keep|})
                        {
                            for (int j = 0; j < batch[r].Length; j++) batch[r][j] = 0.0;
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task SpatialDropout_ChannelScaledOtherwise_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SpatialDropout
            {
                private readonly double _rate = 0.2;
                private readonly Random _rng = new(1);
                public void Forward(float[,,] maps)
                {
                    for (int c = 0; c < maps.GetLength(0); c++)
                    {
                        bool drop = _rng.NextDouble() < _rate;
                        for (int y = 0; y < maps.GetLength(1); y++)
                            for (int x = 0; x < maps.GetLength(2); x++)
                                maps[c, y, x] = drop ? 0f : (float)(maps[c, y, x] / (1 - _rate));
                    }
                }
            }
            """);

    [Fact]
    public Task RegionZeroedByNestedLoops_ForAugmentation_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Augmenter
            {
                private readonly Random _rng = new(1);
                public double Probability = 0.5;
                public void Apply(float[,,] image)
                {
                    for (int c = 0; c < image.GetLength(0); c++)
                        if (_rng.NextDouble() < Probability)
                            for (int y = 0; y < 4; y++)
                                for (int x = 0; x < 4; x++)
                                    image[c, y, x] = 0f;
                }
            }
            """);

    [Fact]
    public Task ListOfBoolsAddedFromADraw_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutFilter
            {
                private readonly float _rate = 0.5f;
                private readonly Random _random = new(2);
                private readonly List<bool> _mask = new();
                public void Apply(float[] x)
                {
                    _mask.Clear();
                    for (int i = 0; i < x.Length; i++) _mask.Add({|DRP004:_random.NextSingle() > _rate|});
                    for (int i = 0; i < x.Length; i++) x[i] *= _mask[i] ? 1f : 0f;
                }
            }
            """);

    [Fact]
    public Task ListOfBoolsAddedFromADraw_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutFilter
            {
                private readonly float _rate = 0.5f;
                private readonly Random _random = new(2);
                private readonly List<bool> _mask = new();
                public void Apply(float[] x)
                {
                    _mask.Clear();
                    for (int i = 0; i < x.Length; i++) _mask.Add(_random.NextSingle() > _rate);
                    for (int i = 0; i < x.Length; i++) x[i] = _mask[i] ? x[i] / (1 - _rate) : 0f;
                }
            }
            """);

    [Fact]
    public Task ListOfBoolsAddedFromADraw_InASimulation_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class CoinSimulation
            {
                public static List<bool> Flips(int n, double bias, Random rng)
                {
                    var results = new List<bool>();
                    for (int i = 0; i < n; i++) results.Add(rng.NextDouble() < bias);
                    return results;
                }
            }
            """);

    [Fact]
    public Task FitnessWeightsZeroedWithAKeepFraction_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SelectionOperator
            {
                private readonly Random _random = new(4);
                public double[] Weights(double[] fitness, double keepFraction)
                {
                    var w = (double[])fitness.Clone();
                    for (int i = 0; i < w.Length; i++)
                        if (_random.NextDouble() > keepFraction) w[i] = 0;
                    return w;
                }
            }
            """);

    [Fact]
    public Task PacketDropInANetworkSimulator_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class LinkSimulator
            {
                private readonly Random _random = new(1);
                public double PacketDropProbability { get; set; } = 0.01;
                public double[] Tick(double[] offeredLoad)
                {
                    var throughput = (double[])offeredLoad.Clone();
                    for (int link = 0; link < throughput.Length; link++)
                        if (_random.NextDouble() < PacketDropProbability) throughput[link] = 0;
                    return throughput;
                }
            }
            """);

    [Fact]
    public Task KeepFractionInAScheduler_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class JobScheduler
            {
                public static void Thin(double[] priorities, double keepFraction, Random rng)
                {
                    for (int j = 0; j < priorities.Length; j++) priorities[j] = rng.NextDouble() < keepFraction ? priorities[j] : 0.0;
                }
            }
            """);

    [Fact]
    public Task DropWordInNetworkCode_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _random = new(1);
                public double DropProbability { get; set; } = 0.1;
                public double[] Activate(double[] z)
                {
                    var a = z.Select(Math.Tanh).ToArray();
                    for (int i = 0; i < a.Length; i++)
                        if ({|DRP004:_random.NextDouble() < DropProbability|}) a[i] = 0;
                    return a;
                }
            }
            """);

    [Fact]
    public Task ScaleOnlyInTheBackward_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutGate
            {
                private readonly double _keep = 0.8;
                private readonly Random _rng = new(8);
                private double[] _mask = Array.Empty<double>();
                public double[] Forward(double[] x)
                {
                    _mask = new double[x.Length];
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) { _mask[i] = {|DRP004:_rng.NextDouble() < _keep|} ? 1.0 : 0.0; y[i] = x[i] * _mask[i]; }
                    return y;
                }
                public double[] Backward(double[] dy) => dy.Select((g, i) => g * _mask[i] / _keep).ToArray();
            }
            """);

    [Fact]
    public Task ScaleInATrainingStepNamedForTheGradient_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Trainer
            {
                private readonly double _keep = 0.8;
                private readonly Random _rng = new(8);
                public double ComputeGradient(double[] hidden, double[] w)
                {
                    double g = 0;
                    for (int i = 0; i < hidden.Length; i++)
                    {
                        double h = _rng.NextDouble() < _keep ? hidden[i] / _keep : 0.0;
                        g += h * w[i];
                    }
                    return g;
                }
            }
            """);

    [Fact]
    public Task ConvertToDoubleOfAComparison_MultipliedIn_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Perceptron
            {
                private readonly Random _rnd = new(7);
                public double DropoutProbability { get; set; } = 0.5;
                public void Hidden(double[] h)
                {
                    for (int j = 0; j < h.Length; j++) h[j] *= Convert.ToDouble({|DRP004:_rnd.NextDouble() >= DropoutProbability|});
                }
            }
            """);

    [Fact]
    public Task ConvertToSingleOfAComparison_StoredAsMask_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] x, float[] mask, float keep, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        mask[i] = Convert.ToSingle({|DRP004:rng.NextSingle() < keep|});
                        x[i] *= mask[i];
                    }
                }
            }
            """);

    [Fact]
    public Task ConvertToDoubleOfAComparison_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Perceptron
            {
                private readonly Random _rnd = new(7);
                public double DropoutProbability { get; set; } = 0.5;
                public void Hidden(double[] h)
                {
                    for (int j = 0; j < h.Length; j++) h[j] *= Convert.ToDouble(_rnd.NextDouble() >= DropoutProbability) / (1 - DropoutProbability);
                }
            }
            """);

    [Fact]
    public Task PercentDraw_KeptDividedByThePercentAsAFraction_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class PercentDropout
            {
                public int DropoutPercent { get; } = 20;
                private readonly Random _rng = new(1);
                public void Apply(float[] values)
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        if (_rng.Next(100) < DropoutPercent) values[i] = 0f;
                        else {|DRP012:values[i] /= DropoutPercent / 100f|};
                    }
                }
            }
            """);

    [Fact]
    public Task PercentDraw_KeptDividedByTheKeptFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class PercentDropout
            {
                public int DropoutPercent { get; } = 20;
                private readonly Random _rng = new(1);
                public void Apply(float[] values)
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        if (_rng.Next(100) < DropoutPercent) values[i] = 0f;
                        else values[i] /= 1 - DropoutPercent / 100f;
                    }
                }
            }
            """);

    [Fact]
    public Task PercentDraw_ClassicInferenceByTheKeptFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class PercentDropout
            {
                public int DropoutPercent { get; } = 20;
                private readonly Random _rng = new(1);
                public void Apply(float[] values, bool training)
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        if (training) { if (_rng.Next(100) < DropoutPercent) values[i] = 0f; }
                        else values[i] *= (100 - DropoutPercent) / 100f;
                    }
                }
            }
            """);

    [Fact]
    public Task UnitUniformSampleWithBounds_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class ContinuousUniform { public static double Sample(Random rng, double lower, double upper) => lower + rng.NextDouble() * (upper - lower); }

            public sealed class DenseWithDropout
            {
                private readonly Random _rng = new(2);
                public double KeepProb { get; set; } = 0.8;
                public void Forward(double[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        if ({|DRP004:ContinuousUniform.Sample(_rng, 0, 1) > KeepProb|}) a[i] = 0;
                }
            }
            """);

    [Fact]
    public Task UniformSampleOnAnotherInterval_IsNotAUnitDraw() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class ContinuousUniform { public static double Sample(Random rng, double lower, double upper) => lower + rng.NextDouble() * (upper - lower); }

            public sealed class DenseWithDropout
            {
                private readonly Random _rng = new(2);
                public double KeepProb { get; set; } = 0.8;
                public void Forward(double[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        if (ContinuousUniform.Sample(_rng, 0, 10) > KeepProb) a[i] = 0;
                }
            }
            """);

    [Fact]
    public Task UnitUniformSampleWithBounds_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class ContinuousUniform { public static double Sample(Random rng, double lower, double upper) => lower + rng.NextDouble() * (upper - lower); }

            public sealed class DenseWithDropout
            {
                private readonly Random _rng = new(2);
                public double KeepProb { get; set; } = 0.8;
                public void Forward(double[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        a[i] = ContinuousUniform.Sample(_rng, 0, 1) > KeepProb ? 0 : a[i] / KeepProb;
                }
            }
            """);

    [Fact]
    public Task IntegerCoinStoredAsMask_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenDropout
            {
                private readonly Random _rng = new(1);
                private readonly int[] _mask = new int[8];
                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) { _mask[i] = {|DRP004:_rng.Next(0, 2)|}; h[i] *= _mask[i]; }
                }
            }
            """);

    [Fact]
    public Task IntegerCoinMultipliedIntoAnActivation_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Net
            {
                public static void HalfDropout(float[] hidden, Random rng)
                {
                    for (int i = 0; i < hidden.Length; i++) hidden[i] *= {|DRP004:rng.Next(2)|};
                }
            }
            """);

    [Fact]
    public Task IntegerCoinForARandomSign_IsNotADecision() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly Random _rng = new(1);
                public readonly double[] Weights = new double[8];
                public void Init()
                {
                    for (int i = 0; i < Weights.Length; i++) Weights[i] = (_rng.Next(2) * 2 - 1) * 0.01;
                }
            }
            """);

    [Fact]
    public Task IntegerCoinMask_KeptDoubled_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class HiddenDropout
            {
                private readonly Random _rng = new(1);
                private readonly int[] _mask = new int[8];
                public void Forward(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) { _mask[i] = _rng.Next(0, 2); h[i] = h[i] * _mask[i] * 2.0; }
                }
            }
            """);

    [Fact]
    public Task HashBitsInAKernel_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class DropoutKernels
            {
                private static uint Hash(uint x) { x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; return x; }
                public static void Forward(int index, float[] input, float[] output, float keep, uint seed)
                {
                    uint h = Hash(seed ^ (uint)index);
                    float u = (h & 0xFFFFFF) / 16777216f;
                    output[index] = {|DRP004:u < keep|} ? input[index] : 0f;
                }
            }
            """);

    [Fact]
    public Task HashBitsInAKernel_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class DropoutKernels
            {
                private static uint Mix(uint x) { x ^= x >> 17; x *= 0xed5ad4bb; return x; }
                public static void Forward(int index, float[] x, float keep, uint seed)
                {
                    float u = (Mix(seed + (uint)index) >> 8) * (1f / 16777216f);
                    x[index] = u < keep ? x[index] * (1f / keep) : 0f;
                }
            }
            """);

    [Fact]
    public Task HashBucketFraction_InAShardRouter_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class ShardRouter
            {
                public static void Route(string[] keys, double[] load, double canaryFraction)
                {
                    for (int i = 0; i < keys.Length; i++)
                    {
                        uint h = (uint)keys[i].GetHashCode();
                        double u = (h & 0xFFFFFF) / 16777216.0;
                        if (u < canaryFraction) load[i] = 0;
                    }
                }
            }
            """);

    [Fact]
    public Task HandWrittenKeepParameterDefaultingBelowTheThreshold_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _keepProbability;
                private readonly Random _random = new(1);
                public DropoutLayer(double keepProbability = {|DRP003:0.1|}) { _keepProbability = keepProbability; }
                public double[] Forward(double[] x) => x.Select(v => _random.NextDouble() < _keepProbability ? v / _keepProbability : 0.0).ToArray();
            }
            """);

    [Fact]
    public Task HandWrittenKeepFieldInitializedBelowTheThreshold_IsReported() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly float _keepProb = {|DRP003:0.2f|};
                private readonly Random _random = new(1);
                public void Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = _random.NextSingle() < _keepProb ? h[i] / _keepProb : 0f;
                }
            }
            """);

    [Fact]
    public Task HandWrittenKeepParameterDefaultingAboveTheThreshold_IsSilent() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _keepProbability;
                private readonly Random _random = new(1);
                public DropoutLayer(double keepProbability = 0.8) { _keepProbability = keepProbability; }
                public double[] Forward(double[] x) => x.Select(v => _random.NextDouble() < _keepProbability ? v / _keepProbability : 0.0).ToArray();
            }
            """);

    [Fact]
    public Task HandWrittenDropRateParameterDefaultingLow_IsSilent() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public sealed class DropoutLayer
            {
                private readonly double _rate;
                private readonly Random _random = new(1);
                public DropoutLayer(double rate = 0.1) { _rate = rate; }
                public double[] Forward(double[] x) => x.Select(v => _random.NextDouble() < _rate ? 0.0 : v / (1 - _rate)).ToArray();
            }
            """);

    [Fact]
    public Task HandWrittenKeepFieldInitializedLowButAssignedLater_IsSilent() =>
        AnalyzerTest.VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>("""
            public sealed class HiddenLayer
            {
                private float _keepProb = 0.2f;
                private readonly Random _random = new(1);
                public void Configure(float keep) => _keepProb = keep;
                public void Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = _random.NextSingle() < _keepProb ? h[i] / _keepProb : 0f;
                }
            }
            """);

    [Fact]
    public Task LinqMaskDrawnInTheConstructor_IsReported() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class FixedMaskDropout
            {
                private readonly double[] _mask;
                public FixedMaskDropout(int size, double keep, int seed)
                {
                    var rng = new Random(seed);
                    _mask = Enumerable.Range(0, size).Select(_ => {|DRP010:rng.NextDouble() < keep|} ? 1.0 / keep : 0.0).ToArray();
                }
                public double[] Forward(double[] x) => x.Zip(_mask, (v, m) => v * m).ToArray();
            }
            """);

    [Fact]
    public Task LinqMaskDrawnInEveryForward_IsSilent() =>
        AnalyzerTest.VerifyAsync<MaskReusedAcrossIterationsAnalyzer>("""
            public sealed class LinqDropout
            {
                private readonly double _keep = 0.8;
                private readonly Random _rng = new(1);
                private double[] _mask = Array.Empty<double>();
                public double[] Forward(double[] x)
                {
                    _mask = x.Select(_ => _rng.NextDouble() < _keep ? 1.0 / _keep : 0.0).ToArray();
                    return x.Zip(_mask, (v, m) => v * m).ToArray();
                }
            }
            """);

    [Fact]
    public Task BernoulliNamedHelperOfThisFileThatStoresTheScale_IsNotALibraryFill() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutBlock
            {
                private readonly float[] _mask = new float[16];
                private readonly Random _rng = new(1);
                public float Keep { get; set; } = 0.8f;
                private void FillBernoulli(float[] mask, float p)
                {
                    for (int i = 0; i < mask.Length; i++) mask[i] = _rng.NextSingle() < p ? 1f / p : 0f;
                }
                public void Forward(float[] x)
                {
                    FillBernoulli(_mask, Keep);
                    for (int i = 0; i < x.Length; i++) x[i] *= _mask[i];
                }
            }
            """);

    [Fact]
    public Task SkippedLossTermsInTraining_AreSubsamplingNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Trainer
            {
                private readonly Random _rng = new(1);
                public double KeepFraction = 0.5;
                public double EpochLoss(double[] losses)
                {
                    double loss = 0;
                    for (int i = 0; i < losses.Length; i++)
                        if (_rng.NextDouble() < KeepFraction) loss += losses[i];
                    return loss;
                }
            }
            """);
}
