using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GradApi.Tests.Infrastructure;

/// <summary>The service in memory, in Production, with optional settings on top of its own.</summary>
public class GradApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public GradApiFactory() => _settings = [];

    /// <summary>A factory with settings, e.g. <c>["GradApi:MaxNodes"] = "100"</c>.</summary>
    public static GradApiFactory With(Dictionary<string, string?> settings)
    {
        var factory = new GradApiFactory();
        foreach ((string key, string? value) in settings) factory._settings[key] = value;
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // No warm-up: hundreds of servers start in these tests, and it would only take their cores (WarmupTests runs it).
        builder.UseSetting("GradApi:WarmupNodes", "0");
        foreach ((string key, string? value) in _settings) builder.UseSetting(key, value);
    }
}
