using BenchmarkDotNet.Attributes;

namespace Dropout.Benchmarks;

/// <summary>
/// A generated layer's forward (the runtime's generic driver compiled for the site's constant-p struct, with the
/// site's validation and state bookkeeping) against the runtime's general kernel, a generated site that spends 32 random
/// bits per element (the cost fewer bits save), and <see cref="Span{T}.CopyTo"/> (the baseline), float, one thread.
/// </summary>
public abstract class GeneratedKernelBenchmarks
{
    private readonly DropoutContext _context = new(seed: 7);
    private float[] _input = [];
    private float[] _output = [];
    private byte[] _mask = [];
    private ulong _offset;
    private GeneratedHalfKeepLayer _halfKeep = null!;
    private GeneratedInputKeepLayer _inputKeep = null!;
    private GeneratedThirtyTwoBitLayer _thirtyTwoBit = null!;

    public abstract int N { get; set; }

    [Params(0.5, 0.8)]
    public double P { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DropoutKernels.MaxDegreeOfParallelism = 1;
        _input = new float[N];
        _output = new float[N];
        _mask = new byte[MaskLayout.MaskByteCount(N)];
        var random = new System.Random(42);
        for (int i = 0; i < N; i++)
        {
            _input[i] = random.NextSingle();
        }

        _output.AsSpan().Fill(1);
        _halfKeep = new GeneratedHalfKeepLayer { DropoutContext = _context };
        _inputKeep = new GeneratedInputKeepLayer { DropoutContext = _context };
        _thirtyTwoBit = new GeneratedThirtyTwoBitLayer { DropoutContext = _context };
        GeneratedForward();
        ThirtyTwoBitsPerElement();
    }

    [Benchmark(Baseline = true, Description = "CopyTo (memory floor)")]
    public void CopyTo() => _input.AsSpan().CopyTo(_output);

    [Benchmark(Description = "Runtime kernel, bit mask")]
    public void RuntimeForward() => DropoutKernels.Forward(_input, _output, _mask, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Generated layer, bit mask")]
    public void GeneratedForward()
    {
        if (P == 0.5)
        {
            _halfKeep.DropoutForward(_input, _output);
        }
        else
        {
            _inputKeep.DropoutForward(_input, _output);
        }
    }

    [Benchmark(Description = "Generated, 32 random bits/element")]
    public void ThirtyTwoBitsPerElement() => _thirtyTwoBit.DropoutForward(_input, _output);
}

/// <summary>4,096 floats: one call takes microseconds, BenchmarkDotNet batches calls per iteration.</summary>
[Config(typeof(SmallSizeBenchmarkConfig))]
public class GeneratedKernelSmallBenchmarks : GeneratedKernelBenchmarks
{
    [Params(4_096)]
    public override int N { get; set; }
}

/// <summary>134,217,728 floats (0.5 GiB in, 0.5 GiB out): past the last-level cache, one call per iteration.</summary>
[Config(typeof(DropoutBenchmarkConfig))]
public class GeneratedKernelLargeBenchmarks : GeneratedKernelBenchmarks
{
    [Params(134_217_728)]
    public override int N { get; set; }
}
