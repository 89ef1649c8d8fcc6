namespace Dropout.Tests.Runtime;

/// <summary>
/// The fused forward's whole-tile paths against the independent transcription of docs/masks.md
/// (<see cref="MaskDefinitionReference"/>): rows of whole 64-element groups (the loop with no row-crossing case, two
/// tiles' Philox rounds at a time), rows that are not (the general loop), odd and even tile counts with partial tiles at
/// either end, offsets that wrap past 2^64, float and double, at every vector width.
/// </summary>
public class FusedTileRowsTests
{
    private static readonly double[] Probabilities = [0.5, 0.8, 1e-3];
    private static readonly int[] ColumnChoices = [64, 128, 1024, 192, 96, 1000];

    [Fact]
    public void ReLUForward_WholeTilesInAndAcrossRows_KeepsExactlyTheDefinitionsElements()
    {
        var random = new System.Random(2026_11_28);
        foreach (double p in Probabilities)
        {
            int tile = DropoutMaskSpec.Create(p).ElementsPerTile;
            foreach (int columns in ColumnChoices)
            {
                foreach (ulong offset in new[] { 7UL * 2048, 7UL * 2048 + 37, ulong.MaxValue - (3UL * 2048) + 1 })
                {
                    // Five tiles and a bit: an odd number of whole tiles after the partial one at the start, or five.
                    int rows = ((5 * tile) + 70 + columns - 1) / columns;
                    int count = rows * columns;
                    ulong seed = (ulong)random.NextInt64();
                    float[] x = MaskDefinitionReference.RandomInput(count, random.Next());
                    double[] xDouble = MaskDefinitionReference.RandomInputDouble(count, random.Next());
                    var bias = new float[columns];
                    var biasDouble = new double[columns];
                    for (int c = 0; c < columns; c++)
                    {
                        bias[c] = (random.NextSingle() * 2) - 1;
                        biasDouble[c] = (random.NextDouble() * 2) - 1;
                    }

                    byte[] keep = MaskDefinitionReference.Mask(count, p, seed, offset);
                    (float[] expected, byte[] expectedMask) = Expected(x, bias, keep, (float)(1.0 / p));
                    (double[] expectedDouble, byte[] expectedMaskDouble) = Expected(xDouble, biasDouble, keep, 1.0 / p);
                    foreach (VectorWidth width in MaskLayoutTests.AllWidths)
                    {
                        using var forced = VectorWidths.Force(width);
                        string context = $"p = {p}, {rows}×{columns}, offset {offset}, width {width}";

                        var output = new float[count];
                        var mask = new byte[MaskLayout.MaskByteCount(count)];
                        FusedEpilogue.Forward(x, bias, [], output, mask, columns, default(ReLUActivation<float>), p, seed, offset);
                        FusedEpilogueReference.AssertBitsEqual(expected, output, "float " + context);
                        Assert.True(expectedMask.AsSpan().SequenceEqual(mask), "float mask, " + context);

                        var outputDouble = new double[count];
                        var maskDouble = new byte[MaskLayout.MaskByteCount(count)];
                        FusedEpilogue.Forward(xDouble, biasDouble, [], outputDouble, maskDouble, columns, default(ReLUActivation<double>), p, seed, offset);
                        FusedEpilogueReference.AssertBitsEqual(expectedDouble, outputDouble, "double " + context);
                        Assert.True(expectedMaskDouble.AsSpan().SequenceEqual(maskDouble), "double mask, " + context);
                    }
                }
            }
        }
    }

    // relu(x + bias) · 1/p where kept, +0 where dropped; the mask bit is "kept and x + bias > 0".
    private static (float[] Output, byte[] Mask) Expected(float[] x, float[] bias, byte[] keep, float scale)
    {
        var output = new float[x.Length];
        var mask = new byte[keep.Length];
        for (int i = 0; i < x.Length; i++)
        {
            float a = x[i] + bias[i % bias.Length];
            bool kept = ((keep[i / 8] >> (i % 8)) & 1) != 0;
            output[i] = kept ? (a > 0 ? a : 0f) * scale : 0f;
            if (kept && a > 0)
            {
                mask[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return (output, mask);
    }

    private static (double[] Output, byte[] Mask) Expected(double[] x, double[] bias, byte[] keep, double scale)
    {
        var output = new double[x.Length];
        var mask = new byte[keep.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double a = x[i] + bias[i % bias.Length];
            bool kept = ((keep[i / 8] >> (i % 8)) & 1) != 0;
            output[i] = kept ? (a > 0 ? a : 0.0) * scale : 0.0;
            if (kept && a > 0)
            {
                mask[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return (output, mask);
    }
}
