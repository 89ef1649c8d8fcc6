using System.Numerics;
using static Dropout.Tests.Runtime.FusedEpilogueReference;
using static Dropout.Tests.Runtime.FusedEpilogueTests;

namespace Dropout.Tests.Runtime;

/// <summary>
/// Central finite differences of <c>L = Σ c ⊙ FusedEpilogue.Forward(x, bias, residual)</c> (double, fixed seed and offset,
/// so the mask is fixed and L is a smooth function away from ReLU's kink) against the fused backward: the gradient with
/// respect to x and bias from <see cref="FusedEpilogue.Backward{TActivation}(ReadOnlySpan{double}, ReadOnlySpan{byte}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, int, TActivation, double)"/>,
/// and with respect to the residual, which is the output gradient itself. For every activation, with and without bias
/// and residual.
/// </summary>
public class FusedGradientCheckTests
{
    public static TheoryData<string, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string activation in new[] { "Identity", "ReLU", "LeakyReLU", "GeluTanh", "SiLU", "Tanh" })
        {
            foreach (bool bias in new[] { false, true })
            {
                foreach (bool residual in new[] { false, true })
                {
                    data.Add(activation, bias, residual);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnalyticGradient_MatchesFiniteDifferences(string activation, bool hasBias, bool hasResidual) =>
        ActivationCases.Run<double>(activation, new GradientCase(hasBias, hasResidual));

    private sealed class GradientCase(bool hasBias, bool hasResidual) : IActivationCase
    {
        private const int Rows = 4, Columns = 9;
        private const double Step = 1e-6;

        public void Run<T, TActivation>(TActivation operation, Activation<T> reference)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TActivation : struct, IActivation<T>
        {
            var random = new System.Random(hasBias ? 21 : 22);
            var shape = new Shape(Rows, Columns, 0.8, Seed: 2024, Offset: 4096 + 37, hasBias, hasResidual);
            T[] bias = hasBias ? RandomValues<T>(random, Columns, specials: false) : [];
            T[] residual = hasResidual ? RandomValues<T>(random, Rows * Columns, specials: false) : [];
            T[] c = RandomValues<T>(random, Rows * Columns, specials: false);
            var x = new T[Rows * Columns];
            for (int i = 0; i < x.Length; i++)
            {
                // Keep every pre-activation away from ReLU's kink at 0, where no derivative exists.
                do
                {
                    x[i] = T.CreateChecked((random.NextDouble() * 4) - 2);
                }
                while (T.Abs(x[i] + (hasBias ? bias[i % Columns] : T.Zero)) < T.CreateChecked(0.05));
            }

            var output = new T[x.Length];
            var mask = new byte[MaskLayout.MaskByteCount(x.Length)];
            FusedCalls.Forward(x, bias, residual, output, mask, shape, operation);
            var grad = new T[x.Length];
            var gradBias = new T[Columns];
            FusedCalls.BackwardFromMask(c, mask, x, bias, grad, gradBias, shape, operation);

            int kept = 0;
            for (int i = 0; i < x.Length; i++)
            {
                kept += (mask[i / 8] >> (i % 8)) & 1;
                AssertMatches(grad[i], Numeric(x, i), $"dL/dx[{i}]");
                if (hasResidual)
                {
                    AssertMatches(c[i], Numeric(residual, i), $"dL/dresidual[{i}]");
                }
            }

            for (int j = 0; j < bias.Length; j++)
            {
                AssertMatches(gradBias[j], Numeric(bias, j), $"dL/dbias[{j}]");
            }

            // The check only means something if some elements were kept and some dropped (or gated off, for ReLU).
            Assert.InRange(kept, 1, x.Length - 1);

            T Numeric(T[] values, int index)
            {
                T saved = values[index];
                T step = T.CreateChecked(Step);
                values[index] = saved + step;
                T plus = Loss();
                values[index] = saved - step;
                T minus = Loss();
                values[index] = saved;
                return (plus - minus) / (step + step);
            }

            T Loss()
            {
                var y = new T[x.Length];
                FusedCalls.Forward(x, bias, residual, y, null, shape, operation);
                T sum = T.Zero;
                for (int i = 0; i < y.Length; i++)
                {
                    sum += c[i] * y[i];
                }

                return sum;
            }

            void AssertMatches(T analytic, T numeric, string what)
            {
                double a = double.CreateChecked(analytic), n = double.CreateChecked(numeric);

                // Central differences: truncation O(h²) ≈ 1e-12 and rounding about ε·|L|/h ≈ 1e-9.
                Assert.True(Math.Abs(a - n) <= 1e-7 * Math.Max(1, Math.Abs(a)), $"{reference.Name}, bias {hasBias}, residual {hasResidual}: {what} analytic {a:R}, numeric {n:R}");
            }
        }
    }
}
