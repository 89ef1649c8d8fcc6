using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Dropout.Tests.Package;

/// <summary>What <c>dotnet pack</c> puts into Dropout.Toolkit and its symbols package (issue 11).</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageContentsTests(PackageFixture package)
{
    private static readonly Guid SourceLinkId = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Fact]
    public void Package_HasTheRuntimeAsItsLibrary_AndTheRoslynComponentsAsAnalyzers()
    {
        Assert.True(package.Pack.ExitCode == 0, package.Pack.ToString());
        string[] files = Entries(package.PackagePath)
            .Where(name => name.StartsWith("lib/", StringComparison.Ordinal) || name.StartsWith("analyzers/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
            [
                "analyzers/dotnet/cs/Dropout.Analyzers.CodeFixes.dll",
                "analyzers/dotnet/cs/Dropout.Analyzers.dll",
                "analyzers/dotnet/cs/Dropout.Generators.dll",
                "lib/net8.0/Dropout.Runtime.dll",
                "lib/net8.0/Dropout.Runtime.xml",
            ],
            files);
    }

    [Fact]
    public void Nuspec_CarriesTheMetadataAUserSees_AndNoDependencies()
    {
        XElement metadata = Nuspec().Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

        Assert.Equal("Dropout.Toolkit", Value("id"));
        Assert.Equal(package.Version, Value("version"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", Element("license").Attribute("type")!.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("https://github.com/dropout-toolkit/Dropout.Toolkit", Value("projectUrl"));
        Assert.Contains("dropout", Value("tags").Split(' '));
        Assert.Contains("keep probability", Value("description"), StringComparison.Ordinal);
        XElement repository = Element("repository");
        Assert.Equal("https://github.com/dropout-toolkit/Dropout.Toolkit", repository.Attribute("url")!.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);
        // The generator, analyzers and Roslyn stay build-time only: a user's package graph gains nothing.
        Assert.DoesNotContain(metadata.Descendants(), e => e.Name.LocalName == "dependency");
    }

    [Fact]
    public void PackageReadme_ShowsTheSameExampleAsTheRepositoryReadme()
    {
        using ZipArchive archive = ZipFile.OpenRead(package.PackagePath);
        using var reader = new StreamReader(archive.GetEntry("README.md")!.Open());
        string packageReadme = reader.ReadToEnd().ReplaceLineEndings("\n");
        Assert.Equal(
            PackageFixture.CodeBlockUnder(package.Readme, "## A 30-second example"),
            PackageFixture.CodeBlockUnder(packageReadme, "## A 30-second example"));
        // nuget.org cannot follow a link relative to the repository.
        Assert.DoesNotMatch(@"\]\((?!https://)", packageReadme);
    }

    [Fact]
    public void SymbolsPackage_HasThePdb_WithSourceLinkToTheRepositoryAtThePackedCommit()
    {
        string commit = Nuspec().Descendants().Single(e => e.Name.LocalName == "repository").Attribute("commit")!.Value;
        using ZipArchive symbols = ZipFile.OpenRead(package.SymbolsPackagePath);
        ZipArchiveEntry pdb = Assert.Single(symbols.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Equal("lib/net8.0/Dropout.Runtime.pdb", pdb.FullName);

        using var stream = new MemoryStream();
        using (Stream entry = pdb.Open())
        {
            entry.CopyTo(stream);
        }

        stream.Position = 0;
        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        MetadataReader reader = provider.GetMetadataReader();
        string sourceLink = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(info => reader.GetGuid(info.Kind) == SourceLinkId)
            .Select(info => Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value)))
            .Single();
        Assert.Matches("\"https://raw.githubusercontent.com/dropout-toolkit/Dropout.Toolkit/" + commit + "/\\*\"", sourceLink);
    }

    [Fact]
    public void PackagedAssemblies_AreDeterministicBuilds()
    {
        foreach ((string name, byte[] bytes) in Assemblies())
        {
            using var pe = new PEReader(new MemoryStream(bytes));
            Assert.True(pe.ReadDebugDirectory().Any(entry => entry.Type == DebugDirectoryEntryType.Reproducible), name + " was not built with /deterministic");
        }
    }

    [Fact]
    public void RoslynComponents_ReferenceRoslyn48_TheOldestSupportedCompiler()
    {
        // docs/getting-started.md promises the .NET 8 SDK (Roslyn 4.8) or later: a component that referenced a newer
        // Microsoft.CodeAnalysis would not load there.
        foreach ((string name, byte[] bytes) in Assemblies().Where(a => a.Name.StartsWith("analyzers/", StringComparison.Ordinal)))
        {
            using var pe = new PEReader(new MemoryStream(bytes));
            MetadataReader reader = pe.GetMetadataReader();
            Version[] roslyn = reader.AssemblyReferences
                .Select(reader.GetAssemblyReference)
                .Where(r => reader.GetString(r.Name).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
                .Select(r => r.Version)
                .ToArray();
            Assert.NotEmpty(roslyn);
            Assert.All(roslyn, version => Assert.True(version <= new Version(4, 8, 0, 0), $"{name} references Microsoft.CodeAnalysis {version}"));
        }
    }

    [Fact]
    public void Runtime_IsMarkedTrimmable()
    {
        byte[] runtime = Assemblies().Single(a => a.Name == "lib/net8.0/Dropout.Runtime.dll").Bytes;
        using var pe = new PEReader(new MemoryStream(runtime));
        MetadataReader reader = pe.GetMetadataReader();
        // IsTrimmable writes [assembly: AssemblyMetadata("IsTrimmable", "True")], which the trimmer and AOT compiler read.
        bool trimmable = reader.GetAssemblyDefinition().GetCustomAttributes()
            .Select(reader.GetCustomAttribute)
            .Any(attribute => Encoding.UTF8.GetString(reader.GetBlobBytes(attribute.Value)).Contains("IsTrimmable", StringComparison.Ordinal));
        Assert.True(trimmable);
    }

    private static string[] Entries(string path)
    {
        using ZipArchive archive = ZipFile.OpenRead(path);
        return archive.Entries.Select(e => e.FullName).ToArray();
    }

    private XDocument Nuspec()
    {
        Assert.True(package.Pack.ExitCode == 0, package.Pack.ToString());
        using ZipArchive archive = ZipFile.OpenRead(package.PackagePath);
        using Stream stream = archive.GetEntry("Dropout.Toolkit.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    private (string Name, byte[] Bytes)[] Assemblies()
    {
        Assert.True(package.Pack.ExitCode == 0, package.Pack.ToString());
        using ZipArchive archive = ZipFile.OpenRead(package.PackagePath);
        return archive.Entries
            .Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal))
            .Select(e =>
            {
                using var buffer = new MemoryStream();
                using (Stream entry = e.Open())
                {
                    entry.CopyTo(buffer);
                }

                return (e.FullName, buffer.ToArray());
            })
            .ToArray();
    }
}
