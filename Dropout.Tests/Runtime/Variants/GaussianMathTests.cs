namespace Dropout.Tests.Runtime.Variants;

/// <summary>
/// The library's own binary64 logarithm and cosine behind Gaussian dropout (docs/masks.md §6): within a few ulps of
/// the platform's Math.Log and of Math.Cos/Math.Sin on the exactly reduced angle, over millions of inputs and every edge
/// the noise can reach (u1 = 2^-32 and 1, the √2 split of the mantissa, u2 on and around the quadrant boundaries).
/// </summary>
public class GaussianMathTests
{
    private const double TwoToThe32 = 4294967296.0;

    [Fact]
    public void Log_IsWithinOneUlpOfMathLog_OnEveryReachableEdgeAndFourMillionRandomWords()
    {
        var words = new List<uint> { 0, 1, 2, 3, uint.MaxValue, uint.MaxValue - 1, uint.MaxValue - 2 };
        for (int bit = 0; bit < 32; bit++)
        {
            // u1 = (w + 1)/2^32 at and around every power of two, and around √2 times one (the mantissa split).
            uint power = 1u << bit;
            uint root = (uint)Math.Min(uint.MaxValue, Math.Floor(power * Math.Sqrt(2)));
            foreach (uint near in new[] { power - 2, power - 1, power, root - 2, root - 1, root, root + 1 })
            {
                words.Add(near);
            }
        }

        var random = new System.Random(11);
        for (int n = 0; n < 4_000_000; n++)
        {
            words.Add((uint)random.NextInt64(0, 1L << 32));
        }

        long worst = 0;
        foreach (uint word in words)
        {
            double u1 = (word + 1.0) / TwoToThe32;
            double expected = Math.Log(u1), actual = GaussianMath.Log(u1);
            long ulps = UlpDistance(expected, actual);
            Assert.True(ulps <= 1, $"ln({u1:R}) = {actual:R}, Math.Log says {expected:R} ({ulps} ulps)");
            worst = Math.Max(worst, ulps);
        }

        Assert.Equal(0.0, GaussianMath.Log(1.0));
        Assert.Equal(-32 * Math.Log(2), GaussianMath.Log(1.0 / TwoToThe32), 15);
    }

    [Fact]
    public void CosTwoPi_IsWithinTwoUlpsOfTheExactlyReducedPlatformCosine_AndExactOnQuadrantBoundaries()
    {
        var words = new List<uint>();
        for (long quarter = 0; quarter <= 4; quarter++)
        {
            // The quadrant boundaries (cos exactly ±1 or 0) and the octant midpoints where the nearest quadrant changes.
            foreach (long centre in new[] { quarter << 30, (quarter << 30) + (1L << 29) })
            {
                for (long delta = -3; delta <= 3; delta++)
                {
                    long word = centre + delta;
                    if (word is >= 0 and <= uint.MaxValue)
                    {
                        words.Add((uint)word);
                    }
                }
            }
        }

        var random = new System.Random(12);
        for (int n = 0; n < 4_000_000; n++)
        {
            words.Add((uint)random.NextInt64(0, 1L << 32));
        }

        foreach (uint word in words)
        {
            // Reduction in the test's own terms: 4·u2 = j + d with j the nearest integer (halves up), d exact.
            double quarters = 4.0 * word / TwoToThe32;
            double j = Math.Floor(quarters + 0.5);
            double d = quarters - j;
            double angle = d * (Math.PI / 2);
            double expected = ((long)j % 4) switch
            {
                0 => Math.Cos(angle),
                1 => -Math.Sin(angle),
                2 => -Math.Cos(angle),
                _ => Math.Sin(angle),
            };
            double actual = GaussianMath.CosTwoPi(word);
            long ulps = UlpDistance(expected, actual);
            Assert.True(ulps <= 2, $"cos(2π·{word}/2^32) = {actual:R}, reference {expected:R} ({ulps} ulps)");
            Assert.True(Math.Abs(actual - Math.Cos(2 * Math.PI * word / TwoToThe32)) <= 1e-15, $"word {word}: far from Math.Cos");
        }

        Assert.Equal(1.0, GaussianMath.CosTwoPi(0));
        Assert.Equal(0.0, GaussianMath.CosTwoPi(1u << 30));
        Assert.Equal(-1.0, GaussianMath.CosTwoPi(1u << 31));
        Assert.Equal(0.0, GaussianMath.CosTwoPi(3u << 30));
    }

    [Fact]
    public void StandardNormal_OfTheExtremeWords_IsTheLargestRadiusAndZero()
    {
        // u1 = 2^-32 gives the largest radius, √(64 ln 2) ≈ 6.66; u1 = 1 gives radius 0 whatever the angle.
        Assert.Equal(Math.Sqrt(64 * Math.Log(2)), GaussianMath.BoxMuller(0, 0), 14);
        Assert.Equal(-Math.Sqrt(64 * Math.Log(2)), GaussianMath.BoxMuller(0, 1u << 31), 14);
        Assert.Equal(0.0, GaussianMath.BoxMuller(uint.MaxValue, 12345));
    }

    private static long UlpDistance(double expected, double actual)
    {
        if (expected == actual)
        {
            return 0;
        }

        if (Math.Sign(expected) != Math.Sign(actual))
        {
            return long.MaxValue;
        }

        return Math.Abs(BitConverter.DoubleToInt64Bits(expected) - BitConverter.DoubleToInt64Bits(actual));
    }
}
