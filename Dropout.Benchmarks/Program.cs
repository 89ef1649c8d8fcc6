using BenchmarkDotNet.Running;

namespace Dropout.Benchmarks;

/// <summary>
/// Runs the dropout benchmarks. Pass BenchmarkDotNet arguments, e.g.
/// <c>dotnet run -c Release --project Dropout.Benchmarks -- --filter *RuntimeKernel*</c>, or
/// <c>-- --interleaved N P</c> for the fused-epilogue comparison with its methods interleaved (<see cref="InterleavedFusedEpilogue"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--interleaved")
        {
            InterleavedFusedEpilogue.Run(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
