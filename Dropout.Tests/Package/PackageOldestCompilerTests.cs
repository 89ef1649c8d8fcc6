using Xunit.Abstractions;

namespace Dropout.Tests.Package;

/// <summary>
/// The package claims Roslyn 4.8 (the .NET 8 SDK 8.0.100) as its oldest compiler (issue 11). No .NET 8 SDK is installed
/// where the tests run, so a program built against the Roslyn 4.8 compiler package loads the package's generator and
/// analyzers and compiles the README example and the file with mistakes, as that compiler would in a build.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageOldestCompilerTests(PackageFixture package, ITestOutputHelper output)
{
    [Fact]
    public void Roslyn48_RunsThePackagesGenerator_AndTheGeneratedCodeCompiles()
    {
        string[] lines = RunUnderRoslyn48();
        Assert.Contains("roslyn=4.8.0.0", lines);
        Assert.Contains("generated Hidden.Dropout.g.cs", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("error ", StringComparison.Ordinal));
        Assert.Contains("emitted=True", lines);
    }

    [Fact]
    public void Roslyn48_RunsThePackagesAnalyzers()
    {
        string[] lines = RunUnderRoslyn48();
        string[] template = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Package", "Consumer", "Wrong.cs.txt"));
        foreach (string id in new[] { "DRP002", "DRP003", "DRP004" })
        {
            int line = Array.FindIndex(template, l => l.EndsWith("// expect " + id, StringComparison.Ordinal)) + 1;
            Assert.Contains($"diagnostic {id} Wrong.cs({line})", lines);
        }
    }

    private string[] RunUnderRoslyn48()
    {
        Assert.True(package.Build.ExitCode == 0, package.Build.ToString());
        ProcessResult run = package.RunBuilt(
            "roslyn48",
            "Roslyn48",
            Path.Combine(package.ExtractedPackage, "analyzers", "dotnet", "cs"),
            Path.Combine(package.ExtractedPackage, "lib", "net8.0", "Dropout.Runtime.dll"),
            Path.Combine(package.ProjectDirectory("readme"), "Program.cs"),
            Path.Combine(package.ProjectDirectory("diagnostics"), "Wrong.cs"));
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
