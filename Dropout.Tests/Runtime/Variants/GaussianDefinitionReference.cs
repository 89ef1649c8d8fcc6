using System.Globalization;
using System.Numerics;

namespace Dropout.Tests.Runtime.Variants;

/// <summary>
/// docs/masks.md §6 transcribed again, independently of the runtime: the coefficients come from their stated exact
/// values (2/(2n + 1); (π/2)^k/k! evaluated with a 59-decimal π in integer arithmetic, then rounded to the nearest
/// double by the correctly rounding parser), the operations in the order the document gives them.
/// </summary>
internal static class GaussianDefinitionReference
{
    private const string Pi59 = "3.14159265358979323846264338327950288419716939937510582097494";

    private static readonly double[] A = Enumerable.Range(1, 10).Select(n => 2.0 / ((2 * n) + 1)).ToArray();
    private static readonly double[] C = Enumerable.Range(0, 9).Select(n => Nearest(2 * n)).ToArray();
    private static readonly double[] S = Enumerable.Range(0, 9).Select(n => Nearest((2 * n) + 1)).ToArray();

    public static double StandardNormal(ulong seed, ulong g)
    {
        ulong n = g / 2;
        PhiloxBlock x = Philox4x32.Compute((uint)n, (uint)(n >> 32), 1, 0, (uint)seed, (uint)(seed >> 32));
        (uint a, uint b) = g % 2 == 0 ? (x.X0, x.X1) : (x.X2, x.X3);
        double u1 = (a + 1.0) / 4294967296.0;
        return Math.Sqrt(-2.0 * Ln(u1)) * Cos2Pi(b);
    }

    public static double Ln(double x)
    {
        double k = Math.ILogB(x);
        double m = Math.ScaleB(x, -(int)k);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            k += 1;
        }

        double f = m - 1;
        double s = f / (2 + f);
        double t = s * s;
        double r = A[9];
        for (int i = 8; i >= 0; i--)
        {
            r = A[i] + (t * r);
        }

        r = t * r;
        double lnM = f - (s * (f - r));
        return (k * 0.6931467056274414) + (lnM + (k * 4.7493250390316726E-07));
    }

    public static double Cos2Pi(uint b)
    {
        ulong w = b + (1UL << 29);
        ulong j = w >> 30;
        double d = ((double)(w & ((1UL << 30) - 1)) - (1 << 29)) * Math.ScaleB(1.0, -30);
        double t = d * d;
        double c = C[8], s = S[8];
        for (int i = 7; i >= 0; i--)
        {
            c = C[i] + (t * c);
            s = S[i] + (t * s);
        }

        s = d * s;
        double value = j % 2 == 1 ? s : c;
        return ((j + 1) & 2) != 0 ? -value : value;
    }

    // (-1)^(k/2 rounded down) (π/2)^k / k!, to the nearest double: about 60 significant digits from exact integer arithmetic.
    private static double Nearest(int k)
    {
        BigInteger scale = BigInteger.Pow(10, Pi59.Length - 2);   // π = pi / scale
        BigInteger pi = BigInteger.Parse(Pi59.Replace(".", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
        BigInteger numerator = BigInteger.Pow(pi, k);
        BigInteger denominator = BigInteger.Pow(2 * scale, k);
        for (int i = 2; i <= k; i++)
        {
            denominator *= i;
        }

        BigInteger digits = numerator * BigInteger.Pow(10, 80) / denominator;   // value · 10^80, truncated
        double value = double.Parse(digits.ToString(CultureInfo.InvariantCulture) + "E-80", CultureInfo.InvariantCulture);
        return (k / 2) % 2 == 0 ? value : -value;
    }
}
