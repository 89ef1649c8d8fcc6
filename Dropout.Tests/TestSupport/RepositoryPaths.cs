namespace Dropout.Tests.TestSupport;

/// <summary>
/// Finds files of the checkout the tests run from. Found from the test assembly's location, not from
/// [CallerFilePath]: CI builds set ContinuousIntegrationBuild, which maps source paths to "/_/" in the binaries.
/// </summary>
internal static class RepositoryPaths
{
    /// <summary>The directory holding Dropout.Toolkit.sln above the test assembly.</summary>
    public static string Root()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Dropout.Toolkit.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("Dropout.Toolkit.sln not found above " + AppContext.BaseDirectory);
    }
}
