using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dropout.Tests.Package;

/// <summary>
/// The runtime and the generated code are trimming- and native-AOT-safe (issue 11): a program using the package
/// publishes trimmed and as native AOT without a single warning, and prints exactly the masks and values of its JIT
/// build, each checked against the mask definition. Native AOT needs clang and zlib on the machine (.ci/run installs them).
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackagePublishTests(PackageFixture package, ITestOutputHelper output)
{
    [Fact]
    public void JitBuild_MatchesTheMaskDefinition()
    {
        ProcessResult jit = JitRun();
        Assert.Contains("mismatches=0", jit.StandardOutput, StringComparison.Ordinal);
        // Every case printed a line: the comparison below compares something.
        Assert.True(jit.StandardOutput.Split('\n').Count(line => line.Contains(" hash=", StringComparison.Ordinal)) >= 30, jit.ToString());
    }

    [Fact]
    public void TrimmedPublish_HasNoWarnings_AndPrintsTheSameMasksAsTheJitBuild()
        => AssertSameAsJit(package.Trimmed, "trimmed");

    [Fact]
    public void NativeAotPublish_HasNoWarnings_AndPrintsTheSameMasksAsTheJitBuild()
        => AssertSameAsJit(package.NativeAot, "native AOT");

    private void AssertSameAsJit(PublishedProgram published, string kind)
    {
        ProcessResult jit = JitRun();
        output.WriteLine($"{kind} publish: {published.Publish}");
        output.WriteLine($"{kind} run: {published.Run}");
        output.WriteLine($"JIT run: {jit.StandardError}");
        Assert.True(published.Publish.ExitCode == 0, published.Publish.ToString());
        // TreatWarningsAsErrors is on in the project, so a trim or AOT warning would also fail the publish; this names it.
        string[] problems = Regex.Matches(published.Publish.Output, @"(warning|error) (IL\d+|[A-Z]+\d+)[^\n]*").Select(m => m.Value).ToArray();
        Assert.Empty(problems);
        Assert.True(published.Run.ExitCode == 0, published.Run.ToString());
        Assert.Equal(jit.StandardOutput, published.Run.StandardOutput);
    }

    private ProcessResult JitRun()
    {
        Assert.True(package.Build.ExitCode == 0, package.Build.ToString());
        ProcessResult jit = package.RunBuilt("masks", "Masks");
        Assert.True(jit.ExitCode == 0, jit.ToString());
        return jit;
    }
}
