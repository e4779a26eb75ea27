using GradApi.Hosting;
using Microsoft.Extensions.Options;

namespace GradApi.CompiledGraphs.Redis;

internal static class RedisGraphStoreSetup
{
    /// <summary>
    /// The Redis graph store, used when <c>GradApi:GraphStore:Redis</c> is set (its settings checked at startup), and
    /// the graph store's readiness check (<see cref="GraphStoreHealthCheck"/>). Call before <c>AddGraphStore</c>, whose
    /// in-process store is the one this registers when Redis is not set.
    /// </summary>
    public static IServiceCollection AddRedisGraphStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisStoreOptions>()
            .Bind(configuration.GetSection(GraphStoreOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Made when first asked for, so never when Redis is not set.
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IGraphStore>(provider =>
            provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value.Enabled
                ? ActivatorUtilities.CreateInstance<RedisGraphStore>(provider)
                : ActivatorUtilities.CreateInstance<InProcessGraphStore>(provider));
        services.AddHealthChecks().AddCheck<GraphStoreHealthCheck>("graph-store", tags: [Health.ReadyTag]);
        return services;
    }
}
