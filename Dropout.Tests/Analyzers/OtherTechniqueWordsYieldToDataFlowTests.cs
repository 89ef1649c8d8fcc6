using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A word of another technique (noise, connection, corruption, augmentation) does not hide dropout whose data flow says
/// dropout: the values that survive the draw are rescaled by a power of the probability they survived with
/// (<c>u &lt; keep ? w / keep : 0</c>, a mask entry <c>1 / keep</c>). Noise injection, masking corruption, genetic
/// mutation and exploration zero or replace values without rescaling the survivors, so they stay silent: there the
/// words still decide, since an unscaled zeroing is a legitimate technique as often as it is dropout missing its scale.
/// </summary>
public sealed class OtherTechniqueWordsYieldToDataFlowTests
{
    private static string NoiseMaskLayer(string signature, string gate) => $$"""
        public sealed class HiddenLayer
        {
            private readonly Random _rng = new(7);
            private readonly double _keep = 0.8;

            public double[] {{signature}}
            {
                {{gate}}
                var noise = new double[x.Length];
                for (int i = 0; i < x.Length; i++) noise[i] = {{(gate.Length == 0 ? "{|DRP014:_rng.NextDouble() < _keep|}" : "_rng.NextDouble() < _keep")}} ? 1.0 / _keep : 0.0;
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++) y[i] = Math.Max(0, x[i]) * noise[i];
                return y;
            }
        }
        """;

    [Fact]
    public Task MaskNamedNoise_HoldingOneOverKeep_OnEveryCall_HasNoInferencePath() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(NoiseMaskLayer("Forward(double[] x)", ""));

    [Fact]
    public Task MaskNamedNoise_HoldingOneOverKeep_SkippedAtInference_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropoutWithoutInferencePathAnalyzer>(NoiseMaskLayer("Forward(double[] x, bool training)", "if (!training) return x;"));

    private static string DropConnect(string keptWeight) => $$"""
        public sealed class ConnectionMaskLayer
        {
            private readonly Random _rng = new(9);
            private readonly double _keepProb = 0.7;
            private readonly double[] _connections = new double[16];

            public double Forward(double[] x, bool training)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double w = training ? (_rng.NextDouble() < _keepProb ? {{keptWeight}} : 0.0) : _connections[i];
                    sum += w * x[i];
                }
                return sum;
            }
        }
        """;

    [Fact]
    public Task DropConnectOverConnections_KeptWeightsDividedByTheDropRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(DropConnect("{|DRP012:_connections[i] / (1 - _keepProb)|}"));

    [Fact]
    public Task DropConnectOverConnections_KeptWeightsDividedByTheKeepProbability_IsSilent() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(DropConnect("_connections[i] / _keepProb"));

    [Fact]
    public Task DropConnectOverConnections_KeptWeightsDividedByTheKeepProbability_IsNotAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(DropConnect("_connections[i] / _keepProb"));

    [Fact]
    public Task GenomeConnectionsZeroedByMutation_WithoutRescale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class Genome
            {
                private readonly Random _rng = new(4);
                public double[] Connections = new double[32];
                public double MutationRate = 0.05;

                public void Mutate()
                {
                    for (int i = 0; i < Connections.Length; i++)
                        if (_rng.NextDouble() < MutationRate) Connections[i] = 0;
                }

                public double Forward(double[] x)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++) sum += Connections[i] * x[i];
                    return sum;
                }
            }
            """);

    [Fact]
    public Task NoiseNamedHiddenUnitsZeroedWithoutRescale_AreLeftAlone() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(NoiseMaskLayer("Forward(double[] x, bool training)", "if (!training) return x;").Replace("1.0 / _keep", "1.0", StringComparison.Ordinal));
}
