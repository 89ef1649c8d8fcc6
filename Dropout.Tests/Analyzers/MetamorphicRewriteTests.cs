using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, found by the metamorphic corpus test (<c>Dropout.Tests/Metamorphic</c>): the same dropout written another
/// way must get the same diagnostics. Each case pairs a rewritten mistake with its correct twin.
/// </summary>
public sealed class MetamorphicRewriteTests
{
    // if-to-conditional: `if (training) m = draw; else m = keep;` written as one conditional expression still writes
    // `keep` at inference, which the shared `/ keep` cancels.
    [Fact]
    public Task InferenceMaskOfKeepWrittenAsAConditional_CancelsTheSharedDivision_IsSilent() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class UnifiedDropout
            {
                private readonly double _keep;
                private readonly Random _rng = new Random(99);
                private readonly double[] _mask;
                public UnifiedDropout(int width, double keep) { _keep = keep; _mask = new double[width]; }
                public double[] Forward(double[] x, bool isTraining)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = isTraining ? (_rng.NextDouble() < _keep ? 1.0 : 0.0) : _keep;
                        y[i] = x[i] * _mask[i] / _keep;
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task InferenceMaskOfOneWrittenAsAConditional_StillDividedByKeep_IsReported() =>
        AnalyzerTest.VerifyAsync<InvertedScaleAtInferenceAnalyzer>("""
            public sealed class UnifiedDropout
            {
                private readonly double _keep;
                private readonly Random _rng = new Random(99);
                private readonly double[] _mask;
                public UnifiedDropout(int width, double keep) { _keep = keep; _mask = new double[width]; }
                public double[] Forward(double[] x, bool isTraining)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        _mask[i] = isTraining ? (_rng.NextDouble() < _keep ? 1.0 : 0.0) : 1.0;
                        y[i] = {|DRP018:x[i] * _mask[i] / _keep|};
                    }
                    return y;
                }
            }
            """);

    // extract-local-function: a static local function filling the caller's 0/1 mask hands the mask to its caller, which
    // returns it; the mask is applied (and scaled or not) where that caller is called.
    [Fact]
    public Task MaskFilledByAStaticLocalFunction_AppliedWithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutStage
            {
                private readonly double _keep = 0.8;
                public double[] Forward(double[] input, bool training)
                {
                    if (!training) return input;
                    int[] mask = {|DRP004:SampleMask(_keep, input.Length)|};
                    var result = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) result[i] = input[i] * mask[i];
                    return result;
                }
                private static int[] SampleMask(double keep, int n)
                {
                    var generator = new Random(17);
                    var mask = new int[n];
                    Fill(keep, generator, mask);
                    return mask;
                    static void Fill(double keep, Random generator, int[] mask)
                    {
                        for (int i = 0; i < mask.Length; i++) mask[i] = generator.NextDouble() < keep ? 1 : 0;
                    }
                }
            }
            """);

    [Fact]
    public Task MaskFilledByAStaticLocalFunction_AppliedWithTheInverseScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutStage
            {
                private readonly double _keep = 0.8;
                public double[] Forward(double[] input, bool training)
                {
                    if (!training) return input;
                    int[] mask = SampleMask(_keep, input.Length);
                    var result = new double[input.Length];
                    for (int i = 0; i < input.Length; i++) result[i] = input[i] * mask[i] / _keep;
                    return result;
                }
                private static int[] SampleMask(double keep, int n)
                {
                    var generator = new Random(17);
                    var mask = new int[n];
                    Fill(keep, generator, mask);
                    return mask;
                    static void Fill(double keep, Random generator, int[] mask)
                    {
                        for (int i = 0; i < mask.Length; i++) mask[i] = generator.NextDouble() < keep ? 1 : 0;
                    }
                }
            }
            """);

    // A classic (test-time scaled) layer whose mask a static local function fills: no inverse scale is expected at all.
    [Fact]
    public Task ClassicMaskFilledByAStaticLocalFunction_ScaledByKeepAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DropoutOperation
            {
                private readonly float _keepProb = 0.8f;
                private readonly Random _random = new Random(1);
                public float[] CalcOutput(float[] input, bool inference)
                {
                    var output = new float[input.Length];
                    if (inference)
                    {
                        for (int i = 0; i < input.Length; i++) output[i] = input[i] * _keepProb;
                        return output;
                    }
                    float[] mask = ZeroOnes(input.Length, _keepProb, _random);
                    for (int i = 0; i < input.Length; i++) output[i] = input[i] * mask[i];
                    return output;
                }
                public static float[] ZeroOnes(int n, float keepProb, Random random)
                {
                    var result = new float[n];
                    Fill(keepProb, random, result);
                    return result;
                    static void Fill(float keepProb, Random random, float[] result)
                    {
                        for (int i = 0; i < result.Length; i++) result[i] = random.NextSingle() < keepProb ? 1f : 0f;
                    }
                }
            }
            """);

    // The scale a static local function divides by is its caller's `1 - rate`, passed as an argument.
    [Fact]
    public Task InvertedDropoutInAStaticLocalFunction_ScaleFromTheCaller_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Regularization
            {
                private static readonly Random Rng = new Random(17);
                public static double[] ApplyDropout(double[] activations, double dropoutRate)
                {
                    double keep = 1.0 - dropoutRate;
                    Apply(activations, dropoutRate, keep);
                    return activations;
                    static void Apply(double[] activations, double dropoutRate, double keep)
                    {
                        for (int i = 0; i < activations.Length; i++) activations[i] = Rng.NextDouble() < dropoutRate ? 0 : activations[i] / keep;
                    }
                }
            }
            """);

    [Fact]
    public Task InvertedDropoutInAStaticLocalFunction_ScaleFromTheCallerIsTheRate_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public static class Regularization
            {
                private static readonly Random Rng = new Random(17);
                public static double[] ApplyDropout(double[] activations, double dropoutRate)
                {
                    Apply(activations, dropoutRate, 1.0);
                    return activations;
                    static void Apply(double[] activations, double dropoutRate, double keep)
                    {
                        for (int i = 0; i < activations.Length; i++) activations[i] = {|DRP004:Rng.NextDouble() < dropoutRate|} ? 0 : activations[i] / keep;
                    }
                }
            }
            """);

    // conditional-to-multiply: `1f * (u < keep ? 1f : 0f)` is the 0/1 mask entry `u < keep ? 1f : 0f`, so the helper that
    // returns it is a mask helper, judged where its mask is applied.
    private const string OneTimesZeroOneMaskHelper = """
        public static float[] ZeroOnes(int n, float keepProb, Random random)
        {
            var result = new float[n];
            for (int i = 0; i < n; i++) result[i] = 1f * (random.NextSingle() < keepProb ? 1f : 0f);
            return result;
        }
        """;

    [Fact]
    public Task MaskEntryWrittenAsOneTimesAZeroOneFactor_ClassicScalingAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutOperation
            {
                private readonly float _keepProb = 0.8f;
                private readonly Random _random = new Random(1);
                public float[] CalcOutput(float[] input, bool inference)
                {
                    var output = new float[input.Length];
                    if (inference)
                    {
                        for (int i = 0; i < input.Length; i++) output[i] = input[i] * _keepProb;
                        return output;
                    }
                    float[] mask = ZeroOnes(input.Length, _keepProb, _random);
                    for (int i = 0; i < input.Length; i++) output[i] = input[i] * mask[i];
                    return output;
                }
            {{OneTimesZeroOneMaskHelper}}
            }
            """);

    [Fact]
    public Task MaskEntryWrittenAsOneTimesAZeroOneFactor_NeverScaled_IsReportedWhereApplied() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class DropoutOperation
            {
                private readonly float _keepProb = 0.8f;
                private readonly Random _random = new Random(1);
                public float[] CalcOutput(float[] input, bool inference)
                {
                    if (inference) return input;
                    var output = new float[input.Length];
                    float[] mask = {|DRP004:ZeroOnes(input.Length, _keepProb, _random)|};
                    for (int i = 0; i < input.Length; i++) output[i] = input[i] * mask[i];
                    return output;
                }
            {{OneTimesZeroOneMaskHelper}}
            }
            """);

    // conditional-to-if: a generic element zeroed by `ops.Zero` in an if/else is the conditional `c ? x[i] : ops.Zero`.
    private const string NumericOperations = """
        public interface INumericOperations<T>
        {
            T Zero { get; }
            T FromDouble(double value);
            bool LessThan(T a, T b);
            T Divide(T a, T b);
        }
        """;

    [Fact]
    public Task GenericElementZeroedInAnIfElse_KeptUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            {{NumericOperations}}
            public class GenericDropout<T>
            {
                private readonly INumericOperations<T> _ops;
                private readonly T _keepProbability;
                private readonly Random _random = new Random(42);
                public bool IsTrainingMode { get; set; } = true;
                public GenericDropout(INumericOperations<T> ops, double dropRate) { _ops = ops; _keepProbability = ops.FromDouble(1 - dropRate); }
                public T[] Forward(T[] input)
                {
                    if (!IsTrainingMode) return input;
                    var output = new T[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        T u = _ops.FromDouble(_random.NextDouble());
                        if ({|DRP004:_ops.LessThan(u, _keepProbability)|}) output[i] = input[i]; else output[i] = _ops.Zero;
                    }
                    return output;
                }
            }
            """);

    [Fact]
    public Task GenericElementZeroedInAnIfElse_KeptDividedByKeep_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            {{NumericOperations}}
            public class GenericDropout<T>
            {
                private readonly INumericOperations<T> _ops;
                private readonly T _keepProbability;
                private readonly Random _random = new Random(42);
                public bool IsTrainingMode { get; set; } = true;
                public GenericDropout(INumericOperations<T> ops, double dropRate) { _ops = ops; _keepProbability = ops.FromDouble(1 - dropRate); }
                public T[] Forward(T[] input)
                {
                    if (!IsTrainingMode) return input;
                    var output = new T[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        T u = _ops.FromDouble(_random.NextDouble());
                        if (_ops.LessThan(u, _keepProbability)) output[i] = _ops.Divide(input[i], _keepProbability); else output[i] = _ops.Zero;
                    }
                    return output;
                }
            }
            """);

    // conditional-to-multiply: in `(x[i] * s) * (drop ? 0 : 1)` the operand `x[i] * s` is the kept value, whose factor s
    // is the scale (not a factor applied to the 0/1 decision, which hid it).
    [Fact]
    public Task KeptValueTimesAZeroOneFactor_ScaledByOneOverTheRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public class SpatialDropout
            {
                private readonly double _rate;
                private readonly Random _random = new Random(2);
                public SpatialDropout(double rate) { _rate = rate; }
                private double Scale => 1.0 / _rate;
                public void Forward(double[][] channels, bool training)
                {
                    if (!training) return;
                    foreach (double[] channel in channels)
                    {
                        bool drop = _random.NextDouble() < _rate;
                        for (int i = 0; i < channel.Length; i++)
                            channel[i] = ({|DRP012:channel[i] * Scale|}) * (drop ? 0.0 : 1.0);
                    }
                }
            }
            """);

    [Fact]
    public Task KeptValueTimesAZeroOneFactor_ScaledByOneOverTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public class SpatialDropout
            {
                private readonly double _rate;
                private readonly Random _random = new Random(2);
                public SpatialDropout(double rate) { _rate = rate; }
                private double Scale => 1.0 / (1.0 - _rate);
                public void Forward(double[][] channels, bool training)
                {
                    if (!training) return;
                    foreach (double[] channel in channels)
                    {
                        bool drop = _random.NextDouble() < _rate;
                        for (int i = 0; i < channel.Length; i++)
                            channel[i] = (channel[i] * Scale) * (drop ? 0.0 : 1.0);
                    }
                }
            }
            """);
}
