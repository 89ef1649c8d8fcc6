namespace Dropout.Tests.Runtime;

/// <summary>
/// Randomized differential tests (issue 8): every public kernel, at every vector width, on random p over the whole
/// supported range, random lengths, offsets (aligned or not, near 2^64) and seeds, against the independent transcription
/// of docs/masks.md — with guard values around the slices, so a kernel that writes one element or mask byte too many
/// or too few is caught. Set DROPOUT_DIFFERENTIAL_CASES for a longer run.
/// </summary>
public class KernelDifferentialTests
{
    private const int GuardLength = 19;
    private const float FloatGuard = 31415.9f;
    private const double DoubleGuard = -27182.8;
    private const byte MaskGuard = 0x5A;

    private static int CaseCount =>
        int.TryParse(Environment.GetEnvironmentVariable("DROPOUT_DIFFERENTIAL_CASES"), out int cases) && cases > 0 ? cases : 300;

    [Fact]
    internal void EveryKernel_AtEveryWidth_MatchesTheDefinition_AndWritesOnlyItsSlice()
    {
        var random = new System.Random(2026_11_28);
        for (int n = 0; n < CaseCount; n++)
        {
            double p = RandomKeepProbability(random);
            int length = random.Next(3) == 0 ? random.Next(0, 40) : random.Next(0, 9000);
            ulong seed = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            ulong offset = random.Next(4) switch
            {
                0 => (ulong)random.Next(0, 64) * 2048,                       // tile-aligned: the fused whole-tile path
                1 => ulong.MaxValue - (ulong)random.Next(0, 5000),           // wraps past 2^64
                _ => (ulong)random.NextInt64(0, long.MaxValue),
            };
            bool useDouble = random.Next(2) == 0;
            string context = $"case {n}: p = {p:R}, n = {length}, seed {seed}, offset {offset}, {(useDouble ? "double" : "float")}";

            byte[] expectedMask = MaskDefinitionReference.Mask(length, p, seed, offset);
            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var _ = VectorWidths.Force(width);
                if (useDouble)
                {
                    CheckDouble(random, p, length, seed, offset, expectedMask, $"{context}, {width}");
                }
                else
                {
                    CheckFloat(random, p, length, seed, offset, expectedMask, $"{context}, {width}");
                }
            }
        }
    }

    private static void CheckFloat(System.Random random, double p, int length, ulong seed, ulong offset, byte[] expectedMask, string context)
    {
        float[] input = MaskDefinitionReference.RandomInput(length, random.Next());
        float[] expected = MaskDefinitionReference.Forward(input, p, seed, offset);
        float[] output = Guarded(length, FloatGuard);
        byte[] mask = Guarded(expectedMask.Length, MaskGuard);

        DropoutKernels.Forward(input, output.AsSpan(GuardLength, length), mask.AsSpan(GuardLength, expectedMask.Length), p, seed, offset);
        AssertSlice(expected, output, FloatGuard, context + ", forward with mask");
        AssertSlice(expectedMask, mask, MaskGuard, context + ", mask");

        output = Guarded(length, FloatGuard);
        DropoutKernels.Forward(input, output.AsSpan(GuardLength, length), p, seed, offset);
        AssertSlice(expected, output, FloatGuard, context + ", forward without mask");

        // In place, on a slice of a larger buffer.
        float[] inPlace = Guarded(length, FloatGuard);
        input.CopyTo(inPlace, GuardLength);
        DropoutKernels.Forward(inPlace.AsSpan(GuardLength, length), inPlace.AsSpan(GuardLength, length), p, seed, offset);
        AssertSlice(expected, inPlace, FloatGuard, context + ", in place");

        // Backward is the same map applied to a gradient.
        float[] gradient = MaskDefinitionReference.RandomInput(length, random.Next());
        float[] expectedGradient = MaskDefinitionReference.Forward(gradient, p, seed, offset);
        output = Guarded(length, FloatGuard);
        DropoutKernels.Backward(gradient, output.AsSpan(GuardLength, length), expectedMask, p);
        AssertSlice(expectedGradient, output, FloatGuard, context + ", backward from mask");

        output = Guarded(length, FloatGuard);
        DropoutKernels.Backward(gradient, output.AsSpan(GuardLength, length), p, seed, offset);
        AssertSlice(expectedGradient, output, FloatGuard, context + ", backward by regeneration");

        mask = Guarded(expectedMask.Length, MaskGuard);
        DropoutKernels.FillMask(mask.AsSpan(GuardLength, expectedMask.Length), length, p, seed, offset);
        AssertSlice(expectedMask, mask, MaskGuard, context + ", FillMask");
    }

    private static void CheckDouble(System.Random random, double p, int length, ulong seed, ulong offset, byte[] expectedMask, string context)
    {
        double[] input = MaskDefinitionReference.RandomInputDouble(length, random.Next());
        double[] expected = MaskDefinitionReference.Forward(input, p, seed, offset);
        double[] output = Guarded(length, DoubleGuard);
        byte[] mask = Guarded(expectedMask.Length, MaskGuard);

        DropoutKernels.Forward(input, output.AsSpan(GuardLength, length), mask.AsSpan(GuardLength, expectedMask.Length), p, seed, offset);
        AssertSlice(expected, output, DoubleGuard, context + ", forward with mask");
        AssertSlice(expectedMask, mask, MaskGuard, context + ", mask");

        double[] gradient = MaskDefinitionReference.RandomInputDouble(length, random.Next());
        double[] expectedGradient = MaskDefinitionReference.Forward(gradient, p, seed, offset);
        output = Guarded(length, DoubleGuard);
        DropoutKernels.Backward(gradient, output.AsSpan(GuardLength, length), expectedMask, p);
        AssertSlice(expectedGradient, output, DoubleGuard, context + ", backward from mask");

        output = Guarded(length, DoubleGuard);
        DropoutKernels.Backward(gradient, output.AsSpan(GuardLength, length), p, seed, offset);
        AssertSlice(expectedGradient, output, DoubleGuard, context + ", backward by regeneration");
    }

    // Dyadic p (1- to 8-bit fields), the usual values, 16-bit p, p near 1, and log-uniform p down to the supported minimum.
    private static double RandomKeepProbability(System.Random random) => random.Next(7) switch
    {
        0 => random.Next(1, 256) / 256.0,
        1 => new[] { 0.5, 0.8, 0.9, 0.1, 1.0, 0.999 }[random.Next(6)],
        2 => Math.BitDecrement(1.0 - (random.NextDouble() * 1e-5)),
        3 => Math.Max(DropoutMaskSpec.MinimumKeepProbability, Math.Pow(2, -24 + (16 * random.NextDouble()))),
        4 => DropoutMaskSpec.MinimumKeepProbability,
        _ => Math.Max(DropoutMaskSpec.MinimumKeepProbability, 1.0 - random.NextDouble()),
    };

    private static T[] Guarded<T>(int length, T guard)
    {
        var buffer = new T[length + (2 * GuardLength)];
        Array.Fill(buffer, guard);
        return buffer;
    }

    private static void AssertSlice<T>(T[] expected, T[] buffer, T guard, string context)
        where T : IEquatable<T>
    {
        for (int i = 0; i < GuardLength; i++)
        {
            Assert.True(buffer[i].Equals(guard), $"{context}: guard before the slice overwritten at {i - GuardLength}");
            Assert.True(buffer[GuardLength + expected.Length + i].Equals(guard), $"{context}: guard after the slice overwritten at +{i}");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(buffer[GuardLength + i]))
            {
                Assert.Fail($"{context}: element {i} is {buffer[GuardLength + i]}, the definition gives {expected[i]}");
            }
        }
    }
}
