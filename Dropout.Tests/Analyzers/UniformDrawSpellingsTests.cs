using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Uniform draws spelled as ported C, CUDA and script code spells them, from a generator whose body the file does not
/// show (an interface here, another file in real code): <c>rand_float(0, 1)</c>, <c>random()</c>,
/// <c>curand_uniform(ref state)</c> and <c>rng.Next() / (float)int.MaxValue</c> (C's <c>rand() / (float)RAND_MAX</c>).
/// Held-out ports of a C tensor library, a CUDA dense layer, a C++ layer and a C framework drew their dropout this way and
/// were no site at all. With a draw read as one, the rules judge the dropout as any other: unscaled (DRP004) or always on
/// (DRP014); the same layers with a training flag and 1/(1 - rate) stay silent, and so does the same draw scaling a value
/// (no decision) or bounded otherwise than by 0 and 1 (a weight initialization).
/// </summary>
public sealed class UniformDrawSpellingsTests
{
    private const string Generator = """
        public struct GenState { public ulong S; }
        public interface ICGen
        {
            float rand_float(float min, float max);
            float random();
            float curand_uniform(ref GenState state);
            float GetRandom(List<float> values);
        }
        """;

    [Fact]
    public Task UnscaledMask_DrawnAsRandFloatZeroOne_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, float rate)
            {
                private readonly float[] _mask = new float[64];
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = {|DRP004:gen.rand_float(0.0f, 1.0f) > rate|} ? 1.0f : 0.0f;
                        y[i] = x[i] * _mask[i];
                    }
                    return y;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task InvertedMask_DrawnAsRandFloatZeroOne_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, float rate)
            {
                private readonly float[] _mask = new float[64];
                public float[] Forward(float[] x, bool training)
                {
                    if (!training) return x;
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = gen.rand_float(0.0f, 1.0f) > rate ? 1.0f / (1.0f - rate) : 0.0f;
                        y[i] = x[i] * _mask[i];
                    }
                    return y;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task RandFloatOverAnotherRange_InitializesWeights_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, float rate)
            {
                private readonly float[] _w = new float[64];
                public void Init()
                {
                    for (int i = 0; i < _w.Length; i++)
                        _w[i] = gen.rand_float(-1.0f, 1.0f) > rate ? 1.0f : 0.0f;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task AlwaysOnDropout_DrawnAsLowerCaseRandom_IsReported() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, float keep)
            {
                public float[] Forward(float[] x)
                {
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if ({|DRP014:gen.random() < keep|}) y[i] = x[i] / keep;
                        else y[i] = 0;
                    }
                    return y;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task FlaggedDropout_DrawnAsLowerCaseRandom_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, float keep)
            {
                public float[] Forward(float[] x, bool training)
                {
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (!training) y[i] = x[i];
                        else if (gen.random() < keep) y[i] = x[i] / keep;
                        else y[i] = 0;
                    }
                    return y;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task UnscaledDropout_DrawnFromAGeneratorState_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DenseLayer(ICGen gen, float dropoutRate)
            {
                private readonly float[] _out = new float[64];
                public float[] Forward(float[] x, bool training)
                {
                    var state = new GenState { S = 1234 };
                    for (int i = 0; i < x.Length; i++)
                    {
                        float r = gen.curand_uniform(ref state);
                        _out[i] = training && {|DRP004:r < dropoutRate|} ? 0.0f : x[i];
                    }
                    return _out;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task InvertedDropout_DrawnFromAGeneratorState_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DenseLayer(ICGen gen, float dropoutRate)
            {
                private readonly float[] _out = new float[64];
                public float[] Forward(float[] x, bool training)
                {
                    var state = new GenState { S = 1234 };
                    for (int i = 0; i < x.Length; i++)
                    {
                        float r = gen.curand_uniform(ref state);
                        _out[i] = !training ? x[i] : r < dropoutRate ? 0.0f : x[i] / (1.0f - dropoutRate);
                    }
                    return _out;
                }
            }
            {{Generator}}
            """);

    [Fact]
    public Task UnscaledInPlaceDropout_DrawnAsNextOverIntMaxValue_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class DropoutOps
            {
                private static readonly Random Rand = new Random(1);
                public static void Forward(float[] activations, float dropoutRate, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < activations.Length; i++)
                        if ({|DRP004:(float)Rand.Next() / (float)int.MaxValue < dropoutRate|})
                            activations[i] = 0;
                }
            }
            """);

    [Fact]
    public Task InvertedInPlaceDropout_DrawnAsNextOverIntMaxValue_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class DropoutOps
            {
                private static readonly Random Rand = new Random(1);
                public static void Forward(float[] activations, float dropoutRate, bool training)
                {
                    if (!training) return;
                    for (int i = 0; i < activations.Length; i++)
                    {
                        if ((float)Rand.Next() / (float)int.MaxValue < dropoutRate)
                            activations[i] = 0;
                        else
                            activations[i] /= 1 - dropoutRate;
                    }
                }
            }
            """);

    [Fact]
    public Task RandomElementPickedFromAList_IsNoUniformDraw_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>($$"""
            public sealed class DropoutLayer(ICGen gen, List<float> pool, float keep)
            {
                public float[] Forward(float[] x)
                {
                    var y = new float[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (gen.GetRandom(pool) < keep) y[i] = x[i] / keep;
                        else y[i] = 0;
                    }
                    return y;
                }
            }
            {{Generator}}
            """);
}
