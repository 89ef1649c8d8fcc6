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
