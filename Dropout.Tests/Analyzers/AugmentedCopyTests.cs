using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Zeroing random features of a fresh copy of an example and adding the copy to a data set as a new example is data
/// augmentation: it makes training data and wants no scale. The same zeroing of a copy whose values are returned,
/// computed with or wrapped as a layer's output is dropout, and its missing scale is still reported.
/// </summary>
public sealed class AugmentedCopyTests
{
    private const string Example = """
        public sealed class Example(float[] features, float[] target)
        {
            public float[] Features { get; } = features;
            public float[] Target { get; } = target;
        }
        """;

    [Fact]
    public Task FeatureDroppedCopies_AddedAsNewExamples_AreSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Example + """
            public static class Augmentation
            {
                public static List<Example> DropoutCopies(List<Example> data, float dropoutRate, int copies)
                {
                    var random = new Random(1);
                    var result = new List<Example>();
                    foreach (Example example in data)
                    {
                        for (int copy = 0; copy < copies; copy++)
                        {
                            float[] features = new float[example.Features.Length];
                            example.Features.CopyTo(features, 0);
                            for (int i = 0; i < features.Length; i++)
                            {
                                if (random.NextSingle() < dropoutRate) features[i] = 0f;
                            }
                            result.Add(new Example(features, example.Target));
                        }
                    }
                    return result;
                }
            }
            """);

    [Fact]
    public Task ClonedExamples_WithFeaturesDropped_QueuedForTraining_AreSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Example + """
            public sealed class AugmentingFeeder(double dropRate)
            {
                private readonly Random _random = new(2);
                public Queue<Example> Pending { get; } = new();
                public void Feed(Example example)
                {
                    var features = (float[])example.Features.Clone();
                    for (int i = 0; i < features.Length; i++)
                    {
                        if (_random.NextDouble() < dropRate) features[i] = 0f;
                    }
                    Pending.Enqueue(new Example(features, example.Target));
                }
            }
            """);

    [Fact]
    public Task CopyWithFeaturesDropped_Returned_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class InputDropout(float dropoutRate)
            {
                private readonly Random _random = new(3);
                public float[] Forward(float[] input)
                {
                    float[] output = new float[input.Length];
                    input.CopyTo(output, 0);
                    for (int i = 0; i < output.Length; i++)
                    {
                        if ({|DRP004:_random.NextSingle() < dropoutRate|}) output[i] = 0f;
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task CopyWithFeaturesDropped_ComputedWith_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DroppedInputNeuron(float dropoutRate, float[] weights)
            {
                private readonly Random _random = new(4);
                public float Forward(float[] input)
                {
                    var dropped = (float[])input.Clone();
                    for (int i = 0; i < dropped.Length; i++)
                    {
                        if ({|DRP004:_random.NextSingle() < dropoutRate|}) dropped[i] = 0f;
                    }
                    float sum = 0;
                    for (int i = 0; i < dropped.Length; i++) sum += dropped[i] * weights[i];
                    return sum;
                }
            }
            """);

    [Fact]
    public Task CopyWithFeaturesDropped_WrappedAsTheOutput_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Example + """
            public sealed class ExampleDropoutLayer(float dropoutRate)
            {
                private readonly Random _random = new(5);
                public Example Forward(Example example)
                {
                    float[] features = new float[example.Features.Length];
                    Array.Copy(example.Features, features, features.Length);
                    for (int i = 0; i < features.Length; i++)
                    {
                        if ({|DRP004:_random.NextSingle() < dropoutRate|}) features[i] = 0f;
                    }
                    return new Example(features, example.Target);
                }
            }
            """);
}
