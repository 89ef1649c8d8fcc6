using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A second draw with the same probability in another method of a type whose dropout is already gated (a backward that
/// draws a fresh mask instead of reusing the forward's) is not a dropout without an inference path: the gated forward is
/// the inference path, and the redraw is the backward's mistake (DRP013), reported there. Without the gated draw, or
/// with another probability, the ungated draw is still DRP014.
/// </summary>
public sealed class RedrawBesideAGatedDropoutTests
{
    private static string Layer(string forwardGate, string backwardProbability, bool expectOnForward, bool expectOnBackward) => $$"""
        public sealed class DropoutLayer
        {
            private readonly double _p;
            private readonly double _q = 0.5;
            private readonly Random _random = new Random(6);

            public DropoutLayer(double keepProbability) { _p = keepProbability; }

            public double[] Forward(double[] x)
            {
                {{forwardGate}}
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++) y[i] = {{(expectOnForward ? "{|DRP014:_random.NextDouble() < _p|}" : "_random.NextDouble() < _p")}} ? x[i] / _p : 0.0;
                return y;
            }

            public double[] Backward(double[] gradOutput)
            {
                var g = new double[gradOutput.Length];
                for (int i = 0; i < g.Length; i++) g[i] = {{(expectOnBackward ? "{|DRP014:_random.NextDouble() < " + backwardProbability + "|}" : "_random.NextDouble() < " + backwardProbability)}} ? gradOutput[i] / {{backwardProbability}} : 0.0;
                return g;
            }
        }
        """;

    [Fact]
    public Task BackwardRedrawingWithTheGatedForwardsProbability_HasAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("if (!training) return x;", "_p", false, false).Replace("Forward(double[] x)", "Forward(double[] x, bool training)", StringComparison.Ordinal));

    [Fact]
    public Task ForwardAndBackwardBothUngated_HaveNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("", "_p", true, false));

    [Fact]
    public Task UngatedDrawWithAnotherProbability_BesideAGatedForward_HasNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer("if (!training) return x;", "_q", false, true).Replace("Forward(double[] x)", "Forward(double[] x, bool training)", StringComparison.Ordinal));
}
