using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, moved code: a layer's dropout written in a static utility class of another file that the layer forwards to
/// (<c>Forward(x) => LayerOps.Forward(this, x)</c>) or in an extension method (<c>layer.Forward(x)</c>). The helper's
/// parameter is the layer's <c>this</c>: the joins that look at other files for the layer's callers, its sibling
/// inference method or a network that rescales by its rate read the helper as the layer's own code, not as another type
/// using it. Each mistake has a correct twin that stays silent.
/// </summary>
public sealed class MovedDropoutCodeTests
{
    // A layer whose only forward moved into a static class; it has no flag and no mode.
    private const string ForwardingLayer = """
        public sealed class DropoutLayer
        {
            internal readonly double Rate;
            internal readonly Random Rng = new Random(7);
            MODE
            public DropoutLayer(double rate) { Rate = rate; }

            public double[] Forward(double[] x) => DropoutLayerOps.Forward(this, x);
        }
        """;

    private const string StaticOps = """
        internal static class DropoutLayerOps
        {
            public static double[] Forward(DropoutLayer self, double[] x)
            {
                GATE
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    y[i] = DECISION ? 0.0 : x[i] / (1 - self.Rate);
                return y;
            }
        }
        """;

    private const string PlainLayer = """
        public sealed class DropoutLayer
        {
            internal readonly double Rate;
            internal readonly Random Rng = new Random(7);

            public DropoutLayer(double rate) { Rate = rate; }
        }
        """;

    private const string ExtensionOps = """
        internal static class DropoutLayerExtensions
        {
            public static double[] Forward(this DropoutLayer layer, double[] xFLAG)
            {
                GATE
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    y[i] = DECISION ? 0.0 : x[i] / (1 - layer.Rate);
                return y;
            }
        }
        """;

    private static Task VerifyAsync<TAnalyzer>(params (string Name, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    [Fact]
    public Task ForwardInAStaticClassOfAnotherFile_TheLayerHasNoModeOrFlag_DropsOnEveryCall() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", ForwardingLayer.Replace("MODE", "")),
            ("DropoutLayerOps.cs", StaticOps.Replace("GATE", "").Replace("DECISION", "{|DRP014:self.Rng.NextDouble() < self.Rate|}")));

    [Fact]
    public Task ForwardInAStaticClassOfAnotherFile_GatedByTheLayersTrainingFlag_IsSilent() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", ForwardingLayer.Replace("MODE", "public bool Training { get; set; } = true;")),
            ("DropoutLayerOps.cs", StaticOps.Replace("GATE", "if (!self.Training) return x;").Replace("DECISION", "self.Rng.NextDouble() < self.Rate")));

    [Fact]
    public Task ForwardAsAnExtensionMethodOfAnotherFile_WithoutFlag_DropsOnEveryCall() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", PlainLayer),
            ("DropoutLayerExtensions.cs", ExtensionOps.Replace("FLAG", "").Replace("GATE", "").Replace("DECISION", "{|DRP014:layer.Rng.NextDouble() < layer.Rate|}")));

    [Fact]
    public Task ForwardAsAnExtensionMethodOfAnotherFile_TakingATrainingFlag_IsSilent() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", PlainLayer),
            ("DropoutLayerExtensions.cs", ExtensionOps.Replace("FLAG", ", bool training").Replace("GATE", "if (!training) return x;").Replace("DECISION", "layer.Rng.NextDouble() < layer.Rate")));

    // The extension class also holds the inference method (`PredictAtTest(this layer)`, classic dropout's x * keep): the
    // layer has its inference path, written beside the forward as another extension method.
    [Fact]
    public Task ForwardAsAnExtensionMethod_BesideAnInferenceExtensionOfTheSameLayer_IsSilent() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", """
                public sealed class DropoutLayer
                {
                    public double[] Values = new double[8];
                    public double[] Inputs = new double[8];
                    internal readonly double Keep;
                    internal readonly Random Rng = new Random(7);

                    public DropoutLayer(double keep) { Keep = keep; }
                }
                """),
            ("DropoutLayerExtensions.cs", """
                internal static class DropoutLayerExtensions
                {
                    public static void Propagate(this DropoutLayer layer)
                    {
                        for (int i = 0; i < layer.Values.Length; i++)
                            layer.Values[i] = layer.Rng.NextDouble() < layer.Keep ? layer.Inputs[i] : 0.0;
                    }

                    public static void PropagateAtTest(this DropoutLayer layer)
                    {
                        for (int i = 0; i < layer.Values.Length; i++)
                            layer.Values[i] = layer.Inputs[i] * layer.Keep;
                    }
                }
                """));

    // A network in a third file that leaves the layer out at inference by its type is a use from outside: reading the
    // helpers as the layer's own code must not hide it.
    [Fact]
    public Task ForwardAsAnExtensionMethod_SkippedByTheNetworkAtInferenceByItsType_IsSilent() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(
            ("DropoutLayer.cs", PlainLayer),
            ("DropoutLayerExtensions.cs", ExtensionOps.Replace("FLAG", "").Replace("GATE", "").Replace("DECISION", "layer.Rng.NextDouble() < layer.Rate")),
            ("Network.cs", """
                public sealed class Network
                {
                    private readonly List<object> _layers = new List<object>();

                    public double[] Predict(double[] x)
                    {
                        foreach (object layer in _layers)
                        {
                            if (layer is DropoutLayer) continue;
                        }
                        return x;
                    }
                }
                """));

    // The kept value multiplied by a 0/1 factor made of the comparison, in an extension method that reads the layer's
    // public drop rate: the rate read there is the layer's own code, not a network that rescales by it.
    private const string RateLayer = """
        public class Perceptron
        {
            internal readonly double[] W = new double[8];
            internal readonly Random Rng = new Random(77);
            public double DropRate { get; set; } = 0.5;
        }
        """;

    private const string RateExtension = """
        internal static class PerceptronExtensions
        {
            public static double Forward(this Perceptron net, double[] x, bool training)
            {
                var hidden = new double[x.Length];
                for (int j = 0; j < x.Length; j++)
                {
                    hidden[j] = Math.Max(0, net.W[j] * x[j]);
                    if (training) hidden[j] *= DECISIONSCALE;
                }
                return hidden.Sum();
            }
        }
        """;

    [Fact]
    public Task ExtensionMethodMultipliesByTheComparison_ReadingTheLayersPublicRate_Unscaled_IsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("Perceptron.cs", RateLayer),
            ("PerceptronExtensions.cs", RateExtension.Replace("DECISION", "Convert.ToDouble({|DRP004:net.Rng.NextDouble() >= net.DropRate|})").Replace("SCALE", "")));

    [Fact]
    public Task ExtensionMethodMultipliesByTheComparison_ScaledByOneOverTheKeepRate_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("Perceptron.cs", RateLayer),
            ("PerceptronExtensions.cs", RateExtension.Replace("DECISION", "Convert.ToDouble(net.Rng.NextDouble() >= net.DropRate)").Replace("SCALE", " / (1 - net.DropRate)")));

    // A network of another type that multiplies by the layer's public rate at prediction (classic dropout) still counts.
    [Fact]
    public Task ExtensionMethodMultipliesByTheComparison_ANetworkScalesByTheRateAtPrediction_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("Perceptron.cs", RateLayer),
            ("PerceptronExtensions.cs", RateExtension.Replace("DECISION", "Convert.ToDouble(net.Rng.NextDouble() >= net.DropRate)").Replace("SCALE", "")),
            ("Predictor.cs", """
                public sealed class Predictor
                {
                    public double Predict(Perceptron net, double[] x) => net.Forward(x, false) * (1 - net.DropRate);
                }
                """));

    // A layer whose dropout helper takes its keep probability as a parameter and moved into a static class (or became an
    // extension): Predict passes the value through the layer's forwarder. A keep of 1 runs the identity; the training keep
    // drops units at prediction.
    private const string KeepForwardingLayer = """
        public sealed class TwoLayers
        {
            private const double NoDropout = 1.0;
            private const double TrainKeep = 0.75;
            internal readonly Random Rng = new Random(86);

            private double[] Hidden(double[] a, double keep) => FORWARD;

            public double[] Fit(double[] x) => Hidden(x, TrainKeep);

            public double[] Predict(double[] x) => PREDICTION;
        }
        """;

    private const string KeepStaticOps = """
        internal static class TwoLayersOps
        {
            public static double[] Hidden(TwoLayers layers, double[] a, double keep)
            {
                var o = new double[a.Length];
                for (int i = 0; i < a.Length; i++) o[i] = DECISION ? Math.Tanh(a[i]) / keep : 0.0;
                return o;
            }
        }
        """;

    private const string KeepExtensionOps = """
        internal static class TwoLayersExtensions
        {
            public static double[] HiddenDrop(this TwoLayers layers, double[] a, double keep)
            {
                var o = new double[a.Length];
                for (int i = 0; i < a.Length; i++) o[i] = DECISION ? Math.Tanh(a[i]) / keep : 0.0;
                return o;
            }
        }
        """;

    [Fact]
    public Task PredictionPassesAKeepOfOneThroughTheForwarderOfAStaticHelper_IsSilent() =>
        VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(
            ("TwoLayers.cs", KeepForwardingLayer.Replace("FORWARD", "TwoLayersOps.Hidden(this, a, keep)").Replace("PREDICTION", "Hidden(x, NoDropout)")),
            ("TwoLayersOps.cs", KeepStaticOps.Replace("DECISION", "layers.Rng.NextDouble() < keep")));

    [Fact]
    public Task PredictionPassesTheTrainingKeepThroughTheForwarderOfAStaticHelper_IsReported() =>
        VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(
            ("TwoLayers.cs", KeepForwardingLayer.Replace("FORWARD", "TwoLayersOps.Hidden(this, a, keep)").Replace("PREDICTION", "{|DRP015:Hidden(x, TrainKeep)|}")),
            ("TwoLayersOps.cs", KeepStaticOps.Replace("DECISION", "layers.Rng.NextDouble() < keep")));

    [Fact]
    public Task PredictionPassesAKeepOfOneThroughTheForwarderOfAnExtensionMethod_IsSilent() =>
        VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(
            ("TwoLayers.cs", KeepForwardingLayer.Replace("FORWARD", "this.HiddenDrop(a, keep)").Replace("PREDICTION", "Hidden(x, NoDropout)")),
            ("TwoLayersExtensions.cs", KeepExtensionOps.Replace("DECISION", "layers.Rng.NextDouble() < keep")));

    [Fact]
    public Task PredictionPassesTheTrainingKeepThroughTheForwarderOfAnExtensionMethod_IsReported() =>
        VerifyAsync<HandWrittenDropoutInInferenceAnalyzer>(
            ("TwoLayers.cs", KeepForwardingLayer.Replace("FORWARD", "this.HiddenDrop(a, keep)").Replace("PREDICTION", "{|DRP015:Hidden(x, TrainKeep)|}")),
            ("TwoLayersExtensions.cs", KeepExtensionOps.Replace("DECISION", "layers.Rng.NextDouble() < keep")));
}
