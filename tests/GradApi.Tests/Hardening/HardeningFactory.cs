using System.Net;
using GradApi.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GradApi.Tests.Hardening;

/// <summary>
/// The service on real Kestrel at a loopback port (the in-memory TestServer bypasses Kestrel's limits), in
/// Production, with settings on top of its own, its log captured, and optional test services.
/// </summary>
internal sealed class HardeningFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;

    private HardeningFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services, bool kestrel, string environment)
    {
        _settings = settings;
        _services = services;
        _environment = environment;
        // Not UseKestrel(0): that sets the port through IServerAddressesFeature between the host's Build and
        // Start, while the minimal-hosting entry point may already be starting the server on its own thread
        // ("Addresses cannot be modified after the server has started"). An explicit endpoint has no such race.
        if (kestrel) UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public LogSink Log { get; } = new();

    /// <summary>Starts the service on Kestrel at 127.0.0.1 and a free port.</summary>
    public static HardeningFactory Live(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = new HardeningFactory(settings ?? [], services, kestrel: true, "Production");
        factory.StartServer();
        return factory;
    }

    /// <summary>The service in memory, for what does not depend on Kestrel.</summary>
    public static HardeningFactory InMemory(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null,
        string environment = "Production") =>
        new(settings ?? [], services, kestrel: false, environment);

    /// <summary>Where the live server listens.</summary>
    public Uri Address => ClientOptions.BaseAddress;

    /// <summary>A plain HttpClient to the live server, with a generous timeout.</summary>
    public HttpClient Client() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        BaseAddress = Address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public WorkLimiter WorkLimiter => Services.GetRequiredService<WorkLimiter>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        // No warm-up unless a test asks (WarmupTests): it would only take the cores of the many servers these tests start.
        builder.UseSetting("GradApi:WarmupNodes", "0");
        foreach ((string key, string? value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Log).SetMinimumLevel(LogLevel.Debug));
        if (_services is not null) builder.ConfigureTestServices(_services);
    }
}
