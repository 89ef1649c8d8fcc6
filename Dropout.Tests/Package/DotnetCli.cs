using System.Diagnostics;

namespace Dropout.Tests.Package;

/// <summary>Runs <c>dotnet</c> (or a published program) as a child process, as a user's shell would.</summary>
internal static class DotnetCli
{
    /// <summary>The dotnet host running the tests, so that the children use the same SDK.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// Arguments every build, pack and publish gets: no build servers or node reuse (nothing may outlive the test),
    /// no banner, no summary repeating the warnings.
    /// </summary>
    public const string QuietBuild = "-nologo -nodeReuse:false -p:UseSharedCompilation=false -clp:NoSummary";

    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild settings must not leak into the child, nor may a package folder set for the whole
        // machine: each child names its own in its nuget.config (see PackageFixture).
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "NUGET_PACKAGES", "NUGET_FALLBACK_PACKAGES" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync();
        Task<string> standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessResult(-1, standardOutput.Result, "timed out after " + timeout + "\n" + standardError.Result, stopwatch.Elapsed);
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, standardOutput.Result, standardError.Result, stopwatch.Elapsed);
    }

    public static ProcessResult Dotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) => Run(Host, arguments, workingDirectory, timeout);
}

/// <summary>What a child process did.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public string Output => StandardOutput + StandardError;

    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F0} s\n{Output}";
}
