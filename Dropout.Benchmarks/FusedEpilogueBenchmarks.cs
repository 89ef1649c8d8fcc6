using System.Numerics;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Dropout.Benchmarks;

/// <summary>
/// Issue 10's bar for the fused epilogue: bias + ReLU + dropout (float, one thread) in one pass
/// (<see cref="FusedEpilogue"/>) against the same chain as separate passes (TensorPrimitives for the bias add and ReLU,
/// <see cref="DropoutKernels"/> for dropout) and against <see cref="Span{T}.CopyTo"/> of the same data (the baseline, the
/// memory floor). Row-major <c>N / 1024 × 1024</c> with one bias per column.
/// </summary>
public abstract class FusedEpilogueBenchmarks
{
    private const int Columns = 1024;
    private const ulong Seed = 7;

    private float[] _input = [];
    private float[] _bias = [];
    private float[] _activations = [];
    private float[] _output = [];
    private float[] _gradInput = [];
    private float[] _gradBias = [];
    private byte[] _fusedMask = [];
    private byte[] _keepMask = [];
    private ulong _offset;
    private GeneratedReLUEpilogues _generated = new();

    public abstract int N { get; set; }

    [Params(0.5, 0.8)]
    public double P { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DropoutKernels.MaxDegreeOfParallelism = 1;
        _input = new float[N];
        _bias = new float[Columns];
        _activations = new float[N];
        _output = new float[N];
        _gradInput = new float[N];
        _gradBias = new float[Columns];
        _fusedMask = new byte[MaskLayout.MaskByteCount(N)];
        _keepMask = new byte[MaskLayout.MaskByteCount(N)];
        var random = new System.Random(42);
        for (int i = 0; i < N; i++)
        {
            _input[i] = (random.NextSingle() * 2) - 1;
        }

        for (int i = 0; i < Columns; i++)
        {
            _bias[i] = random.NextSingle() - 0.5f;
        }

        // Touch every page once so no benchmark pays first-touch page faults, and record the masks backward reads.
        _activations.AsSpan().Fill(1);
        _output.AsSpan().Fill(1);
        _gradInput.AsSpan().Fill(1);
        SeparateForward();
        FusedForward();
        _generated = new GeneratedReLUEpilogues { DropoutContext = new DropoutContext(Seed) };
        GeneratedFusedForward();
    }

    [Benchmark(Baseline = true, Description = "CopyTo (memory floor)")]
    public void CopyTo() => _input.AsSpan().CopyTo(_output);

    [Benchmark(Description = "Fused forward: bias + ReLU + dropout, bit mask")]
    public void FusedForward() =>
        FusedEpilogue.Forward(_input, _bias, [], _output, _fusedMask, Columns, default(ReLUActivation<float>), P, Seed, _offset += 1UL << 32);

    /// <summary>
    /// The unfused chain: bias add (TensorPrimitives.Add per row) into the activations the ReLU backward will need,
    /// ReLU in place (TensorPrimitives.Max with 0), then the dropout kernel with a bit mask.
    /// </summary>
    [Benchmark(Description = "Separate forward: TensorPrimitives add, max; DropoutKernels.Forward")]
    public void SeparateForward()
    {
        for (int row = 0; row < N; row += Columns)
        {
            TensorPrimitives.Add(_input.AsSpan(row, Columns), _bias, _activations.AsSpan(row, Columns));
        }

        TensorPrimitives.Max(_activations, 0f, _activations);
        DropoutKernels.Forward(_activations, _output, _keepMask, P, Seed, _offset += 1UL << 32);
    }

    /// <summary>The generated fused site (<c>[Dropout(p, Activation = DropoutActivation.ReLU)]</c> on a partial method): forward with its own stream and mask buffer.</summary>
    [Benchmark(Description = "Generated fused forward: [Dropout(p, Activation = ReLU)] method")]
    public void GeneratedFusedForward()
    {
        if (P == 0.5)
        {
            _generated.HalfKeep(_input, _bias, _output);
        }
        else
        {
            _generated.InputKeep(_input, _bias, _output);
        }
    }

    [Benchmark(Description = "Generated fused backward: from the ReLU mask bit, + bias gradient")]
    public void GeneratedFusedBackward()
    {
        if (P == 0.5)
        {
            _generated.HalfKeepBackward(_input, _gradInput, _gradBias);
        }
        else
        {
            _generated.InputKeepBackward(_input, _gradInput, _gradBias);
        }
    }

    [Benchmark(Description = "Fused backward: from the ReLU mask bit, + bias gradient")]
    public void FusedBackward() =>
        FusedEpilogue.Backward(_input, _fusedMask, [], [], _gradInput, _gradBias, Columns, default(ReLUActivation<float>), P);

    /// <summary>
    /// The unfused backward: dropout backward from its bit mask, ReLU backward from the saved activations (no
    /// TensorPrimitives operation selects on a sign, so a plain Vector loop), and the bias gradient as column sums
    /// (TensorPrimitives.Add per row).
    /// </summary>
    [Benchmark(Description = "Separate backward: DropoutKernels.Backward; ReLU backward; bias sums")]
    public void SeparateBackward()
    {
        DropoutKernels.Backward(_input, _gradInput, _keepMask, P);
        ReLUBackward(_activations, _gradInput);
        _gradBias.AsSpan().Clear();
        for (int row = 0; row < N; row += Columns)
        {
            TensorPrimitives.Add(_gradBias, _gradInput.AsSpan(row, Columns), _gradBias);
        }
    }

    private static void ReLUBackward(ReadOnlySpan<float> activations, Span<float> gradient)
    {
        int i = 0;
        for (; i <= activations.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var a = new Vector<float>(activations[i..]);
            Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), new Vector<float>(gradient[i..]), Vector<float>.Zero).CopyTo(gradient[i..]);
        }

        for (; i < activations.Length; i++)
        {
            gradient[i] = activations[i] > 0 ? gradient[i] : 0;
        }
    }
}

/// <summary>262,144 floats (1 MiB per array: in cache), where one call takes microseconds.</summary>
[Config(typeof(SmallSizeBenchmarkConfig))]
public class FusedEpilogueSmallBenchmarks : FusedEpilogueBenchmarks
{
    [Params(262_144)]
    public override int N { get; set; }
}

/// <summary>134,217,728 floats (0.5 GiB per array: far past the caches), one call per iteration.</summary>
[Config(typeof(DropoutBenchmarkConfig))]
public class FusedEpilogueLargeBenchmarks : FusedEpilogueBenchmarks
{
    [Params(134_217_728)]
    public override int N { get; set; }
}
