using BenchmarkDotNet.Running;

namespace Dropout.Benchmarks;

/// <summary>
/// Runs the dropout benchmarks. Pass BenchmarkDotNet arguments, e.g.
/// <c>dotnet run -c Release --project Dropout.Benchmarks -- --filter *RuntimeKernel*</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
