namespace GradApi.BrowserTests;

/// <summary>Where the tests leave what a person may want to look at: TestResults/ at the repository's root.</summary>
internal static class Artifacts
{
    public static string PathOf(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "GradApi.sln"))) continue;
            string results = Path.Combine(dir.FullName, "TestResults");
            Directory.CreateDirectory(results);
            return Path.Combine(results, fileName);
        }
        throw new InvalidOperationException("GradApi.sln not found above " + AppContext.BaseDirectory);
    }
}
