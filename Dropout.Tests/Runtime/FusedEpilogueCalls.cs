using System.Numerics;
using static Dropout.Tests.Runtime.FusedEpilogueReference;
using static Dropout.Tests.Runtime.FusedEpilogueTests;

namespace Dropout.Tests.Runtime;

/// <summary>A test run once per activation operator, with that operator and its independent reference.</summary>
internal interface IActivationCase
{
    void Run<T, TActivation>(TActivation operation, Activation<T> reference)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TActivation : struct, IActivation<T>;
}

/// <summary>Maps an activation name to its operator and its reference: by hand where the function is piecewise linear.</summary>
internal static class ActivationCases
{
    public const double LeakySlope = 0.01;

    public static void Run<T>(string name, IActivationCase test)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T slope = T.CreateChecked(LeakySlope);
        switch (name)
        {
            case "Identity":
                test.Run<T, IdentityActivation<T>>(default, new("Identity", a => a, _ => T.One, Gate: false));
                break;
            case "ReLU":
                test.Run<T, ReLUActivation<T>>(default, new("ReLU", a => a <= T.Zero ? T.Zero : a, a => a > T.Zero ? T.One : T.Zero, Gate: true));
                break;
            case "LeakyReLU":
                test.Run<T, LeakyReLUActivation<T>>(new LeakyReLUActivation<T>(slope), new("LeakyReLU", a => a > T.Zero ? a : a * slope, a => a > T.Zero ? T.One : slope, Gate: false));
                break;
            case "GeluTanh":
                // Transcendental: the reference is the operator's own scalar definition (accuracy against Math is
                // FusedActivationTests' job); what this pins is that every width and the fused chain reproduce it.
                var gelu = default(GeluTanhActivation<T>);
                test.Run<T, GeluTanhActivation<T>>(gelu, new("GeluTanh", gelu.Invoke, gelu.Derivative, Gate: false));
                break;
            case "SiLU":
                var silu = default(SiLUActivation<T>);
                test.Run<T, SiLUActivation<T>>(silu, new("SiLU", silu.Invoke, silu.Derivative, Gate: false));
                break;
            case "Tanh":
                var tanh = default(TanhActivation<T>);
                test.Run<T, TanhActivation<T>>(tanh, new("Tanh", tanh.Invoke, tanh.Derivative, Gate: false));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }
}

/// <summary>Calls the public float or double overloads of <see cref="FusedEpilogue"/> from generic test code.</summary>
internal static class FusedCalls
{
    public static void Forward<T, TActivation>(T[] x, T[] bias, T[] residual, T[] output, byte[]? mask, Shape shape, TActivation operation)
        where T : unmanaged
        where TActivation : struct, IActivation<T> =>
        For<T>().Forward(x, bias, residual, output, mask, shape, operation);

    public static void Inference<T, TActivation>(T[] x, T[] bias, T[] residual, T[] output, int columns, TActivation operation)
        where T : unmanaged
        where TActivation : struct, IActivation<T> =>
        For<T>().Inference(x, bias, residual, output, columns, operation);

    public static void BackwardFromMask<T, TActivation>(T[] gradOutput, byte[] mask, T[] x, T[] bias, T[] grad, T[] gradBias, Shape shape, TActivation operation)
        where T : unmanaged
        where TActivation : struct, IActivation<T> =>
        For<T>().BackwardFromMask(gradOutput, mask, x, bias, grad, gradBias, shape, operation);

    public static void BackwardRegenerate<T, TActivation>(T[] gradOutput, T[] x, T[] bias, T[] grad, T[] gradBias, Shape shape, TActivation operation)
        where T : unmanaged
        where TActivation : struct, IActivation<T> =>
        For<T>().BackwardRegenerate(gradOutput, x, bias, grad, gradBias, shape, operation);

    private static ICalls<T> For<T>()
        where T : unmanaged =>
        typeof(T) == typeof(float) ? (ICalls<T>)(object)new FloatCalls() : (ICalls<T>)(object)new DoubleCalls();

    private interface ICalls<T>
        where T : unmanaged
    {
        void Forward<TActivation>(T[] x, T[] bias, T[] residual, T[] output, byte[]? mask, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<T>;

        void Inference<TActivation>(T[] x, T[] bias, T[] residual, T[] output, int columns, TActivation operation)
            where TActivation : struct, IActivation<T>;

        void BackwardFromMask<TActivation>(T[] gradOutput, byte[] mask, T[] x, T[] bias, T[] grad, T[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<T>;

        void BackwardRegenerate<TActivation>(T[] gradOutput, T[] x, T[] bias, T[] grad, T[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<T>;
    }

    private sealed class FloatCalls : ICalls<float>
    {
        public void Forward<TActivation>(float[] x, float[] bias, float[] residual, float[] output, byte[]? mask, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<float>
        {
            if (mask is null)
            {
                FusedEpilogue.Forward(x, bias, residual, output, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
            }
            else
            {
                FusedEpilogue.Forward(x, bias, residual, output, mask, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
            }
        }

        public void Inference<TActivation>(float[] x, float[] bias, float[] residual, float[] output, int columns, TActivation operation)
            where TActivation : struct, IActivation<float> =>
            FusedEpilogue.Inference(x, bias, residual, output, columns, operation);

        public void BackwardFromMask<TActivation>(float[] gradOutput, byte[] mask, float[] x, float[] bias, float[] grad, float[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<float> =>
            FusedEpilogue.Backward(gradOutput, mask, x, bias, grad, gradBias, shape.Columns, operation, shape.P);

        public void BackwardRegenerate<TActivation>(float[] gradOutput, float[] x, float[] bias, float[] grad, float[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<float> =>
            FusedEpilogue.Backward(gradOutput, x, bias, grad, gradBias, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
    }

    private sealed class DoubleCalls : ICalls<double>
    {
        public void Forward<TActivation>(double[] x, double[] bias, double[] residual, double[] output, byte[]? mask, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<double>
        {
            if (mask is null)
            {
                FusedEpilogue.Forward(x, bias, residual, output, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
            }
            else
            {
                FusedEpilogue.Forward(x, bias, residual, output, mask, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
            }
        }

        public void Inference<TActivation>(double[] x, double[] bias, double[] residual, double[] output, int columns, TActivation operation)
            where TActivation : struct, IActivation<double> =>
            FusedEpilogue.Inference(x, bias, residual, output, columns, operation);

        public void BackwardFromMask<TActivation>(double[] gradOutput, byte[] mask, double[] x, double[] bias, double[] grad, double[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<double> =>
            FusedEpilogue.Backward(gradOutput, mask, x, bias, grad, gradBias, shape.Columns, operation, shape.P);

        public void BackwardRegenerate<TActivation>(double[] gradOutput, double[] x, double[] bias, double[] grad, double[] gradBias, Shape shape, TActivation operation)
            where TActivation : struct, IActivation<double> =>
            FusedEpilogue.Backward(gradOutput, x, bias, grad, gradBias, shape.Columns, operation, shape.P, shape.Seed, shape.Offset);
    }
}
