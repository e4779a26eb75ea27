using Microsoft.Extensions.Options;

namespace GradApi.CompiledGraphs;

/// <summary>
/// This process's compiled graphs by id, at most <see cref="GraphStoreOptions.MaxBytes"/> of them by
/// <see cref="CompiledGraph.MemoryBytes"/>, the least recently evaluated dropped first. Every replica has its own;
/// a graph dropped here is compiled again from the <see cref="IGraphStore"/> when next asked for.
/// </summary>
internal sealed class CompiledGraphCache(IOptions<GraphStoreOptions> options)
{
    private readonly BytesBoundedLru<CompiledGraph> _graphs = new(options.Value.MaxBytes);

    public long MaxBytes => _graphs.MaxBytes;

    /// <summary>The bytes of the graphs kept now.</summary>
    public long Bytes => _graphs.Bytes;

    public int Count => _graphs.Count;

    public CompiledGraph? Find(string id) => _graphs.Find(id);

    /// <summary>
    /// Keeps <paramref name="graph"/> (or the copy of it already kept, which is returned), dropping the least
    /// recently used to make room; false if it alone is larger than the cache.
    /// </summary>
    public bool TryAdd(CompiledGraph graph, out CompiledGraph kept) => _graphs.TryAdd(graph.Id, graph, graph.MemoryBytes, out kept);

    public bool Remove(string id) => _graphs.Remove(id);
}
