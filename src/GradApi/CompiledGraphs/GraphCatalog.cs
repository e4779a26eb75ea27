using GradApi.Engine.Compilation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Observability;
using GradApi.Problems;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Registered graphs as the endpoints see them: the <see cref="IGraphStore"/> keeps their canonical JSON, this
/// process's <see cref="CompiledGraphCache"/> their compiled form, and a graph missing from the cache is compiled
/// from the store on demand.
/// </summary>
internal sealed class GraphCatalog(IGraphStore store, CompiledGraphCache cache, GraphCompiler compiler, ExpressionParser expressions,
    GradApiMetrics metrics)
{
    /// <summary>
    /// Registers the graph of a request, <paramref name="spec"/>, which compiled to <paramref name="tape"/>: its
    /// canonical JSON goes to the store and its compiled form to the cache. Registering a graph again registers the
    /// same graph under the same id.
    /// </summary>
    /// <exception cref="ProblemException">413: the graph is larger than the cache or the store can keep.</exception>
    /// <exception cref="GraphStoreUnavailableException">The store cannot be reached.</exception>
    public async ValueTask<CompiledGraph> RegisterAsync(GraphSpec spec, Tape tape, CancellationToken cancellationToken)
    {
        CanonicalGraph canonical = CanonicalGraph.Of(spec, tape);
        // The request's spec goes back to the pool with its request: the kept graph is parsed from the canonical
        // JSON into arrays of its own, as a replica that finds it in the store would.
        CompiledGraph graph = cache.Find(canonical.Id)
            ?? CompiledGraph.Compile(canonical, compiler, expressions)
            ?? throw new InvalidOperationException("A canonical graph did not compile as its spec did.");
        if (graph.MemoryBytes > cache.MaxBytes)
            throw TooLarge($"Compiled, the graph takes about {graph.MemoryBytes:N0} bytes; this service keeps at most "
                + $"{cache.MaxBytes:N0} bytes of compiled graphs (GradApi:GraphStore:MaxBytes). Evaluate it with POST /v1/evaluate instead.");
        if (!await store.SaveAsync(canonical, cancellationToken))
            throw TooLarge($"The graph's canonical form takes {canonical.Json.Length:N0} bytes, more than the graph store keeps "
                + "(GradApi:GraphStore:StoreMaxBytes). Evaluate it with POST /v1/evaluate instead.");
        cache.TryAdd(graph, out graph);
        return graph;
    }

    /// <summary>The graph registered under <paramref name="id"/>, compiled; null if the store has it no more (or never had).</summary>
    /// <exception cref="GraphStoreUnavailableException">The graph is not compiled here and the store cannot be reached.</exception>
    public async ValueTask<CompiledGraph?> FindAsync(string id, CancellationToken cancellationToken)
    {
        CompiledGraph? cached = cache.Find(id);
        metrics.CompiledGraphLookup(hit: cached is not null);
        if (cached is not null) return cached;
        if (!CanonicalGraph.IsWellFormed(id)) return null;
        // A store's bytes are trusted only if they hash to the id asked for.
        if (await store.FindAsync(id, cancellationToken) is not { } canonical || canonical.Id != id) return null;
        if (CompiledGraph.Compile(canonical, compiler, expressions) is not { } graph) return null;
        cache.TryAdd(graph, out graph);
        return graph;
    }

    /// <summary>Forgets the graph registered under <paramref name="id"/>, here and in the store; false if neither had it.</summary>
    /// <exception cref="GraphStoreUnavailableException">The store cannot be reached.</exception>
    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!CanonicalGraph.IsWellFormed(id)) return false;
        // The store first: a request that misses the cache in between finds nothing to compile back.
        bool stored = await store.DeleteAsync(id, cancellationToken);
        bool cached = cache.Remove(id);
        return cached || stored;
    }

    private static ProblemException TooLarge(string detail) =>
        new(StatusCodes.Status413PayloadTooLarge, "The graph is too large to register", detail);
}
