using System.Runtime.Intrinsics;

namespace Dropout;

/// <summary>The vector width a kernel call runs at. Every width produces the same bits; the choice is only speed.</summary>
internal enum VectorWidth
{
    Scalar = 0,
    Vector128 = 128,
    Vector256 = 256,
    Vector512 = 512,
}

/// <summary>Chooses the widest accelerated width, once; tests can force another width on their own thread.</summary>
internal static class VectorWidths
{
    [ThreadStatic]
    private static VectorWidth? t_forced;

    /// <summary>Gets the widest width the hardware accelerates.</summary>
    public static VectorWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
        : Vector128.IsHardwareAccelerated ? VectorWidth.Vector128
        : VectorWidth.Scalar;

    /// <summary>Gets the width calls on this thread use: <see cref="Best"/> unless a test forced another.</summary>
    public static VectorWidth Current => t_forced ?? Best;

    /// <summary>Forces <paramref name="width"/> on this thread until the returned scope is disposed (tests only).</summary>
    public static ForcedWidthScope Force(VectorWidth width)
    {
        VectorWidth? previous = t_forced;
        t_forced = width;
        return new ForcedWidthScope(previous);
    }

    internal readonly struct ForcedWidthScope(VectorWidth? previous) : IDisposable
    {
        public void Dispose() => t_forced = previous;
    }
}
