using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>Kestrel's limits from <see cref="HostingOptions"/>: slow or idle clients cannot hold a connection for long.</summary>
internal sealed class KestrelLimits(IOptions<HostingOptions> hosting) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        HostingOptions limits = hosting.Value;
        options.AddServerHeader = false;
        options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
        options.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        options.Limits.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinRequestBodyGraceSeconds))
            : null;
        // Small for every endpoint; evaluate raises it to GradApi:MaxBodyBytes for its own requests.
        options.Limits.MaxRequestBodySize = limits.DefaultMaxBodyBytes;
    }
}
