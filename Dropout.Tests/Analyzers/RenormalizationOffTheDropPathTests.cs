using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Kept values divided by their own total renormalize the drop only where the drop runs: in the dropping method or a
/// method it calls. A normalization elsewhere in the type (a matrix class's softmax over its own cells) runs whether or
/// not anything was dropped, so it must not hide a missing 1/p (held-out set real-g: a matrix type whose dropout never
/// rescales, next to a softmax that divides the same cells by their sum).
/// </summary>
public sealed class RenormalizationOffTheDropPathTests
{
    [Fact]
    public Task SoftmaxOfTheSameCells_InAnotherMethod_DoesNotHideTheMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Grid
            {
                private readonly double[,] _cells = new double[4, 4];

                public void Softmax()
                {
                    double total = 0;
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            total += _cells[r, c];
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            _cells[r, c] = _cells[r, c] / total;
                }

                public void Dropout(double chance, Random random)
                {
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            if ({|DRP004:random.NextDouble() < chance|}) _cells[r, c] = 0.0;
                }
            }
            """);

    [Fact]
    public Task NormalizationByTheArraySum_InAnotherMethod_DoesNotHideTheMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Activations
            {
                private readonly float[] _values = new float[64];

                public void Normalize()
                {
                    float sum = _values.Sum();
                    for (int i = 0; i < _values.Length; i++) _values[i] /= sum;
                }

                public void ApplyDropout(float rate, Random rng)
                {
                    for (int i = 0; i < _values.Length; i++)
                        _values[i] = {|DRP004:rng.NextDouble() < rate|} ? 0f : _values[i];
                }
            }
            """);

    [Fact]
    public Task RenormalizingHelper_CalledAfterTheDrop_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class AttentionWeights
            {
                private readonly double[] _weights = new double[16];

                public void Dropout(double rate, Random random)
                {
                    for (int i = 0; i < _weights.Length; i++)
                        if (random.NextDouble() < rate) _weights[i] = 0.0;
                    Renormalize();
                }

                private void Renormalize()
                {
                    double total = 0;
                    for (int i = 0; i < _weights.Length; i++) total += _weights[i];
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = _weights[i] / total;
                }
            }
            """);

    [Fact]
    public Task RenormalizationInTheCallerOfTheDroppingHelper_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class AttentionWeights
            {
                private readonly double[] _weights = new double[16];

                public void Forward(double rate, Random random)
                {
                    DropSome(rate, random);
                    double total = 0;
                    for (int i = 0; i < _weights.Length; i++) total += _weights[i];
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = _weights[i] / total;
                }

                private void DropSome(double rate, Random random)
                {
                    for (int i = 0; i < _weights.Length; i++)
                        if (random.NextDouble() < rate) _weights[i] = 0.0;
                }
            }
            """);

    [Fact]
    public Task RenormalizationInTheDroppingMethod_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class AttentionWeights
            {
                private readonly double[] _weights = new double[16];

                public void Dropout(double rate, Random random)
                {
                    for (int i = 0; i < _weights.Length; i++)
                        if (random.NextDouble() < rate) _weights[i] = 0.0;
                    double total = _weights.Sum();
                    for (int i = 0; i < _weights.Length; i++) _weights[i] = _weights[i] / total;
                }
            }
            """);

    [Fact]
    public Task InvertedScale_NextToAnUnrelatedSoftmax_IsNotReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Grid
            {
                private readonly double[,] _cells = new double[4, 4];

                public void Softmax()
                {
                    double total = 0;
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            total += _cells[r, c];
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            _cells[r, c] = _cells[r, c] / total;
                }

                public void Dropout(double chance, Random random)
                {
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            _cells[r, c] = random.NextDouble() < chance ? 0.0 : _cells[r, c] / (1 - chance);
                }
            }
            """);
}
