using System.Numerics;

namespace Dropout.Tests.Runtime;

/// <summary>
/// Statistical checks on 10^7 elements. Bounds are 5 standard deviations: a correct generator fails one of these
/// checks with probability below 10^-5 each, while a biased or correlated one (a bad threshold, lanes that share
/// bits) misses by hundreds of standard deviations at this size.
/// </summary>
public class StatisticsTests
{
    private const int Count = 10_000_000;
    private const double Sigmas = 5;

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void KeepRate_IsPWithinFiveStandardDeviations(double p)
    {
        ulong[] mask = MaskWords(p, seed: 1234);

        long kept = 0;
        foreach (ulong word in mask)
        {
            kept += BitOperations.PopCount(word);
        }

        double sigma = Math.Sqrt(p * (1 - p) / Count);
        Assert.True(Math.Abs((double)kept / Count - p) < Sigmas * sigma, $"keep rate {(double)kept / Count} vs {p} (sigma {sigma})");
    }

    // Distance 1: neighbouring lanes of one word vector; 16: the same lane, neighbouring words of one Philox block;
    // 64: neighbouring fields of one word. Each would expose a different way of reusing random bits.
    [Theory]
    [InlineData(0.1, 1)]
    [InlineData(0.5, 1)]
    [InlineData(0.8, 1)]
    [InlineData(0.9, 1)]
    [InlineData(0.999, 1)]
    [InlineData(0.5, 16)]
    [InlineData(0.8, 16)]
    [InlineData(0.5, 64)]
    [InlineData(0.8, 64)]
    public void PairsAtDistance_AreKeptTogetherWithProbabilityPSquared(double p, int distance)
    {
        ulong[] mask = MaskWords(p, seed: 4321);
        long pairs = Count - distance;
        long both = 0;
        for (long i = 0; i < pairs; i++)
        {
            long j = i + distance;
            if ((mask[i >> 6] >> (int)(i & 63) & mask[j >> 6] >> (int)(j & 63) & 1) != 0)
            {
                both++;
            }
        }

        // Pair indicators that share an element are correlated: Var(sum) = n[p²(1 − p²) + 2(p³ − p⁴)] for distance 1,
        // and the same bound is conservative for longer distances (each indicator shares elements with two others).
        double p2 = p * p;
        double sigma = Math.Sqrt((p2 * (1 - p2) + 2 * (p * p2 - p2 * p2)) / pairs);
        double rate = (double)both / pairs;
        Assert.True(Math.Abs(rate - p2) < Sigmas * sigma, $"pair rate {rate} vs {p2} (sigma {sigma})");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void OutputMean_EqualsInputMeanWithinItsStandardError(double p)
    {
        var random = new System.Random(77);
        var input = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            input[i] = random.NextDouble();
        }

        var output = new double[Count];
        DropoutKernels.Forward(input, output, p, 99, 0);

        double inputSum = 0, outputSum = 0, squares = 0;
        for (int i = 0; i < Count; i++)
        {
            inputSum += input[i];
            outputSum += output[i];
            squares += input[i] * input[i];
        }

        // out − in = x (m/p − 1) has variance x²(1 − p)/p per element.
        double standardError = Math.Sqrt(squares * (1 - p) / p) / Count;
        double difference = (outputSum - inputSum) / Count;
        Assert.True(Math.Abs(difference) < Sigmas * standardError, $"mean difference {difference} (standard error {standardError})");
    }

    private static ulong[] MaskWords(double p, ulong seed)
    {
        var mask = new ulong[(Count + 63) / 64];
        DropoutKernels.FillMask(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mask.AsSpan()), Count, p, seed, 0);
        return mask;
    }
}
