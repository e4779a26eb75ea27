namespace GradApi.CompiledGraphs;

/// <summary>
/// The graph store cannot be reached just now: answered 503 with Retry-After (<see cref="RetryAfter"/>). Its
/// message is for the log; the client is told only that the store is unavailable.
/// </summary>
internal sealed class GraphStoreUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>How long the client should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
