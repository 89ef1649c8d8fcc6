using BenchmarkDotNet.Attributes;

namespace Dropout.Benchmarks;

/// <summary>
/// Dropout.Runtime's kernels against the memory floor (<see cref="Span{T}.CopyTo"/> of the same data, the baseline)
/// and the textbook version, float, one thread.
/// </summary>
public abstract class RuntimeKernelBenchmarks
{
    private float[] _input = [];
    private float[] _output = [];
    private float[] _floatMask = [];
    private byte[] _mask = [];
    private System.Random _random = new(1);
    private ulong _offset;

    public abstract int N { get; set; }

    [Params(0.5, 0.8)]
    public double P { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DropoutKernels.MaxDegreeOfParallelism = 1;
        _input = new float[N];
        _output = new float[N];
        _floatMask = new float[N];
        _mask = new byte[MaskLayout.MaskByteCount(N)];
        var random = new System.Random(42);
        for (int i = 0; i < N; i++)
        {
            _input[i] = random.NextSingle();
        }

        // Touch every page once so no benchmark pays first-touch page faults.
        _output.AsSpan().Fill(1);
        _floatMask.AsSpan().Fill(1);
        DropoutKernels.Forward(_input, _output, _mask, P, 7, 0);
    }

    [Benchmark(Baseline = true, Description = "CopyTo (memory floor)")]
    public void CopyTo() => _input.AsSpan().CopyTo(_output);

    [Benchmark(Description = "Forward, bit mask")]
    public void ForwardWithMask() => DropoutKernels.Forward(_input, _output, _mask, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Forward, no mask")]
    public void ForwardWithoutMask() => DropoutKernels.Forward(_input, _output, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Backward, bit mask")]
    public void BackwardFromMask() => DropoutKernels.Backward(_input, _output, _mask, P);

    [Benchmark(Description = "Backward, regenerate")]
    public void BackwardRegenerate() => DropoutKernels.Backward(_input, _output, P, 7, 0);

    [Benchmark(Description = "Naive (System.Random, float mask)")]
    public void Naive() => NaiveDropout.Forward(_input, _output, _floatMask, (float)P, _random);
}

/// <summary>Sizes that live in cache, where one call takes microseconds: BenchmarkDotNet batches many calls per iteration.</summary>
[Config(typeof(SmallSizeBenchmarkConfig))]
public class RuntimeKernelSmallBenchmarks : RuntimeKernelBenchmarks
{
    [Params(4_096, 262_144)]
    public override int N { get; set; }
}

/// <summary>
/// Sizes at and past the last-level cache (16M floats = 64 MiB in and 64 MiB out; 134M = 0.5 GiB each), one call per
/// iteration.
/// </summary>
[Config(typeof(DropoutBenchmarkConfig))]
public class RuntimeKernelLargeBenchmarks : RuntimeKernelBenchmarks
{
    [Params(16_777_216, 134_217_728)]
    public override int N { get; set; }
}
