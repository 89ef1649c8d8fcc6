namespace Dropout.Tests.Runtime;

/// <summary>
/// docs/masks.md, sections 1 and 2, written out again in the tests, independently of the runtime's code paths. Only
/// the scalar Philox (checked against the Random123 vectors) is shared.
/// </summary>
internal static class MaskDefinitionReference
{
    public static (int Bits, ulong Threshold) Compile(double p)
    {
        if (p == 1.0)
        {
            return (0, 0);
        }

        foreach (int k in new[] { 1, 2, 4, 8, 16 })
        {
            double scaled = p * Math.Pow(2, k);
            if (scaled == Math.Floor(scaled))
            {
                return (k, (ulong)scaled);
            }
        }

        double sixteen = Math.Round(p * 65536, MidpointRounding.ToEven);
        if (p >= 1.0 / 256 && sixteen < 65536)
        {
            return (16, (ulong)sixteen);
        }

        double wide = Math.Round(p * 4294967296.0, MidpointRounding.ToEven);
        return (32, (ulong)Math.Min(4294967295.0, wide));
    }

    public static bool IsKept(double p, ulong seed, ulong g)
    {
        (int k, ulong threshold) = Compile(p);
        if (k == 0)
        {
            return true;
        }

        ulong e = (ulong)(64 * (32 / k));
        ulong t = g / e;
        ulong r = g % e;
        int j = (int)(r / 64);
        int w = (int)(r % 64 / 16);
        ulong l = r % 16;
        ulong n = t * 16 + l;
        PhiloxBlock x = Philox4x32.Compute((uint)n, (uint)(n >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));
        ulong word = x[w];
        ulong v = k == 32 ? word : (word >> (j * k)) & ((1UL << k) - 1);
        return v < threshold;
    }

    public static float[] Forward(float[] input, double p, ulong seed, ulong offset)
    {
        var output = new float[input.Length];
        float scale = (float)(1.0 / p);
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = IsKept(p, seed, offset + (ulong)i) ? input[i] * scale : 0f;
        }

        return output;
    }

    public static double[] Forward(double[] input, double p, ulong seed, ulong offset)
    {
        var output = new double[input.Length];
        double scale = 1.0 / p;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = IsKept(p, seed, offset + (ulong)i) ? input[i] * scale : 0.0;
        }

        return output;
    }

    public static byte[] Mask(int count, double p, ulong seed, ulong offset)
    {
        var mask = new byte[(count + 7) / 8];
        for (int i = 0; i < count; i++)
        {
            if (IsKept(p, seed, offset + (ulong)i))
            {
                mask[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return mask;
    }

    public static float[] RandomInput(int length, int seed)
    {
        var random = new System.Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }

        return values;
    }

    public static double[] RandomInputDouble(int length, int seed)
    {
        var random = new System.Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.NextDouble() * 4 - 2;
        }

        return values;
    }
}
