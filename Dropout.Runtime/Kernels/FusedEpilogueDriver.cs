using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>
/// What the fused driver does to one vector of elements, given their keep lanes: the forward or the backward chain.
/// A step reads and writes its own spans through the element index, and per-column data (bias, bias gradient) through
/// the column, which the driver passes only for vectors that lie within one row.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IEpilogueStep<T>
    where T : unmanaged
{
    /// <summary>Gets whether the step reads or writes per-column data, so the driver must track columns.</summary>
    bool UsesColumns { get; }

    /// <summary>Processes the lanes at <paramref name="index"/>, all in one row starting at <paramref name="column"/>.</summary>
    /// <returns>
    /// The lanes the step's own gate passes (ReLU's "x + bias &gt; 0"; every lane when it has none): the driver ANDs them
    /// with the keep bits it already holds as an integer to form the recorded mask bits, which is cheaper than a vector
    /// AND followed by a move of the result back to an integer.
    /// </returns>
    Vector128<T> Apply(nint index, int column, Vector128<T> keep);

    /// <inheritdoc cref="Apply(nint, int, Vector128{T})"/>
    Vector256<T> Apply(nint index, int column, Vector256<T> keep);

    /// <inheritdoc cref="Apply(nint, int, Vector128{T})"/>
    Vector512<T> Apply(nint index, int column, Vector512<T> keep);

    /// <summary>Processes one element, with exactly the arithmetic of one vector lane.</summary>
    /// <returns>The element's mask bit, when the forward records a mask.</returns>
    bool ApplyOne(nint index, int column, bool keep);
}

/// <summary>A backward step whose per-column sums (the bias gradient) the driver may keep in registers.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IColumnSumStep<T> : IEpilogueStep<T>
    where T : unmanaged
{
    /// <summary>Computes and stores the lanes at <paramref name="index"/> like <see cref="IEpilogueStep{T}.Apply(nint, int, Vector512{T})"/>, but returns the values to add to the column sums instead of adding them.</summary>
    Vector512<T> Gradient(nint index, int column, Vector512<T> keep);
}

/// <summary>
/// The one loop behind every fused epilogue kernel, generic over the step (forward or backward, and through it the
/// activation and the dropout operator), so the JIT compiles it once per combination with every step call inlined.
/// It owns what no step should repeat: where keep bits come from (all kept, a recorded mask, or regenerated from
/// <c>docs/masks.md</c> tiles), the vector width, row segments for per-column data, the tails, and mask recording.
/// </summary>
internal static unsafe class FusedEpilogueDriver
{
    /// <summary>Runs <paramref name="step"/> over <paramref name="count"/> elements.</summary>
    /// <param name="step">The element chain.</param>
    /// <param name="count">The number of elements.</param>
    /// <param name="columns">The row length.</param>
    /// <param name="firstColumn">The column of element 0 (a chunk of a larger call may start mid-row).</param>
    /// <param name="spec">The keep test, read only when <paramref name="regenerate"/> is set.</param>
    /// <param name="regenerate">Draw the keep bits from (<paramref name="seed"/>, <paramref name="offset"/>).</param>
    /// <param name="seed">The stream key.</param>
    /// <param name="offset">The stream position of element 0.</param>
    /// <param name="keepBits">A recorded mask to read keep bits from, when not regenerating; null and not regenerating keeps every element.</param>
    /// <param name="record">Receives the step's mask bits; null records nothing.</param>
    public static void Run<T, TStep>(TStep step, int count, int columns, int firstColumn, in DropoutMaskSpec spec, bool regenerate, ulong seed, ulong offset, byte* keepBits, byte* record)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
    {
        // Recording as a type, so that a kernel that records nothing does not even extract the mask bits.
        if (record == null)
        {
            Run<T, TStep, Absent>(step, count, columns, firstColumn, spec, regenerate, seed, offset, keepBits, null);
        }
        else
        {
            Run<T, TStep, Present>(step, count, columns, firstColumn, spec, regenerate, seed, offset, keepBits, record);
        }
    }

    private static void Run<T, TStep, TRecord>(TStep step, int count, int columns, int firstColumn, in DropoutMaskSpec spec, bool regenerate, ulong seed, ulong offset, byte* keepBits, byte* record)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
        where TRecord : struct, IPresence
    {
        var writer = new BitMaskWriter(record);
        var cursor = new ColumnCursor(step.UsesColumns ? columns : 0) { Column = step.UsesColumns ? firstColumn : 0 };
        VectorWidth width = VectorWidths.Current;
        if (!regenerate)
        {
            ApplySegment<T, TStep, TRecord>(step, 0, count, keepBits, 0, ref cursor, ref writer, width);
        }
        else
        {
            ulong* batchBits = stackalloc ulong[TileMaskGenerator.MaxWordsPerTile];
            int elementsPerTile = spec.ElementsPerTile;
            int done = 0;
            while (done < count)
            {
                ulong position = offset + (ulong)done;
                int wholeTiles = (count - done) / elementsPerTile;
                if (width == VectorWidth.Vector512 && wholeTiles > 0 && position % (ulong)elementsPerTile == 0)
                {
                    ApplyTiles512<T, TStep, TRecord>(step, done, wholeTiles, spec, seed, position / (ulong)elementsPerTile, ref cursor, ref writer);
                    done += wholeTiles * elementsPerTile;
                    continue;
                }

                // Partial tiles at either end of the call and the narrower widths: keep bits through a small buffer.
                int first = DropoutKernels.ComputeKeepBatch(spec, seed, position, count - done, batchBits, width, out int length);
                ApplySegment<T, TStep, TRecord>(step, done, length, (byte*)batchBits, first, ref cursor, ref writer, width);
                done += length;
            }
        }

        if (TRecord.IsPresent)
        {
            writer.Flush();
        }
    }

    /// <summary>The number of rows whose contributions to the column sums are added in registers before one store.</summary>
    internal const int RowsPerBlock = 4;

    /// <summary>
    /// The largest call, in bytes of one gradient array, that <see cref="RunColumnSums{T, TStep}"/> runs: 4 MiB, about
    /// what stays in a core's L2 and the shared L3. Past the caches the block order (a few rows at a time, 256 bytes of
    /// each) streams from memory at about half the speed of the element-order loop on the machine measured
    /// (BENCHMARKS.md, issue 10), while in cache it is the loop's arithmetic that counts and the blocks win.
    /// </summary>
    public const long DefaultColumnSumsMaxBytes = 4L * 1024 * 1024;

    [ThreadStatic]
    private static long? t_columnSumsMaxBytes;

    /// <summary>Gets the size limit of <see cref="RunColumnSums{T, TStep}"/> on the calling thread.</summary>
    public static long ColumnSumsMaxBytes => t_columnSumsMaxBytes ?? DefaultColumnSumsMaxBytes;

    /// <summary>
    /// Whether <see cref="RunColumnSums{T, TStep}"/> runs a call of <paramref name="count"/> elements: AVX-512, rows that
    /// split into whole blocks of four vectors, and data small enough to be in cache (<see cref="ColumnSumsMaxBytes"/>).
    /// </summary>
    public static bool CanRunColumnSums<T>(int columns, int count)
        where T : unmanaged =>
        VectorWidths.Current == VectorWidth.Vector512 && columns % (4 * Vector512<T>.Count) == 0 && (long)count * sizeof(T) <= ColumnSumsMaxBytes;

    /// <summary>Sets the size limit of <see cref="RunColumnSums{T, TStep}"/> on the calling thread until the scope is disposed, so tests reach both orders with small data.</summary>
    public static ColumnSumsLimitScope ForceColumnSumsMaxBytes(long bytes)
    {
        long? previous = t_columnSumsMaxBytes;
        t_columnSumsMaxBytes = bytes;
        return new ColumnSumsLimitScope(previous);
    }

    /// <summary>
    /// The backward with a bias gradient, keep bits from a recorded mask (or none): instead of one load, add and store of
    /// the column sums per vector, the sums of a block of four vectors' columns stay in registers across
    /// <see cref="RowsPerBlock"/> rows and are stored once. Each column is still summed row by row in element order from
    /// the same starting value, with the same additions, so the sums are bit-identical to the element-order loop; only
    /// the order in which different columns are visited changes.
    /// </summary>
    /// <param name="step">The backward step.</param>
    /// <param name="gradBias">The column sums, read and written (the caller has cleared them).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The row length, a multiple of four vectors (<see cref="CanRunColumnSums{T}"/>).</param>
    /// <param name="keepBits">The recorded mask, or null to keep every element.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    public static void RunColumnSums<T, TStep>(TStep step, T* gradBias, int rows, int columns, byte* keepBits)
        where T : unmanaged
        where TStep : struct, IColumnSumStep<T>
    {
        int lanes = Vector512<T>.Count;
        int block = 4 * lanes;
        for (int firstRow = 0; firstRow < rows; firstRow += RowsPerBlock)
        {
            int lastRow = Math.Min(rows, firstRow + RowsPerBlock);
            for (int column = 0; column < columns; column += block)
            {
                Vector512<T> sum0 = Vector512.Load(gradBias + column);
                Vector512<T> sum1 = Vector512.Load(gradBias + column + lanes);
                Vector512<T> sum2 = Vector512.Load(gradBias + column + (2 * lanes));
                Vector512<T> sum3 = Vector512.Load(gradBias + column + (3 * lanes));
                for (int row = firstRow; row < lastRow; row++)
                {
                    nint index = ((nint)row * columns) + column;
                    // A block starts on a multiple of 32 or 64 elements, so its keep bits are whole bytes inside the mask.
                    ulong window = keepBits == null ? ulong.MaxValue
                        : typeof(T) == typeof(float) ? Unsafe.ReadUnaligned<ulong>(keepBits + (index >> 3))
                        : Unsafe.ReadUnaligned<uint>(keepBits + (index >> 3));
                    MaskedScale.LaneMasks512x4(window, out Vector512<T> keep0, out Vector512<T> keep1, out Vector512<T> keep2, out Vector512<T> keep3);
                    sum0 += step.Gradient(index, column, keep0);
                    sum1 += step.Gradient(index + lanes, column + lanes, keep1);
                    sum2 += step.Gradient(index + (2 * lanes), column + (2 * lanes), keep2);
                    sum3 += step.Gradient(index + (3 * lanes), column + (3 * lanes), keep3);
                }

                sum0.Store(gradBias + column);
                sum1.Store(gradBias + column + lanes);
                sum2.Store(gradBias + column + (2 * lanes));
                sum3.Store(gradBias + column + (3 * lanes));
            }
        }
    }

    /// <summary>
    /// Applies <paramref name="length"/> elements from <paramref name="start"/> whose keep bits start at bit
    /// <paramref name="firstBit"/> of <paramref name="bits"/> (null: all kept), 64 elements per bit window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    private static void ApplySegment<T, TStep, TRecord>(TStep step, nint start, nint length, byte* bits, nint firstBit, ref ColumnCursor cursorState, ref BitMaskWriter writerState, VectorWidth width)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
        where TRecord : struct, IPresence
    {
        // Locals, not refs, in the loop: the JIT keeps them in registers.
        ColumnCursor cursor = cursorState;
        BitMaskWriter writer = writerState;
        nint bitEnd = firstBit + length;
        nint i = 0;
        if (width != VectorWidth.Scalar)
        {
            for (; i <= length - 64; i += 64)
            {
                ulong window = bits == null ? ulong.MaxValue : MaskedScale.ReadWindow(bits, firstBit + i, bitEnd);
                ulong recorded;
                if (cursor.Fits(64))
                {
                    // The common case: the 64 elements lie in one row, so per-column data is contiguous.
                    int column = cursor.Column;
                    recorded = 0;
                    if (width == VectorWidth.Vector512)
                    {
                        // Unrolled by hand: constant shifts, no loop counter (the JIT does not unroll this loop).
                        nint index = start + i;
                        recorded = Bits16<T, TStep>(step, index, column, (uint)window)
                            | (Bits16<T, TStep>(step, index + 16, column + 16, (uint)(window >> 16)) << 16)
                            | (Bits16<T, TStep>(step, index + 32, column + 32, (uint)(window >> 32)) << 32)
                            | (Bits16<T, TStep>(step, index + 48, column + 48, (uint)(window >> 48)) << 48);
                    }
                    else if (width == VectorWidth.Vector256)
                    {
                        for (int v = 0; v < 64; v += Vector256<T>.Count)
                        {
                            recorded |= (ulong)(step.Apply(start + i + v, column + v, MaskedScale.LaneMask256<T>((uint)(window >> v))).ExtractMostSignificantBits() & (uint)(window >> v)) << v;
                        }
                    }
                    else
                    {
                        for (int v = 0; v < 64; v += Vector128<T>.Count)
                        {
                            recorded |= (ulong)(step.Apply(start + i + v, column + v, MaskedScale.LaneMask128<T>((uint)(window >> v))).ExtractMostSignificantBits() & (uint)(window >> v)) << v;
                        }
                    }
                }
                else
                {
                    recorded = ApplyAcrossRows<T, TStep>(step, start + i, cursor, window);
                }

                cursor.Advance(64);
                if (TRecord.IsPresent)
                {
                    writer.Append(recorded, 64);
                }
            }
        }

        for (; i < length; i++)
        {
            nint bit = firstBit + i;
            bool keep = bits == null || ((bits[bit >> 3] >> (int)(bit & 7)) & 1) != 0;
            bool recorded = step.ApplyOne(start + i, cursor.Column, keep);
            cursor.Advance(1);
            if (TRecord.IsPresent)
            {
                writer.Append(recorded ? 1UL : 0UL, 1);
            }
        }

        cursorState = cursor;
        writerState = writer;
    }

    /// <summary>
    /// Whole tiles on AVX-512, as <see cref="FusedTiles512"/>: each compare of a random-word vector against the threshold
    /// is the keep-lane mask of the 16 elements it decides, with no trip through keep bits in memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    private static void ApplyTiles512<T, TStep, TRecord>(TStep step, nint start, int tiles, in DropoutMaskSpec spec, ulong seed, ulong firstTile, ref ColumnCursor cursorState, ref BitMaskWriter writerState)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
        where TRecord : struct, IPresence
    {
        if (cursorState.GroupsStayInRows && (!TRecord.IsPresent || writerState.IsAtWord))
        {
            ApplyTiles512InRows<T, TStep, TRecord>(step, start, tiles, spec, seed, firstTile, ref cursorState, ref writerState);
            return;
        }

        ColumnCursor cursor = cursorState;
        BitMaskWriter writer = writerState;
        int bits = spec.BitsPerElement;
        int fields = spec.ElementsPerWord;
        ulong tileMask = ulong.MaxValue >> BitOperations.TrailingZeroCount(spec.ElementsPerTile);
        Vector512<uint> limit = Vector512.Create(TileMaskGenerator.TopThreshold(spec.KeepThreshold, bits));
        nint index = start;
        for (int t = 0; t < tiles; t++)
        {
            MaskLayout.ComputeTile(seed, (firstTile + (ulong)t) & tileMask, out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3);
            for (int field = 0; field < fields; field++)
            {
                int shift = TileMaskGenerator.TopShift(field, bits);
                Vector512<uint> keep0 = Vector512.LessThan(Vector512.ShiftLeft(w0, shift), limit);
                Vector512<uint> keep1 = Vector512.LessThan(Vector512.ShiftLeft(w1, shift), limit);
                Vector512<uint> keep2 = Vector512.LessThan(Vector512.ShiftLeft(w2, shift), limit);
                Vector512<uint> keep3 = Vector512.LessThan(Vector512.ShiftLeft(w3, shift), limit);
                ulong recorded;
                if (cursor.Fits(64))
                {
                    int column = cursor.Column;
                    recorded = Group16<T, TStep>(step, index, column, keep0)
                        | (Group16<T, TStep>(step, index + 16, column + 16, keep1) << 16)
                        | (Group16<T, TStep>(step, index + 32, column + 32, keep2) << 32)
                        | (Group16<T, TStep>(step, index + 48, column + 48, keep3) << 48);
                }
                else
                {
                    ulong window = keep0.ExtractMostSignificantBits()
                        | (keep1.ExtractMostSignificantBits() << 16)
                        | (keep2.ExtractMostSignificantBits() << 32)
                        | (keep3.ExtractMostSignificantBits() << 48);
                    recorded = ApplyAcrossRows<T, TStep>(step, index, cursor, window);
                }

                cursor.Advance(64);
                if (TRecord.IsPresent)
                {
                    writer.Append(recorded, 64);
                }

                index += 64;
            }
        }

        cursorState = cursor;
        writerState = writer;
    }

    /// <summary>
    /// <see cref="ApplyTiles512{T, TStep, TRecord}"/> when every 64-element group lies within one row (no per-column
    /// data, or rows of whole groups starting at a group boundary) and the mask is at a 64-bit word: no row-crossing
    /// case in the loop, so the loop calls nothing and its vectors stay in registers; each group's mask bits are one
    /// store; and the tiles' Philox rounds run two at a time (<see cref="MaskLayout.ComputeTwoTiles"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see FusedTiles512.Apply
    private static void ApplyTiles512InRows<T, TStep, TRecord>(TStep step, nint start, int tiles, in DropoutMaskSpec spec, ulong seed, ulong firstTile, ref ColumnCursor cursorState, ref BitMaskWriter writerState)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
        where TRecord : struct, IPresence
    {
        // Plain locals passed by reference to the inlined tile body, so the JIT keeps them in registers.
        nint index = start;
        int column = cursorState.Column;
        int columns = cursorState.Columns;
        byte* record = TRecord.IsPresent ? writerState.Next : null;
        int bits = spec.BitsPerElement;
        int fields = spec.ElementsPerWord;
        ulong tileMask = ulong.MaxValue >> BitOperations.TrailingZeroCount(spec.ElementsPerTile);
        Vector512<uint> limit = Vector512.Create(TileMaskGenerator.TopThreshold(spec.KeepThreshold, bits));
        int t = 0;
        for (; fields <= FusedTiles512.PairedFieldsMax && t + 1 < tiles; t += 2)
        {
            MaskLayout.ComputeTwoTiles(seed, (firstTile + (ulong)t) & tileMask, (firstTile + (ulong)t + 1) & tileMask, out Vector512<uint> a0, out Vector512<uint> a1, out Vector512<uint> a2, out Vector512<uint> a3, out Vector512<uint> b0, out Vector512<uint> b1, out Vector512<uint> b2, out Vector512<uint> b3);
            TileInRows<T, TStep, TRecord>(step, ref index, ref column, columns, ref record, a0, a1, a2, a3, bits, fields, limit);
            TileInRows<T, TStep, TRecord>(step, ref index, ref column, columns, ref record, b0, b1, b2, b3, bits, fields, limit);
        }

        for (; t < tiles; t++)
        {
            MaskLayout.ComputeTile(seed, (firstTile + (ulong)t) & tileMask, out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3);
            TileInRows<T, TStep, TRecord>(step, ref index, ref column, columns, ref record, w0, w1, w2, w3, bits, fields, limit);
        }

        int groups = tiles * fields;
        cursorState.Advance(64 * groups);
        if (TRecord.IsPresent)
        {
            writerState.SkipWords(groups);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TileInRows<T, TStep, TRecord>(TStep step, ref nint index, ref int column, int columns, ref byte* record, Vector512<uint> w0, Vector512<uint> w1, Vector512<uint> w2, Vector512<uint> w3, int bits, int fields, Vector512<uint> limit)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
        where TRecord : struct, IPresence
    {
        for (int field = 0; field < fields; field++)
        {
            int shift = TileMaskGenerator.TopShift(field, bits);
            ulong recorded = Compare16<T, TStep>(step, index, column, Vector512.ShiftLeft(w0, shift), limit)
                | (Compare16<T, TStep>(step, index + 16, column + 16, Vector512.ShiftLeft(w1, shift), limit) << 16)
                | (Compare16<T, TStep>(step, index + 32, column + 32, Vector512.ShiftLeft(w2, shift), limit) << 32)
                | (Compare16<T, TStep>(step, index + 48, column + 48, Vector512.ShiftLeft(w3, shift), limit) << 48);
            if (TRecord.IsPresent)
            {
                Unsafe.WriteUnaligned(record, recorded);
                record += sizeof(ulong);
            }

            index += 64;
            if (columns != 0)
            {
                // Rows are whole groups here, so a row ends exactly at a group's end.
                column += 64;
                if (column == columns)
                {
                    column = 0;
                }
            }
        }
    }

    // Group16 for the fields shifted to the top (TileMaskGenerator.TopShift): kept iff shifted < limit. For float the
    // keep bits and the step's lane mask come from two separate compares (limit > shifted is the same test): the bits
    // then go from the compare's mask register straight to an integer, where one shared compare was widened to a
    // vector for the step and narrowed back for the bits. (The step's lane mask is still widened: .NET 10 does not turn
    // a reinterpreted compare into a masked multiply.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Compare16<T, TStep>(TStep step, nint index, int column, Vector512<uint> shifted, Vector512<uint> limit)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
    {
        if (typeof(T) == typeof(float))
        {
            ulong bits = Vector512.LessThan(shifted, limit).ExtractMostSignificantBits();
            return step.Apply(index, column, Vector512.GreaterThan(limit, shifted).As<uint, T>()).ExtractMostSignificantBits() & bits;
        }

        return Group16<T, TStep>(step, index, column, Vector512.LessThan(shifted, limit));
    }

    // 16 consecutive elements decided by the 16 lanes of one compare: one float vector, or two double vectors whose
    // lane masks are the compare's lanes sign-extended to 64 bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Group16<T, TStep>(TStep step, nint index, int column, Vector512<uint> keep)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
    {
        ulong bits = keep.ExtractMostSignificantBits();
        if (typeof(T) == typeof(float))
        {
            return step.Apply(index, column, keep.As<uint, T>()).ExtractMostSignificantBits() & bits;
        }

        (Vector512<long> lower, Vector512<long> upper) = Vector512.Widen(keep.AsInt32());
        return (step.Apply(index, column, lower.As<long, T>()).ExtractMostSignificantBits()
            | (step.Apply(index + 8, column + 8, upper.As<long, T>()).ExtractMostSignificantBits() << 8)) & bits;
    }

    // 16 consecutive elements whose keep lanes are the low 16 bits of `bits`: one float vector or two double vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits16<T, TStep>(TStep step, nint index, int column, uint bits)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
    {
        if (typeof(T) == typeof(float))
        {
            return step.Apply(index, column, MaskedScale.LaneMask512<T>(bits)).ExtractMostSignificantBits() & (ulong)(bits & 0xFFFF);
        }

        return (step.Apply(index, column, MaskedScale.LaneMask512<T>(bits)).ExtractMostSignificantBits()
            | ((ulong)step.Apply(index + 8, column + 8, MaskedScale.LaneMask512<T>(bits >> 8)).ExtractMostSignificantBits() << 8)) & (ulong)(bits & 0xFFFF);
    }

    /// <summary>
    /// 64 elements that cross a row end (or rows shorter than 64): 128-bit vectors where they fit in the row, single
    /// lanes where a vector would straddle it. Out of line, so the hot loops stay small.
    /// </summary>
    /// <remarks>The step is passed by value (it is only pointers and operators), so the hot loop's copy is not address-exposed.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong ApplyAcrossRows<T, TStep>(TStep step, nint index, ColumnCursor cursor, ulong keepBits)
        where T : unmanaged
        where TStep : struct, IEpilogueStep<T>
    {
        int lanes = Vector128<T>.Count;
        ulong recorded = 0;
        for (int v = 0; v < 64; v += lanes)
        {
            if (cursor.Fits(lanes))
            {
                recorded |= (ulong)(step.Apply(index + v, cursor.Column, MaskedScale.LaneMask128<T>((uint)(keepBits >> v))).ExtractMostSignificantBits() & (uint)(keepBits >> v)) << v;
                cursor.Advance(lanes);
                continue;
            }

            for (int lane = v; lane < v + lanes; lane++)
            {
                if (step.ApplyOne(index + lane, cursor.Column, ((keepBits >> lane) & 1) != 0))
                {
                    recorded |= 1UL << lane;
                }

                cursor.Advance(1);
            }
        }

        return recorded;
    }

    /// <summary>Restores the previous limit of the calling thread.</summary>
    internal readonly struct ColumnSumsLimitScope(long? previous) : IDisposable
    {
        public void Dispose() => t_columnSumsMaxBytes = previous;
    }

    /// <summary>The column of the next element of a row-major matrix, or nothing to track (0 columns).</summary>
    private struct ColumnCursor(int columns)
    {
        private readonly int _columns = columns;

        public int Column;

        /// <summary>Gets the row length, or 0 when not tracking.</summary>
        public readonly int Columns => _columns;

        /// <summary>Gets whether every 64-element group from here lies within one row: not tracking, or rows of whole groups and a group boundary here.</summary>
        public readonly bool GroupsStayInRows => _columns == 0 || (_columns % 64 == 0 && Column % 64 == 0);

        /// <summary>Whether <paramref name="lanes"/> elements from here lie within one row (always, when not tracking).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool Fits(int lanes) => _columns == 0 || Column <= _columns - lanes; // no overflow for rows near int.MaxValue

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Advance(int elements)
        {
            if (_columns == 0)
            {
                return;
            }

            Column += elements;
            if (Column >= _columns)
            {
                // One subtraction at a row end; a modulo only when rows are shorter than a vector.
                Column -= _columns;
                if (Column >= _columns)
                {
                    Column %= _columns;
                }
            }
        }
    }
}
