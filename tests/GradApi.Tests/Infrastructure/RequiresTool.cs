namespace GradApi.Tests.Infrastructure;

/// <summary>
/// Whether a test may be skipped for want of an outside tool (Graphviz's dot, Chromium, redis-server). On a
/// fresh machine such tests are skipped, saying what to install; CI installs the tools and sets
/// GRADAPI_REQUIRE_TOOLS=1, so there a missing tool fails the test instead.
/// </summary>
internal static class RequiresTool
{
    public static bool Required => Environment.GetEnvironmentVariable("GRADAPI_REQUIRE_TOOLS") == "1";

    /// <summary>Whether <paramref name="name"/> is an executable file on the PATH.</summary>
    public static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}

/// <summary>A theory that runs Graphviz's <c>dot</c>.</summary>
public sealed class GraphvizTheoryAttribute : TheoryAttribute
{
    public GraphvizTheoryAttribute()
    {
        if (!RequiresTool.Required && !RequiresTool.OnPath("dot"))
            Skip = "Graphviz's dot is not installed: 'apt-get install -y graphviz' (CI installs it and never skips this).";
    }
}

/// <summary>A fact that runs Graphviz's <c>dot</c>.</summary>
public sealed class GraphvizFactAttribute : FactAttribute
{
    public GraphvizFactAttribute()
    {
        if (!RequiresTool.Required && !RequiresTool.OnPath("dot"))
            Skip = "Graphviz's dot is not installed: 'apt-get install -y graphviz' (CI installs it and never skips this).";
    }
}

/// <summary>A fact that runs Debian's <c>redis-server</c> (see <see cref="RedisServer"/>).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!RequiresTool.Required && !RequiresTool.OnPath("redis-server"))
            Skip = "redis-server is not installed: 'apt-get install -y redis-server' (CI installs it and never skips this).";
    }
}
