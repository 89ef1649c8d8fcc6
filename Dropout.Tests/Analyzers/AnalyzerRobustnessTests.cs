using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Every analyzer must survive any input an editor can hand it: half-typed code, stray tokens, missing braces. These
/// tests run all of them over truncated prefixes and random mutations of realistic sources and fail on any analyzer
/// exception (AD0001); they also run them over the repository's own sources, which must produce no diagnostic at all.
/// </summary>
public sealed class AnalyzerRobustnessTests(ITestOutputHelper output)
{
    private const int TruncationStep = 9;
    private const int MutationsPerSource = 60;
    private const string MutationTokens = "{}();.,<>=!?:[]0 1f\"/*";

    private static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = typeof(Dropout.Analyzers.DiagnosticDescriptors).Assembly
        .GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    internal static readonly string[] RealisticSources =
    [
        // A numpy port through an array interface (DRP019): standard normal samples compared with the drop ratio as a mask.
        AnalyzerTest.Usings + """
        public sealed class Samples
        {
            public static Samples operator >(Samples a, double b) => a;
            public static Samples operator <(Samples a, double b) => a;
            public static Samples operator *(Samples a, Samples b) => a;
        }

        public interface INormalSource
        {
            Samples randn(params int[] shape);
        }

        public sealed class TimeDropoutPort(INormalSource random, double dropout_ratio)
        {
            public Samples? mask;
            public Samples Forward(Samples xs, bool train)
            {
                if (!train) return xs;
                mask = random.randn(4, 8) > dropout_ratio;
                return xs * mask;
            }
        }
        """,
        AnalyzerTest.Usings + """
        public static class ThreadSafeRandom
        {
            private static readonly System.Threading.ThreadLocal<Random> Local = new(() => new Random());
            public static double NextUniform() => Local.Value!.NextDouble();
            public static bool Bernoulli(double p) => Local.Value!.NextDouble() < p;
        }

        public sealed class HandDropoutLayer
        {
            private readonly float _rate;
            private readonly float _scale;
            private readonly Random? _random = new();
            private float[] _mask = Array.Empty<float>();
            private double[] _input = Array.Empty<double>();

            public HandDropoutLayer(float rate) { _rate = rate; _scale = 1f / rate; }

            public float[] Forward(float[] input)
            {
                _mask = new float[input.Length];
                var uniforms = new double[input.Length];
                for (int i = 0; i < input.Length; i++) uniforms[i] = ThreadSafeRandom.NextUniform();
                for (int i = 0; i < input.Length; i++)
                {
                    var r = _random?.NextDouble() ?? 1.0;
                    _mask[i] = r < _rate ? 0f : 1f;
                    input[i] = uniforms[i] > _rate ? input[i] * _scale : 0f;
                    if (_random!.Next(1000) < 1000 * _rate) input[i] = 0f;
                    input[i] *= ThreadSafeRandom.Bernoulli(1 - _rate) ? 1f : 0f;
                }

                return input;
            }

            public double[] Backward(double[] grad)
            {
                for (int i = 0; i < grad.Length; i++) grad[i] = _input[i] != 0 ? grad[i] : 0;
                return grad;
            }

            public float[] Predict(float[] x) => Forward(x);

            public void Test(double[] h, double dropRate)
            {
                for (int i = 0; i < h.Length; i++) h[i] = Random.Shared.NextDouble() < dropRate ? h[i] / (1 - dropRate) : 0;
            }

            public void ScaleByKeep(double[] h, double keepProbability)
            {
                for (int i = 0; i < h.Length; i++) h[i] = Random.Shared.NextDouble() < keepProbability ? h[i] * keepProbability : 0;
            }

            public static void Kernel(Index1D index, float[] data, float[] randoms, float keep) => data[index.X] = randoms[index.X] < keep ? data[index.X] / keep : 0f;
        }

        public readonly record struct Index1D(int X);
        """,
        AnalyzerTest.Usings + """
        public sealed class HandWrittenMlp(double keepProbability, double dropRate)
        {
            private readonly Random _random = new();
            private readonly float[] _mask = new float[64];

            public void Forward(float[] h, bool training)
            {
                for (int epoch = 0; epoch < 3; epoch++)
                {
                    for (int i = 0; i < h.Length; i++)
                    {
                        _mask[i] = _random.NextDouble() < keepProbability ? 1f : 0f;
                        if (_random.NextDouble() < dropRate) h[i] = 0f;
                        h[i] *= _random.NextSingle() >= keepProbability ? 0 : 1;
                        h[i] *= _mask[i];
                    }
                }

                var dropped = h.Select(v => Random.Shared.NextDouble() < keepProbability ? v / keepProbability : 0.0).ToArray();
            }

            public void Predict(float[] h) { for (int i = 0; i < h.Length; i++) h[i] *= (float)keepProbability; }
        }
        """,
        AnalyzerTest.Usings + """
        [Dropout(0.2, Size = 128)]
        public sealed partial class Hidden { }

        [Dropout(double.NaN)]
        public sealed partial class Broken { }

        public sealed class Model
        {
            private readonly DropoutLayer _dropout;
            private readonly byte[] _mask = new byte[64];

            public Model(DropoutContext context) { Context = context; _dropout = new DropoutLayer(1.0, context); }

            public DropoutContext Context { get; }

            public void Forward(float[] x) => _dropout.Forward(x);

            [Inference]
            public float[] Predict(float[] x)
            {
                using (Context.Training()) { Forward(x); }
                Context.Mode = DropoutMode.Training;
                Forward(x);
                return x;
            }

            public float Evaluate(float[][] batch) { float s = 0; foreach (var x in batch) { Forward(x); s += x[0]; } return s; }

            public void Step(DropoutStream stream, float[] x, float[] g)
            {
                DropoutKernels.Forward(x, x, _mask, 0.8, stream.Key, stream.Reserve(x.Length));
                DropoutKernels.Backward(g, g, 0.8, stream.Key, stream.Reserve(g.Length));
                DropoutKernels.Backward(g, g, _mask, 0.8);
                _dropout.Forward(x); _dropout.Forward(x); _dropout.Backward(g); _dropout.Backward(g);
            }
        }
        """,
        AnalyzerTest.Usings + """
        public static class Pipelines
        {
            public static int[] Bootstrap(int n, Random rng) => Enumerable.Range(0, n).Select(_ => rng.Next(n)).ToArray();

            public static int Act(double[] q, double epsilon, Random rng) => rng.NextDouble() < epsilon ? rng.Next(q.Length) : Array.IndexOf(q, q.Max());

            public static void Train(float[][] data, double keep, int seed)
            {
                var rng = new Random(seed);
                var mask = new float[data[0].Length];
                for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < keep ? (float)(1 / keep) : 0f;
                for (int epoch = 0; epoch < 10; epoch++)
                    foreach (var x in data)
                        for (int i = 0; i < x.Length; i++) x[i] *= mask[i];
                var layers = new object[] { new DropoutLayer(0.5), new BatchNorm() };
            }

            public sealed class BatchNorm { public void Apply(float[] x) { } }
        }
        """,
        // Issue 9 batch T shapes: coin flips, skipped terms, generic math through calls, exact-count shuffles, a mask that
        // holds 1/p divided again, and a backward in another class.
        AnalyzerTest.Usings + """
        public interface INumOps<T> { T Zero { get; } T FromDouble(double v); bool LessThan(T a, T b); T Divide(T a, T b); }

        public sealed class ShapesDropout<T>
        {
            private readonly INumOps<T> _ops;
            private readonly T _keep;
            private readonly double _rate = 0.25;
            private readonly Random _rng = new();
            public bool[] Kept = Array.Empty<bool>();
            private float[] _mask = Array.Empty<float>();
            public ShapesDropout(INumOps<T> ops) { _ops = ops; _keep = ops.FromDouble(1 - _rate); }

            public T[] Forward(T[] x, float[] h, double[] w)
            {
                var y = new T[x.Length];
                for (int i = 0; i < x.Length; i++) y[i] = _ops.LessThan(_ops.FromDouble(_rng.NextDouble()), _keep) ? _ops.Divide(x[i], _keep) : _ops.Zero;
                for (int i = 0; i < h.Length; i++) h[i] = _rng.Next(2) == 0 ? 0f : h[i];
                double sum = 0;
                for (int i = 0; i < w.Length; i++) if (_rng.NextDouble() < 1 - _rate) sum += w[i] * h[i];
                int[] order = Enumerable.Range(0, h.Length).OrderBy(_ => _rng.Next()).ToArray();
                int dropped = (int)Math.Round(_rate * h.Length);
                for (int k = 0; k < dropped; k++) h[order[k]] = 0f;
                for (int k = 0; k < h.Length; k++) h[order[k]] = k < dropped ? 0f : h[order[k]];
                _mask = new float[h.Length];
                Kept = new bool[h.Length];
                for (int i = 0; i < h.Length; i++)
                {
                    _mask[i] = _rng.NextSingle() < 0.5f ? 1f / 0.5f : 0f;
                    h[i] = h[i] * _mask[i] / 0.5f;
                    if (_rng.NextSingle() < 0.5f) { Kept[i] = true; sum++; } else Kept[i] = false;
                    h[i] = Kept[i] ? h[i] / 0.5f : 0f;
                }
                return y;
            }
        }

        public sealed class ShapesGradient
        {
            public float[] Backward(ShapesDropout<float> op, float[] g) => g.Select((v, i) => op.Kept[i] ? v : 0f).ToArray();
        }

        public sealed record ShapesConfig(double DropoutRate);

        public static class ShapesNative { public static void RandomBernoulli(float[] mask, int seed, float p) => throw new NotSupportedException(); }

        public sealed class ShapesCell
        {
            private readonly Func<double> _uniform = new Random().NextDouble;
            private readonly ShapesConfig _config = new(0.2);
            private readonly float[] _noise = new float[4];
            public void Step(double[] s, Span<float> x, bool training)
            {
                for (int i = 0; i < s.Length; i++) if (_uniform() < _config.DropoutRate) s[i] = 0;
                if (!training) for (int i = 0; i < s.Length; i++) s[i] *= _config.DropoutRate;
                ShapesNative.RandomBernoulli(_noise, 1, (float)(1 - _config.DropoutRate));
                for (int i = 0; i < x.Length; i++) { ref float v = ref x[i]; v = v * _noise[i] / (float)_config.DropoutRate; }
                for (int i = 0; i < x.Length; i++) x[i] *= Convert.ToSingle(_uniform() >= 0.5);
                for (int i = 0; i < s.Length; i++) if (new Random(1).Next(100) < Percent) s[i] = 0; else s[i] /= Percent / 100.0;
            }

            public int Percent { get; } = 10;

            public static IEnumerable<double> Dropout(IEnumerable<double> a, double keep, Random r)
            {
                foreach (double v in a) yield return r.NextDouble() < keep ? v : 0.0;
            }
        }

        public static class ShapesUniform { public static double Sample(Random rng, double lower, double upper) => lower + rng.NextDouble() * (upper - lower); }

        public sealed class ShapesKernels
        {
            private readonly double[] _fixedMask;
            private readonly int[] _coins = new int[8];
            public ShapesKernels(int n, double keepProbability = 0.1)
            {
                var rng = new Random(1);
                _fixedMask = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < keepProbability ? 1.0 / keepProbability : 0.0).ToArray();
            }
            private static uint Hash(uint x) { x ^= x >> 16; x *= 0x7feb352d; return x; }
            public static void Forward(int index, float[] input, float keep, uint seed)
            {
                float u = (Hash(seed ^ (uint)index) & 0xFFFFFF) / 16777216f;
                input[index] = u < keep ? input[index] : 0f;
            }
            public void Hidden(double[] h, Random rng)
            {
                for (int i = 0; i < h.Length; i++) { _coins[i % 8] = rng.Next(0, 2); h[i] *= _coins[i % 8] * _fixedMask[i % _fixedMask.Length]; }
                for (int i = 0; i < h.Length; i++) if (ShapesUniform.Sample(rng, 0, 1) > 0.8) h[i] = 0;
            }
        }
        """,
        // The shapes followed for real public code: backward pairing by data flow, a 0/1 draw in a local, a boolean mask
        // read by its use, a kernel fed uniforms by its launcher, a sibling Predict and a mode-switching method.
        """
        using System;
        public sealed class RealDevice { public Action<int, float[], float[], float> Load(Action<int, float[], float[], float> k) => k; public void FillUniform(float[] b) { } }
        public sealed class RealDropout
        {
            private readonly Random _rng = new(1);
            private readonly double dropoutRate = 0.3;
            private bool[] dropoutMask = new bool[8];
            private readonly float[] _noise = new float[8];
            private readonly Action<int, float[], float[], float> _kernel;
            private readonly RealDevice _device;
            public RealDropout(RealDevice device) { _device = device; _kernel = device.Load(Kernel); }
            public void SetMode(bool training) { if (training) dropoutMask = new bool[8]; else dropoutMask = null!; }
            public double[] Predict(double[] x) => x;
            public double[] Forward(double[] x)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    dropoutMask[i] = _rng.NextDouble() > dropoutRate;
                    double m = _rng.NextDouble() < dropoutRate ? 1 : 0;
                    x[i] = dropoutMask[i] ? x[i] * m / (1.0 - dropoutRate) : 0.0;
                }
                return x;
            }
            public double[] ReluGradient(double[] g) { for (int i = 0; i < g.Length; i++) g[i] = g[i] > 0 ? g[i] : 0; return g; }
            public double[] DropoutGradient(double[] g, double p) { for (int i = 0; i < g.Length; i++) g[i] = dropoutMask[i] ? g[i] / (1 - p) : 0; return g; }
            public void Launch(float[] a) { _device.FillUniform(_noise); _kernel(a.Length, a, _noise, 0.5f); }
            public static void Kernel(int index, float[] a, float[] noise, float rate) => a[index] = noise[index] >= rate ? a[index] : 0f;
        }
        """,
        // The inference path (DRP018): a flag that gates only the zeroing, a flag combined with the draw, a mode enum, a
        // prefilled scaled mask, the guards and compensations that make such code correct, and a prediction that switches
        // the flag on (DRP015).
        """
        using System;
        public enum PathMode { Train, Eval }
        public sealed class PathDropout
        {
            private readonly Random _rng = new(5);
            private readonly float _rate;
            private readonly float _scale;
            private float[] _mask = new float[8];
            public bool IsTraining { get; set; }
            public PathMode Mode { get; set; }
            public PathDropout(float rate) { _rate = rate; _scale = 1f / (1f - rate); }
            public float[] Forward(float[] x, bool training)
            {
                Array.Fill(_mask, _scale);
                for (int i = 0; i < x.Length; i++)
                {
                    if (IsTraining) _mask[i] = _rng.NextSingle() < _rate ? 0f : 1f; else _mask[i] = 1f;
                    x[i] = x[i] * _mask[i] / (1f - _rate);
                    x[i] = !training || _rng.NextSingle() >= _rate ? x[i] * _scale : 0f;
                    if (Mode == PathMode.Train && training is true && _rng.NextSingle() < _rate) x[i] = 0f;
                    if (!(training == false)) continue;
                    x[i] *= _mask[i];
                }
                return x;
            }
            public void SetTraining(bool on) => IsTraining = on;
            public float[] Predict(float[] x) { IsTraining = true; Mode = PathMode.Train; SetTraining(true); return Forward(x, false); }
        }
        """,
        // Dropout split over calls: a fill behind an interface, a sampler on a tensor class filled with probabilities, a
        // library Bernoulli sequence, a uniform named with its bounds, and a scale declared by value in a settings class.
        """
        using System;
        using System.Linq;
        using System.Collections.Generic;
        public interface IMaskBackend { void FillKeepMask(float[] mask, double keep); float[] Multiply(float[] a, float[] b); }
        public sealed class CpuMaskBackend : IMaskBackend
        {
            private readonly Random _rng = new(5);
            public void FillKeepMask(float[] mask, double keep) { for (int i = 0; i < mask.Length; i++) mask[i] = _rng.NextDouble() < keep ? 1f : 0f; }
            public float[] Multiply(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).ToArray();
        }
        public sealed class SplitTensor
        {
            private static readonly Random Rng = new(1);
            private float[] _data = new float[4];
            public SplitTensor Fill(float value) { for (int i = 0; i < _data.Length; i++) _data[i] = value; return this; }
            public SplitTensor Mul(SplitTensor other) => this;
            public SplitTensor SampleMask() { var r = new SplitTensor(); for (int i = 0; i < _data.Length; i++) { if (Rng.NextDouble() < _data[i]) r._data[i] = 1; else r._data[i] = 0; } return r; }
        }
        public static class BernoulliDist { public static IEnumerable<int> Samples(Random rng, double p) => throw new NotSupportedException(); }
        public static class SplitSettings { public static readonly float DropRate = 0.3f; public static readonly float Scale = 1f / DropRate; }
        public static class SplitChance { private static readonly Random R = new(4); public static double Uniform(double a, double b) => a + (b - a) * R.NextDouble(); }
        public sealed class CallSplitDropout
        {
            private readonly SplitTensor _source = new();
            private readonly Random _rng = new(2);
            public float[] Run(float[] x, IMaskBackend backend, double dropRate)
            {
                var mask = new float[x.Length];
                backend.FillKeepMask(mask, 1.0 - dropRate);
                var sampled = BernoulliDist.Samples(_rng, 1.0 - dropRate).Take(x.Length).ToArray();
                for (int i = 0; i < x.Length; i++) x[i] = SplitChance.Uniform(0, 1) < SplitSettings.DropRate ? 0f : x[i] * SplitSettings.Scale * sampled[i];
                return backend.Multiply(x, mask);
            }
            public SplitTensor Apply(SplitTensor input, float rate) { _source.Fill(1 - rate); return input.Mul(_source.SampleMask()); }
        }
        """,
        // Exits and flags of the gaps work: a member drop flag before a switch over activation kinds, a unit returning
        // zero, a continue before a write into fresh zeros, a List<bool> flag in branches, a boolean mask read by another
        // method, and a training step that backpropagates through a dropout helper without its mask.
        """
        using System;
        using System.Collections.Generic;
        public enum Act { Logistic, Tanh }
        public sealed class GapShapes
        {
            private readonly Random _rng = new(9);
            private readonly double[,] _w1 = new double[4, 8];
            private readonly double[] _hidden = new double[8];
            private readonly double[] _dropped = new double[8];
            private readonly bool[] _keep = new bool[8];
            private readonly List<bool> _isDropped = new(new bool[8]);
            public bool[] Mask = new bool[8];
            private double _output, _slope;
            private bool _off;
            public Act Kind { get; set; }
            public double DropoutRate { get; set; } = 0.3;
            public bool Training { get; set; }
            public void Fire(double net, bool training)
            {
                if (training) { _off = _rng.NextDouble() < DropoutRate; if (_off) { _output = 0; _slope = 0; return; } }
                switch (Kind) { case Act.Logistic: _output = 1 / (1 + Math.Exp(-net)); _slope = _output * (1 - _output); break; default: _output = Math.Tanh(net); break; }
            }
            public double Unit(double sum, bool training) { if (training && _rng.NextDouble() < DropoutRate) return 0.0; return Math.Tanh(sum); }
            public double[] Skip(double[] x) { var y = new double[x.Length]; for (int i = 0; i < x.Length; i++) { if (_rng.NextDouble() < DropoutRate) continue; y[i] = x[i]; } return y; }
            public double[] Flags(double[] x) { var y = new double[x.Length]; for (int i = 0; i < x.Length; i++) { if (_rng.NextDouble() < DropoutRate) { _isDropped[i] = true; y[i] = 0; } else { _isDropped[i] = false; y[i] = x[i] / (1 - DropoutRate); } } return y; }
            public double[] FlagsBackward(double[] g) { for (int i = 0; i < g.Length; i++) g[i] = _isDropped[i] ? 0 : g[i]; return g; }
            public void Sample() { for (int i = 0; i < Mask.Length; i++) { if (_rng.NextDouble() < DropoutRate) Mask[i] = true; else Mask[i] = false; } }
            public void Compute(double[] y) { for (int j = 0; j < y.Length; j++) { if (Mask != null && !Mask[j]) { y[j] = 0; continue; } y[j] /= 1 - DropoutRate; } }
            public double[] Predict(double[] x) { for (int j = 0; j < 8; j++) _hidden[j] = x[0] * _w1[0, j]; ApplyDropout(_hidden, _keep, _dropped); return _dropped; }
            private void ApplyDropout(double[] input, bool[] keep, double[] output) { for (int i = 0; i < input.Length; i++) { if (Training) { keep[i] = _rng.NextDouble() >= DropoutRate; output[i] = keep[i] ? input[i] / (1 - DropoutRate) : 0; } else output[i] = input[i]; } }
            public void Fit(double[] x) { Training = true; Predict(x); var g = new double[8]; HiddenBackward(_hidden, _w1, g); Training = false; }
            private static void HiddenBackward(double[] h, double[,] w, double[] g) { for (int i = 0; i < g.Length; i++) w[0, i] -= h[i] * g[i]; }
        }
        """,
        // A backward through the value the forward recorded before its dropout (branch nobackward): a jagged row alias,
        // a Parallel.For lambda, a branch without dropout recording into the same buffer.
        """
        using System;
        using System.Threading.Tasks;
        public sealed class PreDropShapes
        {
            private readonly Random _rng = new(4);
            public double[][] Sums { get; } = { new double[8] };
            public double[][] Outs { get; } = { new double[8] };
            public double[] W { get; } = new double[32];
            public bool DropoutActive { get; set; }
            public double DropPercent { get; set; } = 20;
            public double[] Run(double[] x)
            {
                double rate = DropPercent / 100.0;
                double[] sums = Sums[0];
                if (DropoutActive) Parallel.For(0, 8, n => { double s = 0; for (int k = 0; k < 4; k++) s += W[n * 4 + k] * x[k]; double u = _rng.NextDouble(); double v = u < rate ? 0 : s / (1 - rate); Outs[0][n] = Math.Tanh(v); sums[n] = s; });
                else for (int n = 0; n < 8; n++) { double s = 0; for (int k = 0; k < 4; k++) s += W[n * 4 + k] * x[k]; Outs[0][n] = Math.Tanh(s); sums[n] = s; }
                return Outs[0];
            }
            public void Backpropagate(double[] e, double[] x, double lr) { for (int n = 0; n < 8; n++) { double t = Math.Tanh(Sums[0][n]); for (int k = 0; k < 4; k++) W[n * 4 + k] -= lr * e[n] * (1 - t * t) * x[k]; } }
        }
        """,
    ];

    [Fact]
    public async Task Analyzers_OnTruncatedAndMutatedSources_NeverThrow()
    {
        CSharpCompilation empty = EmptyCompilation();
        var random = new Random(20261126);
        int cases = 0;
        var failures = new List<string>();
        foreach (string source in RealisticSources)
        {
            var variants = new List<string>();
            for (int length = 0; length <= source.Length; length += TruncationStep)
            {
                variants.Add(source[..length]);
            }

            for (int mutation = 0; mutation < MutationsPerSource; mutation++)
            {
                variants.Add(Mutate(source, random));
            }

            foreach (string variant in variants)
            {
                cases++;
                failures.AddRange(await AnalyzerFailuresAsync(empty, [variant]));
            }
        }

        output.WriteLine($"{AllAnalyzers.Length} analyzers ran over {cases} truncated or mutated sources; {failures.Count} failures.");
        Assert.True(cases > 300, $"only {cases} cases ran");
        Assert.Empty(failures);
    }

    // Broken code whose draw is stored through a missing identifier (`_buffer[i] ] = ...`): the prefilter's name search
    // followed the empty name and found it at the same position forever (a hang the mutation fuzzer found).
    [Fact]
    public async Task Analyzers_OnADrawStoredThroughAMissingIdentifier_Finish()
    {
        const string source = """
            public sealed class Jitter(float threshold)
            {
                private readonly System.Random _rng = new(4);
                private readonly float[] _buffer = new float[8];
                public float[] Apply(float[] h)
                {
                    for (int i = 0; i < _buffer.Length; i++) _buffer[i] ] = _rng.NextSingle();
                    for (int i = 0; i < _buffer.Length; i++) if (_buffer[i] > threshold) _buffer[i] = 0f;
                    return _buffer;
                }
            }
            """;

        Task<IEnumerable<string>> analysis = AnalyzerFailuresAsync(EmptyCompilation(), [source]);
        Assert.Same(analysis, await Task.WhenAny(analysis, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Empty(await analysis);
    }

    [Fact]
    public async Task Analyzers_OnRealisticSources_ReportEveryRuleAndNothingElse()
    {
        // The sources above are deliberately wrong in many places; this proves that every rule fires on them (so the
        // robustness test above mutates code that each analyzer really works on) and that no analyzer fails on them.
        var exceptions = new List<string>();
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(EmptyCompilation(), RealisticSources, exceptions);
        output.WriteLine(string.Join(Environment.NewLine, diagnostics.Select(d => d.Id + " " + d.GetMessage())));
        Assert.Empty(exceptions);
        Assert.All(diagnostics, diagnostic => Assert.StartsWith("DRP0", diagnostic.Id));
        // The TorchSharp rules (the DRP02x series) need TorchSharp referenced; TorchSharpRobustnessTests covers them.
        Assert.Equal(
            AllAnalyzers.SelectMany(analyzer => analyzer.SupportedDiagnostics).Select(descriptor => descriptor.Id)
                .Where(id => !Dropout.Analyzers.DiagnosticIds.IsTorchSharpRule(id))
                .Distinct()
                .Order(StringComparer.Ordinal),
            diagnostics.Select(diagnostic => diagnostic.Id).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Analyzers_OnRepositorySources_ReportNothing()
    {
        string root = AnalyzerTest.RepositoryRoot();
        string[] files = new[] { "Dropout.Runtime", "Dropout.Samples" }
            .Select(project => Path.Combine(root, project))
            .Where(Directory.Exists)
            .SelectMany(directory => Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(files);

        string[] sources = files.Select(File.ReadAllText).Prepend("global using System; global using System.Linq; global using System.Collections.Generic; global using System.Threading; global using System.Threading.Tasks;").ToArray();
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(EmptyCompilation(), sources, []);
        output.WriteLine($"{files.Length} repository files analyzed.");
        Assert.Empty(diagnostics.Select(d => d.Id + " " + d.Location.GetLineSpan() + " " + d.GetMessage()));
    }

    private static async Task<IEnumerable<string>> AnalyzerFailuresAsync(CSharpCompilation empty, string[] sources)
    {
        var exceptions = new List<string>();
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(empty, sources, exceptions);
        return exceptions.Concat(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.GetMessage()))
            .Select(message => message + Environment.NewLine + "--- source ---" + Environment.NewLine + sources[0]);
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(CSharpCompilation empty, string[] sources, List<string> exceptions)
    {
        CSharpCompilation compilation = empty.AddSyntaxTrees(sources.Select(source => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))));
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        return await compilation.WithAnalyzers(AllAnalyzers, options).GetAnalyzerDiagnosticsAsync();
    }

    private static CSharpCompilation EmptyCompilation() => CSharpCompilation.Create(
        "RobustnessSubject",
        references: Basic.Reference.Assemblies.Net80.References.All.Append(AnalyzerTest.RuntimeReference),
        options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

    private static string Mutate(string source, Random random)
    {
        int position = random.Next(source.Length);
        switch (random.Next(4))
        {
            case 0:
                return source.Remove(position, Math.Min(random.Next(1, 40), source.Length - position));
            case 1:
                return source.Insert(position, MutationTokens[random.Next(MutationTokens.Length)].ToString());
            case 2:
                int length = Math.Min(random.Next(1, 60), source.Length - position);
                return source.Insert(random.Next(source.Length), source.Substring(position, length));
            default:
                char[] characters = source.ToCharArray();
                int other = random.Next(characters.Length);
                (characters[position], characters[other]) = (characters[other], characters[position]);
                return new string(characters);
        }
    }
}
