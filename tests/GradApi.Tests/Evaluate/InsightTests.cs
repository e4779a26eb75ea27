using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>Expressions, explain=true and check=numeric through HTTP (API.md section 3).</summary>
public sealed class InsightTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private const string Neuron = """
        {"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}
        """;

    [Fact]
    public async Task Expression_GivesTheSameGradientsAsTheNodes()
    {
        using var fromExpression = await _client.Evaluate(Neuron);
        using var fromNodes = await _client.Evaluate(Graphs.SigmoidNeuron);

        Assert.Equal(HttpStatusCode.OK, fromExpression.StatusCode);
        var expression = (await fromExpression.Json()).NodesById();
        var nodes = (await fromNodes.Json()).NodesById();
        foreach (string leaf in new[] { "w0", "x0", "w1", "x1", "w2" })
            Assert.Equal((double)nodes[leaf]["grad"]!, (double)expression[leaf]["grad"]!, 15);
    }

    [Fact]
    public async Task Expression_NodesCarryTheirSubexpressionAsLabel()
    {
        using var response = await _client.Evaluate(Neuron);

        var body = await response.Json();
        var labels = body["nodes"]!.AsArray().Select(n => (string?)n!["label"]).Where(l => l is not null).ToList();
        Assert.Contains("w0*x0", labels);
        Assert.Contains("sigmoid(w0*x0 + w1*x1 + w2)", labels);
        Assert.Equal(0.7310585786300049, (double)body["value"]!, 15);
    }

    [Fact]
    public async Task Parse_ReturnsNodesThatEvaluateLikeTheExpression()
    {
        using var parsed = await _client.PostJson("/v1/parse", Neuron);
        Assert.Equal(HttpStatusCode.OK, parsed.StatusCode);
        var graph = await parsed.Json();

        using var evaluated = await _client.Evaluate(graph.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, evaluated.StatusCode);
        var nodes = (await evaluated.Json()).NodesById();
        Assert.Equal(-0.19661193324148185, (double)nodes["w0"]["grad"]!, 15);
    }

    public static TheoryData<string, string, int?> BadExpressions => new()
    {
        // body, the key under errors, the column
        { """{"expression": "sigmoid(w0*x0 + )", "inputs": {"w0": 1, "x0": 2}}""", "expression", 17 },
        { """{"expression": "frob(x)", "inputs": {"x": 1}}""", "expression", 1 },
        { """{"expression": "x + y", "inputs": {"x": 1}}""", "expression", 5 },
        { """{"expression": "x", "inputs": {"x": 1, "unused": 2}}""", "inputs.unused", null },
        { """{"expression": "", "inputs": {}}""", "expression", 1 },
        { """{"expression": "x", "inputs": {"x": "1"}}""", "inputs.x", null },
        { """{"expression": "x", "inputs": {"x": 1}, "nodes": []}""", "expression", null },
        { """{"inputs": {"x": 1}}""", "inputs", null },
    };

    [Theory]
    [MemberData(nameof(BadExpressions))]
    public async Task BadExpression_Is400NamingWhere(string body, string key, int? column)
    {
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.NotNull(problem["errors"]![key]);
        if (column is not null) Assert.Equal(column, (int)problem["column"]!);
    }

    [Fact]
    public async Task DeeplyNestedExpression_IsACleanProblem()
    {
        string deep = new string('(', 10_000) + "x" + new string(')', 10_000);
        using var response = await _client.Evaluate(Http.Serialize(new { expression = deep, inputs = new { x = 1 } }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(257, (int)(await response.Json())["column"]!);
    }

    [Fact]
    public async Task Explain_GivesTheFourStepsOfTheNotes()
    {
        using var response = await _client.Evaluate(Graphs.AddMul, "?explain=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = (await response.Json())["backward"]!.AsArray()
            .Select(s => ((string)s!["node"]!, (string)s["input"]!, (double)s["local"]!, (double)s["upstream"]!, (double)s["product"]!))
            .ToList();
        Assert.Equal(
            [("f", "q", -4, 1, -4), ("f", "z", 3, 1, 3), ("q", "x", 1, -4, -4), ("q", "y", 1, -4, -4)],
            steps);
    }

    [Fact]
    public async Task Explain_ProductsIntoANodeSumToItsGrad()
    {
        using var response = await _client.Evaluate(Neuron, "?explain=true");

        var body = await response.Json();
        var sums = body["backward"]!.AsArray()
            .GroupBy(s => (string)s!["input"]!)
            .ToDictionary(g => g.Key, g => g.Sum(s => (double)s!["product"]!));
        foreach ((string id, JsonObject node) in body.NodesById())
            if (sums.TryGetValue(id, out double sum)) Assert.Equal((double)node["grad"]!, sum, 15);
    }

    [Fact]
    public async Task Explain_OverTheNodeLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxExplainNodes"] = "10" });
        using var client = limited.CreateClient();

        using var response = await client.Evaluate(Graphs.SinChain(20, 0.3), "?explain=true");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CheckNumeric_PassesOnTheNeuron()
    {
        using var response = await _client.Evaluate(Neuron, "?check=numeric");

        var check = (await response.Json())["gradcheck"]!;
        Assert.True((bool)check["passed"]!);
        Assert.Equal("leaves", (string)check["method"]!);
        Assert.Equal(1e-6, (double)check["eps"]!);
        Assert.Equal(5, check["leaves"]!.AsArray().Count);
        Assert.Empty(check["kinks"]!.AsArray());
    }

    [Fact]
    public async Task CheckNumeric_ReportsKinks()
    {
        using var response = await _client.Evaluate("""{"expression": "relu(x) + max(x, y)", "inputs": {"x": 0, "y": 0}}""", "?check=numeric");

        var kinks = (await response.Json())["gradcheck"]!["kinks"]!.AsArray().Select(k => (string)k!["op"]!).Order();
        Assert.Equal(["max", "relu"], kinks);
    }

    [Fact]
    public async Task CheckNumeric_PastTheLeafLimit_ChecksOneDirection()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:GradCheckMaxLeaves"] = "2" });
        using var client = limited.CreateClient();

        using var response = await client.Evaluate(Neuron, "?check=numeric");

        var check = (await response.Json())["gradcheck"]!;
        Assert.Equal("direction", (string)check["method"]!);
        Assert.True((bool)check["direction"]!["passed"]!);
    }

    [Theory]
    [InlineData("?mode=inference&explain=true", "explain")]
    [InlineData("?mode=inference&check=numeric", "check")]
    [InlineData("?explain=maybe", "explain")]
    [InlineData("?check=symbolic", "check")]
    public async Task InsightOptions_AreValidated(string query, string key)
    {
        using var response = await _client.Evaluate(Graphs.AddMul, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![key]);
    }
}
