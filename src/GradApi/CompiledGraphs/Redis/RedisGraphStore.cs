using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GradApi.CompiledGraphs.Redis;

/// <summary>
/// The <see cref="IGraphStore"/> shared by every replica: each graph's canonical JSON in Redis under its key
/// (<see cref="RedisStoreOptions.RedisKeyPrefix"/> and its id), with a time to live that each registration and each
/// fetch starts again. Each replica compiles what it fetches and keeps its own tapes (<see cref="CompiledGraphCache"/>),
/// so Redis is asked only for a graph that replica has not compiled.
/// </summary>
/// <remarks>
/// <para>
/// Redis is a cache here: when it is full it evicts (see docs/scaling.md for the policy), and a graph it no longer
/// has is a 404 that tells the client to register it again, which gives the same id.
/// </para>
/// <para>
/// What Redis hands back is trusted only if it hashes to the id it was asked for: anything else (a value written by
/// something else, truncated, or of another type) is logged and read as a miss, never an error.
/// </para>
/// <para>
/// When Redis cannot be reached every method throws <see cref="GraphStoreUnavailableException"/> at once (a 503 with
/// Retry-After); <see cref="RedisConnection"/> logs the outage once and keeps reconnecting.
/// </para>
/// </remarks>
internal sealed partial class RedisGraphStore(RedisConnection connection, IOptions<RedisStoreOptions> options,
    ILogger<RedisGraphStore> logger) : IGraphStore
{
    private readonly TimeSpan _timeToLive = options.Value.RedisTimeToLive;
    private readonly string _prefix = options.Value.RedisKeyPrefix;

    /// <summary>The largest value Redis takes (its proto-max-bulk-len, 512 MiB unless configured otherwise).</summary>
    public const int MaxValueBytes = 512 * 1024 * 1024;

    public async ValueTask<bool> SaveAsync(CanonicalGraph graph, CancellationToken cancellationToken)
    {
        if (graph.Json.Length > MaxValueBytes) return false;
        try
        {
            IDatabase redis = await connection.DatabaseAsync().ConfigureAwait(false);
            // A plain SET, not SET NX: saving again renews the time to live and mends a damaged value. Two replicas
            // saving the same graph at once write the same bytes.
            await redis.StringSetAsync(Key(graph.Id), graph.Json, _timeToLive).WaitAsync(cancellationToken).ConfigureAwait(false);
            connection.Answered();
            return true;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("OOM", StringComparison.Ordinal))
        {
            // Redis answers, but is full and may not evict (maxmemory-policy noeviction), or evicting everything
            // it may was not enough. Not an outage: logged each time, and a 503 all the same.
            connection.Answered();
            LogFull(graph.Id, graph.Json.Length, e.Message);
            throw new GraphStoreUnavailableException($"Redis at {connection.Endpoint} is full: {e.Message}", RedisConnection.RetryAfter, e);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw connection.Unavailable(e);
        }
    }

    public async ValueTask<CanonicalGraph?> FindAsync(string id, CancellationToken cancellationToken)
    {
        RedisValue value;
        try
        {
            IDatabase redis = await connection.DatabaseAsync().ConfigureAwait(false);
            // GETEX: the value, and its time to live started again, in one command.
            value = await redis.StringGetSetExpiryAsync(Key(id), _timeToLive).WaitAsync(cancellationToken).ConfigureAwait(false);
            connection.Answered();
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            connection.Answered();
            LogDamaged(_prefix + id, "it is not a string");
            return null;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw connection.Unavailable(e);
        }

        if (value.IsNull) return null;
        byte[]? json = (byte[]?)value;
        if (json is null || json.Length == 0)
        {
            LogDamaged(_prefix + id, "it is empty");
            return null;
        }
        CanonicalGraph graph = CanonicalGraph.FromJson(json);
        if (graph.Id != id)
        {
            LogDamaged(_prefix + id, $"its {json.Length:N0} bytes hash to {graph.Id}");
            return null;
        }
        return graph;
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            IDatabase redis = await connection.DatabaseAsync().ConfigureAwait(false);
            bool deleted = await redis.KeyDeleteAsync(Key(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
            connection.Answered();
            return deleted;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw connection.Unavailable(e);
        }
    }

    private RedisKey Key(string id) => _prefix + id;

    /// <summary>
    /// Whether Redis could not do what was asked just now: no connection, a timeout, or a server error such as
    /// LOADING or READONLY. A cancelled request is not an outage.
    /// </summary>
    private static bool IsUnavailable(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "The value under Redis key {Key} is not a graph this service wrote ({Why}): read as a graph not registered.")]
    private partial void LogDamaged(string key, string why);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "Redis refused graph {Id} ({Bytes} bytes) for want of memory ({Reason}): answered 503. Give Redis more " +
                  "maxmemory, or let it evict with maxmemory-policy allkeys-lru (see docs/scaling.md).")]
    private partial void LogFull(string id, int bytes, string reason);
}
