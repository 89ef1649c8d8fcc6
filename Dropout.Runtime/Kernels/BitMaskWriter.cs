using System.Runtime.CompilerServices;

namespace Dropout;

/// <summary>
/// Appends keep bits to a caller's mask in element order, 64 at a time, so a mask whose first element does not
/// start on a tile or byte boundary of the random stream still starts at bit 0 of the caller's buffer.
/// Unused high bits of the last byte are written as zero.
/// </summary>
internal unsafe struct BitMaskWriter
{
    private byte* _next;
    private ulong _pending;
    private int _pendingCount;

    public BitMaskWriter(byte* destination)
    {
        _next = destination;
        _pending = 0;
        _pendingCount = 0;
    }

    /// <summary>Gets whether this writer has no destination (the caller asked for no mask).</summary>
    public readonly bool IsEmpty => _next == null;

    /// <summary>Gets whether no bits are pending, so the next 64 bits are one whole unaligned 64-bit store at <see cref="Next"/>.</summary>
    public readonly bool IsAtWord => _pendingCount == 0;

    /// <summary>Gets where the next byte goes.</summary>
    public readonly byte* Next => _next;

    /// <summary>Moves past <paramref name="words"/> 64-bit words the caller stored itself at <see cref="Next"/> (only when <see cref="IsAtWord"/>).</summary>
    public void SkipWords(nint words) => _next += words * sizeof(ulong);

    /// <summary>Appends the low <paramref name="count"/> (1 to 64) bits of <paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ulong bits, int count)
    {
        if (count < 64)
        {
            bits &= (1UL << count) - 1;
        }

        _pending |= bits << _pendingCount;
        int total = _pendingCount + count;
        if (total >= 64)
        {
            Unsafe.WriteUnaligned(_next, _pending);
            _next += 8;
            _pending = _pendingCount == 0 ? 0 : bits >> (64 - _pendingCount);
            total -= 64;
        }

        _pendingCount = total;
    }

    /// <summary>Appends <paramref name="count"/> bits of a stream, starting at bit <paramref name="firstBit"/>.</summary>
    public void AppendRange(byte* bits, nint firstBit, nint count)
    {
        if ((firstBit & 63) == 0)
        {
            // Whole words: no window assembly.
            ulong* words = (ulong*)(bits + (firstBit >> 3));
            for (; count >= 64; count -= 64)
            {
                Append(*words++, 64);
            }

            if (count > 0)
            {
                Append(*words, (int)count);
            }

            return;
        }

        nint end = firstBit + count;
        for (nint bit = firstBit; bit < end; bit += 64)
        {
            Append(MaskedScale.ReadWindow(bits, bit, end), (int)Math.Min(64, end - bit));
        }
    }

    /// <summary>Appends <paramref name="count"/> set bits.</summary>
    public void AppendOnes(nint count)
    {
        for (; count > 0; count -= 64)
        {
            Append(ulong.MaxValue, (int)Math.Min(64, count));
        }
    }

    /// <summary>Writes the bits still pending, rounded up to whole bytes.</summary>
    public void Flush()
    {
        for (int written = 0; written < _pendingCount; written += 8)
        {
            *_next++ = (byte)_pending;
            _pending >>= 8;
        }

        _pendingCount = 0;
    }
}
