using Dropout.Analyzers;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Issue 9, program structure: dropout whose parts real code keeps elsewhere than the layer (the generator behind a
/// static utility class in another file). Each mistake has a correct twin that stays silent.
/// </summary>
public sealed class ProgramStructureTests
{
    private const string Layer = """
        public sealed class DropoutLayer
        {
            private readonly float _dropRate;

            public DropoutLayer(float dropRate) { _dropRate = dropRate; }

            public float[] Forward(float[] input, bool training)
            {
                if (!training) return input;
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++)
                    output[i] = DECISION ? 0f : input[i]KEPT_SCALE;
                return output;
            }
        }
        """;

    private const string RangeUtility = """
        internal static class RandomUtil
        {
            private static readonly Random r = new Random(7);
            public static float RandomRange(float lo, float hi) => lo + (hi - lo) * r.NextSingle();
            public static double Between(double min, double max)
            {
                return (max - min) * r.NextDouble() + min;
            }
            public static float Halfway(float lo, float hi) => lo + (hi - lo) * 0.5f;
        }
        """;

    private static Task VerifyAsync<TAnalyzer>(params (string Name, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach ((string name, string source) in files)
        {
            test.TestState.Sources.Add(("/" + name, AnalyzerTest.Usings + source));
        }

        test.TestState.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(AnalyzerTest.RuntimeReference);
        return test.RunAsync();
    }

    private static string LayerWith(string decision, string keptScale) => Layer.Replace("DECISION", decision).Replace("KEPT_SCALE", keptScale);

    [Fact]
    public Task RangeHelperOfAnotherFile_CalledWithZeroAndOne_IsAUniformDraw_UnscaledMaskIsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("{|DRP004:RandomUtil.RandomRange(0f, 1f) < _dropRate|}", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperOfAnotherFile_CalledWithZeroAndOne_ScaledMaskIsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.RandomRange(0f, 1f) < _dropRate", " / (1f - _dropRate)")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperWithTheOffsetLast_CalledWithZeroAndOne_UnscaledMaskIsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("{|DRP004:RandomUtil.Between(0.0, 1.0) < _dropRate|}", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task RangeHelperCalledWithOtherBounds_IsNoUniform_Silent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.RandomRange(0f, 2f) < _dropRate", "")),
            ("RandomUtil.cs", RangeUtility));

    [Fact]
    public Task HelperWithBoundsThatDrawsNothing_IsNoUniform_Silent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("DropoutLayer.cs", LayerWith("RandomUtil.Halfway(0f, 1f) < _dropRate", "")),
            ("RandomUtil.cs", RangeUtility));

    private const string KeepLayer = """
        public class DropoutLayer : LayerBase
        {
            private readonly Random _random = new Random(3);

            public DropoutLayer(double keepProbability = DEFAULT)
            {
                _keepProbability = keepProbability;
            }

            public override double[] Forward(double[] x, bool training)
            {
                if (!training) return x;
                return x.Select(v => _random.NextDouble() < _keepProbability ? v / _keepProbability : 0.0).ToArray();
            }
        }
        """;

    private const string KeepBase = """
        public abstract class LayerBase
        {
            protected double _keepProbability;
            public abstract double[] Forward(double[] x, bool training);
        }
        """;

    [Fact]
    public Task KeepProbabilityInheritedFromABaseClassOfAnotherFile_DefaultLooksLikeARate_IsReported() =>
        VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            ("DropoutLayer.cs", KeepLayer.Replace("DEFAULT", "{|DRP003:0.1|}")),
            ("LayerBase.cs", KeepBase));

    [Fact]
    public Task KeepProbabilityInheritedFromABaseClassOfTheSameFile_DefaultLooksLikeARate_IsReported() =>
        VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(("DropoutLayer.cs", KeepBase + "\n" + KeepLayer.Replace("DEFAULT", "{|DRP003:0.1|}")));

    [Fact]
    public Task KeepProbabilityInheritedFromABaseClass_DefaultIsAKeepProbability_IsSilent() =>
        VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            ("DropoutLayer.cs", KeepLayer.Replace("DEFAULT", "0.9")),
            ("LayerBase.cs", KeepBase));

    [Fact]
    public Task ProtectedKeepProbabilityAlsoSetByADerivedTypeOfAnUnreadFile_IsUnknown_Silent() =>
        VerifyAsync<KeepProbabilityLooksLikeDropRateAnalyzer>(
            ("DropoutLayer.cs", KeepLayer.Replace("DEFAULT", "0.1")),
            ("LayerBase.cs", KeepBase),
            ("Other.cs", """
                public sealed class TunedLayer : LayerBase
                {
                    public TunedLayer(double keep) { _keepProbability = Math.Clamp(keep, 0.5, 1.0); }
                    public override double[] Forward(double[] x, bool training) => x;
                }
                """));

    private const string WeightsRow = """
        public sealed class AttentionRow
        {
            public double[] Weights { get; } = new double[8];
            public bool Training { get; set; } = true;

            public void Renormalize()
            {
                double total = Weights.Sum();
                if (total <= 0) return;
                for (int i = 0; i < Weights.Length; i++) Weights[i] = Weights[i] / total;
            }
        }
        """;

    private const string DropHelper = """
        public static class AttentionRowOps
        {
            private static readonly Random Rng = new Random(5);

            public static void DropWeights(AttentionRow row, double dropRate)
            {
                if (!row.Training) return;
                for (int i = 0; i < row.Weights.Length; i++)
                    if (DECISION) row.Weights[i] = 0.0;
                row.Renormalize();
            }
        }
        """;

    [Fact]
    public Task DropOfAnotherTypesMember_ThatTypeRescalesItInPlaceInAnotherFile_IsSilent() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("AttentionRowOps.cs", DropHelper.Replace("DECISION", "Rng.NextDouble() < dropRate")),
            ("AttentionRow.cs", WeightsRow));

    [Fact]
    public Task DropOfAnotherTypesMember_ThatTypeNeverRescalesIt_IsReported() =>
        VerifyAsync<MissingInvertedScalingAnalyzer>(
            ("AttentionRowOps.cs", DropHelper.Replace("DECISION", "{|DRP004:Rng.NextDouble() < dropRate|}").Replace("row.Renormalize();", "")),
            ("AttentionRow.cs", WeightsRow.Replace("Weights[i] = Weights[i] / total", "Weights[i] = Math.Max(Weights[i], total)")));

    private const string StructLayer = """
        public struct DropoutLayer
        {
            private readonly float _rate;
            private readonly Random _random;

            public DropoutLayer(float rate) { _rate = rate; _random = new Random(1); }

            public float[] Forward(float[] input)
            {
                var output = new float[input.Length];
                for (int i = 0; i < input.Length; i++)
                    output[i] = DECISION ? 0f : input[i] / (1f - _rate);
                return output;
            }
        }
        """;

    [Fact]
    public Task StructLayerWhoseForwardAlwaysDrops_HasNoInferencePath_IsReported() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(("DropoutLayer.cs", StructLayer.Replace("DECISION", "{|DRP014:_random.NextSingle() < _rate|}")));

    [Fact]
    public Task StructLayerWithATrainingFlag_IsSilent() =>
        VerifyAsync<DropoutWithoutInferencePathAnalyzer>(("DropoutLayer.cs", StructLayer
            .Replace("public float[] Forward(float[] input)", "public float[] Forward(float[] input, bool training)")
            .Replace("DECISION", "training && _random.NextSingle() < _rate")));
}
