using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// DRP016 on a boolean mask, judged by the mask's reader: <c>_mask[i] = u &lt; _dropRate</c> read as <c>_mask[i] ? x[i] /
/// (1 - _dropRate) : 0</c> keeps each unit with the drop rate. Compared the other way, read as "dropped"
/// (<c>_mask[i] ? 0 : ...</c>), or with no reader in the body to say what an entry means: silent.
/// </summary>
public sealed class BooleanMaskKeepDropConfusionTests
{
    private static string Layer(string comparison, string read) => $$"""
        public sealed class HiddenLayer
        {
            private readonly Random _rand = new Random(2);
            private readonly double _dropRate = 0.3;
            private readonly bool[] _mask = new bool[16];

            public double[] Forward(double[] x, bool training)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    if (training)
                    {
                        _mask[i] = {{comparison}};
                        {{read}}
                    }
                    else
                    {
                        y[i] = x[i];
                    }
                }

                return y;
            }

            public bool[] Mask => _mask;
        }
        """;

    private const string ReadAsKept = "y[i] = _mask[i] ? x[i] / (1.0 - _dropRate) : 0.0;";

    [Fact]
    public Task MaskDrawnTrueWithTheDropRate_ReadAsKept_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("{|DRP016:_rand.NextDouble() < _dropRate|}", ReadAsKept));

    [Fact]
    public Task MaskDrawnTrueWithTheDropRate_ReadAsKeptThroughIf_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("{|DRP016:_rand.NextDouble() < _dropRate|}", "if (_mask[i]) y[i] = x[i] / (1.0 - _dropRate); else y[i] = 0.0;"));

    [Fact]
    public Task MaskDrawnTrueWithTheKeepProbability_ReadAsKept_IsSilent() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("_rand.NextDouble() >= _dropRate", ReadAsKept));

    [Fact]
    public Task MaskDrawnTrueWithTheDropRate_ReadAsDropped_IsSilent() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("_rand.NextDouble() < _dropRate", "y[i] = _mask[i] ? 0.0 : x[i] / (1.0 - _dropRate);"));

    // The mask is drawn in one method and read by another (`Sample` draws, `Compute` zeroes where `!mask[j]`).
    private static string SampledThenComputed(string comparison, string zeroWhen) => $$"""
        public sealed class HiddenLayer
        {
            private readonly Random _rand = new Random(2);
            private readonly double[] _output = new double[16];
            public bool[] Mask = new bool[16];
            public double DropRate { get; set; } = 0.3;

            public void Sample()
            {
                for (int i = 0; i < Mask.Length; i++)
                {
                    if ({{comparison}}) Mask[i] = true;
                    else Mask[i] = false;
                }
            }

            public double[] Compute(double[] x)
            {
                for (int j = 0; j < _output.Length; j++)
                {
                    if (Mask != null && {{zeroWhen}}) { _output[j] = 0; continue; }
                    _output[j] = x[j] / (1.0 - DropRate);
                }

                return _output;
            }
        }
        """;

    [Fact]
    public Task MaskSetTrueWithTheDropRate_ReadAsKeptByAnotherMethod_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(SampledThenComputed("{|DRP016:_rand.NextDouble() < DropRate|}", "!Mask[j]"));

    [Fact]
    public Task MaskSetTrueWithTheDropRate_ReadAsDroppedByAnotherMethod_IsSilent() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(SampledThenComputed("_rand.NextDouble() < DropRate", "Mask[j]"));

    [Fact]
    public Task MaskWithNoReaderInTheBody_MeaningUnknown_IsSilent() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("_rand.NextDouble() < _dropRate", "y[i] = x[i];"));
}
