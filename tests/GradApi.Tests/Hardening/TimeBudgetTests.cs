using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>The time budget (504) and cancellation: a stopped request frees its CPU and its share of the work budget.</summary>
[Collection(HardeningCollection.Name)]
public sealed class TimeBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MillionNodeGraphOverAQuarterSecondBudget_Is504_AndTheNextSmallGraphIsServed()
    {
        // A quarter of a second: the body (40 MB) takes longer than that to arrive and be parsed, so the budget runs out
        // before any of the answer is sent. With a second, a build whose parse and compile keep up with the upload may
        // start the answer first, and an answer cut past its budget is a closed connection, not a 504.
        using var server = HardeningFactory.Live(new() { ["GradApi:EvaluateTimeoutSeconds"] = "0.25" });
        using var client = server.Client();

        using var slow = await client.PostAsync("/v1/evaluate", Bodies.Json(Bodies.SinChain(999_999)));

        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.Equal("application/problem+json", slow.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", slow.Headers.CacheControl?.ToString());
        JsonObject problem = await slow.Json();
        Assert.Equal(504, (int)problem["status"]!);
        Assert.Contains("time budget of 0.25 s", (string)problem["detail"]!);
        await server.Log.WaitFor(e => e.Message.Contains("the time budget ran out"), "the stopped request");

        using var small = await client.Evaluate(Graphs.SigmoidNeuron);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(server.WorkLimiter.BudgetUnits, server.WorkLimiter.AvailableUnits);
    }

    [Fact]
    public async Task BudgetRunningOutWhileTheBodyArrives_ClientThatSendsItAllFirst_ReadsThe504()
    {
        // As Python's urllib does: the whole body is sent before anything is read. The budget runs out after
        // the first 64 KiB; the rest, far more than the socket buffers hold, must still go through, and the
        // answer be the 504 problem document, not a broken pipe.
        using var server = HardeningFactory.Live(new() { ["GradApi:EvaluateTimeoutSeconds"] = "1" });
        await using RawHttp raw = await RawHttp.Connect(server.Address);
        byte[] body = Bodies.AtLeast(16 * 1024 * 1024);

        await raw.SendHead("/v1/evaluate", body.Length);
        await raw.Send(body.AsMemory(0, 64 * 1024));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await raw.Send(body.AsMemory(64 * 1024));

        RawHttp.Response? response = await raw.ReadResponse(Patience);
        Assert.Equal(504, response?.Status);
        Assert.Contains("time budget of 1 s", response!.Body);
        LogSink.Entry stopped = await server.Log.WaitFor(e => e.Message.StartsWith("Stopped POST /v1/evaluate"), "the stopped request");
        Assert.Equal("JsonBody.ReadAsync", stopped.State["StoppedIn"]);
    }

    [Fact]
    public async Task BudgetRunningOutMidEvaluation_Is504_AndTheEngineStops()
    {
        var probe = new EngineProbe();
        using var server = HardeningFactory.Live(new() { ["GradApi:EvaluateTimeoutSeconds"] = "1" }, probe.Install);
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = Bodies.Json(Bodies.SinChain(1000)) };
        request.Headers.Add(EngineProbe.Header, "1");

        using var response = await client.SendAsync(request);

        Assert.True(probe.Started.Task.IsCompleted);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        LogSink.Entry stopped = await server.Log.WaitFor(e => e.Message.StartsWith("Stopped POST /v1/evaluate"), "the stopped request");
        Assert.Equal("the time budget ran out", stopped.State["Reason"]);
        Assert.StartsWith("GraphEngine.", (string)stopped.State["StoppedIn"]!);
    }

    [Fact]
    public async Task ClientThatGoesAwayMidEvaluation_StopsTheWork()
    {
        var probe = new EngineProbe();
        using var server = HardeningFactory.Live(services: probe.Install);
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = Bodies.Json(Bodies.SinChain(1000)) };
        request.Headers.Add(EngineProbe.Header, "1");
        using var leave = new CancellationTokenSource();

        Task<HttpResponseMessage> call = client.SendAsync(request, leave.Token);
        await probe.Started.Task.WaitAsync(Patience);
        Assert.True(server.WorkLimiter.AvailableUnits < server.WorkLimiter.BudgetUnits);
        leave.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        LogSink.Entry stopped = await server.Log.WaitFor(e => e.Message.StartsWith("Stopped POST /v1/evaluate"), "the stopped request");
        Assert.Equal("the client went away", stopped.State["Reason"]);
        Assert.StartsWith("GraphEngine.", (string)stopped.State["StoppedIn"]!);
        await WaitUntil(() => server.WorkLimiter.AvailableUnits == server.WorkLimiter.BudgetUnits, "the work budget to be returned");
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {Patience} for {what}.");
            await Task.Delay(50);
        }
    }
}
