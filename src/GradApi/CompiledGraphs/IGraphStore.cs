namespace GradApi.CompiledGraphs;

/// <summary>
/// Where registered graphs are kept between requests: each one's canonical JSON under its content-hash id
/// (<see cref="CanonicalGraph"/>). A store keeps no compiled tapes; every process compiles what it needs from the
/// canonical JSON and keeps its own tapes in a <see cref="CompiledGraphCache"/>. So a store may be shared by
/// every replica (one behind a network, such as Redis) or live in this process (<see cref="InProcessGraphStore"/>,
/// the default).
/// </summary>
/// <remarks>
/// A store may forget a graph at any time (to make room, or when its time to live runs out): the client then
/// gets a 404 saying to register it again, which gives it the same id. Every method may be called from many
/// requests at once. A store that cannot be reached throws <see cref="GraphStoreUnavailableException"/>, which
/// the endpoints answer with a 503 and Retry-After; graphs already compiled in this process still evaluate.
/// </remarks>
internal interface IGraphStore
{
    /// <summary>
    /// Keeps <paramref name="graph"/> under its id. Saving a graph that is already kept keeps it (and may renew
    /// its time to live). False when the store can never keep a graph this large (answered 413).
    /// </summary>
    /// <exception cref="GraphStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<bool> SaveAsync(CanonicalGraph graph, CancellationToken cancellationToken);

    /// <summary>The graph kept under <paramref name="id"/>, or null if none is (never saved, deleted or forgotten).</summary>
    /// <exception cref="GraphStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<CanonicalGraph?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Forgets the graph kept under <paramref name="id"/>; false if none was.</summary>
    /// <exception cref="GraphStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
