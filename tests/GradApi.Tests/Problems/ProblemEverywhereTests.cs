using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Hardening;

namespace GradApi.Tests.Problems;

/// <summary>
/// Every kind of error the service answers, asked for with every kind of Accept header, is an RFC 9457 problem
/// document: application/problem+json with type, title, status, detail, instance (the path) and traceId, and
/// nothing of the server's internals.
/// </summary>
public sealed class ProblemEverywhereTests(ProblemServers servers) : IClassFixture<ProblemServers>
{
    private const string Json = "application/json";
    private const string Neuron = """{"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "b", "op": "input", "value": 2}, {"id": "y", "op": "mul", "inputs": ["a", "b"]}]}""";
    private const string LogOfZero = """{"nodes": [{"id": "a", "op": "input", "value": 0}, {"id": "y", "op": "log", "inputs": ["a"]}]}""";

    /// <summary>Accept headers a client may send: none, what the error is not, anything, and garbage.</summary>
    public static readonly string?[] Accepts =
        [null, "image/svg+xml", "text/html", "text/plain", "text/vnd.graphviz", "*/*", "application/json", "no/such;;q=x, ,"];

    /// <summary>Each error: the server, the request, the status, and the path the problem must name.</summary>
    private static readonly Dictionary<string, ErrorCase> Cases = new[]
    {
        new ErrorCase("evaluate: body not JSON", 400, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate", "{\"nodes\": [")),
        new ErrorCase("parse: body not JSON", 400, "/v1/parse", s => s.Small, () => Post("/v1/parse", "[1, 2")),
        new ErrorCase("render svg: body not JSON", 400, "/v1/render", s => s.Small, () => Post("/v1/render", "{\"nodes\": 1}")),
        new ErrorCase("render dot: empty body", 400, "/v1/render", s => s.Small, () => Post("/v1/render?format=dot", "")),
        new ErrorCase("render mermaid: unknown property", 400, "/v1/render", s => s.Small, () => Post("/v1/render?format=mermaid", "{\"nodez\": []}")),
        new ErrorCase("render: no nodes", 400, "/v1/render", s => s.Small, () => Post("/v1/render", "{\"nodes\": []}")),
        new ErrorCase("parse: unknown op", 400, "/v1/parse", s => s.Small, () => Post("/v1/parse", """{"nodes": [{"id": "a", "op": "frob", "value": 1}]}""")),
        new ErrorCase("evaluate: bad mode", 400, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate?mode=fast", Neuron)),
        new ErrorCase("evaluate: unknown query parameter", 400, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate?mdoe=inference", Neuron)),
        new ErrorCase("ops: unknown query parameter", 400, "/v1/ops", s => s.Small, () => new HttpRequestMessage(HttpMethod.Get, "/v1/ops?verbose=1")),
        new ErrorCase("evaluate: no API key", 401, "/v1/evaluate", s => s.Keyed, () => Post("/v1/evaluate", Neuron)),
        new ErrorCase("no such route", 404, "/v1/nope", s => s.Small, () => new HttpRequestMessage(HttpMethod.Get, "/v1/nope")),
        new ErrorCase("GET on evaluate", 405, "/v1/evaluate", s => s.Small, () => new HttpRequestMessage(HttpMethod.Get, "/v1/evaluate")),
        new ErrorCase("evaluate: body over the limit", 413, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate", Neuron + new string(' ', 4096))),
        new ErrorCase("render: too many nodes to draw", 413, "/v1/render", s => s.Small, () => Post("/v1/render?format=svg", Neuron)),
        new ErrorCase("evaluate: text/plain body", 415, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate", Neuron, "text/plain")),
        new ErrorCase("parse: JSON in Latin-1", 415, "/v1/parse", s => s.Small, () => Post("/v1/parse", Neuron, "application/json; charset=iso-8859-1")),
        new ErrorCase("evaluate: log of 0", 422, "/v1/evaluate", s => s.Small, () => Post("/v1/evaluate", LogOfZero)),
        new ErrorCase("render dot: log of 0", 422, "/v1/render", s => s.Small, () => Post("/v1/render?format=dot", LogOfZero)),
        new ErrorCase("ops: over the client's rate", 429, "/v1/ops", s => s.Throttled, () => new HttpRequestMessage(HttpMethod.Get, "/v1/ops")),
        new ErrorCase("evaluate: over the time budget", 504, "/v1/evaluate", s => s.Budgeted, () =>
        {
            HttpRequestMessage request = Post("/v1/evaluate", Neuron);
            request.Headers.Add(EngineProbe.Header, "1");
            return request;
        }),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string, string?> Errors()
    {
        var data = new TheoryData<string, string?>();
        foreach (string name in Cases.Keys)
            foreach (string? accept in Accepts)
                data.Add(name, accept);
        return data;
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task EveryError_IsAProblemDocument_WhateverTheAcceptHeader(string name, string? accept)
    {
        ErrorCase error = Cases[name];
        using HttpClient client = error.Server(servers).CreateClient();

        using HttpResponseMessage response = await SendUntil(client, error, accept);

        Assert.Equal(error.Status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        JsonObject problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(error.Status, (int)problem["status"]!);
        Assert.StartsWith("https://tools.ietf.org/html/rfc", (string)problem["type"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        Assert.Equal(error.Path, (string?)problem["instance"]);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", (string?)problem["traceId"]);
        foreach (string internals in new[] { "GradApi.", "Exception", "   at ", "System.", "Microsoft.", ".cs:line" })
            Assert.DoesNotContain(internals, body);

        if (error.Status == 405) Assert.Equal("POST", response.Content.Headers.Allow.Single());
        if (error.Status == 429) Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        if (error.Status == 401) Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }

    /// <summary>The request, sent again (up to a few times) while it is not yet refused: the rate limit lets the first through.</summary>
    private static async Task<HttpResponseMessage> SendUntil(HttpClient client, ErrorCase error, string? accept)
    {
        for (int attempt = 0; ; attempt++)
        {
            using HttpRequestMessage request = error.Request();
            if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
            HttpResponseMessage response = await client.SendAsync(request);
            if ((int)response.StatusCode == error.Status || attempt == 4) return response;
            response.Dispose();
        }
    }

    private static HttpRequestMessage Post(string path, string body, string contentType = Json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private sealed record ErrorCase(string Name, int Status, string Path, Func<ProblemServers, HardeningFactory> Server,
        Func<HttpRequestMessage> Request);
}
