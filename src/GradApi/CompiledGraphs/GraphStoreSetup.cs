using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GradApi.CompiledGraphs;

internal static class GraphStoreSetup
{
    /// <summary>
    /// Registered graphs: the settings of <c>GradApi:GraphStore</c> (checked at startup), the store of canonical
    /// graphs (in this process unless another <see cref="IGraphStore"/> is registered first), this process's cache
    /// of compiled graphs, and the catalog the endpoints use.
    /// </summary>
    public static IServiceCollection AddGraphStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GraphStoreOptions>()
            .Bind(configuration.GetSection(GraphStoreOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IGraphStore, InProcessGraphStore>();
        services.AddSingleton<CompiledGraphCache>();
        services.AddSingleton<GraphCatalog>();
        return services;
    }
}
