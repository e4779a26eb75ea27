using System.Text;
using GradApi.CompiledGraphs;
using GradApi.CompiledGraphs.Redis;
using GradApi.Tests.Hardening;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>The Redis graph store against a real redis-server, started by the test class.</summary>
public sealed class RedisGraphStoreTests : IAsyncLifetime
{
    private readonly LogSink _logs = new();
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _direct = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru");
        _direct = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
    }

    public async Task DisposeAsync()
    {
        await _direct.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [RedisFact]
    public async Task SavedGraph_IsFoundWithTheSameBytes_UnderThePrefixedId_WithItsTimeToLive()
    {
        await using var store = NewStore(timeToLive: TimeSpan.FromMinutes(10));
        CanonicalGraph graph = Graph(1);

        Assert.True(await store.Store.SaveAsync(graph, default));
        CanonicalGraph? found = await store.Store.FindAsync(graph.Id, default);

        Assert.NotNull(found);
        Assert.Equal(graph.Id, found.Id);
        Assert.Equal(graph.Json.ToArray(), found.Json.ToArray());
        Assert.Equal(graph.Json.ToArray(), (byte[]?)await Redis.StringGetAsync(_prefix + graph.Id));
        TimeSpan? ttl = await Redis.KeyTimeToLiveAsync(_prefix + graph.Id);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [RedisFact]
    public async Task GraphNeverSaved_IsNotFound()
    {
        await using var store = NewStore();

        Assert.Null(await store.Store.FindAsync(Graph(2).Id, default));
    }

    [RedisFact]
    public async Task Delete_ForgetsTheGraph_AndSaysWhetherOneWasKept()
    {
        await using var store = NewStore();
        CanonicalGraph graph = Graph(3);
        await store.Store.SaveAsync(graph, default);

        Assert.True(await store.Store.DeleteAsync(graph.Id, default));
        Assert.False(await store.Store.DeleteAsync(graph.Id, default));
        Assert.Null(await store.Store.FindAsync(graph.Id, default));
    }

    [RedisFact]
    public async Task Finding_AGraph_StartsItsTimeToLiveAgain()
    {
        await using var store = NewStore(timeToLive: TimeSpan.FromMinutes(10));
        CanonicalGraph graph = Graph(4);
        await store.Store.SaveAsync(graph, default);
        await Redis.KeyExpireAsync(_prefix + graph.Id, TimeSpan.FromSeconds(30));

        Assert.NotNull(await store.Store.FindAsync(graph.Id, default));

        TimeSpan? ttl = await Redis.KeyTimeToLiveAsync(_prefix + graph.Id);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [RedisFact]
    public async Task Saving_AGraphAgain_StartsItsTimeToLiveAgain()
    {
        await using var store = NewStore(timeToLive: TimeSpan.FromMinutes(10));
        CanonicalGraph graph = Graph(5);
        await store.Store.SaveAsync(graph, default);
        await Redis.KeyExpireAsync(_prefix + graph.Id, TimeSpan.FromSeconds(30));

        await store.Store.SaveAsync(graph, default);

        TimeSpan? ttl = await Redis.KeyTimeToLiveAsync(_prefix + graph.Id);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [RedisFact]
    public async Task AGraphPastItsTimeToLive_IsForgottenByRedis()
    {
        await using var store = NewStore(timeToLive: TimeSpan.FromSeconds(1));
        CanonicalGraph graph = Graph(6);
        await store.Store.SaveAsync(graph, default);
        Assert.True(await Redis.KeyExistsAsync(_prefix + graph.Id));

        // Redis expires the key itself; a second past its time it is gone (waited for, up to 10 s).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await Redis.KeyExistsAsync(_prefix + graph.Id) && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.False(await Redis.KeyExistsAsync(_prefix + graph.Id));
        Assert.Null(await store.Store.FindAsync(graph.Id, default));
    }

    [RedisFact]
    public async Task AtMaxmemory_RedisEvictsTheLeastRecentlyUsedGraphs_AndSavingGoesOn()
    {
        await using RedisServer small = await RedisServer.StartAsync("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru");
        await using var store = NewStore(address: small.Address);
        // 200 graphs of 32 KiB: 6.4 MB, three times what Redis may keep.
        CanonicalGraph[] graphs = [.. Enumerable.Range(0, 200).Select(i => Graph(i, padding: 32 * 1024))];

        foreach (CanonicalGraph graph in graphs) Assert.True(await store.Store.SaveAsync(graph, default));

        bool[] kept = new bool[graphs.Length];
        for (int i = graphs.Length - 1; i >= 0; i--) kept[i] = await store.Store.FindAsync(graphs[i].Id, default) is not null;
        Assert.True(kept[^1], "the graph saved last is kept");
        Assert.False(kept[0], "the graph saved first is evicted");
        Assert.InRange(kept.Count(k => k), 1, 64);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(small.Address + ",allowAdmin=true");
        long evicted = long.Parse((await admin.GetServer(small.Address).InfoAsync("stats"))
            .SelectMany(group => group).Single(pair => pair.Key == "evicted_keys").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(evicted >= graphs.Length - 64, $"Redis evicted {evicted} keys");
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [RedisFact]
    public async Task AFullRedisThatMayNotEvict_IsA503_AndSaysWhy()
    {
        await using RedisServer full = await RedisServer.StartAsync("--maxmemory", "1mb", "--maxmemory-policy", "noeviction");
        await using var store = NewStore(address: full.Address);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(async () =>
        {
            for (int i = 0; i < 100; i++) await store.Store.SaveAsync(Graph(i, padding: 64 * 1024), default);
        });

        Assert.Contains("full", error.Message);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("maxmemory-policy allkeys-lru"));
    }

    [RedisFact]
    public async Task AValueThatIsNotTheGraphItsKeyNames_IsAMiss_AndIsLogged()
    {
        await using var store = NewStore();
        CanonicalGraph garbage = Graph(7), truncated = Graph(8), otherGraph = Graph(9), list = Graph(10), empty = Graph(11);
        await Redis.StringSetAsync(_prefix + garbage.Id, new byte[] { 0xff, 0x00, 0x13, 0x37 });
        await Redis.StringSetAsync(_prefix + truncated.Id, truncated.Json[..^5]);
        await Redis.StringSetAsync(_prefix + otherGraph.Id, Graph(12).Json);
        await Redis.ListRightPushAsync(_prefix + list.Id, "a graph?");
        await Redis.StringSetAsync(_prefix + empty.Id, Array.Empty<byte>());

        foreach (CanonicalGraph graph in (CanonicalGraph[])[garbage, truncated, otherGraph, list, empty])
        {
            Assert.Null(await store.Store.FindAsync(graph.Id, default));
            Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(_prefix + graph.Id)
                && e.Message.Contains("not a graph this service wrote"));
        }

        // Registering the graph again mends its value.
        await store.Store.SaveAsync(garbage, default);
        Assert.Equal(garbage.Json.ToArray(), (await store.Store.FindAsync(garbage.Id, default))!.Json.ToArray());
    }

    [RedisFact]
    public async Task ConcurrentSavesOfOneGraph_AllSucceed_AndKeepOneCopy()
    {
        await using var first = NewStore();
        await using var second = NewStore();
        CanonicalGraph graph = Graph(13, padding: 100_000);

        bool[] saved = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? first : second).Store.SaveAsync(CanonicalGraph.FromJson(graph.Json.ToArray()), default))));

        Assert.All(saved, Assert.True);
        Assert.Equal(graph.Json.ToArray(), (await second.Store.FindAsync(graph.Id, default))!.Json.ToArray());
        Assert.Single(_direct.GetServer(_redis.Address).Keys(pattern: _prefix + "*"));
    }

    [RedisFact]
    public async Task RedisStoppedAndStartedAgain_IsUnavailableThenWorks_LoggedOnceEachWay()
    {
        await using var store = NewStore();
        CanonicalGraph before = Graph(14), during = Graph(15);
        Assert.True(await store.Store.SaveAsync(before, default));

        await _redis.StopAsync();

        var started = DateTime.UtcNow;
        for (int i = 0; i < 5; i++)
        {
            var saving = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.Store.SaveAsync(during, default).AsTask());
            Assert.Contains(_redis.Address, saving.Message);
            Assert.Equal(TimeSpan.FromSeconds(5), saving.RetryAfter);
            await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.Store.FindAsync(before.Id, default).AsTask());
            await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.Store.DeleteAsync(before.Id, default).AsTask());
        }
        // Each call fails at once, no command waits for a connection: 15 calls that each waited out the 5 s timeout
        // would take 75 s.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"15 calls took {DateTime.UtcNow - started}");
        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cannot be reached"));

        await _redis.StartAgainAsync();

        // The multiplexer reconnects by itself; no new store, no restart.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Assert.True(await store.Store.SaveAsync(during, default));
                break;
            }
            catch (GraphStoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        Assert.NotNull(await store.Store.FindAsync(during.Id, default));
        Assert.Null(await store.Store.FindAsync(before.Id, default)); // Redis came back empty
        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cannot be reached"));
        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("answers again"));
    }

    private IDatabase Redis => _direct.GetDatabase();

    /// <summary>A canonical-looking graph, different for each <paramref name="n"/>, of about <paramref name="padding"/> bytes more.</summary>
    private static CanonicalGraph Graph(int n, int padding = 0) => CanonicalGraph.FromJson(Encoding.UTF8.GetBytes(
        $$"""{"nodes":[{"id":"x","op":"input","value":{{n}}},{"id":"f","label":"{{new string('p', padding)}}","op":"neg","inputs":["x"]}],"output":"f","seed":1}"""));

    private TestStore NewStore(TimeSpan? timeToLive = null, string? address = null)
    {
        IOptions<RedisStoreOptions> options = Options.Create(new RedisStoreOptions
        {
            Redis = address ?? _redis.Address,
            RedisTimeToLive = timeToLive ?? TimeSpan.FromMinutes(5),
            RedisKeyPrefix = _prefix,
        });
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        var connection = new RedisConnection(options, loggers.CreateLogger<RedisConnection>());
        return new TestStore(new RedisGraphStore(connection, options, loggers.CreateLogger<RedisGraphStore>()), connection, loggers);
    }

    private sealed record TestStore(RedisGraphStore Store, RedisConnection Connection, ILoggerFactory Loggers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            Loggers.Dispose();
        }
    }
}
