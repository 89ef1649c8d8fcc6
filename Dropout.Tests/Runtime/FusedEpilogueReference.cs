using System.Numerics;
using System.Runtime.InteropServices;

namespace Dropout.Tests.Runtime;

/// <summary>
/// The unfused chain the fused kernels must reproduce bit for bit: bias add and the activation element by element in
/// plain scalar code, then the runtime's dropout kernel (<see cref="DropoutKernels"/>, whose masks the other tests pin to
/// docs/masks.md) at the same seed and offset, then the residual add. Backward likewise: the dropout kernel's backward
/// from the keep mask, then the derivative, then column sums for the bias gradient.
/// </summary>
internal static class FusedEpilogueReference
{
    /// <summary>An activation written out by hand (ReLU, leaky ReLU, identity) or, for the transcendental ones, the operator's own scalar definition.</summary>
    public sealed record Activation<T>(string Name, Func<T, T> Value, Func<T, T> Derivative, bool Gate)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public static T[] PreActivation<T>(T[] x, T[] bias, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = new T[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // No bias means no addition at all (x + 0 would turn -0 into +0).
            a[i] = bias.Length == 0 ? x[i] : x[i] + bias[i % columns];
        }

        return a;
    }

    public static (T[] Output, byte[] Mask, byte[] KeepMask) Forward<T>(T[] x, T[] bias, T[] residual, int columns, Activation<T> activation, double p, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] a = PreActivation(x, bias, columns);
        T[] z = a.Select(activation.Value).ToArray();
        var dropped = new T[x.Length];
        var keepMask = new byte[MaskLayout.MaskByteCount(x.Length)];
        DropoutKernels.Run<T>(z, dropped, keepMask, recordMask: true, DropoutMaskSpec.Create(p), seed, offset);

        var output = new T[x.Length];
        var mask = (byte[])keepMask.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            output[i] = residual.Length == 0 ? dropped[i] : dropped[i] + residual[i];
            if (activation.Gate && !(a[i] > T.Zero))
            {
                mask[i / 8] &= (byte)~(1 << (i % 8));
            }
        }

        return (output, mask, keepMask);
    }

    public static T[] Inference<T>(T[] x, T[] bias, T[] residual, int columns, Activation<T> activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] a = PreActivation(x, bias, columns);
        var output = new T[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            T z = activation.Value(a[i]);
            output[i] = residual.Length == 0 ? z : z + residual[i];
        }

        return output;
    }

    public static (T[] GradPreActivation, T[] GradBias) Backward<T>(T[] gradOutput, byte[] keepMask, T[] x, T[] bias, int columns, Activation<T> activation, double p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dropped = new T[gradOutput.Length];
        DropoutKernels.ApplyMask<T>(gradOutput, dropped, keepMask, DropoutMaskSpec.Create(p));
        T[] a = PreActivation(x, bias, columns);
        var grad = new T[gradOutput.Length];
        var gradBias = new T[columns];
        for (int i = 0; i < grad.Length; i++)
        {
            bool kept = (keepMask[i / 8] >> (i % 8) & 1) != 0;
            if (!kept)
            {
                grad[i] = T.Zero;
            }
            else if (activation.Gate)
            {
                grad[i] = a[i] > T.Zero ? dropped[i] : T.Zero;
            }
            else
            {
                grad[i] = dropped[i] * activation.Derivative(a[i]);
            }
        }

        // Column sums in row order, starting from +0.
        for (int i = 0; i < grad.Length; i++)
        {
            gradBias[i % columns] += grad[i];
        }

        return (grad, gradBias);
    }

    public static void AssertBitsEqual<T>(T[] expected, T[] actual, string context)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected.AsSpan());
        ReadOnlySpan<byte> a = MemoryMarshal.AsBytes(actual.AsSpan());
        if (!e.SequenceEqual(a))
        {
            int size = e.Length / Math.Max(1, expected.Length);
            int index = 0;
            while (e.Slice(index * size, size).SequenceEqual(a.Slice(index * size, size)))
            {
                index++;
            }

            Assert.Fail($"{context}: element {index} of {expected.Length} is {actual[index]} but the unfused chain gives {expected[index]}.");
        }
    }

    /// <summary>Uniform values in [-2, 2), and with <paramref name="specials"/> a sprinkling of NaN, ±∞, ±0.</summary>
    public static T[] RandomValues<T>(System.Random random, int length, bool specials)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateChecked(random.NextDouble() * 4 - 2);
            if (specials && random.Next(40) == 0)
            {
                values[i] = random.Next(5) switch
                {
                    0 => T.NaN,
                    1 => T.PositiveInfinity,
                    2 => T.NegativeInfinity,
                    3 => T.NegativeZero,
                    _ => T.Zero,
                };
            }
        }

        return values;
    }
}
