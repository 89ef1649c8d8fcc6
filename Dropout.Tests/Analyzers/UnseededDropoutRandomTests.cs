using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

public sealed class UnseededDropoutRandomTests
{
    [Fact]
    public Task FieldInitializedWithUnseededRandom_IsReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public sealed class HiddenLayer(double keepProbability)
            {
                private readonly Random _random = new();

                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = {|DRP011:_random.NextDouble()|} < keepProbability ? (float)(x[i] / keepProbability) : 0f;
                }
            }
            """);

    [Fact]
    public Task SharedRandom_IsReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public static class Net
            {
                public static double[] Dropout(double[] x, double keep) =>
                    x.Select(v => {|DRP011:Random.Shared.NextDouble()|} < keep ? v / keep : 0.0).ToArray();
            }
            """);

    [Fact]
    public Task LocalUnseededRandom_IsReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public static class Net
            {
                public static void ApplyDropout(float[] mask, double keepProbability)
                {
                    var rng = new Random();
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = {|DRP011:rng.NextDouble()|} < keepProbability ? (float)(1 / keepProbability) : 0f;
                }
            }
            """);

    [Fact]
    public Task SeededRandom_IsNotReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public sealed class HiddenLayer(double keepProbability, int seed)
            {
                private readonly Random _random = new(seed);
                private Random _other = new();

                public void Reseed(int seed) => _other = new Random(seed);

                public void Forward(float[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = _random.NextDouble() < keepProbability ? (float)(x[i] / keepProbability) : 0f;
                        x[i] = _other.NextDouble() < keepProbability ? (float)(x[i] / keepProbability) : 0f;
                    }
                }
            }
            """);

    [Fact]
    public Task RandomPassedByCaller_IsNotReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public static class Net
            {
                public static void Dropout(float[] x, double keep, Random rng)
                {
                    for (int i = 0; i < x.Length; i++)
                        x[i] = rng.NextDouble() < keep ? (float)(x[i] / keep) : 0f;
                }
            }
            """);

    [Fact]
    public Task UnseededRandomOutsideDropout_IsNotReported() =>
        AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>("""
            public sealed class Agent(double epsilon)
            {
                private readonly Random _rng = new();

                public int Act(double[] q) => _rng.NextDouble() < epsilon ? _rng.Next(q.Length) : Array.IndexOf(q, q.Max());

                public void Shuffle(int[] order)
                {
                    for (int i = order.Length - 1; i > 0; i--)
                    {
                        int j = _rng.Next(i + 1);
                        (order[i], order[j]) = (order[j], order[i]);
                    }
                }
            }
            """);
}
