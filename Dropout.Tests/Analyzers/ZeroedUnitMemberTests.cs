using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A unit object's member zeroed in one branch of the draw and written from another value in the other
/// (<c>if (u &lt; keep) cells[i].val = cells[i].prev.act; else cells[i].val = 0;</c>, also chained) is a per-element
/// keep/drop choice whatever the member is called: the model finds the site (shown by DRP011 on the unseeded generator).
/// Branches that write different members, or a constant in both, are no such choice.
/// </summary>
public sealed class ZeroedUnitMemberTests
{
    private const string Cells = """
        public class Cell { public double val, act; public Cell[] prev; }
        public sealed class DropCells
        {
            static Random rand = new Random();
            public Cell[] cells = new Cell[0];
            public double prob = 0.5;
            public void Step()
            {
                for (int i = 0; i < cells.Length; i++)
                {
                    BODY
                }
            }
        }
        """;

    private static Task VerifyAsync(string body) => AnalyzerTest.VerifyAsync<UnseededDropoutRandomAnalyzer>(Cells.Replace("BODY", body));

    [Fact]
    public Task ChainedMemberWrites_ZeroInTheElseBranch_IsASite() =>
        VerifyAsync("""
            if ({|DRP011:rand.NextDouble()|} < prob) cells[i].val = cells[i].act = cells[i].prev[0].act;
            else cells[i].val = cells[i].act = 0;
            """);

    [Fact]
    public Task MemberZeroedWhenTheDrawHolds_KeptOtherwise_IsASite() =>
        VerifyAsync("""
            if ({|DRP011:rand.NextDouble()|} < prob) { cells[i].val = 0; }
            else { cells[i].val = cells[i].prev[0].act; }
            """);

    [Fact]
    public Task BranchesWriteDifferentMembers_IsNoSite() =>
        VerifyAsync("""
            if (rand.NextDouble() < prob) cells[i].val = cells[i].prev[0].act;
            else cells[i].act = 0;
            """);

    [Fact]
    public Task ConstantInBothBranches_IsNoSite() =>
        VerifyAsync("""
            if (rand.NextDouble() < prob) cells[i].val = 1;
            else cells[i].val = 0;
            """);

    [Fact]
    public Task AnotherElementKept_IsNoSite() =>
        VerifyAsync("""
            if (rand.NextDouble() < prob) cells[0].val = cells[i].prev[0].act;
            else cells[i].val = 0;
            """);
}
