using BenchmarkDotNet.Attributes;

namespace Dropout.Benchmarks;

/// <summary>
/// The dropout variants of issue 13, forward, float, one thread: each runtime reference kernel and its generated
/// <c>[Dropout(p, Kind = ...)]</c> site against the memory floor (<see cref="Span{T}.CopyTo"/> of the same data, the
/// baseline) and element-wise dropout in the same run. Channel and shared-over-time dropout draw one random field per
/// channel or feature instead of per element, so they should cost at most what element-wise dropout costs.
/// </summary>
/// <remarks>
/// Shapes that divide both sizes: channel dropout over (N / 4,096, 16 channels, 16 × 16), shared-over-time over
/// (N / 4,096, 32 steps, 128 features), drop path over (N / 1,024, 1,024). DropConnect's N is its weight count: a
/// (N / 1,024, 1,024) dense layer on one input row, so the weight mask and the masked weights are the N-element pass.
/// </remarks>
public abstract class VariantKernelBenchmarks
{
    private const int DenseInputs = 1024;

    private float[] _input = [];
    private float[] _output = [];
    private float[] _denseInput = [];
    private float[] _denseOutput = [];
    private byte[] _mask = [];
    private ulong _offset;
    private DropoutNoiseShape _channels;
    private DropoutNoiseShape _overTime;
    private DropoutNoiseShape _perSample;
    private readonly GeneratedChannelLayer _channelLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedSharedOverTimeLayer _overTimeLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedDropPathLayer _dropPathLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedAlphaLayer _alphaLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedGaussianLayer _gaussianLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedDropConnectLayer _dropConnectLayer = new() { DropoutContext = new DropoutContext(7) };
    private readonly GeneratedElementLayer _elementLayer = new() { DropoutContext = new DropoutContext(7) };

    public abstract int N { get; set; }

    /// <summary>The keep probability of every variant (the generated layers are compiled for the same 0.9).</summary>
    public const double P = 0.9;

    [GlobalSetup]
    public void Setup()
    {
        DropoutKernels.MaxDegreeOfParallelism = 1;
        _input = new float[N];
        _output = new float[N];
        _mask = new byte[MaskLayout.MaskByteCount(N)];
        _denseInput = new float[DenseInputs];
        _denseOutput = new float[N / DenseInputs];
        var random = new System.Random(42);
        for (int i = 0; i < N; i++)
        {
            _input[i] = random.NextSingle();
        }

        _denseInput.AsSpan().Fill(0.5f);
        _channels = DropoutNoiseShape.Channels(N / 4096, 16, 256);
        _overTime = DropoutNoiseShape.SharedOverTime(N / 4096, 32, 128);
        _perSample = DropoutNoiseShape.PerSample(N / 1024, 1024);

        // Touch every page once so no benchmark pays first-touch page faults.
        _output.AsSpan().Fill(1);
        DropoutKernels.Forward(_input, _output, _mask, P, 7, 0);
    }

    [Benchmark(Baseline = true, Description = "CopyTo (memory floor)")]
    public void CopyTo() => _input.AsSpan().CopyTo(_output);

    [Benchmark(Description = "Element-wise, runtime")]
    public void Element() => DropoutKernels.Forward(_input, _output, _mask, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Element-wise, generated")]
    public void ElementGenerated() => _elementLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "Channel, runtime")]
    public void Channel() => DropoutKernels.Forward(_input, _output, _mask, _channels, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Channel, generated")]
    public void ChannelGenerated() => _channelLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "Shared over time, runtime")]
    public void SharedOverTime() => DropoutKernels.Forward(_input, _output, _mask, _overTime, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Shared over time, generated")]
    public void SharedOverTimeGenerated() => _overTimeLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "Drop path, runtime")]
    public void DropPath() => DropoutKernels.Forward(_input, _output, _mask, _perSample, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Drop path, generated")]
    public void DropPathGenerated() => _dropPathLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "Alpha, runtime")]
    public void Alpha() => DropoutKernels.ForwardAlpha(_input, _output, _mask, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Alpha, generated")]
    public void AlphaGenerated() => _alphaLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "Gaussian, runtime")]
    public void Gaussian() => DropoutKernels.ForwardGaussian(_input, _output, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "Gaussian, generated")]
    public void GaussianGenerated() => _gaussianLayer.DropoutForward(_input, _output);

    [Benchmark(Description = "DropConnect, runtime (N weights, 1 row)")]
    public void DropConnect() =>
        DropConnectKernels.Forward(_denseInput, _input, default, _denseOutput, _output, _mask, DenseInputs, P, 7, _offset += 1UL << 32);

    [Benchmark(Description = "DropConnect, generated (N weights, 1 row)")]
    public void DropConnectGenerated() => _dropConnectLayer.Dense(_denseInput, _input, _denseOutput);
}

/// <summary>4,096 elements: in cache, where one call takes microseconds.</summary>
[Config(typeof(SmallSizeBenchmarkConfig))]
public class VariantKernelSmallBenchmarks : VariantKernelBenchmarks
{
    [Params(4_096)]
    public override int N { get; set; }
}

/// <summary>134,217,728 elements (0.5 GiB in and 0.5 GiB out): memory-bound, one call per iteration.</summary>
[Config(typeof(DropoutBenchmarkConfig))]
public class VariantKernelLargeBenchmarks : VariantKernelBenchmarks
{
    [Params(134_217_728)]
    public override int N { get; set; }
}

/// <summary>Element-wise dropout at p = 0.9, the comparison for the variants.</summary>
[Dropout(VariantKernelBenchmarks.P)]
public sealed partial class GeneratedElementLayer
{
}

/// <summary>Channel dropout over (batch, 16 channels, 16 × 16).</summary>
[Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.Channel, Channels = 16, SpatialSize = 256)]
public sealed partial class GeneratedChannelLayer
{
}

/// <summary>Shared-over-time dropout over (batch, 32 steps, 128 features).</summary>
[Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.SharedOverTime, TimeSteps = 32, Features = 128)]
public sealed partial class GeneratedSharedOverTimeLayer
{
}

/// <summary>Drop path over (batch, 1,024).</summary>
[Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.DropPath, SampleSize = 1024)]
public sealed partial class GeneratedDropPathLayer
{
}

/// <summary>Alpha dropout.</summary>
[Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.Alpha)]
public sealed partial class GeneratedAlphaLayer
{
}

/// <summary>Gaussian dropout.</summary>
[Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.Gaussian)]
public sealed partial class GeneratedGaussianLayer
{
}

/// <summary>A DropConnect dense layer with 1,024 inputs and no bias.</summary>
public sealed partial class GeneratedDropConnectLayer
{
    [Dropout(VariantKernelBenchmarks.P, Kind = DropoutKind.DropConnect, Inputs = 1024)]
    public partial void Dense(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output);
}
