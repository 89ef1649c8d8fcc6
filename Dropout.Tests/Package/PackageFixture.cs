using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Dropout.Tests.TestSupport;

namespace Dropout.Tests.Package;

/// <summary>The package tests share one pack and one consumer build (they take minutes), so they form one collection.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "Dropout.Toolkit package";
}

/// <summary>
/// Packs Dropout.Toolkit into a temporary folder and builds consumer projects against it the way a user's machine
/// would: a PackageReference by version, a nuget.config whose only sources are that folder (for Dropout.Toolkit, by
/// package source mapping) and the package sources this machine already uses (for everything else), and a package
/// folder of its own, so that no Dropout.Toolkit cached by an earlier run can stand in for the one just packed.
/// </summary>
/// <remarks>
/// Layout of <see cref="Root"/>: <c>feed/</c> (the packed .nupkg and .snupkg), <c>packages/</c> (the consumers'
/// global packages folder), <c>nuget.config</c>, <c>Consumers.slnx</c> with <c>readme/</c> (the README's 30-second
/// example in a <c>dotnet new console</c> project), <c>masks/</c> (published trimmed and AOT) and <c>diagnostics/</c> (deliberate mistakes), and
/// <c>roslyn48/</c> (the oldest supported compiler API), and <c>publish/</c>.
/// </remarks>
public sealed class PackageFixture : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private readonly Lazy<PublishedProgram> _trimmed;
    private readonly Lazy<PublishedProgram> _nativeAot;

    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "dropout-package-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        PackagesFolder = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);
        RepositoryRoot = RepositoryPaths.Root();
        Version = PackageVersion();
        Readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));

        Pack = DotnetCli.Run(
            DotnetCli.Host,
            ["pack", Path.Combine(RepositoryRoot, "Dropout.Runtime", "Dropout.Runtime.csproj"), "-c", Configuration, "-o", Feed, .. DotnetCli.QuietBuild.Split(' ')],
            RepositoryRoot,
            BuildTimeout);
        PackagePath = Path.Combine(Feed, $"Dropout.Toolkit.{Version}.nupkg");
        SymbolsPackagePath = Path.Combine(Feed, $"Dropout.Toolkit.{Version}.snupkg");

        WriteConsumers();
        ProcessResult readme = File.Exists(PackagePath) ? CreateReadmeProject() : new ProcessResult(-1, string.Empty, "the pack failed", TimeSpan.Zero);
        // EmitCompilerGeneratedFiles as a user would pass it; it writes the generated files of all three projects.
        Build = readme.ExitCode == 0
            ? DotnetCli.Dotnet(Root, BuildTimeout, ["build", "Consumers.slnx", "-c", "Release", "-p:EmitCompilerGeneratedFiles=true", .. DotnetCli.QuietBuild.Split(' ')])
            : readme with { StandardError = "not built: " + readme.StandardError };

        _trimmed = new Lazy<PublishedProgram>(() => Publish("trimmed", "--self-contained", "-p:PublishTrimmed=true"));
        _nativeAot = new Lazy<PublishedProgram>(() => Publish("aot", "-p:PublishAot=true"));
    }

    /// <summary>The configuration the tests were built in; the package is packed from the same build.</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public string Root { get; }

    public string Feed { get; }

    public string PackagesFolder { get; }

    public string RepositoryRoot { get; }

    /// <summary>The version set in Directory.Build.props, as the runtime assembly carries it.</summary>
    public string Version { get; }

    /// <summary>README.md of the checkout.</summary>
    public string Readme { get; }

    public ProcessResult Pack { get; }

    public string PackagePath { get; }

    public string SymbolsPackagePath { get; }

    /// <summary>The build of the three consumer projects (one <c>dotnet build</c> of Consumers.slnx).</summary>
    public ProcessResult Build { get; }

    /// <summary>Where restore extracted the package for the consumers.</summary>
    public string ExtractedPackage => Path.Combine(PackagesFolder, "dropout.toolkit", Version.ToLowerInvariant());

    public string ProjectDirectory(string name) => Path.Combine(Root, name);

    /// <summary>The masks program published trimmed and self-contained (built on first use).</summary>
    public PublishedProgram Trimmed => _trimmed.Value;

    /// <summary>The masks program published as native AOT (built on first use).</summary>
    public PublishedProgram NativeAot => _nativeAot.Value;

    /// <summary>Runs a framework-dependent consumer built by <see cref="Build"/>.</summary>
    public ProcessResult RunBuilt(string name, string assembly, params string[] arguments) =>
        DotnetCli.Run(DotnetCli.Host, [Path.Combine(ProjectDirectory(name), "bin", "Release", "net10.0", assembly + ".dll"), .. arguments], ProjectDirectory(name), TimeSpan.FromMinutes(2));

    /// <summary>The csharp block under a heading of a markdown text (the first one after it).</summary>
    public static string CodeBlockUnder(string markdown, string heading)
    {
        int start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "heading not found: " + heading);
        Match block = Regex.Match(markdown[start..], "```csharp\n(.*?)\n```", RegexOptions.Singleline);
        Assert.True(block.Success, "no csharp block under " + heading);
        return block.Groups[1].Value + "\n";
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string PackageVersion()
    {
        string informational = typeof(DropoutContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        // "0.1.0+<commit>": Source Link appends the commit.
        return informational.Split('+')[0];
    }

    private void WriteConsumers()
    {
        string templates = Path.Combine(AppContext.BaseDirectory, "Package", "Consumer");
        string Template(string name) => File.ReadAllText(Path.Combine(templates, name + ".txt")).Replace("$VERSION$", Version, StringComparison.Ordinal);
        void Write(string relativePath, string text)
        {
            string path = Path.Combine(Root, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        Write("nuget.config", NuGetConfig());
        // The temp folder must not pick up settings from folders above it.
        Write("Directory.Build.props", "<Project />\n");
        Write("Directory.Build.targets", "<Project />\n");
        Write("Directory.Packages.props", "<Project />\n");
        Write(
            "Consumers.slnx",
            "<Solution>\n  <Project Path=\"readme/Readme.csproj\" />\n  <Project Path=\"masks/Masks.csproj\" />\n  <Project Path=\"diagnostics/Diagnostics.csproj\" />\n  <Project Path=\"roslyn48/Roslyn48.csproj\" />\n</Solution>\n");

        Write("masks/Masks.csproj", Template("Masks.csproj"));
        Write("masks/Program.cs", Template("Masks.Program.cs"));

        Write("diagnostics/Diagnostics.csproj", Template("Diagnostics.csproj"));
        Write("diagnostics/Wrong.cs", Template("Wrong.cs").Replace("$NAMESPACE$", "Defaults", StringComparison.Ordinal));
        Write("diagnostics/Configured.cs", Template("Wrong.cs").Replace("$NAMESPACE$", "Configured", StringComparison.Ordinal));
        Write("diagnostics/.editorconfig", Template("editorconfig"));

        Write("roslyn48/Roslyn48.csproj", Template("Roslyn48.csproj"));
        Write("roslyn48/Program.cs", Template("Roslyn48.Program.cs"));
    }

    /// <summary>
    /// The bar, step by step: a brand-new <c>dotnet new console</c> project, <c>dotnet add package</c> from the
    /// local folder, and the README's 30-second example pasted over Program.cs; nothing else.
    /// </summary>
    private ProcessResult CreateReadmeProject()
    {
        ProcessResult created = DotnetCli.Dotnet(Root, TimeSpan.FromMinutes(2), "new", "console", "-o", "readme", "-n", "Readme");
        if (created.ExitCode != 0)
        {
            return created;
        }

        ProcessResult added = DotnetCli.Dotnet(Root, TimeSpan.FromMinutes(4), "add", "readme/Readme.csproj", "package", "Dropout.Toolkit", "--version", Version, "--source", Feed);
        File.WriteAllText(Path.Combine(Root, "readme", "Program.cs"), CodeBlockUnder(Readme, "## A 30-second example"));
        return added;
    }

    /// <summary>
    /// Only the local feed (for Dropout.Toolkit) and the sources this machine's NuGet already uses (for the SDK's own
    /// packages: the AOT compiler, the runtime pack, the trimmer), and a package folder of the consumers' own.
    /// </summary>
    private string NuGetConfig()
    {
        IReadOnlyList<string> machineSources = MachinePackageSources();
        var sources = new System.Text.StringBuilder();
        var mapping = new System.Text.StringBuilder();
        sources.Append($"    <add key=\"dropout-toolkit-local\" value=\"{Feed}\" />\n");
        mapping.Append("    <packageSource key=\"dropout-toolkit-local\">\n      <package pattern=\"Dropout.Toolkit\" />\n    </packageSource>\n");
        for (int i = 0; i < machineSources.Count; i++)
        {
            sources.Append($"    <add key=\"machine-{i}\" value=\"{System.Security.SecurityElement.Escape(machineSources[i])}\" />\n");
            mapping.Append($"    <packageSource key=\"machine-{i}\">\n      <package pattern=\"*\" />\n    </packageSource>\n");
        }

        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{PackagesFolder}" />
              </config>
              <fallbackPackageFolders>
                <clear />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
            {sources}  </packageSources>
              <packageSourceMapping>
            {mapping}  </packageSourceMapping>
            </configuration>

            """;
    }

    /// <summary>The enabled package sources of this machine (<c>dotnet nuget list source</c>, run outside the repository).</summary>
    private static IReadOnlyList<string> MachinePackageSources()
    {
        ProcessResult list = DotnetCli.Dotnet(Path.GetTempPath(), TimeSpan.FromMinutes(1), "nuget", "list", "source", "--format", "short");
        Assert.True(list.ExitCode == 0, list.ToString());
        // Lines are "E <source>" for an enabled source, "D <source>" for a disabled one.
        string[] sources = list.StandardOutput.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("E ", StringComparison.Ordinal))
            .Select(line => line[2..].Trim())
            .ToArray();
        Assert.True(sources.Length > 0, "this machine has no enabled package source:\n" + list);
        return sources;
    }

    private PublishedProgram Publish(string name, params string[] options)
    {
        string output = Path.Combine(Root, "publish", name);
        string runtimeIdentifier = RuntimeInformation.RuntimeIdentifier;
        ProcessResult publish = DotnetCli.Dotnet(
            Root,
            BuildTimeout,
            ["publish", "masks/Masks.csproj", "-c", "Release", "-r", runtimeIdentifier, "-o", output, .. options, .. DotnetCli.QuietBuild.Split(' ')]);
        string program = Path.Combine(output, OperatingSystem.IsWindows() ? "Masks.exe" : "Masks");
        ProcessResult run = publish.ExitCode == 0 && File.Exists(program)
            ? DotnetCli.Run(program, [], output, TimeSpan.FromMinutes(2))
            : new ProcessResult(-1, string.Empty, "not run: the publish failed", TimeSpan.Zero);
        return new PublishedProgram(publish, run, output);
    }
}

/// <summary>A publish of the masks program and one run of what it produced.</summary>
public sealed record PublishedProgram(ProcessResult Publish, ProcessResult Run, string Directory);
