using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Dropout.Benchmarks;

/// <summary>
/// One job for every benchmark here: medians and ratios to the baseline measured in the same run (this machine is
/// shared and noisy, so lone absolute times mean little), a fixed small iteration count so the 134M-element cases
/// (0.5 GiB per array) finish in minutes.
/// </summary>
public sealed class DropoutBenchmarkConfig : ManualConfig
{
    public DropoutBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).WithUnrollFactor(1).WithInvocationCount(1).WithId("1-thread"));
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
