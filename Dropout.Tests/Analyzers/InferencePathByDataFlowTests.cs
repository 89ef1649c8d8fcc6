using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP014 decides whether a hand-written dropout has an inference path from what the code does: a sibling method with the
/// forward's signature that draws nothing (Predict) is one; another file that only constructs the layer is not.
/// </summary>
public sealed class InferencePathByDataFlowTests
{
    [Fact]
    public Task LayerWithAPredictThatDrawsNothing_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutModule(float rate)
            {
                private readonly Random _rng = new(4);
                public float[] Predict(float[] x) => x;
                public float[] Forward(float[] x) => x.Select(v => _rng.NextSingle() < rate ? 0f : v).ToArray();
                public float[] Backward(float[] g) => g;
            }
            """);

    [Fact]
    public Task LayerWhosePredictCallsTheDroppingForward_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutModule(float rate)
            {
                private readonly Random _rng = new(4);
                public float[] Predict(float[] x) => Forward(x);
                public float[] Forward(float[] x) => x.Select(v => {|DRP014:_rng.NextSingle() < rate|} ? 0f : v).ToArray();
                public float[] Backward(float[] g) => g;
            }
            """);

    [Fact]
    public Task ForwardHandingOutItsMaskBesideAPredictThatReturnsTheInput_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public abstract class LayerBase { }
            public class DropLayer(double probability) : LayerBase
            {
                private static readonly Random Rng = new(3);
                public double[] Predict(double[] input) { var z = input; return z; }
                public double[] Forward(double[] input, out double[] scaledMask)
                {
                    scaledMask = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) scaledMask[i] = (Rng.NextDouble() > probability ? 1.0 : 0.0) / (1 - probability);
                    var z = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) z[i] = input[i] * scaledMask[i];
                    return z;
                }
                public double[] Backward(double[] gradient, double[] scaledMask)
                {
                    var d = new double[gradient.Length];
                    for (int i = 0; i < gradient.Length; i++) d[i] = gradient[i] * scaledMask[i];
                    return d;
                }
            }
            """);

    [Fact]
    public Task ForwardHandingOutItsMaskWhosePredictRunsIt_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public abstract class LayerBase { }
            public class DropLayer(double probability) : LayerBase
            {
                private static readonly Random Rng = new(3);
                public double[] Predict(double[] input) => Forward(input, out _);
                public double[] Forward(double[] input, out double[] scaledMask)
                {
                    scaledMask = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) scaledMask[i] = ({|DRP014:Rng.NextDouble() > probability|} ? 1.0 : 0.0) / (1 - probability);
                    var z = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) z[i] = input[i] * scaledMask[i];
                    return z;
                }
            }
            """);

    [Fact]
    public Task ForwardHandingOutItsMaskBesideAMethodOfOtherInputs_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public abstract class LayerBase { }
            public class DropLayer(double probability) : LayerBase
            {
                private static readonly Random Rng = new(3);
                public int[] OutputSize(int[] inputSize) => inputSize;
                public double[] Forward(double[] input, out double[] scaledMask)
                {
                    scaledMask = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) scaledMask[i] = ({|DRP014:Rng.NextDouble() > probability|} ? 1.0 : 0.0) / (1 - probability);
                    var z = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) z[i] = input[i] * scaledMask[i];
                    return z;
                }
            }
            """);

    [Fact]
    public Task LayerWithOnlyABackwardBesideTheForward_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public sealed class DropoutModule(float rate)
            {
                private readonly Random _rng = new(4);
                public float[] Forward(float[] x) => x.Select(v => {|DRP014:_rng.NextSingle() < rate|} ? 0f : v).ToArray();
                public float[] Backward(float[] g) => g;
            }
            """);

    [Fact]
    public Task LayerThatAnotherFileOnlyConstructs_IsReported() => RunTwoFiles(
        """
        public sealed class DropLayer(float rate)
        {
            private readonly Random _rng = new(1);
            public float[] Update(float[] x) => x.Select(v => {|DRP014:_rng.NextSingle() < rate|} ? 0f : v / (1 - rate)).ToArray();
        }
        """,
        """
        public sealed class LayerFactory
        {
            public DropLayer Dropout(float rate) => new DropLayer(rate);
        }
        """);

    [Fact]
    public Task LayerThatAnotherFileHoldsAndCalls_IsSilent() => RunTwoFiles(
        """
        public sealed class DropLayer(float rate)
        {
            private readonly Random _rng = new(1);
            public float[] Update(float[] x) => x.Select(v => _rng.NextSingle() < rate ? 0f : v / (1 - rate)).ToArray();
        }
        """,
        """
        public sealed class Network
        {
            private readonly DropLayer _dropout = new DropLayer(0.5f);
            public float[] Run(float[] x, bool training) => training ? _dropout.Update(x) : x;
        }
        """);

    private static Task RunTwoFiles(string layer, string other)
    {
        var test = new CSharpAnalyzerTest<DropoutWithoutInferencePathAnalyzer, DefaultVerifier>
        {
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        test.TestState.Sources.Add(("/Layer.cs", AnalyzerTest.Usings + layer));
        test.TestState.Sources.Add(("/Other.cs", AnalyzerTest.Usings + other));
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }
}

/// <summary>A layer whose mode is switched by a method that branches on a flag it is given has an inference path.</summary>
public sealed class ModeSwitchingMethodTests
{
    [Fact]
    public Task LayerWhoseModeMethodClearsTheMask_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public class DropoutLayer(float rate)
            {
                private readonly Random _rng = new(8);
                private float[]? _mask;
                public void SetMode(bool training)
                {
                    if (training) _mask = new float[16];
                    else _mask = null;
                }
                public void DrawMask(int n)
                {
                    _mask = new float[n];
                    for (int i = 0; i < n; i++) _mask[i] = _rng.NextSingle() < rate ? 0f : 1f / (1 - rate);
                }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] *= _mask is null ? 1f : _mask[i];
                }
            }
            """);

    [Fact]
    public Task SameLayerWithoutTheModeMethod_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public class DropoutLayer(float rate)
            {
                private readonly Random _rng = new(8);
                private float[]? _mask;
                public void DrawMask(int n)
                {
                    _mask = new float[n];
                    for (int i = 0; i < n; i++) _mask[i] = {|DRP014:_rng.NextSingle() < rate|} ? 0f : 1f / (1 - rate);
                }
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] *= _mask is null ? 1f : _mask[i];
                }
            }
            """);

    [Fact]
    public Task LayerWithAFlagMethodThatDoesNotBranchOnIt_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>("""
            public class DropoutLayer(float rate)
            {
                private readonly Random _rng = new(8);
                private float[] _log = new float[1];
                public void Record(bool verbose) => _log[0] = verbose ? 1 : 0;
                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] = {|DRP014:_rng.NextSingle() < rate|} ? 0f : x[i] / (1 - rate);
                }
            }
            """);
}
