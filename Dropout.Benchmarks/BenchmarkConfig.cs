using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Dropout.Benchmarks;

/// <summary>
/// One job for every benchmark here: medians and ratios to the baseline measured in the same run (this machine is
/// shared and noisy, so lone absolute times mean little), a fixed small iteration count so the 134M-element cases
/// (0.5 GiB per array) finish in minutes, after a warm-up long enough for tiered compilation to finish.
/// </summary>
public sealed class DropoutBenchmarkConfig : ManualConfig
{
    public DropoutBenchmarkConfig()
    {
        // 40 single-call warm-up iterations, not 3: at these sizes every call runs a kernel's loop once, and code that is
        // not optimized at its first call (TensorPrimitives in the separate chains, generated wrappers) reaches its final
        // tier only after about 30 calls; with 3 + 15 calls the iterations measured tier-0 and on-stack-replacement
        // loops (BENCHMARKS.md, issue 10 §"Second kernels pass").
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(40).WithIterationCount(15).WithUnrollFactor(1).WithInvocationCount(1).WithId("1-thread"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, BaselineRatioColumn.RatioMean);
        HideColumns(Column.Error, Column.StdDev);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>The same, for small sizes where one call takes microseconds: BenchmarkDotNet picks the invocation count.</summary>
public sealed class SmallSizeBenchmarkConfig : ManualConfig
{
    public SmallSizeBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20).WithId("1-thread"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, BaselineRatioColumn.RatioMean);
        HideColumns(Column.Error, Column.StdDev);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}
