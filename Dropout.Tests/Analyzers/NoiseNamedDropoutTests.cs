using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Dropout classes named for noise, features or corruption (<c>FeatureNoiseLayer</c>, <c>InputCorruption</c>, a forward
/// over <c>features</c>) are analyzed when the code is clearly dropout: the probability is named as a drop or keep
/// probability, the zeroing runs in training only, and the kept values are rescaled by that probability somewhere in the
/// type; or, whatever the names and flags, when the kept values themselves are rescaled by a power of the probability
/// they survived with. Masking noise without a rescale (a denoising autoencoder's corruption) stays a legitimate
/// technique: silent.
/// </summary>
public sealed class NoiseNamedDropoutTests
{
    private static string FeatureNoise(string keptValue, string extraMembers = "", string gate = "if (!training) return features;") => $$"""
        public sealed class FeatureNoiseLayer
        {
            private readonly Random _rng = new(11);
            private readonly float _dropRate = 0.25f;
            {{extraMembers}}

            public float[] Forward(float[] features, bool training)
            {
                {{gate}}
                var result = new float[features.Length];
                for (int i = 0; i < features.Length; i++)
                {
                    result[i] = _rng.NextDouble() < _dropRate ? 0f : {{keptValue}};
                }
                return result;
            }
        }
        """;

    [Fact]
    public Task NoiseNamedLayer_KeptScaledByTheDropRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(FeatureNoise("{|DRP012:features[i] / _dropRate|}"));

    [Fact]
    public Task NoiseNamedLayer_KeptScaledByOneMinusDropRate_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(FeatureNoise("features[i] / (1f - _dropRate)"));

    [Fact]
    public Task NoiseNamedLayer_KeptScaledByOneMinusDropRate_IsNotAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(FeatureNoise("features[i] / (1f - _dropRate)"));

    private static string ClassicFeatureNoise(string inferenceValue) => $$"""
        public sealed class FeatureNoise
        {
            private readonly Random _rng = new(11);
            private readonly float _dropRate = 0.25f;

            public float[] Apply(float[] features, bool training)
            {
                var result = new float[features.Length];
                for (int i = 0; i < features.Length; i++)
                {
                    result[i] = training ? (_rng.NextDouble() < _dropRate ? 0f : features[i]) : {{inferenceValue}};
                }
                return result;
            }
        }
        """;

    [Fact]
    public Task NoiseNamedClassic_InferenceScaledByTheDropRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(ClassicFeatureNoise("{|DRP012:features[i] * _dropRate|}"));

    [Fact]
    public Task NoiseNamedClassic_InferenceScaledByTheKeepProbability_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(ClassicFeatureNoise("features[i] * (1f - _dropRate)"));

    [Fact]
    public Task NoiseNamedClassic_InferenceScaledByTheKeepProbability_IsNotAMissingScale() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(ClassicFeatureNoise("features[i] * (1f - _dropRate)"));

    [Fact]
    public Task NoiseNamedLayer_DropRateWithoutAnyRescale_IsLeftAlone() =>
        // Zeroing features with a named rate in training and never rescaling is also masking noise (denoising
        // autoencoders): nothing in the type says the expected activation should be kept, so no missing scale is claimed.
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(FeatureNoise("features[i]"));

    [Fact]
    public Task NoiseNamedLayer_DividedByTheDropRateOnEveryCall_IsAWrongScale() =>
        // Survivors rescaled by the probability they survived with are dropout by data flow, whatever the names and
        // whether or not a training flag gates it (an augmentation would not rescale them at all).
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(FeatureNoise("{|DRP012:features[i] / _dropRate|}", gate: ""));

    [Fact]
    public Task DenoisingAutoencoderCorruption_WithoutRescale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class DenoisingAutoencoder
            {
                private readonly Random _rng = new(3);
                private readonly double _corruptionLevel = 0.3;
                public double[] Hidden(double[] input, bool training)
                {
                    var corrupted = new double[input.Length];
                    for (int i = 0; i < input.Length; i++)
                        corrupted[i] = training && _rng.NextDouble() < _corruptionLevel ? 0.0 : input[i];
                    return Encode(corrupted);
                }
                private double[] Encode(double[] x) => x;
            }
            """);

    [Fact]
    public Task CorruptionWhoseSurvivorsAreDividedByTheCorruptionLevel_IsAWrongScale() =>
        // Masking corruption does not rescale; one that divides the survivors by the level they were zeroed with is
        // dropout's rescale by data flow, with the drop rate where the keep probability belongs.
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class DenoisingAutoencoder
            {
                private readonly Random _rng = new(3);
                private readonly double _corruptionLevel = 0.3;
                public double[] Hidden(double[] input, bool training)
                {
                    if (!training) return input;
                    var corrupted = new double[input.Length];
                    for (int i = 0; i < input.Length; i++)
                        corrupted[i] = _rng.NextDouble() < _corruptionLevel ? 0.0 : {|DRP012:input[i] / _corruptionLevel|};
                    return corrupted;
                }
            }
            """);

    [Fact]
    public Task InputCorruptionLayer_BackwardReadingTheMaskWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>("""
            public sealed class InputCorruption
            {
                private readonly Random _rng = new(5);
                private readonly double _keepProbability = 0.8;
                private readonly bool[] _kept = new bool[32];
                public bool Training { get; set; }

                public double[] Forward(double[] input)
                {
                    var output = new double[input.Length];
                    for (int i = 0; i < input.Length; i++)
                    {
                        if (!Training) { output[i] = input[i]; continue; }
                        _kept[i] = _rng.NextDouble() < _keepProbability;
                        output[i] = _kept[i] ? input[i] / _keepProbability : 0.0;
                    }
                    return output;
                }

                public double[] {|DRP013:Backward|}(double[] gradient)
                {
                    var result = new double[gradient.Length];
                    for (int i = 0; i < gradient.Length; i++) result[i] = _kept[i] ? gradient[i] : 0.0;
                    return result;
                }
            }
            """);

    [Fact]
    public Task NoiseNamedLayer_DividedByTheDropRateUnderAFlagThatIsNotTraining_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(
            FeatureNoise("{|DRP012:features[i] / _dropRate|}", gate: "if (!Enabled) return features;", extraMembers: "public bool Enabled { get; set; }"));

    [Fact]
    public Task AugmentationNamedForNoise_DividedByTheDropRate_IsAWrongScale() =>
        // Another technique's word (augment) does not outweigh the data flow: the survivors are rescaled as dropout's are.
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(
            FeatureNoise("{|DRP012:features[i] / _dropRate|}").Replace("FeatureNoiseLayer", "NoiseAugmenter", StringComparison.Ordinal));
}
