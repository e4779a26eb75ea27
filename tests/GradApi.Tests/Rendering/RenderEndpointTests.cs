using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

/// <summary>POST /v1/render: formats, errors as for evaluate, the node limit, the OpenAPI document.</summary>
public sealed class RenderEndpointTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("", "image/svg+xml")]
    [InlineData("svg", "image/svg+xml")]
    [InlineData("dot", "text/vnd.graphviz")]
    [InlineData("DOT", "text/vnd.graphviz")]
    [InlineData("mermaid", "text/plain")]
    public async Task Format_ChoosesTheContentType(string format, string contentType)
    {
        using var response = await _client.Render(Graphs.AddMul, format);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
    }

    [Fact]
    public async Task NodesAndExpression_DrawTheSameGradients()
    {
        string fromNodes = await _client.RenderText(Graphs.SigmoidNeuron, "mermaid");
        string fromExpression = await _client.RenderText(RenderClient.Neuron, "mermaid");

        static IEnumerable<string> Labels(string mermaid) =>
            mermaid.Split('\n').Where(l => l.Contains("-->")).Select(l => l.Split('"')[1]).Order();
        // The expression's binary adds make one edge more (w2 joins a second add) with the same gradient.
        Assert.Equal(Labels(fromNodes).Distinct(), Labels(fromExpression).Distinct());
    }

    [Fact]
    public async Task UnknownFormat_Is400ValidationProblem()
    {
        using var response = await _client.Render(Graphs.AddMul, "png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Contains("png", (string)problem["errors"]!["format"]![0]!);
    }

    [Theory]
    [InlineData("""{"nodes": [{"id": "x", "op": "frob", "value": 1}]}""", "nodes[0].op")]
    [InlineData("""{"nodes": [{"id": "x", "op": "input", "value": 1}, {"id": "y", "op": "neg", "inputs": ["z"]}]}""", "nodes[1].inputs[0]")]
    [InlineData("""{"nodes": [{"id": "x", "op": "input", "value": "1"}]}""", "nodes[0].value")]
    [InlineData("""{"nodes": []}""", "nodes")]
    [InlineData("""not json""", "$")]
    public async Task InvalidGraph_Is400AsForEvaluate(string body, string key)
    {
        using var response = await _client.Render(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Json())["errors"]![key]);
    }

    [Fact]
    public async Task Cycle_Is400ListingTheCycle()
    {
        using var response = await _client.Render("""
            {"nodes": [{"id": "x", "op": "input", "value": 1}, {"id": "p", "op": "add", "inputs": ["x", "q"]},
                       {"id": "q", "op": "neg", "inputs": ["p"]}], "output": "q"}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["cycle"]);
    }

    [Fact]
    public async Task ExpressionSyntaxError_Is400WithTheColumn()
    {
        using var response = await _client.Render("""{"expression": "sigmoid(w0*x0 + )", "inputs": {"w0": 1, "x0": 2}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(17, (int)(await response.Json())["column"]!);
    }

    [Fact]
    public async Task NonFiniteValue_Is422NamingTheNode()
    {
        using var response = await _client.Render("""{"expression": "log(x)", "inputs": {"x": -1}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("log1", (string)(await response.Json())["node"]!);
    }

    [Fact]
    public async Task NotJson_Is415()
    {
        using var response = await _client.PostJson("/v1/render", Graphs.AddMul, "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_Is405()
    {
        using var response = await _client.GetAsync("/v1/render");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task GraphOverTheRenderLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxRenderNodes"] = "20" });
        using var client = limited.CreateClient();

        using var within = await client.Render(Graphs.SinChain(19, 0.1));
        using var over = await client.Render(Graphs.SinChain(20, 0.1));
        using var evaluate = await client.Evaluate(Graphs.SinChain(20, 0.1));

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        Assert.Contains("20", (string)(await over.Json())["detail"]!);
        Assert.Equal(HttpStatusCode.OK, evaluate.StatusCode);
    }

    [Fact]
    public async Task GraphWithTooManyEdgesForItsNodes_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxRenderNodes"] = "5" });
        using var client = limited.CreateClient();
        var inputs = Enumerable.Repeat("x", 21).ToArray();

        using var response = await client.Render(Http.Serialize(new
        {
            nodes = new object[] { new { id = "x", op = "input", value = 1 }, new { id = "s", op = "add", inputs } },
        }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("edges", (string)(await response.Json())["detail"]!);
    }

    [Fact]
    public async Task RenderLimit_DefaultsTo500()
    {
        using var atLimit = await _client.Render(Graphs.SinChain(499, 0.1));
        using var over = await _client.Render(Graphs.SinChain(500, 0.1));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
    }

    [Fact]
    public async Task OpenApi_DescribesRenderWithItsContentTypesAndProblems()
    {
        var doc = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var render = doc["paths"]!["/v1/render"]!["post"]!;
        Assert.Equal("Render", (string)render["operationId"]!);
        Assert.False(string.IsNullOrEmpty((string?)render["summary"]));
        Assert.Contains("CS231n", (string)render["description"]!);
        var content = render["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal(["image/svg+xml", "text/plain", "text/vnd.graphviz"], content.Select(c => c.Key).Order());
        foreach (string status in new[] { "400", "413", "415", "422" }) Assert.NotNull(render["responses"]![status]);
        Assert.Contains(render["parameters"]!.AsArray(), p => (string)p!["name"]! == "format");
        Assert.NotNull(render["requestBody"]!["content"]!["application/json"]!["examples"]!["neuron"]);
    }
}
