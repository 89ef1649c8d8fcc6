using System.Diagnostics;
using System.Globalization;

namespace Dropout.Benchmarks;

/// <summary>
/// A check of <see cref="FusedEpilogueBenchmarks"/> that holds up on a loaded machine: the same benchmark methods, on the
/// same data, but called in turn within each repetition (CopyTo, fused, separate, ...), so that a burst of load from
/// other processes slows all of them alike and the ratios of the medians stay meaningful. BenchmarkDotNet runs one
/// method's iterations back to back, so a burst during one method's run skews its ratio to the others. Run with
/// <c>dotnet run -c Release --project Dropout.Benchmarks -- --interleaved N P [repetitions]</c>.
/// </summary>
public static class InterleavedFusedEpilogue
{
    private const int WarmUpCalls = 40;

    /// <summary>Measures every method of the fused-epilogue comparison at <paramref name="n"/> elements and keep probability <paramref name="p"/>.</summary>
    /// <param name="args">N, p and optionally the number of repetitions (default 2,001 below 1M elements, 15 above).</param>
    public static void Run(string[] args)
    {
        int n = int.Parse(args[0], CultureInfo.InvariantCulture);
        double p = double.Parse(args[1], CultureInfo.InvariantCulture);
        int repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : n >= 1 << 20 ? 15 : 2001;
        FusedEpilogueBenchmarks benchmarks = n >= 1 << 20 ? new FusedEpilogueLargeBenchmarks() : new FusedEpilogueSmallBenchmarks();
        benchmarks.N = n;
        benchmarks.P = p;
        benchmarks.Setup();
        (string Name, Action Call)[] methods =
        [
            ("CopyTo", benchmarks.CopyTo),
            ("fused forward", benchmarks.FusedForward),
            ("separate forward", benchmarks.SeparateForward),
            ("fused backward", benchmarks.FusedBackward),
            ("separate backward", benchmarks.SeparateBackward),
            ("generated fused forward", benchmarks.GeneratedFusedForward),
            ("generated fused backward", benchmarks.GeneratedFusedBackward),
        ];

        var times = new double[methods.Length][];
        for (int m = 0; m < methods.Length; m++)
        {
            times[m] = new double[repetitions];
        }

        // A first pass warms up (caches, and tiered compilation: code that is not optimized at its first call reaches
        // its final tier after about 30 calls plus a background compile, so the warm-up makes at least 40 calls and
        // then waits; at 134M a 15-call warm-up measured on-stack-replacement code). The second pass is measured.
        for (int pass = 0; pass < 2; pass++)
        {
            int calls = pass == 0 ? Math.Max(repetitions, WarmUpCalls) : repetitions;
            for (int r = 0; r < calls; r++)
            {
                for (int m = 0; m < methods.Length; m++)
                {
                    long start = Stopwatch.GetTimestamp();
                    methods[m].Call();
                    times[m][r % repetitions] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }

            if (pass == 0)
            {
                Thread.Sleep(500);
            }
        }

        double copy = Median(times[0]);
        Console.WriteLine($"N = {n:N0}, p = {p}, {repetitions} interleaved repetitions, medians:");
        for (int m = 0; m < methods.Length; m++)
        {
            double median = Median(times[m]);
            Console.WriteLine($"  {methods[m].Name,-26} {median,12:F1} µs  {median / copy,6:F2}× CopyTo");
        }

        Console.WriteLine($"  separate / fused: forward {Median(times[2]) / Median(times[1]):F2}×, backward {Median(times[4]) / Median(times[3]):F2}×");
    }

    private static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
