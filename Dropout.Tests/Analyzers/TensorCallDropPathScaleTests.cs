using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A per-sample drop (stochastic depth) written in tensor calls: a fresh tensor filled in place with Bernoulli(keep)
/// draws, divided in place by keep with a lowercase in-place call (<c>randomMask.div_(keep)</c>, the PyTorch/TorchSharp
/// spelling), then multiplied into the input. The in-place division is the 1/p; without it DRP004 stays.
/// </summary>
public sealed class TensorCallDropPathScaleTests
{
    // The surface of a native tensor library, as a binding declares it (bodies live in native code, not in this source).
    private const string Tensor = """
        public sealed class Tensor
        {
            public long[] Dims { get; } = new long[2];
            public Tensor new_empty(long[] dims) => throw new NotSupportedException();
            public Tensor bernoulli_(double p) => throw new NotSupportedException();
            public Tensor div_(double d) => throw new NotSupportedException();
            public static Tensor operator *(Tensor a, Tensor b) => throw new NotSupportedException();
        }
        """;

    [Fact]
    public Task PerSampleMaskDividedInPlaceByKeep_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Tensor + """

            public sealed class SkipBranch(double dropRate)
            {
                public bool Training { get; set; } = true;
                public Tensor Apply(Tensor x)
                {
                    if (dropRate == 0.0 || !Training) return x;
                    double keep = 1 - dropRate;
                    var dims = new long[x.Dims.Length];
                    dims[0] = x.Dims[0];
                    for (int i = 1; i < dims.Length; i++) dims[i] = 1;
                    var randomMask = x.new_empty(dims).bernoulli_(keep);
                    randomMask.div_(keep);
                    return x * randomMask;
                }
            }
            """);

    // The twin: the same per-sample mask, never divided, multiplied into the input; identity at inference.
    [Fact]
    public Task PerSampleMaskNeverDivided_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Tensor + """

            public sealed class SkipBranch(double dropRate)
            {
                public bool Training { get; set; } = true;
                public Tensor Apply(Tensor x)
                {
                    if (dropRate == 0.0 || !Training) return x;
                    double keep = 1 - dropRate;
                    var dims = new long[x.Dims.Length];
                    dims[0] = x.Dims[0];
                    for (int i = 1; i < dims.Length; i++) dims[i] = 1;
                    var randomMask = {|DRP004:x.new_empty(dims).bernoulli_(keep)|};
                    return x * randomMask;
                }
            }
            """);
}
