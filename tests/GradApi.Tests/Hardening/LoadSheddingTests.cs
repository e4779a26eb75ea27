using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>The work budget: weighed by body size, queued, then 429 with Retry-After; and the per-client bucket.</summary>
[Collection(HardeningCollection.Name)]
public sealed class LoadSheddingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HugeGraphsOverTheBudget_QueueThen429WithRetryAfter_WhileASmallGraphGetsThrough()
    {
        // A budget of 16 units of 64 KiB and a queue as large; each huge graph weighs about 10 units: more than
        // half, so one runs at a time and one fits in the queue.
        using var server = HardeningFactory.Live(new()
        {
            ["GradApi:WorkBudgetBytes"] = (1024 * 1024).ToString(),
            ["GradApi:WorkQueueBytes"] = (1024 * 1024).ToString(),
            ["GradApi:WorkQueueTimeoutSeconds"] = "60",
            ["GradApi:MinRequestBodyBytesPerSecond"] = "0",
        });
        byte[] huge = Bodies.AtLeast(600_000);
        int weight = server.WorkLimiter.Weigh(new Microsoft.AspNetCore.Http.DefaultHttpContext { Request = { ContentLength = huge.Length } }.Request);
        Assert.InRange(weight, 9, 16);

        // Five huge uploads that stop after their first kilobyte: one holds 10 units, one waits in the queue,
        // and the queue has room for no more, so the other three are turned away.
        var uploads = new List<RawHttp>();
        var answers = new List<Task<RawHttp.Response?>>();
        for (int i = 0; i < 5; i++)
        {
            RawHttp raw = await RawHttp.Connect(server.Address);
            await raw.SendHead("/v1/evaluate", huge.Length);
            await raw.Send(huge.AsMemory(0, 1024));
            uploads.Add(raw);
            answers.Add(raw.ReadResponse(TimeSpan.FromSeconds(90)));
        }
        try
        {
            var rejected = new List<RawHttp.Response?>();
            var pending = answers.ToList();
            while (rejected.Count < 3)
            {
                Task<RawHttp.Response?> done = await Task.WhenAny(pending).WaitAsync(Patience);
                pending.Remove(done);
                rejected.Add(await done);
            }
            foreach (RawHttp.Response? response in rejected)
            {
                Assert.NotNull(response);
                Assert.Equal(429, response.Status);
                Assert.True(int.Parse(response.Headers["Retry-After"]) >= 1);
                Assert.StartsWith("application/problem+json", response.Headers["Content-Type"]);
                Assert.Equal("no-store", response.Headers["Cache-Control"]);
                Assert.Equal(429, (int)JsonNode.Parse(response.Body)!["status"]!);
            }

            // A small graph takes one of the 6 free units at once, though a huge one is waiting for 10.
            using (var client = server.Client())
            using (var small = await client.Evaluate(Graphs.SigmoidNeuron))
                Assert.Equal(HttpStatusCode.OK, small.StatusCode);
            Assert.Equal(2, pending.Count);
            Assert.All(pending, p => Assert.False(p.IsCompleted));

            // The rest of the bodies: the running graph finishes, then the queued one runs.
            foreach (int i in Enumerable.Range(0, 5).Where(i => pending.Contains(answers[i])))
                await uploads[i].Send(huge.AsMemory(1024));
            foreach (Task<RawHttp.Response?> answer in pending)
                Assert.Equal(200, (await answer.WaitAsync(Patience))?.Status);
        }
        finally
        {
            foreach (RawHttp raw in uploads) await raw.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThirtyTwoClientsSendingSmallGraphs_AreNeverRejected()
    {
        using var server = HardeningFactory.Live();
        using var client = server.Client();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            var seen = new List<HttpStatusCode>();
            for (int i = 0; i < 8; i++)
            {
                using var response = await client.Evaluate(Graphs.SigmoidNeuron);
                seen.Add(response.StatusCode);
            }
            return seen;
        }));

        Assert.All(statuses.SelectMany(s => s), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(server.WorkLimiter.BudgetUnits, server.WorkLimiter.AvailableUnits);
    }

    [Fact]
    public async Task HealthzAndSwagger_AreNeverLimited()
    {
        using var server = HardeningFactory.Live(new()
        {
            ["GradApi:WorkBudgetBytes"] = (64 * 1024).ToString(),
            ["GradApi:WorkQueueBytes"] = "0",
            ["GradApi:ClientRequestsPerSecond"] = "1",
        });
        using var client = server.Client();

        for (int i = 0; i < 5; i++)
        {
            using var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var swagger = await client.GetAsync("/swagger/v1/swagger.json");
            Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
        }
    }

    [Fact]
    public async Task PerClientBucket_IsOffByDefault_AndWhenOnTurnsAwayAClientPastItsRate()
    {
        using (var open = HardeningFactory.Live())
        using (var client = open.Client())
        {
            for (int i = 0; i < 10; i++)
            {
                using var response = await client.GetAsync("/v1/ops");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        using var server = HardeningFactory.Live(new() { ["GradApi:ClientRequestsPerSecond"] = "1", ["GradApi:ClientBurst"] = "2" });
        using var limited = server.Client();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? turnedAway = null;
        for (int i = 0; i < 6; i++)
        {
            var response = await limited.GetAsync("/v1/ops");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) turnedAway ??= response;
            else response.Dispose();
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(turnedAway);
        Assert.NotNull(turnedAway.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", turnedAway.Content.Headers.ContentType?.MediaType);
        Assert.Contains("client", (string)(await turnedAway.Json())["detail"]!);
        turnedAway.Dispose();
    }

    [Fact]
    public async Task PerClientBucket_TrustsXForwardedForOnlyFromAConfiguredProxy()
    {
        Dictionary<string, string?> oneRequestEach = new() { ["GradApi:ClientRequestsPerSecond"] = "1" };

        // Untrusted: the "clients" named in the header are all one client, the test's loopback address.
        using (var server = HardeningFactory.Live(oneRequestEach))
        using (var client = server.Client())
            Assert.Contains(HttpStatusCode.TooManyRequests, await ClientsBehindOneProxy(client, "203.0.113.7", "203.0.113.8", "203.0.113.9"));

        // Trusted: the header names the client, and each has its own bucket.
        using (var server = HardeningFactory.Live(new(oneRequestEach) { ["GradApi:KnownProxies:0"] = "127.0.0.1" }))
        using (var client = server.Client())
            Assert.All(await ClientsBehindOneProxy(client, "203.0.113.7", "203.0.113.8", "203.0.113.9"),
                status => Assert.Equal(HttpStatusCode.OK, status));
    }

    private static async Task<HttpStatusCode[]> ClientsBehindOneProxy(HttpClient client, params string[] clients)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (string forwardedFor in clients)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/ops");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        return [.. statuses];
    }
}
