using System.Numerics;
using static Dropout.Tests.Runtime.FusedEpilogueReference;

namespace Dropout.Tests.Runtime;

/// <summary>
/// The fused epilogue kernels against the unfused chain (<see cref="FusedEpilogueReference"/>), bit for bit, at every
/// vector width, for float and double, with random shapes, offsets, keep probabilities and optional parts, and with NaN,
/// ±∞ and ±0 among the inputs.
/// </summary>
public class FusedEpilogueTests
{
    private static readonly double[] Probabilities = [0.5, 0.8, 0.75, 1e-3, 1.0];
    private static readonly int[] ColumnChoices = [1, 3, 7, 8, 16, 17, 31, 64, 100, 129, 1000];

    public static TheoryData<string> ActivationNames => new() { "Identity", "ReLU", "LeakyReLU", "GeluTanh", "SiLU", "Tanh" };

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Forward_EveryWidthAndShape_MatchesTheUnfusedChainBitForBit(string activation)
    {
        ActivationCases.Run<float>(activation, new ForwardCase(seed: 1));
        ActivationCases.Run<double>(activation, new ForwardCase(seed: 2));
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Backward_FromMaskAndRegenerated_MatchTheUnfusedChainBitForBit(string activation)
    {
        ActivationCases.Run<float>(activation, new BackwardCase(seed: 3));
        ActivationCases.Run<double>(activation, new BackwardCase(seed: 4));
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Inference_IsTheChainWithoutDropout(string activation)
    {
        ActivationCases.Run<float>(activation, new InferenceCase(seed: 5));
        ActivationCases.Run<double>(activation, new InferenceCase(seed: 6));
    }

    /// <summary>A random shape, offset, probability and set of optional parts; every fourth trial is long and tile-aligned.</summary>
    internal sealed record Shape(int Rows, int Columns, double P, ulong Seed, ulong Offset, bool HasBias, bool HasResidual)
    {
        public int Count => Rows * Columns;

        public static Shape Random(System.Random random, int trial)
        {
            int columns = ColumnChoices[random.Next(ColumnChoices.Length)];
            bool large = trial % 4 == 0;
            int rows = large ? (5000 / columns) + 1 : random.Next(0, Math.Max(2, 300 / columns));

            // Tile-aligned offsets take the whole-tile AVX-512 path; the others start mid-tile and mid-byte.
            ulong offset = trial % 3 == 0 ? (ulong)random.Next(0, 1000) * 2048 : (ulong)random.NextInt64(0, 1L << 40);
            return new Shape(rows, columns, Probabilities[random.Next(Probabilities.Length)], (ulong)random.NextInt64(), offset, (trial & 1) != 0, (trial & 2) != 0);
        }

        public override string ToString() =>
            $"{Rows}×{Columns}, p = {P}, offset {Offset}, bias {HasBias}, residual {HasResidual}, width {VectorWidths.Current}";
    }

    private sealed class ForwardCase(int seed) : IActivationCase
    {
        public void Run<T, TActivation>(TActivation operation, Activation<T> reference)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TActivation : struct, IActivation<T>
        {
            var random = new System.Random(seed);
            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var forced = VectorWidths.Force(width);
                for (int trial = 0; trial < 24; trial++)
                {
                    var shape = Shape.Random(random, trial);
                    T[] x = RandomValues<T>(random, shape.Count, specials: true);
                    T[] bias = shape.HasBias ? RandomValues<T>(random, shape.Columns, specials: false) : [];
                    T[] residual = shape.HasResidual ? RandomValues<T>(random, shape.Count, specials: true) : [];
                    (T[] expected, byte[] expectedMask, _) = Forward(x, bias, residual, shape.Columns, reference, shape.P, shape.Seed, shape.Offset);

                    var output = new T[shape.Count];
                    var mask = new byte[MaskLayout.MaskByteCount(shape.Count)];
                    FusedCalls.Forward(x, bias, residual, output, mask, shape, operation);
                    AssertBitsEqual(expected, output, $"{reference.Name} {typeof(T).Name} forward, {shape}");
                    Assert.True(expectedMask.AsSpan().SequenceEqual(mask), $"{reference.Name} {typeof(T).Name} mask, {shape}");

                    // Without a mask the output is the same.
                    var unrecorded = new T[shape.Count];
                    FusedCalls.Forward(x, bias, residual, unrecorded, null, shape, operation);
                    AssertBitsEqual(expected, unrecorded, $"{reference.Name} {typeof(T).Name} forward without mask, {shape}");
                }
            }
        }
    }

    private sealed class BackwardCase(int seed) : IActivationCase
    {
        public void Run<T, TActivation>(TActivation operation, Activation<T> reference)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TActivation : struct, IActivation<T>
        {
            var random = new System.Random(seed);
            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var forced = VectorWidths.Force(width);
                for (int trial = 0; trial < 24; trial++)
                {
                    var shape = Shape.Random(random, trial);
                    T[] x = RandomValues<T>(random, shape.Count, specials: false);
                    T[] bias = shape.HasBias ? RandomValues<T>(random, shape.Columns, specials: false) : [];
                    T[] gradOutput = RandomValues<T>(random, shape.Count, specials: false);
                    (_, byte[] recordedMask, byte[] keepMask) = Forward(x, bias, [], shape.Columns, reference, shape.P, shape.Seed, shape.Offset);
                    (T[] expected, T[] expectedBias) = Backward(gradOutput, keepMask, x, bias, shape.Columns, reference, shape.P);

                    // From the recorded mask: ReLU and the identity get no pre-activation at all.
                    bool needsInput = operation.Gradient == ActivationGradient.FromPreActivation;
                    var grad = new T[shape.Count];
                    var gradBias = new T[shape.Columns];
                    FusedCalls.BackwardFromMask(gradOutput, recordedMask, needsInput ? x : [], needsInput ? bias : [], grad, gradBias, shape, operation);
                    AssertBitsEqual(expected, grad, $"{reference.Name} {typeof(T).Name} backward from mask, {shape}");
                    AssertBitsEqual(expectedBias, gradBias, $"{reference.Name} {typeof(T).Name} bias gradient from mask, {shape}");

                    // Regenerated from (seed, offset); the pre-activation is always passed (ReLU needs its sign).
                    var regenerated = new T[shape.Count];
                    var regeneratedBias = new T[shape.Columns];
                    FusedCalls.BackwardRegenerate(gradOutput, x, bias, regenerated, regeneratedBias, shape, operation);
                    AssertBitsEqual(expected, regenerated, $"{reference.Name} {typeof(T).Name} backward regenerated, {shape}");
                    AssertBitsEqual(expectedBias, regeneratedBias, $"{reference.Name} {typeof(T).Name} bias gradient regenerated, {shape}");

                    // Without a bias gradient, the same input gradient.
                    var withoutBias = new T[shape.Count];
                    FusedCalls.BackwardRegenerate(gradOutput, x, bias, withoutBias, [], shape, operation);
                    AssertBitsEqual(expected, withoutBias, $"{reference.Name} {typeof(T).Name} backward without bias gradient, {shape}");
                }
            }
        }
    }

    private sealed class InferenceCase(int seed) : IActivationCase
    {
        public void Run<T, TActivation>(TActivation operation, Activation<T> reference)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TActivation : struct, IActivation<T>
        {
            var random = new System.Random(seed);
            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var forced = VectorWidths.Force(width);
                for (int trial = 0; trial < 16; trial++)
                {
                    var shape = Shape.Random(random, trial);
                    T[] x = RandomValues<T>(random, shape.Count, specials: true);
                    T[] bias = shape.HasBias ? RandomValues<T>(random, shape.Columns, specials: false) : [];
                    T[] residual = shape.HasResidual ? RandomValues<T>(random, shape.Count, specials: true) : [];
                    var output = new T[shape.Count];
                    FusedCalls.Inference(x, bias, residual, output, shape.Columns, operation);
                    AssertBitsEqual(Inference(x, bias, residual, shape.Columns, reference), output, $"{reference.Name} {typeof(T).Name} inference, {shape}");
                }
            }
        }
    }
}
