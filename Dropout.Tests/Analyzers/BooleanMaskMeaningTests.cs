using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// What a boolean mask's entry means is read from its use, not its name: `dropoutMask[i] = u > rate` followed by
/// `dropoutMask[i] ? x / (1 - rate) : 0` keeps with 1 - rate and scales correctly; the mistake left is a backward that
/// reads the mask but omits the scale.
/// </summary>
public sealed class BooleanMaskMeaningTests
{
    private const string Forward = """
        public sealed class HiddenLayer
        {
            private readonly Random _rand = new(2);
            private readonly double dropoutRate = 0.3;
            private bool[] dropoutMask = new bool[16];
            public double[] Forward(double[] x, bool isTraining)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    if (isTraining)
                    {
                        dropoutMask[i] = _rand.NextDouble() > dropoutRate;
                        y[i] = dropoutMask[i] ? x[i] / (1.0 - dropoutRate) : 0.0;
                    }
                    else
                    {
                        y[i] = x[i];
                    }
                }
                return y;
            }
        """;

    [Fact]
    public Task MaskNamedForDropout_TrueWhereKept_ScaledByOneMinusRate_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(Forward + "}");

    [Fact]
    public Task MaskNamedForDropout_TrueWhereKept_IsNotAKeepWithDropRate() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Forward + "}");

    [Fact]
    public Task MaskNamedForDropout_TrueWhereDropped_ScaledByRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>("""
            public sealed class HiddenLayer
            {
                private readonly Random _rand = new(2);
                private readonly double dropoutRate = 0.3;
                private bool[] dropoutMask = new bool[16];
                public double[] Forward(double[] x)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        dropoutMask[i] = _rand.NextDouble() > dropoutRate;
                        y[i] = dropoutMask[i] ? 0.0 : {|DRP012:x[i] / (1.0 - dropoutRate)|};
                    }
                    return y;
                }
            }
            """);

    [Fact]
    public Task BackwardReadingTheKeepMaskWithoutTheScale_IsReported() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Forward + """
                public double[] {|DRP013:BackwardPass|}(double[] grad)
                {
                    var dx = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) if (dropoutMask[i]) dx[i] = grad[i];
                    return dx;
                }
            }
            """);

    [Fact]
    public Task BackwardReadingTheKeepMaskWithTheScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<BackwardOmitsForwardMaskOrScaleAnalyzer>(Forward + """
                public double[] BackwardPass(double[] grad)
                {
                    var dx = new double[grad.Length];
                    for (int i = 0; i < grad.Length; i++) if (dropoutMask[i]) dx[i] = grad[i] / (1.0 - dropoutRate);
                    return dx;
                }
            }
            """);

    // The decision is a local the kept value reads (`keep ? a / (1 - rate) : 0`) and the mask only records it, so no use
    // of the mask in the method says what an entry means: its name must not decide it either when the name is "dropout".
    private const string RecordedKeepFlag = """
        public sealed class DenseLayer
        {
            private readonly double DropoutRate = 0.2;
            private bool[] MASK = new bool[8];
            public double[] Forward(double[] input, bool training, Random random)
            {
                var output = new double[input.Length];
                for (int o = 0; o < input.Length; o++)
                {
                    double a = input[o];
                    if (training && DropoutRate > 0.0)
                    {
                        bool keep = random.NextDouble() >= DropoutRate;
                        MASK[o] = keep;
                        a = keep ? KEPT : 0.0;
                    }
                    else MASK[o] = true;
                    output[o] = a;
                }
                return output;
            }
        }
        """;

    [Fact]
    public Task MaskNamedForDropout_RecordingTheKeepLocal_ScaledByOneMinusRate_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(RecordedKeepFlag.Replace("MASK", "_dropoutMask").Replace("KEPT", "a / (1.0 - DropoutRate)"));

    // The recorded local's own use (`keep ? a / (1 - rate) : 0`) says what an entry means, so a mask named for dropped units
    // that records it does not turn the right scale into a wrong one (a name supports, never decides; RestructuredDropoutTests).
    [Fact]
    public Task MaskNamedForDroppedUnits_RecordingTheKeepLocal_ScaledByOneMinusRate_IsNotAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(RecordedKeepFlag.Replace("MASK", "_dropped").Replace("KEPT", "a / (1.0 - DropoutRate)"));

    [Fact]
    public Task MaskNamedForDroppedUnits_RecordingTheKeepLocal_ScaledByTheRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(RecordedKeepFlag.Replace("MASK", "_dropped").Replace("KEPT", "{|DRP012:a / DropoutRate|}"));

    [Fact]
    public Task MaskNamedForDropout_RecordingTheKeepLocal_ScaledByTheRate_IsAWrongScale() =>
        AnalyzerTest.VerifyAsync<DropRateUsedAsScaleAnalyzer>(RecordedKeepFlag.Replace("MASK", "_dropoutMask").Replace("KEPT", "{|DRP012:a / DropoutRate|}"));
}
