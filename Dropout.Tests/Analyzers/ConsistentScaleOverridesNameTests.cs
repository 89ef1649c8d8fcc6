using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Some libraries call the keep probability <c>dropout</c> (documented as "the probability of keeping a unit"). When the
/// comparison keeps with that value and the kept entries are scaled by one over the same value, the arithmetic is a
/// consistent inverted dropout: the name is the only thing that disagrees, and DRP016 stays silent. The same mask with no
/// scale, or with the drop rate's scale, still contradicts the name and is reported.
/// </summary>
public sealed class ConsistentScaleOverridesNameTests
{
    private static string Layer(string keptEntry) => $$"""
        public static class DropoutOps
        {
            [ThreadStatic] private static Random? _local;
            private static Random Shared => _local ??= new Random(42);

            public static void ApplyDropout(float[] activations, float dropout)
            {
                float scale = 1 / dropout;
                for (int k = 0; k < activations.Length; k++)
                {
                    activations[k] = Shared.NextSingle() > dropout ? 0 : {{keptEntry}};
                }
            }
        }
        """;

    [Fact]
    public Task KeptValuesScaledByOneOverTheComparedValue_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("activations[k] * scale"));

    [Fact]
    public Task KeptValuesDividedByTheComparedValue_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("activations[k] / dropout"));

    [Fact]
    public Task UnscaledKeptValuesWithTheDropNamedValue_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("activations[k]").Replace("Shared.NextSingle() > dropout", "{|DRP016:Shared.NextSingle() > dropout|}"));

    [Fact]
    public Task KeptValuesScaledByTheDropRatesScale_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(Layer("activations[k] / (1f - dropout)").Replace("Shared.NextSingle() > dropout", "{|DRP016:Shared.NextSingle() > dropout|}"));

    private static string MaskHelper(string keptEntry) => $$"""
        public static class Rand
        {
            [ThreadStatic] private static Random? _local;
            private static Random Shared => _local ??= new Random(42);
            public static float NextFloat() => Shared.NextSingle();

            public static float[] NextDropoutMask(int count, float dropout)
            {
                float scale = 1 / dropout;
                var mask = new float[count];
                System.Threading.Tasks.Parallel.For(0, count, j => { mask[j] = NextFloat() > dropout ? 0 : {{keptEntry}}; });
                return mask;
            }
        }
        """;

    [Fact]
    public Task MaskThatStoresOneOverTheComparedValue_IsNotReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(MaskHelper("scale"));

    [Fact]
    public Task MaskThatStoresOneOverTheDropRate_IsReported() =>
        AnalyzerTest.VerifyAsync<DrawKeepsWithDropRateAnalyzer>(MaskHelper("1 / (1 - dropout)").Replace("NextFloat() > dropout", "{|DRP016:NextFloat() > dropout|}"));
}
