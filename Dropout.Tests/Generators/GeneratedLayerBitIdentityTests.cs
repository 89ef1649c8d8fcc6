using System.Globalization;
using System.Reflection;

namespace Dropout.Tests.Generators;

/// <summary>
/// Compile-and-run: user source is compiled with the generator, loaded, and every generated forward and backward is
/// compared bit for bit with the runtime's reference kernels and with <see cref="MaskLayout.IsKept"/>.
/// </summary>
public sealed class GeneratedLayerBitIdentityTests
{
    private const ulong Seed = 0x5EED_1234_ABCD_0042;

    // Dyadic p (1, 2, 4 bits), 16-bit thresholds, a 32-bit one (p < 1/256), and the identity.
    private static readonly double[] Probabilities = [0.5, 0.75, 0.25, 0.1875, 0.8, 0.9, 0.1, 0.999, 1.0 / 3, 1e-3, 1e-7, 1.0 / 16777216, 1.0];

    // Empty, below one group, group edges, tile edges for every field width, and several tiles plus a tail.
    private static readonly int[] Lengths = [0, 1, 5, 63, 64, 65, 127, 128, 129, 200, 256, 1000, 2047, 2048, 2049, 4096 + 64 + 5, 8192];

    private static readonly Lazy<Assembly> LayersByProbability = new(() =>
    {
        var source = new System.Text.StringBuilder("using System;\nusing Dropout;\nnamespace Probes;\n");
        for (int i = 0; i < Probabilities.Length; i++)
        {
            string p = Probabilities[i].ToString("R", CultureInfo.InvariantCulture);
            source.Append("[Dropout(" + p + ")] public sealed partial class Bits" + i + " { }\n");
            source.Append("[Dropout(" + p + ", MaskStorage = DropoutMaskStorage.Regenerate)] public sealed partial class Regen" + i + " { }\n");
            source.Append(ProbeSource("Bits" + i, "new Bits" + i + "()"));
            source.Append(ProbeSource("Regen" + i, "new Regen" + i + "()"));
        }

        return GeneratorHarness.CompileAndLoad(source.ToString());
    });

    public static TheoryData<int> ProbabilityIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Probabilities.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    /// <summary>A probe that drives one layer: two forward calls (in place, then out of place), each followed by its backward.</summary>
    internal static string ProbeSource(string name, string construction) => $$"""

        public static class Probe{{name}}
        {
            public static float[][] Float(float[] input, ulong seed)
            {
                var layer = {{construction}};
                layer.DropoutContext = new DropoutContext(seed);
                float[] first = (float[])input.Clone();
                layer.DropoutForward(first);
                float[] firstGradient = Ones<float>(input.Length);
                layer.DropoutBackward(firstGradient);
                float[] second = new float[input.Length];
                layer.DropoutForward(input, second);
                float[] secondGradient = new float[input.Length];
                layer.DropoutBackward(Ones<float>(input.Length), secondGradient);
                return new[] { first, firstGradient, second, secondGradient };
            }

            public static double[][] Double(double[] input, ulong seed)
            {
                var layer = {{construction}};
                layer.DropoutContext = new DropoutContext(seed);
                double[] first = (double[])input.Clone();
                layer.DropoutForward(first);
                double[] firstGradient = Ones<double>(input.Length);
                layer.DropoutBackward(firstGradient);
                double[] second = new double[input.Length];
                layer.DropoutForward(input, second);
                double[] secondGradient = new double[input.Length];
                layer.DropoutBackward(Ones<double>(input.Length), secondGradient);
                return new[] { first, firstGradient, second, secondGradient };
            }

            private static T[] Ones<T>(int length) where T : System.Numerics.INumber<T>
            {
                var ones = new T[length];
                Array.Fill(ones, T.One);
                return ones;
            }
        }

        """;

    [Theory]
    [MemberData(nameof(ProbabilityIndexes))]
    public void GeneratedLayer_WithBitMasks_MatchesRuntimeReference_ForEveryLength(int index) =>
        AssertProbeMatchesReference(LayersByProbability.Value, "Probes.ProbeBits" + index, Probabilities[index]);

    [Theory]
    [MemberData(nameof(ProbabilityIndexes))]
    public void GeneratedLayer_WithRegeneratedMasks_MatchesRuntimeReference_ForEveryLength(int index) =>
        AssertProbeMatchesReference(LayersByProbability.Value, "Probes.ProbeRegen" + index, Probabilities[index]);

    /// <summary>Checks a probe's outputs against the runtime for every length, in float and double.</summary>
    internal static void AssertProbeMatchesReference(Assembly assembly, string probe, double keepProbability, int[]? lengths = null, int siteIndex = 0)
    {
        ulong key = DropoutContext.DeriveSiteKey(Seed, (ulong)siteIndex);
        DropoutMaskSpec spec = DropoutMaskSpec.Create(keepProbability);
        foreach (int length in lengths ?? Lengths)
        {
            float[] input = RandomValues(length, length);
            var actual = (float[][])GeneratorHarness.Invoke(assembly, probe, "Float", input, Seed)!;
            double[] inputDouble = input.Select(value => (double)value).ToArray();
            var actualDouble = (double[][])GeneratorHarness.Invoke(assembly, probe, "Double", inputDouble, Seed)!;

            // The second call starts at the next multiple of 2,048 after the first (DropoutStream.Reserve).
            ulong secondOffset = ((ulong)length + 2047) / 2048 * 2048;
            foreach ((int call, ulong offset) in new[] { (0, 0UL), (2, secondOffset) })
            {
                string where = $"{probe}, length {length}, call {call / 2}";
                float[] expected = new float[length];
                DropoutKernels.Forward(input, expected, keepProbability, key, offset);
                AssertBitIdentical(expected, actual[call], where + ", float forward");
                float[] expectedGradient = new float[length];
                DropoutKernels.Forward(Enumerable.Repeat(1f, length).ToArray(), expectedGradient, keepProbability, key, offset);
                AssertBitIdentical(expectedGradient, actual[call + 1], where + ", float backward");

                double[] expectedDouble = new double[length];
                DropoutKernels.Forward(inputDouble, expectedDouble, keepProbability, key, offset);
                AssertBitIdentical(expectedDouble, actualDouble[call], where + ", double forward");
                double[] expectedDoubleGradient = new double[length];
                DropoutKernels.Forward(Enumerable.Repeat(1.0, length).ToArray(), expectedDoubleGradient, keepProbability, key, offset);
                AssertBitIdentical(expectedDoubleGradient, actualDouble[call + 1], where + ", double backward");

                // And against the literal definition, independent of every kernel: kept exactly where IsKept says.
                for (int i = 0; i < length; i++)
                {
                    bool kept = MaskLayout.IsKept(spec, key, offset + (ulong)i);
                    Assert.True(kept == (actual[call + 1][i] != 0f), $"{where}: element {i} kept = {!kept} against the definition");
                }
            }
        }
    }

    internal static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            // Never zero, so that a dropped element (+0.0) is always distinguishable.
            values[i] = (float)(random.NextDouble() * 4 - 2) + (random.Next(2) == 0 ? 0.25f : -0.25f);
        }

        return values;
    }

    internal static void AssertBitIdentical(float[] expected, float[] actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{where}: element {i} is {actual[i]:R}, the reference gives {expected[i]:R}");
            }
        }
    }

    internal static void AssertBitIdentical(double[] expected, double[] actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                Assert.Fail($"{where}: element {i} is {actual[i]:R}, the reference gives {expected[i]:R}");
            }
        }
    }
}
