using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Dropout;

/// <summary>One place for argument errors, so that hot paths keep only a call to a method that never returns.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowKeepProbabilityOutOfRange(double keepProbability, string parameterName = "keepProbability") =>
        throw new ArgumentOutOfRangeException(
            parameterName,
            keepProbability,
            string.Create(CultureInfo.InvariantCulture, $"The keep probability p must be in [2^-24, 1] (about 5.96e-8 to 1; p is the probability of KEEPING an element, not the drop rate; for a drop rate r pass 1 - r). Got {keepProbability}."));

    [DoesNotReturn]
    public static void ThrowArgument(string parameterName, string message) => throw new ArgumentException(message, parameterName);

    [DoesNotReturn]
    public static void ThrowLengthMismatch(string parameterName, int expected, int actual) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"'{parameterName}' has {actual} elements but must have {expected}, the length of the input."),
            parameterName);

    [DoesNotReturn]
    public static void ThrowMaskTooSmall(string parameterName, int elementCount, int maskBytes) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"A bit mask for {elementCount} elements needs {MaskLayout.MaskByteCount(elementCount)} bytes (1 bit per element); '{parameterName}' has {maskBytes}."),
            parameterName);

    [DoesNotReturn]
    public static void ThrowPartialOverlap(string parameterName) =>
        throw new ArgumentException("The output overlaps the input without starting at the same element; pass the same span for an in-place call.", parameterName);
}
