using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GradApi.CompiledGraphs.Redis;

/// <summary>
/// The graph store's part of <c>/healthz/ready</c>. The in-process store is always ready. The Redis store is Healthy
/// when Redis answers a PING, and Degraded (still 200) when it does not.
/// </summary>
/// <remarks>
/// Degraded, not Unhealthy, on purpose: every replica shares the one Redis, so a readiness that failed with it would
/// take every replica out of the load balancer at once, and with them <c>/v1/evaluate</c> and every graph the
/// replicas have compiled, which all still work without Redis. The answer says Degraded and why, for people and
/// monitors to see.
/// </remarks>
internal sealed class GraphStoreHealthCheck(IOptions<RedisStoreOptions> options, IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled) return HealthCheckResult.Healthy("Registered graphs are kept in this process.");

        RedisConnection connection = services.GetRequiredService<RedisConnection>();
        try
        {
            IDatabase redis = await connection.DatabaseAsync().AsTask().WaitAsync(PingTimeout, cancellationToken).ConfigureAwait(false);
            TimeSpan latency = await redis.PingAsync().WaitAsync(PingTimeout, cancellationToken).ConfigureAwait(false);
            connection.Answered();
            return HealthCheckResult.Healthy($"Redis at {connection.Endpoint} answers (PING {latency.TotalMilliseconds:0.0} ms).");
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            connection.Unavailable(e);
            return HealthCheckResult.Degraded($"Redis at {connection.Endpoint} cannot be reached: registering a graph answers 503 "
                + "until it answers again; graphs compiled here still evaluate.");
        }
    }
}
