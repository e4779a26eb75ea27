using System.Net;
using GradApi.Engine.Buffers;
using GradApi.OpenApi;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>The service's limits and security, added with one call on each side of <c>Build()</c>.</summary>
internal static class HostingExtensions
{
    /// <summary>Kestrel limits, load shedding, the time budget, API keys, CORS, forwarded headers.</summary>
    public static WebApplicationBuilder AddGradApiLimits(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<HostingOptions>()
            .Bind(builder.Configuration.GetSection(GradApiOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "GradApi:KnownProxies must list IP addresses.")
            .ValidateOnStart();

        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        services.AddGradApiLoadShedding();
        services.AddGradApiTimeBudget();
        services.AddGradApiCors();
        services.AddGradApiLimitsToSwagger();

        // X-Forwarded-For/-Proto only from the configured proxies; the framework's default trusts loopback.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HostingOptions>>((options, hosting) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (string proxy in hosting.Value.KnownProxies)
                options.KnownProxies.Add(IPAddress.Parse(proxy));
        });
        return builder;
    }

    /// <summary>
    /// In order: the replica header, forwarded headers, no-store, CORS, API keys, load shedding, the time budget. Call after
    /// UseExceptionHandler, so that the time budget's 504 is written here and not taken for a client that went away.
    /// </summary>
    public static WebApplication UseGradApiLimits(this WebApplication app)
    {
        HostingOptions options = app.Services.GetRequiredService<IOptions<HostingOptions>>().Value;
        // The pools keep no more between requests than the memory allows (see MemoryBudget).
        BufferPool.RetainedBytesLimit = app.Services.GetRequiredService<MemoryBudget>().PoolBytes;
        if (options.ReplicaName is { Length: > 0 } replica) app.UseReplicaHeader(replica);
        if (options.KnownProxies.Length > 0) app.UseForwardedHeaders();
        app.UseNoStore();
        if (options.CorsOrigins.Length > 0) app.UseCors();
        if (options.HasApiKeys) app.UseMiddleware<ApiKeys>();
        app.UseMiddleware<WorkAdmission>();
        app.UseMiddleware<TimeBudgetMiddleware>();
        return app;
    }
}
