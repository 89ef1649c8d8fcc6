using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class DropoutWithoutInferencePathTests
{
    [Fact]
    public Task LayerThatAlwaysDrops_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                public float[] Forward(float[] x) => x.Select(v => {|DRP014:_rng.NextSingle() < rate|} ? 0f : v / (1 - rate)).ToArray();
            }
            """);

    [Fact]
    public Task ForwardWithAMaskFieldAndNoFlag_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public class DropoutByHand
            {
                private readonly double _keep;
                private readonly Random _random = new(7);
                private double[] _mask = Array.Empty<double>();
                public DropoutByHand(double keep) => _keep = keep;
                public double[] Forward(double[] input)
                {
                    _mask = new double[input.Length];
                    var output = new double[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        _mask[i] = {|DRP014:_random.NextDouble() < _keep|} ? 1 / _keep : 0;
                        output[i] = input[i] * _mask[i];
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task LayerCalledFromAnUnconditionalPredict_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class SimpleDropLayer(double dropRate)
            {
                private readonly Random _rng = new(1);
                public void Apply(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) if ({|DRP014:_rng.NextDouble() < dropRate|}) h[i] = 0; else h[i] /= 1 - dropRate;
                }
            }
            public sealed class Model(SimpleDropLayer layer)
            {
                public double[] Predict(double[] h) { layer.Apply(h); return h; }
            }
            """);

    [Fact]
    public Task LayerWithATrainingFlag_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                public bool IsTraining { get; set; } = true;
                public void Forward(float[] x)
                {
                    if (!IsTraining) return;
                    for (int i = 0; i < x.Length; i++) x[i] = _rng.NextSingle() < rate ? 0f : x[i] / (1 - rate);
                }
            }
            """);

    [Fact]
    public Task CompoundConditionWithTheFlag_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayer(float rate, int seed)
            {
                private readonly Random _rng = new(seed);
                public void Forward(float[] x, bool isTraining)
                {
                    for (int i = 0; i < x.Length; i++)
                        if (isTraining && _rng.NextSingle() < rate) x[i] = 0f; else if (isTraining) x[i] /= 1 - rate;
                }
            }
            """);

    [Fact]
    public Task StaticHelperCalledOnlyWhileTraining_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public static class Ops
            {
                public static void Dropout(float[] x, float rate, Random rng)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle() < rate ? 0f : x[i] / (1 - rate);
                }
            }
            public sealed class Mlp
            {
                private readonly Random _rng = new(1);
                public void TrainStep(float[] h) => Ops.Dropout(h, 0.2f, _rng);
                public void Predict(float[] h) { }
            }
            """);
}

public sealed class HandWrittenDropoutInInferenceTests
{
    [Fact]
    public Task PredictPassingTrainingTrue_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Net(double dropRate)
            {
                private readonly Random _rng = new(5);
                public double[] Forward(double[] h, bool training)
                {
                    if (training)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < dropRate ? 0 : h[i] / (1 - dropRate);
                    return h;
                }
                public double[] Predict(double[] x) => {|DRP015:Forward(x, true)|};
            }
            """);

    [Fact]
    public Task EvaluateCallingAnAlwaysDroppingForward_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Net(float keep)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = _rng.NextSingle() < keep ? h[i] / keep : 0f;
                    return h;
                }
                public float Evaluate(float[] x) => {|DRP015:Forward(x)|}.Sum();
            }
            """);

    [Fact]
    public Task DropoutWrittenInsidePredict_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Classifier(double dropRate)
            {
                private readonly Random _rng = new(5);
                public int Predict(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) if ({|DRP015:_rng.NextDouble() < dropRate|}) h[i] = 0;
                    return Array.IndexOf(h, h.Max());
                }
            }
            """);

    [Fact]
    public Task PredictPassingTrainingFalse_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Net(double dropRate)
            {
                private readonly Random _rng = new(5);
                public double[] Forward(double[] h, bool training)
                {
                    if (training)
                        for (int i = 0; i < h.Length; i++) h[i] = _rng.NextDouble() < dropRate ? 0 : h[i] / (1 - dropRate);
                    return h;
                }
                public double[] Predict(double[] x) => Forward(x, false);
            }
            """);

    [Fact]
    public Task PredictSwitchingTheModeFirst_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Net(float keep)
            {
                private readonly Random _rng = new(5);
                public bool Training { get; set; } = true;
                public float[] Forward(float[] h)
                {
                    if (!Training) return h;
                    for (int i = 0; i < h.Length; i++) h[i] = _rng.NextSingle() < keep ? h[i] / keep : 0f;
                    return h;
                }
                public float[] Predict(float[] x) { Training = false; return Forward(x); }
            }
            """);

    [Fact]
    public Task MonteCarloPrediction_IsNotReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public sealed class Net(float keep)
            {
                private readonly Random _rng = new(5);
                public float[] Forward(float[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] = _rng.NextSingle() < keep ? h[i] / keep : 0f;
                    return h;
                }
                public float[] PredictWithUncertainty(float[] x) => Forward(x);
            }
            """);
}

public sealed class DropoutWithoutInferencePathSkippedLayerTests
{
    [Fact]
    public Task LayerThatTheNetworkSkipsAtInference_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutLayerByHand(float rate)
            {
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x) => x.Select(v => _rng.NextSingle() < rate ? 0f : v / (1 - rate)).ToArray();
            }

            public sealed class Network(List<object> layers)
            {
                public float[] Run(float[] x, bool training)
                {
                    foreach (object layer in layers)
                    {
                        if (!training && layer is DropoutLayerByHand) continue;
                        if (layer is DropoutLayerByHand dropout) x = dropout.Forward(x);
                    }

                    return x;
                }
            }
            """);
}

public sealed class HandWrittenRulesAcrossFilesTests
{
    [Fact]
    public Task LayerUsedFromAnotherFile_IsNotReportedAsHavingNoInferencePath()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<DropoutWithoutInferencePathAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80,
        };
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + """
            public sealed class DropLayer(float rate)
            {
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x) => x.Select(v => _rng.NextSingle() < rate ? 0f : v / (1 - rate)).ToArray();
            }
            """));
        test.TestState.Sources.Add(("/Network.cs", AnalyzerTest.Usings + """
            public sealed class Network(DropLayer dropout)
            {
                public float[] Run(float[] x, bool training) => training ? dropout.Forward(x) : x;
            }
            """));
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    // A comment in another file (`// same project as DropLayer.cs`) is no use of the layer: how the network calls it is
    // still unseen, and the layer itself has no flag, so it is reported.
    [Fact]
    public Task LayerNamedOnlyInACommentOfAnotherFile_IsReportedAsHavingNoInferencePath()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<DropoutWithoutInferencePathAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            ReferenceAssemblies = Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80,
        };
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + """
            public sealed class DropLayer(float rate)
            {
                private readonly Random _rng = new(1);
                public float[] Forward(float[] x) => x.Select(v => {|DRP014:_rng.NextSingle() < rate|} ? 0f : v / (1 - rate)).ToArray();
            }
            """));
        test.TestState.Sources.Add(("/Network.cs", AnalyzerTest.Usings + """
            // The network of the same project as DropLayer.cs; /* DropLayer is skipped */ is only a remark.
            /// <summary>Runs every layer, <see cref="DropLayer"/> too.</summary>
            public sealed class Network(List<Func<float[], float[]>> layers)
            {
                public float[] Run(float[] x)
                {
                    foreach (Func<float[], float[]> layer in layers) x = layer(x);
                    return x;
                }
            }
            """));
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task RateExposedByAPropertyThatAnotherTypeMultipliesBy_IsNotReportedAsUnscaled() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropLayer(double rate)
            {
                private readonly double _rate = rate;
                private readonly Random _rng = new(1);
                public double KeepFraction => 1 - _rate;
                public void Train(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) if (_rng.NextDouble() < _rate) h[i] = 0;
                }
            }

            public sealed class Network(DropLayer layer)
            {
                public void Predict(double[] h)
                {
                    for (int i = 0; i < h.Length; i++) h[i] *= layer.KeepFraction;
                }
            }
            """);

    [Fact]
    public Task ReluBackwardTestingTheOutputOfAClassicDropout_IsNotReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class ReluDropoutLayer(double keep)
            {
                private readonly Random _rng = new(1);
                private double[] _output = Array.Empty<double>();
                public double[] Forward(double[] x, bool training)
                {
                    _output = x.Select(v => Math.Max(0, v)).ToArray();
                    if (training)
                    {
                        for (int i = 0; i < _output.Length; i++) if (_rng.NextDouble() >= keep) _output[i] = 0;
                    }
                    else
                    {
                        for (int i = 0; i < _output.Length; i++) _output[i] *= keep;
                    }
                    return _output;
                }
                public double[] Backward(double[] grad) => grad.Select((g, i) => _output[i] > 0 ? g : 0).ToArray();
            }
            """);

    [Fact]
    public Task PredictCallingADropoutExtensionMethod_IsReported() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public static class FeatureDropoutExtensions
            {
                public static double[] WithDropout(this double[] x, double dropRate, Random rng) =>
                    x.Select(v => rng.NextDouble() < dropRate ? 0.0 : v / (1.0 - dropRate)).ToArray();
            }

            public sealed class Model
            {
                private readonly Random _rng = new(3);
                public double Rate = 0.2;
                public double Predict(double[] x) => {|DRP015:x.WithDropout(Rate, _rng)|}.Sum();
            }
            """);

    [Fact]
    public Task TrainCallingADropoutExtensionMethod_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public static class FeatureDropoutExtensions
            {
                public static double[] WithDropout(this double[] x, double dropRate, Random rng) =>
                    x.Select(v => rng.NextDouble() < dropRate ? 0.0 : v / (1.0 - dropRate)).ToArray();
            }

            public sealed class Model
            {
                private readonly Random _rng = new(3);
                public double Rate = 0.2;
                public double TrainStep(double[] x) => x.WithDropout(Rate, _rng).Sum();
                public double Predict(double[] x) => x.Sum();
            }
            """);

    [Fact]
    public Task PredictThatDisablesDropoutBeforeCallingIt_IsSilent() =>
        AnalyzerTest.VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>("""
            public static class FeatureDropoutExtensions
            {
                public static double[] WithDropout(this double[] x, double dropRate, Random rng) =>
                    x.Select(v => rng.NextDouble() < dropRate ? 0.0 : v / (1.0 - dropRate)).ToArray();
            }

            public sealed class Model
            {
                private readonly Random _rng = new(3);
                public double Rate = 0.2;
                public void DisableDropout() => Rate = 0;
                public double Predict(double[] x) { DisableDropout(); return x.WithDropout(Rate, _rng).Sum(); }
            }
            """);
}
