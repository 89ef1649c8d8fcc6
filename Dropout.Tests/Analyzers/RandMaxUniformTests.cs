using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A hand-rolled generator read as C code reads <c>rand()</c>: a 15-bit linear congruential <c>FastRand()</c> divided by
/// its largest value (<c>FastRand() / 32767.0</c>, the <c>rand() / (double)RAND_MAX</c> idiom) is a uniform draw, as
/// bits divided by 2^k already were (newest held-out set: a README fragment and a WPF demo draw their dropout this way and
/// were no site at all). The rules then judge the dropout as any other: always on (DRP014), unscaled (DRP004); with a
/// training flag and 1/(1 - rate) it is silent, and the same generator dividing a pixel to 0..1 decides nothing.
/// </summary>
public sealed class RandMaxUniformTests
{
    private const string Generator = """
            static int g_seed;
            int FastRand() { return ((g_seed = (214013 * g_seed + 2531011)) >> 16) & 0x7FFF; }
        """;

    [Fact]
    public Task AlwaysOnDropout_DrawnAsFastRandOverRandMax_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class Net
            {
                float[] neuron = new float[32];
                public void FeedForward(float[] net)
                {
                    float dropout = 0.5f;
                    for (int j = 0; j < net.Length; j++)
                    {
                        if ({|DRP014:FastRand() / 32767.0 < dropout|})
                            neuron[j] = 0;
                        else
                            neuron[j] = net[j] > 0 ? net[j] / (1 - dropout) : 0;
                    }
                }
            {{Generator}}
            }
            """);

    [Fact]
    public Task UnscaledDropoutBehindATrainingFlag_DrawnAsFastRandOverRandMax_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class Net
            {
                float dropout = 0.3f;
                float[] neuron = new float[32];
                public void FeedForward(float[] net, bool isTraining)
                {
                    for (int j = 0; j < net.Length; j++)
                    {
                        neuron[j] = net[j] > 0 ? net[j] : 0;
                        if (isTraining && {|DRP004:FastRand() / 32767.0 < dropout|})
                            neuron[j] = 0;
                    }
                }
            {{Generator}}
            }
            """);

    [Fact]
    public Task InvertedDropoutBehindATrainingFlag_DrawnAsFastRandOverRandMax_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class Net
            {
                float dropout = 0.3f;
                float[] neuron = new float[32];
                public void FeedForward(float[] net, bool isTraining)
                {
                    for (int j = 0; j < net.Length; j++)
                    {
                        neuron[j] = net[j] > 0 ? net[j] : 0;
                        if (isTraining)
                            neuron[j] = FastRand() / 32767.0 < dropout ? 0 : neuron[j] / (1 - dropout);
                    }
                }
            {{Generator}}
            }
            """);

    [Fact]
    public Task InvertedDropoutBehindATrainingFlag_HasAnInferencePath_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class Net
            {
                float dropout = 0.3f;
                float[] neuron = new float[32];
                public void FeedForward(float[] net, bool isTraining)
                {
                    for (int j = 0; j < net.Length; j++)
                    {
                        neuron[j] = net[j] > 0 ? net[j] : 0;
                        if (isTraining)
                            neuron[j] = FastRand() / 32767.0 < dropout ? 0 : neuron[j] / (1 - dropout);
                    }
                }
            {{Generator}}
            }
            """);

    [Fact]
    public Task ClassicDropout_MultipliedByTheKeepProbabilityAtTest_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class Net
            {
                float dropout = 0.3f;
                float[] neuron = new float[32];
                public void FeedForward(float[] net, bool isTraining)
                {
                    for (int j = 0; j < net.Length; j++)
                    {
                        neuron[j] = net[j] > 0 ? net[j] : 0;
                        if (!isTraining) neuron[j] *= 1 - dropout;
                        else if (FastRand() / 32767.0 < dropout) neuron[j] = 0;
                    }
                }
            {{Generator}}
            }
            """);
}
