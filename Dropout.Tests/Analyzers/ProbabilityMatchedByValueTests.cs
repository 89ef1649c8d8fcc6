using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A scale that does not read the site's probability symbol is matched with it by value: another local of the same value
/// in another method (a lesson's training half and inference half each declaring <c>dropoutRate = 0.5</c>), a literal
/// (<c>x / 0.8</c> beside a read-only keep field of 0.8) or a constant. Two different values do not match, and a factor
/// that reads the site's own symbol is still judged symbolically: <c>x / rate</c> with the drop rate <c>rate = 0.5</c> is
/// the drop-rate confusion even though the number equals <c>1 / (1 - rate)</c>.
/// </summary>
public sealed class ProbabilityMatchedByValueTests
{
    private static string Lesson(string inferenceRate, string inferenceScale) => $$"""
        public sealed class LessonNetwork
        {
            private readonly Random _random = new(7);
            private readonly double[] _hidden = new double[16];

            public void TrainingPass()
            {
                double dropoutRate = 0.5;
                bool[] alive = new bool[_hidden.Length];
                for (int j = 0; j < _hidden.Length; j++)
                {
                    alive[j] = _random.NextDouble() > dropoutRate;
                    if (!alive[j])
                    {
                        _hidden[j] = 0;
                    }
                }
            }

            public void InferencePass()
            {
                double dropoutRate = {{inferenceRate}};
                for (int j = 0; j < _hidden.Length; j++)
                {
                    _hidden[j] *= {{inferenceScale}};
                }
            }
        }
        """;

    [Fact]
    public Task ClassicDropout_InferenceScaledByKeepOfAnotherLocalOfTheSameValue_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Lesson("0.5", "1 - dropoutRate"));

    [Fact]
    public Task ClassicDropout_InferenceScaledByAnotherLocalOfADifferentValue_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Lesson("0.3", "1 - dropoutRate")
            .Replace("alive[j] = _random.NextDouble() > dropoutRate;", "alive[j] = {|DRP004:_random.NextDouble() > dropoutRate|};", StringComparison.Ordinal));

    private static string RateLayer(string training, string inference) => $$"""
        public sealed class RateLayer
        {
            private readonly Random _random = new(7);

            public double[] Forward(double[] x)
            {
                double dropRate = 0.2;
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = _random.NextDouble() < dropRate ? 0 : {{training}};
                }
                return y;
            }

            public double[] Predict(double[] x)
            {
                double dropRate = 0.2;
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = {{inference}};
                }
                return y;
            }
        }
        """;

    [Fact]
    public Task ClassicDropout_PredictionScaledByTheKeepOfAnotherLocal_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(RateLayer("x[i]", "x[i] * (1 - dropRate)"));

    [Fact]
    public Task ClassicDropout_PredictionScaledByTheDropRateOfAnotherLocal_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(RateLayer("x[i]", "{|DRP012:x[i] * dropRate|}"));

    private static string KeepFieldLayer(string keep, string training, string inference) => $$"""
        public sealed class KeepFieldLayer
        {
            private readonly Random _random = new(7);
            private readonly double _keep = {{keep}};

            public double[] Forward(double[] x, bool training)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = training ? (_random.NextDouble() < _keep ? {{training}} : 0) : {{inference}};
                }
                return y;
            }
        }
        """;

    [Fact]
    public Task InvertedDropout_LiteralOneOverTheKeepFieldsValue_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(KeepFieldLayer("0.8", "x[i] / 0.8", "x[i]"));

    [Fact]
    public Task InvertedDropout_LiteralOneOverTheDropRateOfTheKeepField_IsReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(KeepFieldLayer("0.8", "{|DRP012:x[i] / 0.2|}", "x[i]"));

    [Fact]
    public Task ClassicDropout_LiteralKeepAtInferenceBesideAKeepField_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(KeepFieldLayer("0.8", "x[i]", "x[i] * 0.8"));

    [Fact]
    public Task ClassicDropout_LiteralOfAnotherValueAtInferenceBesideAKeepField_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(KeepFieldLayer("0.8", "x[i]", "x[i] * 0.7")
            .Replace("_random.NextDouble() < _keep", "{|DRP004:_random.NextDouble() < _keep|}", StringComparison.Ordinal));

    [Fact]
    public Task ConstantKeepInOneMethodAndLiteralInAnother_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class ConstantKeepLayer
            {
                private const double KeepProb = 0.9;
                private readonly Random _random = new(7);

                public void Train(double[] x)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (_random.NextDouble() >= KeepProb) x[i] = 0;
                    }
                }

                public void Infer(double[] x)
                {
                    for (int i = 0; i < x.Length; i++) x[i] *= 0.9;
                }
            }
            """);

    // A number is linked by value alone, so it must scale an activation: 0.8 (the keep probability of a 0.2 drop rate)
    // on an integer index in a colour ramp is no inference scale, and the missing 1/p is still reported.
    [Fact]
    public Task LiteralEqualToTheKeepOnAnIntegerIndex_IsNoScale_AndTheMissingScaleIsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>("""
            public sealed class PricePredictor
            {
                public double[] Forward(double[] x)
                {
                    double rate = 0.2;
                    return Drop(x, rate);

                    double[] Drop(double[] values, double dropoutRate)
                    {
                        var rng = new Random(1);
                        for (int i = 0; i < values.Length; i++)
                        {
                            if ({|DRP004:rng.NextDouble() < dropoutRate|}) values[i] = 0;
                        }
                        return values;
                    }
                }

                public byte[] Shades(int count)
                {
                    var shades = new byte[count];
                    for (int i = 0; i < count; i++) shades[i] = (byte)(255 * (1.0 - i * 0.8 / count));
                    return shades;
                }
            }
            """);

    // The symbolic reading goes first: the site's own drop rate as the divisor is the confusion whatever its value,
    // although 1 / 0.5 happens to equal 1 / (1 - 0.5).
    [Fact]
    public Task DivisionByTheSitesOwnDropRate_WhoseValueEqualsTheKeep_IsStillReported() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class HalfRateLayer
            {
                private readonly Random _random = new(7);
                private readonly double _rate = 0.5;

                public double[] Forward(double[] x)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = _random.NextDouble() < _rate ? 0 : {|DRP012:x[i] / _rate|};
                    }
                    return y;
                }
            }
            """);
}
