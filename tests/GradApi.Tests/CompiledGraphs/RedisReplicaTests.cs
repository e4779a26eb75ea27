using System.Net;
using GradApi.Tests.Hardening;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>
/// Two replicas of the service (two in-memory hosts) sharing registered graphs through a real redis-server, as
/// docker-compose.yml's `scale` profile runs three: what one registers the other evaluates, and Redis going away
/// and coming back is a 503 and then nothing at all, with no restart.
/// </summary>
public sealed class RedisReplicaTests : IAsyncLifetime
{
    private const string Point = """{"inputs": {"x0": 0.5, "x1": -1.25}}""";

    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private RedisServer _redis = null!;
    private HardeningFactory _one = null!, _two = null!;
    private HttpClient _first = null!, _second = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru");
        _one = Replica();
        _two = Replica();
        _first = _one.CreateClient();
        _second = _two.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _first.Dispose();
        _second.Dispose();
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [RedisFact]
    public async Task AGraphRegisteredOnOneReplica_EvaluatesOnAnother_ByteForByteAsOnTheFirst()
    {
        string id = await _first.RegisterId(Graphs.SigmoidNeuron);

        using var onFirst = await _first.EvaluateGraph(id, Point);
        using var onSecond = await _second.EvaluateGraph(id, Point);
        using var described = await _second.GetAsync($"/v1/graphs/{id}");

        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        Assert.Equal(await onFirst.Content.ReadAsStringAsync(), await onSecond.Content.ReadAsStringAsync());
        var body = await onSecond.Json();
        Assert.Equal(1 / (1 + Math.Exp(-1.75)), (double)body["value"]!, 15);
        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        Assert.Equal(id, (string)(await described.Json())["id"]!);
    }

    [RedisFact]
    public async Task AGraphDeletedThroughOneReplica_IsNotFoundByAReplicaThatNeverCompiledIt()
    {
        string id = await _first.RegisterId(Graphs.AddMul);

        using var deleted = await _first.DeleteAsync($"/v1/graphs/{id}");
        using var evaluated = await _second.EvaluateGraph(id, """{"inputs": {}}""");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, evaluated.StatusCode);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        Assert.False(await direct.GetDatabase().KeyExistsAsync(_prefix + id));
    }

    [RedisFact]
    public async Task ConcurrentRegistrationsOfOneGraph_OnBothReplicas_AllGetTheSameIdAndRedisKeepsOneCopy()
    {
        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            (i % 2 == 0 ? _first : _second).Register(Graphs.SigmoidNeuron)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        string[] ids = await Task.WhenAll(responses.Select(async r => (string)(await r.Json())["id"]!));
        Assert.Single(ids.Distinct());
        await using var direct = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        Assert.Single(direct.GetServer(_redis.Address).Keys(pattern: _prefix + "*"));
        foreach (var response in responses) response.Dispose();
    }

    [RedisFact]
    public async Task Readiness_SaysRedisAnswers()
    {
        using var ready = await _first.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Json();
        Assert.Equal("Healthy", (string)body["status"]!);
        Assert.Contains($"Redis at {_redis.Address} answers", (string)body["checks"]!["graph-store"]!["description"]!);
    }

    [RedisFact]
    public async Task RedisStoppedAndStartedAgain_RegisteringIs503ThenWorks_CompiledGraphsEvaluateThroughout()
    {
        string compiled = await _first.RegisterId(Graphs.SigmoidNeuron);
        using (await _first.EvaluateGraph(compiled, Point)) { }

        await _redis.StopAsync();

        // Registering: a 503 problem with Retry-After, saying what still works, and nothing of Redis's internals.
        using var register = await _first.Register(Graphs.AddMul);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, register.StatusCode);
        Assert.Equal("application/problem+json", register.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), register.Headers.RetryAfter?.Delta);
        string problem = await register.Content.ReadAsStringAsync();
        Assert.Contains("POST /v1/evaluate", problem);
        Assert.DoesNotContain("StackExchange", problem);
        Assert.DoesNotContain("Exception", problem);

        // The graph the first replica compiled still evaluates there; the second never compiled it and cannot know
        // whether Redis has it: 503, not 404.
        using var cached = await _first.EvaluateGraph(compiled, Point);
        using var notCached = await _second.EvaluateGraph(compiled, Point);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notCached.StatusCode);
        Assert.NotNull(notCached.Headers.RetryAfter);

        // /v1/evaluate needs no store; liveness stays 200; readiness says Degraded, still 200.
        using var evaluate = await _second.Evaluate(Graphs.AddMul);
        using var live = await _first.GetAsync("/healthz");
        using var ready = await _first.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, evaluate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = await ready.Json();
        Assert.Equal("Degraded", (string)readiness["status"]!);
        Assert.Contains("cannot be reached", (string)readiness["checks"]!["graph-store"]!["description"]!);

        // More failed requests: the outage is logged once per replica, not once per request. (The framework also
        // logs each readiness check that is not Healthy, as it does for any check.)
        for (int i = 0; i < 5; i++) using (await _first.Register(Graphs.AddMul)) { }
        Assert.Single(Outages(_one));
        Assert.Contains($"Redis at {_redis.Address} cannot be reached", Outages(_one).Single().Message);

        await _redis.StartAgainAsync();

        // No restart: the replicas reconnect by themselves (waited for, up to 30 s).
        Assert.Equal(HttpStatusCode.Created, await Eventually(() => _first.Register(Graphs.AddMul), HttpStatusCode.Created));
        Assert.Contains(_one.Log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("answers again"));
        using var readyAgain = await _first.GetAsync("/healthz/ready");
        Assert.Equal("Healthy", (string)(await readyAgain.Json())["status"]!);

        // Redis came back empty: the graph is compiled on the first replica still, and the second, which never
        // compiled it, is told (once it has reconnected too) to register it again, which any replica can.
        using var stillCompiled = await _first.EvaluateGraph(compiled, Point);
        Assert.Equal(HttpStatusCode.OK, stillCompiled.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await Eventually(() => _second.EvaluateGraph(compiled, Point), HttpStatusCode.NotFound));
        Assert.Equal(compiled, await _second.RegisterId(Graphs.SigmoidNeuron));
        using var registeredAgain = await _second.EvaluateGraph(compiled, Point);
        Assert.Equal(await stillCompiled.Content.ReadAsStringAsync(), await registeredAgain.Content.ReadAsStringAsync());
    }

    [RedisFact]
    public async Task RedisDownWhenTheServiceStarts_TheServiceStartsAndRecoversWhenRedisComes()
    {
        await _redis.StopAsync();
        await using HardeningFactory late = Replica();
        using HttpClient client = late.CreateClient();

        using var live = await client.GetAsync("/healthz");
        using var register = await client.Register(Graphs.AddMul);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, register.StatusCode);

        await _redis.StartAgainAsync();
        Assert.Equal(HttpStatusCode.Created, await Eventually(() => client.Register(Graphs.AddMul), HttpStatusCode.Created));
    }

    [Theory]
    [InlineData("GradApi:GraphStore:RedisTimeToLive", "00:00:00", "GradApi:GraphStore:RedisTimeToLive")]
    [InlineData("GradApi:GraphStore:RedisKeyPrefix", "two words", "GradApi:GraphStore:RedisKeyPrefix")]
    [InlineData("GradApi:GraphStore:Redis", "redis:6379,nosuchoption=1", "GradApi:GraphStore:Redis")]
    public void ASettingOutOfRange_StopsTheServiceAtStartup_NamingIt(string key, string value, string named)
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:GraphStore:Redis"] = "127.0.0.1:1", [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(named, error.ToString());
    }

    private HardeningFactory Replica() => HardeningFactory.InMemory(new()
    {
        ["GradApi:GraphStore:Redis"] = _redis.Address,
        ["GradApi:GraphStore:RedisKeyPrefix"] = _prefix,
    });

    /// <summary>
    /// Sends <paramref name="request"/> until it answers <paramref name="expected"/>, for up to 30 s (a replica
    /// reconnects to Redis by itself, within seconds); the last status.
    /// </summary>
    private static async Task<HttpStatusCode> Eventually(Func<Task<HttpResponseMessage>> request, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using HttpResponseMessage response = await request();
            if (response.StatusCode == expected || DateTime.UtcNow > deadline) return response.StatusCode;
            await Task.Delay(200);
        }
    }

    /// <summary>What the replica logged about Redis at warning level: its outages.</summary>
    private static IEnumerable<LogSink.Entry> Outages(HardeningFactory replica) =>
        replica.Log.Entries.Where(e => e.Level == LogLevel.Warning && e.Category.StartsWith("GradApi.", StringComparison.Ordinal));
}
