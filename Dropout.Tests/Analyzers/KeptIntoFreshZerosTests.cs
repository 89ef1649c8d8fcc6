using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A forward that writes only the kept element into a buffer it has just made (<c>var y = new float[n]; if (u &gt; rate)
/// y[i] = x[i];</c>) leaves the dropped element at the buffer's zero: a dropout site, whose missing scale is reported
/// and whose scale is recognized. Writing a constant (counting) is not dropout.
/// </summary>
public sealed class KeptIntoFreshZerosTests
{
    private const string Tensor = """
        public sealed class Tensor(int size)
        {
            public float[] Data { get; } = new float[size];
            public int Size => Data.Length;
        }
        """;

    [Fact]
    public Task KeptOnlyWriteIntoANewArray_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SparseDropout(float rate)
            {
                private readonly Random _random = new(42);
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if ({|DRP004:_random.NextDouble() > rate|}) y[i] = x[i];
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task KeptOnlyWriteIntoANewArray_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class SparseDropout(float rate)
            {
                private readonly Random _random = new(42);
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    float scale = 1f / (1f - rate);
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (_random.NextDouble() > rate) y[i] = x[i] * scale;
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task KeptOnlyWriteIntoANewTensorsData_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Tensor + """
            public sealed class TensorDropout(float rate)
            {
                private readonly Random _random = new(42);
                public Tensor Forward(Tensor input, bool training)
                {
                    if (!training) return input;
                    var output = new Tensor(input.Size);
                    for (int i = 0; i < input.Size; i++)
                    {
                        if ({|DRP004:_random.NextDouble() > rate|})
                        {
                            output.Data[i] = input.Data[i];
                        }
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task ConstantWrittenIntoANewArray_IsNotDropout() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutHitCounter(float rate)
            {
                private readonly Random _random = new(42);
                public float[] Hits(int units)
                {
                    var hits = new float[units];
                    for (int i = 0; i < units; i++)
                    {
                        if (_random.NextDouble() > rate) hits[i] = 1f;
                    }
                    return hits;
                }
            }
            """);
}
