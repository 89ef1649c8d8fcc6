namespace Dropout.Tests.Runtime;

/// <summary>
/// A dense layer followed by dropout, y = dropout(W·x + b), with loss L = Σ c ⊙ y. The mask is fixed by (seed, offset),
/// so L is a smooth function of W and b and central differences must match the analytic gradient that back-propagates
/// through <see cref="DropoutKernels.Backward(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{byte}, double)"/>.
/// </summary>
public class GradientCheckTests
{
    private const int Inputs = 7, Outputs = 37;
    private const double KeepProbability = 0.8;
    private const ulong Seed = 2024, Offset = 4096;

    [Fact]
    public void DenseWithDropout_AnalyticGradientMatchesFiniteDifferences()
    {
        var random = new System.Random(10);
        double[] weights = Enumerable.Range(0, Inputs * Outputs).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] bias = Enumerable.Range(0, Outputs).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] x = Enumerable.Range(0, Inputs).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] c = Enumerable.Range(0, Outputs).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        // Analytic: dL/dy = c; dL/dz = dropout backward of c with the forward's mask; dL/dW[o,i] = dL/dz[o] · x[i].
        var mask = new byte[MaskLayout.MaskByteCount(Outputs)];
        var y = new double[Outputs];
        DropoutKernels.Forward(Dense(weights, bias, x), y, mask, KeepProbability, Seed, Offset);
        var gradZ = new double[Outputs];
        DropoutKernels.Backward(c, gradZ, mask, KeepProbability);

        const double Step = 1e-6;
        int droppedOutputs = 0;
        for (int o = 0; o < Outputs; o++)
        {
            droppedOutputs += gradZ[o] == 0 ? 1 : 0;
            for (int i = 0; i < Inputs; i++)
            {
                int index = o * Inputs + i;
                double saved = weights[index];
                weights[index] = saved + Step;
                double plus = Loss(weights, bias, x, c);
                weights[index] = saved - Step;
                double minus = Loss(weights, bias, x, c);
                weights[index] = saved;

                double numeric = (plus - minus) / (2 * Step);
                Assert.Equal(gradZ[o] * x[i], numeric, 1e-7);
            }

            double savedBias = bias[o];
            bias[o] = savedBias + Step;
            double biasPlus = Loss(weights, bias, x, c);
            bias[o] = savedBias - Step;
            double biasMinus = Loss(weights, bias, x, c);
            bias[o] = savedBias;
            Assert.Equal(gradZ[o], (biasPlus - biasMinus) / (2 * Step), 1e-7);
        }

        // The check only means something if the mask both kept and dropped some outputs.
        Assert.InRange(droppedOutputs, 1, Outputs - 1);
    }

    private static double Loss(double[] weights, double[] bias, double[] x, double[] c)
    {
        var y = new double[Outputs];
        DropoutKernels.Forward(Dense(weights, bias, x), y, KeepProbability, Seed, Offset);
        return y.Zip(c, (a, b) => a * b).Sum();
    }

    private static double[] Dense(double[] weights, double[] bias, double[] x)
    {
        var z = new double[Outputs];
        for (int o = 0; o < Outputs; o++)
        {
            z[o] = bias[o];
            for (int i = 0; i < Inputs; i++)
            {
                z[o] += weights[o * Inputs + i] * x[i];
            }
        }

        return z;
    }
}
