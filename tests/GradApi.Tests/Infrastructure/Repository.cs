namespace GradApi.Tests.Infrastructure;

/// <summary>Files of the repository the tests run in.</summary>
internal static class Repository
{
    /// <summary>The folder that holds GradApi.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GradApi.sln"))) return dir.FullName;
        throw new InvalidOperationException("GradApi.sln not found above " + AppContext.BaseDirectory);
    }
}
