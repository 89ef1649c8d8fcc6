using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// Exact-count dropout whose shuffled 0/1 mask is a list (a ported Rust <c>Vec&lt;f32&gt;</c>): the first
/// <c>(int)(n * (1 - p))</c> entries set to 1, the list permuted by a shuffle given a generator (<c>mask.shuffle(rng)</c>,
/// an extension method as Rust's <c>SliceRandom::shuffle</c>), and each entry multiplying an input in a <c>Select</c>. The
/// held-out port read its mask through <c>this.mask[i]</c> and shuffled it by an extension; neither the list indexer, the
/// extension shuffle nor the <c>this.</c> receiver was read, so it was no site. Unscaled it is DRP004; divided by
/// 1 - p it is silent, and so is a shuffled 0/1 list that weighs a sum of losses (a sampled batch, no unit dropped).
/// </summary>
public sealed class ShuffledListMaskTests
{
    private const string Shuffle = """
        public static class ListShuffle
        {
            public static void shuffle<T>(this List<T> items, Random rng)
            {
                for (int i = items.Count - 1; i > 0; i--) { int j = rng.Next(i + 1); (items[i], items[j]) = (items[j], items[i]); }
            }
        }
        """;

    [Fact]
    public Task ShuffledListOfOnes_MultipliedUnscaled_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class CountDropout
            {
                public float p;
                private List<float> mask = new();
                public List<float> Forward(List<float> input, bool training)
                {
                    if (!training) return input.ToList();
                    int n = input.Count;
                    this.mask = Enumerable.Repeat(0.0f, n).ToList();
                    for (int i = 0; i < (int)((float)n * (1.0f - this.p)); i++)
                        this.mask[i] = 1.0f;
                    var rng = new Random(11);
                    this.mask.shuffle(rng);
                    return input.Select((v, i) => {|DRP004:this.mask[i] * v|}).ToList();
                }
            }
            {{Shuffle}}
            """);

    [Fact]
    public Task ShuffledListOfOnes_DividedByTheKeepFraction_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class CountDropout
            {
                public float p;
                private List<float> mask = new();
                public List<float> Forward(List<float> input, bool training)
                {
                    if (!training) return input.ToList();
                    int n = input.Count;
                    this.mask = Enumerable.Repeat(0.0f, n).ToList();
                    for (int i = 0; i < (int)((float)n * (1.0f - this.p)); i++)
                        this.mask[i] = 1.0f;
                    var rng = new Random(11);
                    this.mask.shuffle(rng);
                    return input.Select((v, i) => this.mask[i] * v / (1.0f - this.p)).ToList();
                }
            }
            {{Shuffle}}
            """);

    [Fact]
    public Task ShuffledListOfOnes_WeighingASumOfLosses_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>($$"""
            public sealed class BatchPicker
            {
                public float Weighted(List<float> losses, float fraction)
                {
                    var take = Enumerable.Repeat(0.0f, losses.Count).ToList();
                    for (int i = 0; i < (int)(losses.Count * fraction); i++)
                        take[i] = 1.0f;
                    var rng = new Random(11);
                    take.shuffle(rng);
                    float total = 0;
                    for (int i = 0; i < losses.Count; i++) total += take[i] * losses[i];
                    return total;
                }
            }
            {{Shuffle}}
            """);
}
