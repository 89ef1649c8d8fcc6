namespace Dropout;

public static unsafe partial class DropoutKernels
{
    /// <summary>
    /// The batch keep-bit computation of the dropout kernels, for the fused epilogue kernels: the same tiles, the same
    /// bits (see <see cref="ComputeBatch"/>).
    /// </summary>
    internal static int ComputeKeepBatch(in DropoutMaskSpec spec, ulong seed, ulong position, int remaining, ulong* batchBits, VectorWidth width, out int length) =>
        ComputeBatch(spec, seed, position, remaining, batchBits, width, out length);
}
