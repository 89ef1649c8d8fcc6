namespace Dropout.Tests.Runtime.Variants;

/// <summary>DropConnect (issue 13): dropout of a dense layer's weights, with the backward that matches it.</summary>
public class DropConnectTests
{
    private const int Batch = 3, Inputs = 37, Outputs = 5;
    private const double P = 0.7;
    private const ulong Seed = 4242, Offset = 2048;

    [Fact]
    public void Forward_UsesTheDefinitionsWeightMask_AndComputesXTimesMaskedWeightsPlusBias()
    {
        (float[] x, float[] w, float[] b) = Layer();
        float[] y = new float[Batch * Outputs], maskedWeights = new float[w.Length];
        var mask = new byte[MaskLayout.MaskByteCount(w.Length)];
        DropConnectKernels.Forward(x, w, b, y, maskedWeights, mask, Inputs, P, Seed, Offset);

        Assert.Equal(MaskDefinitionReference.Mask(w.Length, P, Seed, Offset), mask);
        for (int row = 0; row < Batch; row++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                double expected = b[o];
                for (int i = 0; i < Inputs; i++)
                {
                    bool kept = MaskDefinitionReference.IsKept(P, Seed, Offset + (ulong)((o * Inputs) + i));
                    expected += kept ? x[(row * Inputs) + i] * (double)(w[(o * Inputs) + i] * (float)(1 / P)) : 0;
                }

                Assert.Equal(expected, y[(row * Outputs) + o], 4);
            }
        }
    }

    // Finite differences of L = Σ y ⊙ g with the mask held fixed (same seed and offset): checks dx, dW and dbias.
    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        (float[] x, float[] w, float[] b) = Layer();
        float[] g = MaskDefinitionReference.RandomInput(Batch * Outputs, 9);
        float[] maskedWeights = new float[w.Length];
        var mask = new byte[MaskLayout.MaskByteCount(w.Length)];
        DropConnectKernels.Forward(x, w, b, new float[Batch * Outputs], maskedWeights, mask, Inputs, P, Seed, Offset);

        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[Outputs];
        DropConnectKernels.Backward(g, x, maskedWeights, mask, dx, dw, db, Inputs, P);

        const float Step = 1e-2f;
        foreach ((float[] parameter, float[] gradient) in new[] { (x, dx), (w, dw), (b, db) })
        {
            for (int k = 0; k < parameter.Length; k += 3)
            {
                float saved = parameter[k];
                parameter[k] = saved + Step;
                double plus = Loss(x, w, b, g);
                parameter[k] = saved - Step;
                double minus = Loss(x, w, b, g);
                parameter[k] = saved;
                Assert.Equal((plus - minus) / (2 * Step), gradient[k], 2);
            }
        }
    }

    [Fact]
    public void BadShapes_Throw()
    {
        (float[] x, float[] w, float[] b) = Layer();
        var mask = new byte[MaskLayout.MaskByteCount(w.Length)];
        Assert.Throws<ArgumentOutOfRangeException>(() => DropConnectKernels.Forward(x, w, b, new float[Batch * Outputs], new float[w.Length], mask, 0, P, 1, 0));
        Assert.Throws<ArgumentException>(() => DropConnectKernels.Forward(x, w, b, new float[(Batch * Outputs) + 1], new float[w.Length], mask, Inputs, P, 1, 0));
        Assert.Throws<ArgumentException>(() => DropConnectKernels.Forward(x, w, b.AsSpan(1), new float[Batch * Outputs], new float[w.Length], mask, Inputs, P, 1, 0));
        Assert.Throws<ArgumentException>(() => DropConnectKernels.Forward(x, w, b, new float[Batch * Outputs], new float[w.Length - 1], mask, Inputs, P, 1, 0));
    }

    private static double Loss(float[] x, float[] w, float[] b, float[] g)
    {
        float[] y = new float[Batch * Outputs];
        DropConnectKernels.Forward(x, w, b, y, new float[w.Length], new byte[MaskLayout.MaskByteCount(w.Length)], Inputs, P, Seed, Offset);
        double loss = 0;
        for (int k = 0; k < y.Length; k++)
        {
            loss += y[k] * (double)g[k];
        }

        return loss;
    }

    private static (float[] X, float[] W, float[] B) Layer() =>
        (MaskDefinitionReference.RandomInput(Batch * Inputs, 1), MaskDefinitionReference.RandomInput(Outputs * Inputs, 2), MaskDefinitionReference.RandomInput(Outputs, 3));
}
