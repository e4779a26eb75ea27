using System.Reflection;
using System.Text.Json.Serialization;

namespace GradApi.Observability;

/// <summary>
/// What build this is: the assembly's informational version, <c>1.0.0+&lt;git commit&gt;</c>. The SDK appends the
/// commit (SourceRevisionId) when the build runs in a git checkout; the container build, which has no .git, is handed
/// it as the SOURCE_REVISION build argument (see Dockerfile). Without either it is the version alone.
/// </summary>
/// <param name="Version">The service's version (Directory.Build.props, or the container build's APP_VERSION).</param>
/// <param name="Commit">The git commit it was built from; absent when the build did not know it.</param>
public sealed record BuildVersion(string Version, string? Commit)
{
    /// <summary>The response header every answer carries: <c>GradApi-Version: 1.0.0+4f1c2e9...</c>.</summary>
    public const string HeaderName = "GradApi-Version";

    public static BuildVersion Current { get; } = Parse(
        typeof(BuildVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary><c>1.0.0+abc</c>: what the header says, the version and commit in one.</summary>
    [JsonIgnore]
    public string Informational => Commit is null ? Version : $"{Version}+{Commit}";

    public static BuildVersion Parse(string informational)
    {
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 || plus == informational.Length - 1
            ? new BuildVersion(informational.TrimEnd('+'), null)
            : new BuildVersion(informational[..plus], informational[(plus + 1)..]);
    }
}
