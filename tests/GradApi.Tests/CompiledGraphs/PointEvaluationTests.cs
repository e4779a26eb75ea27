using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>One point: the answer is /v1/evaluate's, byte for byte.</summary>
public sealed class PointEvaluationTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string> Examples => new()
    {
        { "cs231n-add-mul", "" }, { "cs231n-add-mul", "?mode=inference" }, { "cs231n-add-mul", "?mode=training" },
        { "cs231n-sigmoid-gate", "" }, { "cs231n-sigmoid-gate", "?mode=inference" },
        { "cs231n-sigmoid-gates", "" }, { "cs231n-sigmoid-gates", "?mode=inference" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task AtItsDefaults_TheAnswerIsEvaluatesByteForByte(string example, string query)
    {
        string graph = Example.Body(example);
        string id = await _client.RegisterId(graph);

        using var registered = await _client.EvaluateGraph(id, """{"inputs": {}}""", query);
        using var direct = await _client.Evaluate(graph, query);

        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal(direct.Content.Headers.ContentType, registered.Content.Headers.ContentType);
        Assert.Equal(await direct.Content.ReadAsByteArrayAsync(), await registered.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?mode=inference")]
    public async Task AtOtherValues_TheAnswerIsEvaluatesOfTheGraphWithThoseValues(string query)
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);
        string moved = Graphs.SigmoidNeuron
            .Replace("\"id\": \"x0\", \"op\": \"input\", \"value\": -1", "\"id\": \"x0\", \"op\": \"input\", \"value\": 0.25", StringComparison.Ordinal)
            .Replace("\"id\": \"w2\", \"op\": \"input\", \"value\": -3", "\"id\": \"w2\", \"op\": \"input\", \"value\": 1.5e-3", StringComparison.Ordinal);
        Assert.NotEqual(Graphs.SigmoidNeuron, moved);

        using var registered = await _client.EvaluateGraph(id, """{"inputs": {"w2": 0.0015, "x0": 0.25}}""", query);
        using var direct = await _client.Evaluate(moved, query);

        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await registered.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnExpressionGraph_AnswersWithItsLabels_AsEvaluateDoes()
    {
        string expression = """{"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}""";
        string id = await _client.RegisterId("""{"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "w1": -3, "x1": -2, "w2": -3}}""");

        using var registered = await _client.EvaluateGraph(id, """{"inputs": {"x0": -1}}""");
        using var direct = await _client.Evaluate(expression);

        Assert.Equal(await direct.Content.ReadAsStringAsync(), await registered.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnInputWithoutDefault_MustBeGiven()
    {
        string id = await _client.RegisterId("""{"expression": "x * y", "inputs": {"y": 3}}""");

        using var missing = await _client.EvaluateGraph(id, """{"inputs": {"y": 2}}""");
        using var given = await _client.EvaluateGraph(id, """{"inputs": {"x": 4}}""");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("inputs.x", await missing.ErrorPath());
        Assert.Equal(12, (double)(await given.Json())["value"]!);
    }

    [Theory]
    [InlineData("""{"inputs": {"foo": 1}}""", "inputs.foo", "no input 'foo'")]
    [InlineData("""{"inputs": {"q": 1}}""", "inputs.q", "not an input leaf")]
    [InlineData("""{"inputs": {"x": "1"}}""", "inputs.x", "Expected a number")]
    [InlineData("""{"inputs": {"x": 1e999}}""", "inputs.x", "out of the range")]
    [InlineData("""{"inputs": {"x": 1, "x": 2}}""", "inputs.x", "twice")]
    [InlineData("""{"inputs": {"a b": 1}}""", "inputs['a b']", "no input")]
    [InlineData("""{"inputs": {}, "batch": {"x": [1]}}""", "batch", "not both")]
    [InlineData("""{}""", "$", "'inputs'")]
    [InlineData("""[]""", "$", "JSON object")]
    [InlineData("""{"inputs": {}, "grads": ["x"]}""", "grads", "goes with 'batch'")]
    [InlineData("""{"inputs": {}, "reduce": "sum"}""", "reduce", "goes with 'batch'")]
    [InlineData("""{"inputs": {}, "colour": 1}""", "colour", "Unknown property")]
    [InlineData("""{"inputs": [1]}""", "inputs", "must be an object")]
    [InlineData("""{"inputs": {}""", "$", "not valid JSON")]
    [InlineData("", "$", "empty")]
    public async Task BadValues_Are400sNamingWhere(string body, string path, string says)
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.EvaluateGraph(id, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal(path, Assert.Single(problem["errors"]!.AsObject()).Key);
        Assert.Contains(says, (string)problem["detail"]!);
    }

    [Theory]
    [InlineData("?explain=true", "explain")]
    [InlineData("?check=numeric", "check")]
    [InlineData("?mode=both", "mode")]
    public async Task QueryOptionsOfEvaluateOnly_Are400(string query, string path)
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.EvaluateGraph(id, """{"inputs": {}}""", query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(path, await response.ErrorPath());
    }

    [Fact]
    public async Task ANonFiniteResult_Is422NamingTheNode_AsEvaluateSays()
    {
        string id = await _client.RegisterId("""{"expression": "log(x)", "inputs": {"x": 1}}""");

        using var response = await _client.EvaluateGraph(id, """{"inputs": {"x": -1}}""");
        using var direct = await _client.Evaluate("""{"expression": "log(x)", "inputs": {"x": -1}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Json();
        var expected = await direct.Json();
        Assert.Equal((string)expected["node"]!, (string)problem["node"]!);
        Assert.Equal((string)expected["detail"]!, (string)problem["detail"]!);
    }

    [Fact]
    public async Task ValuesThatAreNotJson_Are415()
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.PostJson($"/v1/graphs/{id}/evaluate", "x=1", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheAnswer_SaysWhereTheTimeWent()
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.EvaluateGraph(id, """{"inputs": {"x": 1}}""");

        string timing = string.Join(", ", response.Headers.GetValues("Server-Timing"));
        foreach (string stage in new[] { "read;dur=", "find;dur=", "parse;dur=", "forward;dur=", "backward;dur=", "gc;dur=" })
            Assert.Contains(stage, timing);
        Assert.DoesNotContain("compile", timing);
    }
}
