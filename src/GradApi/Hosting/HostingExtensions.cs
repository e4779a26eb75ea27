using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>The service's limits and security, added with one call on each side of <c>Build()</c>.</summary>
internal static class HostingExtensions
{
    /// <summary>The settings, checked at startup, and Kestrel's limits.</summary>
    public static WebApplicationBuilder AddGradApiLimits(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<HostingOptions>()
            .Bind(builder.Configuration.GetSection(GradApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        return builder;
    }
}
