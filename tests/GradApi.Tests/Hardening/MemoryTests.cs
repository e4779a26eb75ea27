using System.Buffers;
using System.Net;
using System.Text.Json.Nodes;
using GradApi.Engine.Evaluation;
using GradApi.Hosting;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GradApi.Tests.Hardening;

/// <summary>
/// The memory the process is given decides the work budget; a body that could never fit is a 413; running out of
/// memory anyway is a 503, and a process that stays out of memory fails its health check. The survival of a
/// memory-limited process under million-node graphs is tests/memory/survive.py (a CI stage after these tests).
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class MemoryTests
{
    private const long MiB = 1024 * 1024;

    /// <summary>The body of bigdag.sh's 10^6-node DAG.</summary>
    private const long MillionNodeBody = 56_621_196;

    [Fact]
    public void Budget_InA1GiBContainer_AdmitsTheLargestDefaultBody_AndTheWorstCaseOfItsWorkFits()
    {
        // The runtime gives the GC 75% of a container's limit.
        var memory = new MemoryBudget(768 * MiB);

        Assert.True(memory.WorkBudgetBytes >= new GradApiOptions().MaxBodyBytes);
        Assert.True(memory.WorkBudgetBytes < 3 * MillionNodeBody);
        Assert.True(memory.WorkBudgetBytes * MemoryBudget.BytesPerBodyByte + memory.PoolBytes + MemoryBudget.ReservedBytes <= memory.AvailableBytes);
    }

    [Fact]
    public void Budget_OnALargeMachine_StaysAtTheFixedCap_AndOnATinyOneAtOneUnit()
    {
        Assert.Equal(MemoryBudget.MaxWorkBudgetBytes, new MemoryBudget(24L * 1024 * MiB).WorkBudgetBytes);
        Assert.Equal(WorkLimiter.UnitBytes, new MemoryBudget(100 * MiB).WorkBudgetBytes);
    }

    [Fact]
    public void Budget_Unset_IsSizedFromTheMemoryTheProcessHas_AndSetItIsTaken()
    {
        using (var server = HardeningFactory.InMemory())
        {
            long expected = MemoryBudget.FromGC().WorkBudgetBytes / WorkLimiter.UnitBytes;
            Assert.Equal(expected, server.Services.GetRequiredService<WorkLimiter>().BudgetUnits);
        }
        using (var server = HardeningFactory.InMemory(new() { ["GradApi:WorkBudgetBytes"] = (1024 * 1024).ToString() }))
            Assert.Equal(16, server.Services.GetRequiredService<WorkLimiter>().BudgetUnits);
    }

    [Fact]
    public async Task BodyLargerThanTheWholeBudget_Is413AtOnce_WhileOneWithinItRuns()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:WorkBudgetBytes"] = (128 * 1024).ToString() });
        using var client = server.Client();

        using var tooLarge = await client.PostAsync("/v1/evaluate", Bodies.Json(Bodies.AtLeast(200_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        JsonObject problem = await tooLarge.Json();
        Assert.Equal(413, (int)problem["status"]!);
        Assert.Contains("131,072 bytes", (string)problem["detail"]!);

        using var fits = await client.PostAsync("/v1/evaluate", Bodies.Json(Bodies.AtLeast(100_000)));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.True(server.WorkLimiter.IsIdle);
    }

    [Fact]
    public async Task ChunkedBodyLargerThanTheWholeBudget_Is413()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:WorkBudgetBytes"] = (128 * 1024).ToString() });
        using var client = server.Client();
        var content = new StreamContent(new MemoryStream(Bodies.AtLeast(200_000)));
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/v1/evaluate", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (int)(await response.Json())["status"]!);
    }

    [Fact]
    public async Task OutOfMemory_Is503ToRetry_AndAProcessThatRecoversStaysHealthy()
    {
        using var server = HardeningFactory.Live(services: services => services.AddScoped(_ => new GraphEngine(new ExhaustedPool())));
        using var client = server.Client();

        using var response = await client.Evaluate(Graphs.SigmoidNeuron);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(503, (int)JsonNode.Parse(body)!["status"]!);
        Assert.DoesNotContain("OutOfMemoryException", body);
        Assert.Equal(1, server.Services.GetRequiredService<MemoryHealth>().OutOfMemoryCount);

        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task OutOfMemory_WithMostMemoryStillHeldOnceIdle_FailsTheHealthCheckAndTheProbe()
    {
        using var server = HardeningFactory.Live(services: services =>
        {
            services.AddScoped(_ => new GraphEngine(new ExhaustedPool()));
            services.AddSingleton(s => new MemoryHealth(s.GetRequiredService<WorkLimiter>(), availableBytes: 1000, () => 900,
                MemoryHealth.DefaultMeasureInterval));
        });
        using var client = server.Client();
        using (var before = await client.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        using (var response = await client.Evaluate(Graphs.SigmoidNeuron))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await WaitUntil(() => server.WorkLimiter.IsIdle);

        using (var health = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("application/problem+json", health.Content.Headers.ContentType?.MediaType);
            var problem = await health.Json();
            Assert.Equal(503, (int)problem["status"]!);
            Assert.Equal("/healthz", (string)problem["instance"]!);
            Assert.Contains("memory", (string)problem["detail"]!);
            Assert.Equal("Unhealthy", (string)problem["checks"]!["memory"]!["status"]!);
        }
        Assert.Equal(1, HealthProbe.Run(new Uri(server.Address, "/healthz").ToString(), TextWriter.Null));
    }

    [Fact]
    public async Task HealthCheck_MeasuresOnlyAfterAnOutOfMemory_AndClearsOnceMemoryIsFree()
    {
        long live = 900;
        int measured = 0;
        using var server = HardeningFactory.InMemory();
        TimeSpan interval = TimeSpan.FromMilliseconds(200);
        var health = new MemoryHealth(server.Services.GetRequiredService<WorkLimiter>(), availableBytes: 1000, () =>
        {
            measured++;
            return live;
        }, interval);

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new())).Status);
        Assert.Equal(0, measured);

        health.OnOutOfMemory();
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(new())).Status);
        Assert.Equal(1, measured);

        // Within the interval the verdict stands; after it, memory is measured again.
        live = 100;
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(new())).Status);
        await Task.Delay(interval + TimeSpan.FromMilliseconds(50));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new())).Status);
        Assert.Equal(2, measured);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }

    /// <summary>A pool with no memory left: every rent fails as the runtime's allocator would.</summary>
    private sealed class ExhaustedPool : ArrayPool<double>
    {
        public override double[] Rent(int minimumLength) => throw new OutOfMemoryException();

        public override void Return(double[] array, bool clearArray = false) { }
    }
}
