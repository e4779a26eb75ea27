using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GradApi.CompiledGraphs.Redis;

/// <summary>
/// This process's one connection to Redis (StackExchange.Redis multiplexes every request over it), and what it knows
/// of an outage: it logs once when Redis stops answering and once when it answers again, never per request.
/// </summary>
/// <remarks>
/// The connection is made in the background when the service starts and is never given up: while Redis is down every
/// command fails at once (the caller answers 503), and the multiplexer keeps reconnecting, so the service recovers
/// by itself when Redis is back, with no restart.
/// </remarks>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    /// <summary>What a client is told to wait after a 503: about how often the multiplexer tries to reconnect.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly ILogger<RedisConnection> _logger;
    private readonly Task<ConnectionMultiplexer> _connecting;
    private int _down; // 1 from the first failure until Redis answers again

    public RedisConnection(IOptions<RedisStoreOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        ConfigurationOptions configuration = options.Value.ToConfiguration();
        // The endpoints only: the configuration string may hold a password.
        Endpoint = string.Join(",", configuration.EndPoints.Select(EndPointText));
        _connecting = ConnectAsync(configuration);
    }

    /// <summary>Where Redis is, for log messages and the readiness check (never the password).</summary>
    public string Endpoint { get; }

    /// <summary>Whether Redis answered the last command (or nothing has failed yet).</summary>
    public bool Reachable => Volatile.Read(ref _down) == 0;

    /// <summary>The database, once the first connection attempt is over (it may have failed: commands then fail fast).</summary>
    public async ValueTask<IDatabase> DatabaseAsync()
    {
        ConnectionMultiplexer multiplexer = await _connecting.ConfigureAwait(false);
        return multiplexer.GetDatabase();
    }

    /// <summary>
    /// The store could not use Redis: logged once per outage, and returned as what the endpoints answer 503 with.
    /// </summary>
    public GraphStoreUnavailableException Unavailable(Exception reason) => Unavailable(reason.Message, reason);

    /// <inheritdoc cref="Unavailable(Exception)"/>
    public GraphStoreUnavailableException Unavailable(string reason, Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0) LogDown(Endpoint, reason, exception);
        return new GraphStoreUnavailableException($"Redis at {Endpoint} cannot be reached: {reason}", RetryAfter, exception);
    }

    /// <summary>Redis answered: logs the end of an outage, if there was one.</summary>
    public void Answered()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1) LogBack(Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        ConnectionMultiplexer multiplexer = await _connecting.ConfigureAwait(false);
        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration)
    {
        // With AbortOnConnectFail off this returns after the first attempt even if Redis is down.
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) Unavailable(e.Exception?.Message ?? e.FailureType.ToString(), e.Exception);
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) Answered();
        };
        if (!multiplexer.IsConnected) Unavailable("no connection could be made");
        return multiplexer;
    }

    private static string EndPointText(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Redis at {Endpoint} cannot be reached ({Reason}). Until it answers again, registering a graph answers 503, " +
                  "and so does evaluating a graph this replica has not compiled; graphs compiled here still evaluate. " +
                  "Reconnecting in the background.")]
    private partial void LogDown(string endpoint, string reason, Exception? exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Redis at {Endpoint} answers again: registered graphs are shared by every replica once more.")]
    private partial void LogBack(string endpoint);
}
