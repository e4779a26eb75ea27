using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>Every error row of the contract: its status, a problem document, and the place it names.</summary>
public sealed class ErrorTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private const string A = """{"id": "a", "op": "input", "value": 1}""";

    public static TheoryData<string, string, string> BadGraphs => new()
    {
        // body, the JSON path the problem lists, a text the problem must name
        { $$"""{"nodes": [{{A}}, {"id": "a", "op": "input", "value": 2}]}""", "nodes[1].id", "'a'" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "frobnicate", "inputs": ["a"]}]}""", "nodes[1].op", "frobnicate" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp", "inputs": ["a", "a"]}]}""", "nodes[1].inputs", "'y'" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "add", "inputs": ["a"]}]}""", "nodes[1].inputs", ">= 2" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp"}]}""", "nodes[1].inputs", "'y'" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp", "value": 3, "inputs": ["a"]}]}""", "nodes[1].value", "'y'" },
        { """{"nodes": [{"id": "a", "op": "input"}]}""", "nodes[0].value", "'a'" },
        { $$"""{"nodes": [{"id": "b", "op": "const", "value": 2, "inputs": []}]}""", "nodes[0].inputs", "'b'" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp", "inputs": ["ghost"]}]}""", "nodes[1].inputs[0]", "ghost" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp", "inputs": ["a"]}], "output": "nope"}""", "output", "nope" },
        { $$"""{"nodes": [{{A}}, {"id": "y", "op": "exp", "inputs": ["a"]}, {"id": "z", "op": "sin", "inputs": ["a"]}]}""", "output", "'y'" },
        { $$"""{"nodes": [{"id": "", "op": "input", "value": 1}]}""", "nodes[0].id", "empty" },
        {
            $$"""{"nodes": [{{A}}, {"id": "p", "op": "add", "inputs": ["a", "q"]}, {"id": "q", "op": "exp", "inputs": ["p"]}, {"id": "s", "op": "exp", "inputs": ["q"]}]}""",
            "nodes[2]", "q -> p -> q"
        },
    };

    [Theory]
    [MemberData(nameof(BadGraphs))]
    public async Task InvalidGraph_Is400NamingTheNodeAndPath(string body, string path, string named)
    {
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal(400, (int)problem["status"]!);
        Assert.NotNull(problem["errors"]![path]);
        Assert.Contains(named, problem.ToJsonString().Replace("\\u0027", "'").Replace("\\u003E", ">"));
        Assert.NotNull(problem["traceId"]);
    }

    [Fact]
    public async Task Cycle_ListsTheIdsOnIt()
    {
        using var response = await _client.Evaluate("""
            {"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "p", "op": "add", "inputs": ["a", "q"]},
                       {"id": "q", "op": "exp", "inputs": ["p"]}, {"id": "s", "op": "exp", "inputs": ["q"]}]}
            """);

        var cycle = (await response.Json())["cycle"]!.AsArray().Select(n => (string)n!).Order();
        Assert.Equal(["p", "q"], cycle);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "{", "$" },
        { "", "$" },
        { "null", "$" },
        { "42", "$" },
        { "[]", "$" },
        { """{"nodes": 3}""", "nodes" },
        { """{"nodes": []}""", "nodes" },
        { """{"graph": []}""", "graph" },
        { """{"nodes": [], "nodes": []}""", "nodes" },
        { """{"nodes": [{"id": "a", "op": "input", "value": "NaN"}]}""", "nodes[0].value" },
        { """{"nodes": [{"id": "a", "op": "input", "value": "1.5"}]}""", "nodes[0].value" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1e400}]}""", "nodes[0].value" },
        { """{"nodes": [{"id": "a", "op": "input", "value": null}]}""", "nodes[0].value" },
        { """{"nodes": [{"id": "a", "op": "input", "value": NaN}]}""", "$" },
        { """{"nodes": [{"id": null, "op": "input", "value": 1}]}""", "nodes[0].id" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1, "value": 2}]}""", "nodes[0].value" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1, "colour": "red"}]}""", "nodes[0].colour" },
        { """{"nodes": [{"op": "input", "value": 1}]}""", "nodes[0].id" },
        { """{"nodes": [{"id": "a", "value": 1}]}""", "nodes[0].op" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "b", "op": "exp", "inputs": [7]}]}""", "nodes[1].inputs[0]" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "b", "op": "exp", "inputs": "a"}]}""", "nodes[1].inputs" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}], "seed": "2"}""", "seed" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}], "output": 3}""", "output" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}], "output": ""}""", "output" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}]} {}""", "$" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1},]}""", "$" },
        { """{"nodes": [1]}""", "nodes[0]" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedBody_Is400NamingWhere(string body, string path)
    {
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.NotNull(problem["errors"]![path]);
        AssertNoInternals(problem.ToJsonString());
    }

    public static TheoryData<string, string> OddNames => new()
    {
        // body, the path of the name that is not an identifier: in brackets, never empty or misread as nesting
        { """{"nodes": [{"id": "a", "op": "input", "value": 1}], "": 1}""", "$['']" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1, "x.y": 1}]}""", "nodes[0]['x.y']" },
        { """{"nodes": [{"id": "a", "op": "input", "value": 1, "it's": 1}]}""", @"nodes[0]['it\'s']" },
        { """{"expression": "x", "inputs": {"x": 1, "a b": 2}}""", "inputs['a b']" },
        { """{"expression": "x", "inputs": {"x": 1, "": "2"}}""", "inputs['']" },
    };

    [Theory]
    [MemberData(nameof(OddNames))]
    public async Task PropertyWithAnOddName_IsKeyedByABracketedPath(string body, string path)
    {
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal([path], problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task NonFiniteResult_Is422NamingTheFirstNode()
    {
        using var response = await _client.Evaluate("""
            {"nodes": [{"id": "a", "op": "input", "value": -1}, {"id": "lg", "op": "log", "inputs": ["a"]},
                       {"id": "sq", "op": "sqrt", "inputs": ["a"]}, {"id": "y", "op": "add", "inputs": ["lg", "sq"]}]}
            """);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal("lg", (string)problem["node"]!);
        Assert.Equal("log", (string)problem["op"]!);
        Assert.Equal("forward", (string)problem["pass"]!);
        Assert.Equal(-1, (double)problem["inputValues"]![0]!);
    }

    [Fact]
    public async Task NonFiniteGradient_Is422InTheBackwardPass()
    {
        using var response = await _client.Evaluate("""
            {"nodes": [{"id": "a", "op": "input", "value": 0}, {"id": "r", "op": "sqrt", "inputs": ["a"]}]}
            """);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("r", (string)problem["node"]!);
        Assert.Equal("sqrt", (string)problem["op"]!);
        Assert.Equal("a", (string)problem["input"]!);
        Assert.Equal("backward", (string)problem["pass"]!);
    }

    [Fact]
    public async Task UnknownMode_Is400NamingMode()
    {
        using var response = await _client.Evaluate(Graphs.AddMul, "?mode=bogus");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Json())["errors"]!["mode"]);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task NonJsonBody_Is415(string contentType)
    {
        using var response = await _client.PostJson("/v1/evaluate", Graphs.AddMul, contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task OtherVerbs_Are405(string method)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/v1/evaluate"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownPath_Is404Problem()
    {
        using var response = await _client.GetAsync("/v2/nothing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertNoInternals(string text)
    {
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("GradApi.", text);
    }
}
