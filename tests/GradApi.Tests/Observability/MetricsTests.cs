using System.Net;
using System.Net.Http.Headers;
using GradApi.Tests.Hardening;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Observability;

/// <summary>
/// /metrics on a live server: Prometheus's text format, a request counted with its route and status, the nodes
/// evaluated, and the refusals (413, 429) by reason. In the Hardening collection, which runs alone, so that the counts
/// are exact.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class MetricsTests
{
    private const string AddMul = """
        {"nodes": [{"id": "x", "op": "input", "value": -2}, {"id": "y", "op": "input", "value": 5},
                   {"id": "z", "op": "input", "value": -4}, {"id": "q", "op": "add", "inputs": ["x", "y"]},
                   {"id": "f", "op": "mul", "inputs": ["q", "z"]}], "output": "f"}
        """;

    private const string SixNodes = """
        {"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "b", "op": "neg", "inputs": ["a"]}, {"id": "c", "op": "neg", "inputs": ["b"]},
                   {"id": "d", "op": "neg", "inputs": ["c"]}, {"id": "e", "op": "neg", "inputs": ["d"]}, {"id": "f", "op": "neg", "inputs": ["e"]}]}
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_AnswerPrometheusText_AndCountARequestItsNodesA413AndA429()
    {
        // One 64 KiB unit of work budget and no queue: while one upload holds it, any other /v1 request is a 429.
        using var server = HardeningFactory.Live(new()
        {
            ["GradApi:MaxNodes"] = "5",
            ["GradApi:WorkBudgetBytes"] = (64 * 1024).ToString(),
            ["GradApi:WorkQueueBytes"] = "0",
            ["GradApi:MinRequestBodyBytesPerSecond"] = "0",
        });
        using HttpClient client = server.Client();
        PrometheusText before = await Scrape(client);

        Assert.Equal(HttpStatusCode.OK, (await client.Evaluate(AddMul)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.Evaluate(SixNodes)).StatusCode);
        await using (RawHttp upload = await RawHttp.Connect(server.Address))
        {
            await upload.SendHead("/v1/evaluate", 1000);
            await upload.Send("{\"nodes\": ["u8.ToArray());
            await WaitUntil(() => server.WorkLimiter.AvailableUnits == 0);
            PrometheusText holding = await Scrape(client);
            Assert.Equal(64 * 1024, holding.Sum("gradapi_work_in_use_bytes"));
            Assert.Equal(64 * 1024, holding.Sum("gradapi_work_budget_bytes"));

            Assert.Equal(HttpStatusCode.TooManyRequests, (await client.Evaluate(AddMul)).StatusCode);
        }

        PrometheusText after = await Scrape(client);
        Assert.Equal(1, Delta(before, after, "http_server_request_duration_seconds_count",
            ("http_route", "/v1/evaluate"), ("http_response_status_code", "200")));
        Assert.Equal(1, Delta(before, after, "http_server_request_duration_seconds_count",
            ("http_route", "/v1/evaluate"), ("http_response_status_code", "413")));
        Assert.Equal(5, Delta(before, after, "gradapi_nodes_evaluated_total", ("mode", "training")));
        Assert.Equal(1, Delta(before, after, "gradapi_requests_refused_total", ("reason", "too_large")));
        Assert.Equal(1, Delta(before, after, "gradapi_requests_refused_total", ("reason", "shed")));
        Assert.Equal("histogram", after.Types["http_server_request_duration_seconds"]);
        Assert.Equal("counter", after.Types.Single(t => t.Key.StartsWith("gradapi_requests_refused", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public async Task Metrics_CountRegisteredGraphsFoundCompiledAndTheirNodes()
    {
        using var server = HardeningFactory.Live();
        using HttpClient client = server.Client();
        using HttpResponseMessage registered = await client.PostJson("/v1/graphs", AddMul);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        string id = (string)(await registered.Json())["id"]!;
        PrometheusText before = await Scrape(client);

        Assert.Equal(HttpStatusCode.OK, (await client.PostJson($"/v1/graphs/{id}/evaluate", "{\"inputs\": {\"x\": 1}}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/graphs/sha256:" + new string('0', 64))).StatusCode);

        PrometheusText after = await Scrape(client);
        Assert.Equal(1, Delta(before, after, "gradapi_compiled_graphs_lookups_total", ("result", "hit")));
        Assert.Equal(1, Delta(before, after, "gradapi_compiled_graphs_lookups_total", ("result", "miss")));
        Assert.Equal(5, Delta(before, after, "gradapi_nodes_evaluated_total", ("mode", "training")));
    }

    [Fact]
    public async Task Metrics_CanBeSwitchedOff()
    {
        using var server = HardeningFactory.InMemory(new() { ["GradApi:Metrics"] = "false" });
        using HttpClient client = server.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>A scrape, read strictly; the exporter answers the text format when asked for it as Prometheus asks.</summary>
    private static async Task<PrometheusText> Scrape(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("text/plain; version=0.0.4"));
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels) =>
        after.Sum(name, labels) - before.Sum(name, labels);

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition()) await Task.Delay(10, timeout.Token);
    }
}
