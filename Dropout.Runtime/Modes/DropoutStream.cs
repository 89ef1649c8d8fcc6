namespace Dropout;

/// <summary>
/// One dropout site's position in its counter-based random stream. Each forward call reserves the next
/// <c>length</c> stream elements, so consecutive calls draw fresh masks, and remembers where it drew them so that the
/// backward pass can regenerate exactly that mask.
/// </summary>
/// <remarks>
/// Reservations start on a multiple of <see cref="ReservationAlignment"/> (the largest tile), so a forward call
/// always begins on a tile boundary: kernels need no unaligned head and recorded masks start on a byte boundary of the
/// stream. The skipped positions are simply never used; a 64-bit stream does not run out.
/// </remarks>
public sealed class DropoutStream
{
    /// <summary>Every reservation starts on a multiple of this many stream positions (the 2,048 elements of a 1-bit tile).</summary>
    public const int ReservationAlignment = 2048;

    internal DropoutStream(DropoutContext context, ulong key)
    {
        Context = context;
        Key = key;
    }

    /// <summary>Gets the context (mode and model seed) this site belongs to.</summary>
    public DropoutContext Context { get; }

    /// <summary>Gets the site's 64-bit Philox key.</summary>
    public ulong Key { get; }

    /// <summary>Gets the stream position the next forward call starts at.</summary>
    public ulong Position { get; private set; }

    /// <summary>Gets the stream position of the last forward call's first element.</summary>
    public ulong LastOffset { get; private set; }

    /// <summary>Gets the element count of the last forward call (-1 before the first).</summary>
    public int LastLength { get; private set; } = -1;

    /// <summary>Reserves <paramref name="length"/> stream elements for a forward call and returns the first one's position.</summary>
    /// <param name="length">The number of elements the call draws.</param>
    /// <returns>The stream offset to pass to the kernel.</returns>
    public ulong Reserve(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        LastOffset = (Position + (ReservationAlignment - 1)) & ~(ulong)(ReservationAlignment - 1);
        LastLength = length;
        Position = LastOffset + (ulong)length;
        return LastOffset;
    }

    /// <summary>Moves the stream to <paramref name="position"/>, e.g. to replay a recorded step.</summary>
    /// <param name="position">The new position.</param>
    public void Seek(ulong position) => Position = position;
}
