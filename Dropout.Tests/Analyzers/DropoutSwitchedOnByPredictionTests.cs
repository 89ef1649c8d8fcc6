using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>DRP015's second form: prediction code that switches the hand-written dropout on itself.</summary>
public sealed class DropoutSwitchedOnByPredictionTests
{
    [Fact]
    public Task PredictSettingItsOwnTrainingFlag_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Perceptron(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; }
                private double[] Hidden(double[] x)
                {
                    var h = (double[])x.Clone();
                    if (IsTraining)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < keep ? h[i] / keep : 0;
                    return h;
                }

                public double[] Fit(double[] x) { IsTraining = true; return Hidden(x); }
                public double[] Predict(double[] x) { {|DRP015:IsTraining = true|}; return Hidden(x); }
            }
            """);

    [Fact]
    public Task EvaluateSettingTheLayersFlagOnAnotherObject_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class DropLayer(float rate)
            {
                private readonly Random _random = new(3);
                public bool Training;
                public void Forward(float[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        if (Training && _random.NextSingle() < rate) a[i] = 0f;
                        else a[i] /= 1f - rate;
                }
            }

            public sealed class Network
            {
                private readonly DropLayer _drop = new(0.3f);
                public float Evaluate(float[][] batch)
                {
                    {|DRP015:_drop.Training = true|};
                    float total = 0;
                    foreach (float[] sample in batch) { _drop.Forward(sample); total += sample.Sum(); }
                    return total;
                }
            }
            """);

    [Fact]
    public Task TestCallingSetTrainingTrue_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Classifier(double dropRate, int seed)
            {
                private readonly Random _rng = new(seed);
                private bool _isTrain;
                public void SetTraining(bool on) => _isTrain = on;
                public double[] Forward(double[] x)
                {
                    if (!_isTrain) return x;
                    return x.Select(v => _rng.NextDouble() < dropRate ? 0 : v / (1 - dropRate)).ToArray();
                }

                public double Test(double[][] samples, int[] labels)
                {
                    {|DRP015:SetTraining(true)|};
                    int correct = 0;
                    for (int s = 0; s < samples.Length; s++) correct += Forward(samples[s]).ToList().IndexOf(Forward(samples[s]).Max()) == labels[s] ? 1 : 0;
                    return (double)correct / samples.Length;
                }
            }
            """);

    [Fact]
    public Task PredictSettingTheModeToTraining_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public enum NetMode { Train, Eval }

            public sealed class Mlp(float keep)
            {
                private readonly Random _rng = new(9);
                public NetMode Mode { get; set; }
                public float[] Run(float[] x)
                {
                    var y = (float[])x.Clone();
                    for (int i = 0; i < y.Length; i++)
                        if (Mode == NetMode.Train) y[i] = _rng.NextSingle() < keep ? y[i] / keep : 0f;
                    return y;
                }

                public float[] Predict(float[] x)
                {
                    {|DRP015:Mode = NetMode.Train|};
                    return Run(x);
                }
            }
            """);

    [Fact]
    public Task PredictSwitchingTheFlagOff_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Perceptron(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; }
                private double[] Hidden(double[] x)
                {
                    var h = (double[])x.Clone();
                    if (IsTraining)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < keep ? h[i] / keep : 0;
                    return h;
                }

                public double[] Predict(double[] x) { IsTraining = false; return Hidden(x); }
            }
            """);

    [Fact]
    public Task PredictRestoringTrainingAfterTheWork_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Perceptron(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; } = true;
                private double[] Hidden(double[] x)
                {
                    var h = (double[])x.Clone();
                    if (IsTraining)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < keep ? h[i] / keep : 0;
                    return h;
                }

                public double[] Predict(double[] x)
                {
                    IsTraining = false;
                    var result = Hidden(x);
                    IsTraining = true;
                    return result;
                }
            }
            """);

    [Fact]
    public Task MonteCarloPredictionSwitchingDropoutOn_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Perceptron(double keep, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; }
                private double[] Hidden(double[] x)
                {
                    var h = (double[])x.Clone();
                    if (IsTraining)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < keep ? h[i] / keep : 0;
                    return h;
                }

                public double[] PredictWithUncertainty(double[] x, int passes)
                {
                    IsTraining = true;
                    var mean = new double[x.Length];
                    for (int p = 0; p < passes; p++) { var h = Hidden(x); for (int i = 0; i < h.Length; i++) mean[i] += h[i] / passes; }
                    IsTraining = false;
                    return mean;
                }
            }
            """);

    [Fact]
    public Task TrainingSettingTheFlagOn_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class DropLayer(float rate)
            {
                private readonly Random _random = new(3);
                public bool Training;
                public void Forward(float[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        if (Training && _random.NextSingle() < rate) a[i] = 0f;
                        else if (Training) a[i] /= 1f - rate;
                }
            }

            public sealed class Trainer
            {
                private readonly DropLayer _drop = new(0.3f);
                public void Epoch(float[][] batch)
                {
                    _drop.Training = true;
                    foreach (float[] sample in batch) _drop.Forward(sample);
                }
            }
            """);
}
