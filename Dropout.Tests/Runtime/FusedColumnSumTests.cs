using System.Numerics;
using static Dropout.Tests.Runtime.FusedEpilogueReference;

namespace Dropout.Tests.Runtime;

/// <summary>
/// The backward's bias gradient summed in registers over blocks of rows
/// (<see cref="FusedEpilogueDriver.RunColumnSums{T, TStep}"/>), against the unfused chain bit for bit: row counts below,
/// at and past whole blocks, rows of one and many vector blocks, p = 1 and below, in place and not; and the same calls
/// through the element-order loop that larger calls take.
/// </summary>
public class FusedColumnSumTests
{
    // Offsets: tile-aligned, on a byte but mid-tile, and odd (mid-byte).
    private static readonly ulong[] Offsets = [2048 * 5, 2048 * 3 + 40, 12_345];

    public static TheoryData<string> ActivationNames => FusedEpilogueTests.ActivationNames;

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Backward_BiasGradientSummedInRegisters_MatchesTheUnfusedChain(string activation)
    {
        ActivationCases.Run<float>(activation, new ColumnSumBackwardCase(seed: 14));
        ActivationCases.Run<double>(activation, new ColumnSumBackwardCase(seed: 15));
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Backward_BiasGradientInElementOrder_AboveTheCacheLimit_MatchesTheUnfusedChain(string activation)
    {
        // Past FusedEpilogueDriver.ColumnSumsMaxBytes the same calls take the element-order loop; a limit of 0 bytes
        // sends these small ones there.
        using var limit = FusedEpilogueDriver.ForceColumnSumsMaxBytes(0);
        ActivationCases.Run<float>(activation, new ColumnSumBackwardCase(seed: 16));
        ActivationCases.Run<double>(activation, new ColumnSumBackwardCase(seed: 17));
    }

    [Fact]
    public void ColumnSums_RunOnlyOnRowsOfWholeVectorBlocksThatFitTheCacheLimit()
    {
        if (VectorWidths.Best != VectorWidth.Vector512)
        {
            Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(64, 64));
            return;
        }

        Assert.True(FusedEpilogueDriver.CanRunColumnSums<float>(64, 64 * 3));
        Assert.True(FusedEpilogueDriver.CanRunColumnSums<float>(1024, 262_144));
        Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(32, 64));
        Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(1000, 3000));
        Assert.True(FusedEpilogueDriver.CanRunColumnSums<double>(32, 64));
        Assert.False(FusedEpilogueDriver.CanRunColumnSums<double>(48, 96));

        // The default limit: 4 MiB of gradient (1,048,576 floats, 524,288 doubles).
        Assert.True(FusedEpilogueDriver.CanRunColumnSums<float>(1024, 1 << 20));
        Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(1024, (1 << 20) + 1024));
        Assert.False(FusedEpilogueDriver.CanRunColumnSums<double>(1024, 1 << 20));
        using (FusedEpilogueDriver.ForceColumnSumsMaxBytes(0))
        {
            Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(64, 64));
        }

        using (VectorWidths.Force(VectorWidth.Vector256))
        {
            Assert.False(FusedEpilogueDriver.CanRunColumnSums<float>(1024, 1024));
        }
    }

    private sealed class ColumnSumBackwardCase(int seed) : IActivationCase
    {
        public void Run<T, TActivation>(TActivation operation, Activation<T> reference)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TActivation : struct, IActivation<T>
        {
            var random = new System.Random(seed);
            int[] columnChoices = [32, 64, 128, 1024];
            foreach (VectorWidth width in MaskLayoutTests.AllWidths)
            {
                using var forced = VectorWidths.Force(width);
                for (int trial = 0; trial < 8; trial++)
                {
                    // Row counts below, at and past whole blocks of FusedEpilogueDriver.RowsPerBlock rows.
                    int columns = columnChoices[trial % columnChoices.Length];
                    int rows = trial switch { 0 => 1, 1 => FusedEpilogueDriver.RowsPerBlock, 2 => FusedEpilogueDriver.RowsPerBlock + 1, _ => random.Next(2, 40) };
                    int count = rows * columns;
                    double p = trial % 3 == 0 ? 1.0 : trial % 3 == 1 ? 0.5 : 0.8;
                    ulong offset = Offsets[trial % Offsets.Length];
                    T[] x = RandomValues<T>(random, count, specials: false);
                    T[] bias = RandomValues<T>(random, columns, specials: false);
                    T[] gradOutput = RandomValues<T>(random, count, specials: false);
                    (_, byte[] recordedMask, byte[] keepMask) = Forward(x, bias, [], columns, reference, p, 21, offset);
                    (T[] expected, T[] expectedBias) = Backward(gradOutput, keepMask, x, bias, columns, reference, p);

                    bool needsInput = operation.Gradient == ActivationGradient.FromPreActivation;
                    var grad = new T[count];
                    var gradBias = RandomValues<T>(random, columns, specials: false); // overwritten, not accumulated into
                    FusedEpilogue.BackwardCore<T, TActivation, DropoutEpilogue<T>>(gradOutput, recordedMask, fromMask: true, needsInput ? x : [], needsInput ? bias : [], grad, gradBias, columns, operation, new DropoutEpilogue<T>(p), 0, 0);
                    string context = $"{reference.Name} {typeof(T).Name} backward, {rows}×{columns}, p = {p}, width {width}";
                    AssertBitsEqual(expected, grad, context);
                    AssertBitsEqual(expectedBias, gradBias, context + ": bias gradient");

                    // In place (gradX is gradOutput itself), as a layer that reuses its buffer calls it.
                    T[] inPlace = (T[])gradOutput.Clone();
                    var inPlaceBias = new T[columns];
                    FusedEpilogue.BackwardCore<T, TActivation, DropoutEpilogue<T>>(inPlace, recordedMask, fromMask: true, needsInput ? x : [], needsInput ? bias : [], inPlace, inPlaceBias, columns, operation, new DropoutEpilogue<T>(p), 0, 0);
                    AssertBitsEqual(expected, inPlace, context + ", in place");
                    AssertBitsEqual(expectedBias, inPlaceBias, context + ", in place: bias gradient");
                }
            }
        }
    }
}
