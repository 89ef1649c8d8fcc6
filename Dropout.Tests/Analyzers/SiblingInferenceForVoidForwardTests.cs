using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A GPU-style layer whose <c>void Forward()</c> fills a 0/1 mask and hands it to a kernel, and whose sibling
/// <c>void ForwardInference()</c> draws nothing and hands the keep probability <c>1 - rate</c> to a kernel through a
/// one-element buffer: classic dropout with an inference path. Neither "no inference path" (DRP014) nor "no scale"
/// (DRP004) holds. Without the sibling, or with a sibling that stores an unrelated number, both still hold.
/// </summary>
public sealed class SiblingInferenceForVoidForwardTests
{
    private static string Layer(string inference) => $$"""
        public sealed class Device
        {
            public float[] Upload(float[] data) => data;
            public void Launch(float[] input, float[] factors, float[] output) { }
        }

        public sealed class GpuDropout
        {
            private readonly Random _random = new Random(5);
            private readonly Device _device = new Device();
            private readonly float _rate = 0.25f;
            private readonly int[] _mask = new int[64];
            private readonly float[] _input = new float[64];
            private readonly float[] _output = new float[64];

            public void Forward()
            {
                for (int j = 0; j < _mask.Length; j++)
                {
                    _mask[j] = _random.NextDouble() < _rate ? 0 : 1;
                }

                for (int j = 0; j < _mask.Length; j++)
                {
                    _output[j] = _mask[j] == 0 ? 0f : _input[j];
                }
            }

            {{inference}}
        }
        """;

    private const string KeepThroughABuffer = """
            public void ForwardInference()
            {
                float[] ratio = _device.Upload(new float[] { 1 - _rate });
                _device.Launch(_input, ratio, _output);
            }
        """;

    private const string UnrelatedThroughABuffer = """
            public void ForwardInference()
            {
                float[] ratio = _device.Upload(new float[] { 2f });
                _device.Launch(_input, ratio, _output);
            }
        """;

    private static string Reported(string inference, string id) =>
        Layer(inference).Replace("_mask[j] = _random.NextDouble() < _rate ? 0 : 1;", "_mask[j] = {|" + id + ":_random.NextDouble() < _rate|} ? 0 : 1;");

    [Fact]
    public Task VoidForwardWithAnInferenceSibling_HasAnInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Layer(KeepThroughABuffer));

    [Fact]
    public Task VoidForwardWithoutASibling_HasNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(Reported("", "DRP014"));

    [Fact]
    public Task KeepProbabilityStoredInABufferForTheKernel_IsTheInferenceScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer(KeepThroughABuffer));

    [Fact]
    public Task UnrelatedNumberStoredInABuffer_IsNoScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Reported(UnrelatedThroughABuffer, "DRP004"));

    [Fact]
    public Task NoInferenceSibling_IsNoScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Reported("", "DRP004"));
}
