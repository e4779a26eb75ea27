using Microsoft.Extensions.Options;

namespace GradApi.CompiledGraphs;

/// <summary>
/// The default <see cref="IGraphStore"/>: canonical graphs in this process's memory, at most
/// <see cref="GraphStoreOptions.StoreMaxBytes"/> of them (least recently used forgotten first). Never unavailable;
/// forgets everything when the process stops, and is not shared by replicas.
/// </summary>
internal sealed class InProcessGraphStore(IOptions<GraphStoreOptions> options) : IGraphStore
{
    /// <summary>What a kept graph costs beyond its bytes: its id string and the entry that holds it.</summary>
    private const int EntryOverhead = 256;

    private readonly BytesBoundedLru<CanonicalGraph> _graphs = new(options.Value.StoreMaxBytes);

    public ValueTask<bool> SaveAsync(CanonicalGraph graph, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_graphs.TryAdd(graph.Id, graph, graph.Json.Length + EntryOverhead, out _));

    public ValueTask<CanonicalGraph?> FindAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_graphs.Find(id));

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_graphs.Remove(id));
}
