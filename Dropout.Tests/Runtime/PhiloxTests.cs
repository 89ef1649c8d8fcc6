using System.Runtime.Intrinsics;

namespace Dropout.Tests.Runtime;

public class PhiloxTests
{
    // Known-answer vectors of Random123 (kat_vectors, "philox4x32 10"): counter[4], key[2] -> output[4].
    [Theory]
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Scalar_MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
    {
        PhiloxBlock block = Philox4x32.Compute(c0, c1, c2, c3, k0, k1);

        Assert.Equal(new PhiloxBlock(x0, x1, x2, x3), block);
    }

    [Fact]
    public void Vector512_EveryLaneMatchesScalar()
    {
        var random = new System.Random(1);
        for (int trial = 0; trial < 50; trial++)
        {
            uint[][] counters = RandomCounters(random, 16);
            uint k0 = (uint)random.Next(), k1 = (uint)random.Next();
            Vector512<uint> x0 = Vector512.Create(counters[0]), x1 = Vector512.Create(counters[1]), x2 = Vector512.Create(counters[2]), x3 = Vector512.Create(counters[3]);

            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, k0, k1);

            for (int lane = 0; lane < 16; lane++)
            {
                PhiloxBlock expected = Philox4x32.Compute(counters[0][lane], counters[1][lane], counters[2][lane], counters[3][lane], k0, k1);
                Assert.Equal(expected, new PhiloxBlock(x0[lane], x1[lane], x2[lane], x3[lane]));
            }
        }
    }

    [Fact]
    public void Vector256_EveryLaneMatchesScalar()
    {
        var random = new System.Random(2);
        for (int trial = 0; trial < 50; trial++)
        {
            uint[][] counters = RandomCounters(random, 8);
            uint k0 = (uint)random.Next(), k1 = (uint)random.Next();
            Vector256<uint> x0 = Vector256.Create(counters[0]), x1 = Vector256.Create(counters[1]), x2 = Vector256.Create(counters[2]), x3 = Vector256.Create(counters[3]);

            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, k0, k1);

            for (int lane = 0; lane < 8; lane++)
            {
                PhiloxBlock expected = Philox4x32.Compute(counters[0][lane], counters[1][lane], counters[2][lane], counters[3][lane], k0, k1);
                Assert.Equal(expected, new PhiloxBlock(x0[lane], x1[lane], x2[lane], x3[lane]));
            }
        }
    }

    [Fact]
    public void Vector128_EveryLaneMatchesScalar()
    {
        var random = new System.Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            uint[][] counters = RandomCounters(random, 4);
            uint k0 = (uint)random.Next(), k1 = (uint)random.Next();
            Vector128<uint> x0 = Vector128.Create(counters[0]), x1 = Vector128.Create(counters[1]), x2 = Vector128.Create(counters[2]), x3 = Vector128.Create(counters[3]);

            Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, k0, k1);

            for (int lane = 0; lane < 4; lane++)
            {
                PhiloxBlock expected = Philox4x32.Compute(counters[0][lane], counters[1][lane], counters[2][lane], counters[3][lane], k0, k1);
                Assert.Equal(expected, new PhiloxBlock(x0[lane], x1[lane], x2[lane], x3[lane]));
            }
        }
    }

    [Fact]
    public void VectorKnownAnswer_AllLanesOfTheZeroVectorGiveTheZeroVector()
    {
        Vector512<uint> x0 = Vector512<uint>.Zero, x1 = Vector512<uint>.Zero, x2 = Vector512<uint>.Zero, x3 = Vector512<uint>.Zero;

        Philox4x32.Compute(ref x0, ref x1, ref x2, ref x3, 0, 0);

        Assert.Equal(Vector512.Create(0x6627e8d5u), x0);
        Assert.Equal(Vector512.Create(0x9b00dbd8u), x3);
    }

    [Fact]
    public void SixteenConsecutiveCounters_MatchScalar_AlsoAcrossTheHighCounterWord()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return; // the AVX-512-only path does not exist on this machine; the other tests cover what runs here
        }

        foreach (ulong first in new ulong[] { 0, 16, 0xFFFF_FFF0, 0x1_0000_0000, 0xFFFF_FFFF_FFFF_FFF0 })
        {
            Philox4x32.ComputeSixteenConsecutive(first, 0xA4093822, 0x299F31D0, out var w0, out var w1, out var w2, out var w3);
            for (int lane = 0; lane < 16; lane++)
            {
                ulong counter = first + (ulong)lane;
                PhiloxBlock expected = Philox4x32.Compute((uint)counter, (uint)(counter >> 32), 0, 0, 0xA4093822, 0x299F31D0);
                Assert.Equal(expected, new PhiloxBlock(w0[lane], w1[lane], w2[lane], w3[lane]));
            }
        }
    }

    private static uint[][] RandomCounters(System.Random random, int lanes)
    {
        var words = new uint[4][];
        for (int w = 0; w < 4; w++)
        {
            words[w] = new uint[lanes];
            for (int lane = 0; lane < lanes; lane++)
            {
                words[w][lane] = (uint)random.NextInt64(0, 1L << 32);
            }
        }

        return words;
    }
}
