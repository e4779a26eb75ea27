using System.Globalization;
using System.Net;
using GradApi.CompiledGraphs;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>The store and the cache are bounded in bytes: the least recently used graph goes first, and is then a 404.</summary>
public sealed class EvictionTests
{
    [Fact]
    public async Task PastBothBounds_TheLeastRecentlyUsedGraphIs404_AndTheOthersStillEvaluate()
    {
        // Three graphs of one size; both the cache and the store are sized to hold two.
        string[] graphs = [.. Enumerable.Range(1, 3).Select(k => Graphs.SinChain(1000, 0.1 * k))];
        (long compiled, int canonical) = await SizeOf(graphs[0]);
        using var factory = GradApiFactory.With(new()
        {
            ["GradApi:GraphStore:MaxBytes"] = (2 * compiled + compiled / 2).ToString(CultureInfo.InvariantCulture),
            ["GradApi:GraphStore:StoreMaxBytes"] = Math.Max(65536, 2 * (canonical + 256) + canonical / 2).ToString(CultureInfo.InvariantCulture),
        });
        Assert.True(2 * (canonical + 256) + canonical / 2 >= 65536, "the graphs are too small for the store's least bound");
        HttpClient client = factory.CreateClient();

        string first = await client.RegisterId(graphs[0]);
        string second = await client.RegisterId(graphs[1]);
        string third = await client.RegisterId(graphs[2]);

        using var evicted = await client.EvaluateGraph(first, """{"inputs": {}}""");
        Assert.Equal(HttpStatusCode.NotFound, evicted.StatusCode);
        Assert.Contains("dropped to make room", (string)(await evicted.Json())["detail"]!);
        foreach (string kept in new[] { second, third })
        {
            using var response = await client.EvaluateGraph(kept, """{"inputs": {}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var cache = factory.Services.GetRequiredService<CompiledGraphCache>();
        Assert.Equal(2, cache.Count);
        Assert.InRange(cache.Bytes, 2 * compiled, cache.MaxBytes);
    }

    [Fact]
    public async Task TheCache_DropsTheLeastRecentlyEvaluatedGraph()
    {
        string[] graphs = [.. Enumerable.Range(1, 3).Select(k => Graphs.SinChain(400, 0.1 * k))];
        (long compiled, _) = await SizeOf(graphs[0]);
        using var factory = GradApiFactory.With(new()
        {
            ["GradApi:GraphStore:MaxBytes"] = (2 * compiled + compiled / 2).ToString(CultureInfo.InvariantCulture),
        });
        HttpClient client = factory.CreateClient();
        var cache = factory.Services.GetRequiredService<CompiledGraphCache>();

        string first = await client.RegisterId(graphs[0]);
        string second = await client.RegisterId(graphs[1]);
        using (var touched = await client.EvaluateGraph(first, """{"inputs": {}}""")) // first is now the most recently used
            Assert.Equal(HttpStatusCode.OK, touched.StatusCode);
        string third = await client.RegisterId(graphs[2]);

        Assert.NotNull(cache.Find(first));
        Assert.Null(cache.Find(second));
        Assert.NotNull(cache.Find(third));
    }

    [Fact]
    public async Task AGraphDroppedFromTheCacheOnly_IsCompiledAgainFromTheStore()
    {
        string[] graphs = [.. Enumerable.Range(1, 2).Select(k => Graphs.SinChain(400, 0.1 * k))];
        (long compiled, _) = await SizeOf(graphs[0]);
        using var factory = GradApiFactory.With(new()
        {
            ["GradApi:GraphStore:MaxBytes"] = (compiled + compiled / 2).ToString(CultureInfo.InvariantCulture),
        });
        HttpClient client = factory.CreateClient();
        string first = await client.RegisterId(graphs[0]);
        using var before = await client.EvaluateGraph(first, """{"inputs": {"x": 0.5}}""");
        await client.RegisterId(graphs[1]);
        var cache = factory.Services.GetRequiredService<CompiledGraphCache>();
        Assert.Null(cache.Find(first));

        using var after = await client.EvaluateGraph(first, """{"inputs": {"x": 0.5}}""");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(await before.Content.ReadAsStringAsync(), await after.Content.ReadAsStringAsync());
        Assert.NotNull(cache.Find(first));
    }

    [Fact]
    public async Task AGraphsBytes_CountItsArrays()
    {
        (long small, _) = await SizeOf(Graphs.SinChain(10, 0.1));
        (long large, _) = await SizeOf(Graphs.SinChain(10_000, 0.1));

        // A sin node costs, at the least: spec (id range 8, op 1, value 8, flags 1, input start 4, input range 8),
        // tape (op 1, leaf value 8, edge start 4, edge 4, both maps 8, inference slots 8) and its value 8.
        Assert.InRange(large - small, 10_000 * 71L, 10_000 * 71L * 3);
    }

    /// <summary>What one graph costs in the cache and in the store, measured on a service of its own.</summary>
    private static async Task<(long Compiled, int Canonical)> SizeOf(string graph)
    {
        using var probe = new GradApiFactory();
        string id = await probe.CreateClient().RegisterId(graph);
        CompiledGraph compiled = probe.Services.GetRequiredService<CompiledGraphCache>().Find(id)!;
        CanonicalGraph canonical = (await probe.Services.GetRequiredService<IGraphStore>().FindAsync(id, default))!;
        return (compiled.MemoryBytes, canonical.Json.Length);
    }
}
