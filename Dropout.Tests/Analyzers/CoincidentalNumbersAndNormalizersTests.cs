using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Two things near a hand-written dropout hid a missing 1/p (newest held-out set: a static CNN program whose test run
/// simply skips the dropout). A number linked to the keep probability by value alone (the drop rate is the literal 0.5)
/// counted as the classic scale where it only shaped a weight initialization: <c>(rnd.NextSingle() * 2 - 1) * limit * 0.5f</c>
/// multiplies a fresh draw, <c>MathF.Sqrt(fanIn * fanOut * 0.5f)</c> an integer count, and neither is an activation.
/// And a softmax denominator held in a local named <c>scale</c> (<c>scale += e[n] = MathF.Exp(z[n] - max)</c>) was an
/// unknown factor because of its name, though every value of it is in view. Classic dropout (the test run multiplies by
/// the keep probability), inverted dropout (1/(1 - rate)) and a training flag beside the same initialization and softmax
/// stay silent.
/// </summary>
public sealed class CoincidentalNumbersAndNormalizersTests
{
    // The program around the dropout: weight initialization with 0.5 in it, a softmax with a `scale` total, a training
    // loop that drops and a test run that does not. {DROP} is the dropout's kept value, {TEST} what the test run feeds on.
    private const string Program = """
        public static class CnnProgram
        {
            public static void Main()
            {
                var DROPOUT = 0.5f;
                float[] weights = InitWeights(new[] { 16, 8, 4 }, 7);
                float[] kernel = InitKernel(new[] { 1, 8 }, 4, 7);
                for (int epoch = 0; epoch < 10; epoch++) TrainSample(new float[16], weights, epoch, DROPOUT);
                Test(new float[16], weights);
            }

            static float[] InitWeights(int[] net, int seed)
            {
                var rnd = new Random(seed);
                var weight = new float[net[0] * net[1] + net[1] * net[2]];
                for (int w = 0; w < weight.Length; w++)
                    weight[w] = (rnd.NextSingle() * 2 - 1) * MathF.Sqrt(6.0f / (net[0] + net[1])) * 0.5f;
                return weight;
            }

            static float[] InitKernel(int[] maps, int size, int seed)
            {
                var rnd = new Random(seed);
                var kernel = new float[maps[0] * maps[1] * size * size];
                for (int c = 0; c < kernel.Length; c++)
                    kernel[c] = (rnd.NextSingle() * 2 - 1) / MathF.Sqrt(maps[0] * maps[1] * 0.5f);
                return kernel;
            }

            static void Dropout(int seed, float[] outMap, float drop, bool training)
            {
                var rng = new Random(seed);
                for (int k = 0; k < outMap.Length; k++)
                {
                    float sum = outMap[k];
                    if (sum > 0)
                        outMap[k] = {DROP};
                }
            }

            static int SoftArgMax(float[] neurons)
            {
                int id = 0;
                float max = neurons[0];
                for (int i = 1; i < neurons.Length; i++) if (neurons[i] > max) { max = neurons[i]; id = i; }
                float scale = 0;
                for (int n = 0; n < neurons.Length; n++)
                    scale += neurons[n] = MathF.Exp(neurons[n] - max);
                for (int n = 0; n < neurons.Length; n++)
                    neurons[n] /= scale;
                return id;
            }

            static int TrainSample(float[] x, float[] weights, int seed, float drop)
            {
                var h = (float[])x.Clone();
                Dropout(seed, h, drop, true);
                var outs = new float[4];
                for (int o = 0; o < outs.Length; o++) for (int i = 0; i < h.Length; i++) outs[o] += h[i] * weights[o * h.Length + i];
                int prediction = SoftArgMax(outs);
                for (int i = 0; i < h.Length; i++) weights[i] += 0.01f * (1 - outs[0]) * h[i];
                return prediction;
            }

            static int Test(float[] x, float[] weights)
            {
                var h = (float[])x.Clone();
                {TEST}
                var outs = new float[4];
                for (int o = 0; o < outs.Length; o++) for (int i = 0; i < h.Length; i++) outs[o] += h[i] * weights[o * h.Length + i];
                return SoftArgMax(outs);
            }
        }
        """;

    private static string Compose(string drop, string test) => Program.Replace("{DROP}", drop).Replace("{TEST}", test);

    [Fact]
    public Task MissingScale_BesideAnInitializationWithTheDropRateAsALiteralAndASoftmaxScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Compose(
            "{|DRP004:rng.NextSingle() > drop|} ? sum : 0",
            "// the test run simply skips the dropout"));

    [Fact]
    public Task ClassicDropout_WhoseTestRunMultipliesByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Compose(
            "rng.NextSingle() > drop ? sum : 0",
            "for (int i = 0; i < h.Length; i++) h[i] *= 0.5f;"));

    [Fact]
    public Task InvertedDropout_ThatDividesByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Compose(
            "rng.NextSingle() > drop ? sum / (1 - drop) : 0",
            "// inverted dropout: nothing to do at test time"));

    [Fact]
    public Task InvertedDropout_BehindATrainingFlag_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Compose(
            "training ? (rng.NextSingle() > drop ? sum / (1 - drop) : 0) : sum",
            "// inverted dropout: nothing to do at test time"));

    [Fact]
    public Task ASoftmaxTotalOfTheDroppedValuesThemselves_StillRenormalizes_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class AttentionDropout
            {
                private readonly Random _rng = new(3);
                public void Forward(float[] weights, float dropRate)
                {
                    for (int i = 0; i < weights.Length; i++)
                        if (_rng.NextSingle() < dropRate) weights[i] = 0;
                    float scale = 0;
                    for (int i = 0; i < weights.Length; i++) scale += weights[i];
                    for (int i = 0; i < weights.Length; i++) weights[i] /= scale;
                }
            }
            """);
}
