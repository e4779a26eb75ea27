using System.Net;
using GradApi.CompiledGraphs;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GradApi.Tests.CompiledGraphs;

public sealed class RegistrationTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Register_Answers201WithLocationInputsOutputAndStats()
    {
        using var response = await _client.Register(Graphs.SigmoidNeuron);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Json();
        string id = (string)body["id"]!;
        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        Assert.Equal($"/v1/graphs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(["w0", "x0", "w1", "x1", "w2"], body["inputs"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("f", (string)body["output"]!);
        Assert.Equal(9, (int)body["stats"]!["nodes"]!);
        Assert.Equal(8, (int)body["stats"]!["edges"]!);
        Assert.Equal(-2, (double)body["defaults"]!["x1"]!);
    }

    [Fact]
    public async Task Get_AnswersWhatRegisterAnswered()
    {
        using var registered = await _client.Register(Graphs.AddMul);
        string created = await registered.Content.ReadAsStringAsync();

        using var response = await _client.GetAsync(registered.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RegisteringTwice_Answers201WithTheSameId()
    {
        string first = await _client.RegisterId(Graphs.AddMul);
        string second = await _client.RegisterId(Graphs.AddMul);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task OneGraphRegisteredConcurrently_IsKeptOnce()
    {
        using var fresh = new GradApiFactory();
        HttpClient client = fresh.CreateClient();
        string graph = Graphs.SinChain(500, 0.3);

        string[] ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => client.RegisterId(graph)));

        Assert.Single(ids.Distinct());
        Assert.Equal(1, fresh.Services.GetRequiredService<CompiledGraphCache>().Count);
        using var evaluated = await client.EvaluateGraph(ids[0], """{"inputs": {"x": 0.3}}""");
        Assert.Equal(HttpStatusCode.OK, evaluated.StatusCode);
    }

    [Fact]
    public async Task Delete_Answers204_ThenTheIdIs404SayingToRegisterAgain()
    {
        string id = await _client.RegisterId(Graphs.SinChain(3, 0.25));

        using var deleted = await _client.DeleteAsync($"/v1/graphs/{id}");
        using var get = await _client.GetAsync($"/v1/graphs/{id}");
        using var evaluate = await _client.EvaluateGraph(id, """{"inputs": {}}""");
        using var again = await _client.DeleteAsync($"/v1/graphs/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        foreach (HttpResponseMessage gone in new[] { get, evaluate, again })
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
            var problem = await gone.Json();
            Assert.Contains("Register it again", (string)problem["detail"]!);
            Assert.Equal(id, (string)problem["id"]!);
        }
    }

    [Theory]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000", "never registered")]
    [InlineData("not-an-id", "is not a graph id")]
    [InlineData("sha256:ABC", "is not a graph id")]
    public async Task AnUnknownId_Is404(string id, string says)
    {
        using var get = await _client.GetAsync($"/v1/graphs/{id}");
        using var evaluate = await _client.EvaluateGraph(id, """{"inputs": {}}""");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, evaluate.StatusCode);
        Assert.Contains(says, (string)(await get.Json())["detail"]!);
    }

    [Fact]
    public async Task AnInputWithoutValue_IsAllowedAtRegistration_ButStill400OnEvaluate()
    {
        string graph = Graphs.AddMul.Replace("\"value\": 5", "\"label\": \"no default\"", StringComparison.Ordinal);

        using var registered = await _client.Register(graph);
        using var evaluated = await _client.Evaluate(graph);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Json();
        Assert.Null(body["defaults"]!["y"]);
        Assert.Equal(-2, (double)body["defaults"]!["x"]!);
        Assert.Equal(HttpStatusCode.BadRequest, evaluated.StatusCode);
        Assert.Equal("nodes[1].value", await evaluated.ErrorPath());
    }

    [Fact]
    public async Task AConstWithoutValue_Is400EvenAtRegistration()
    {
        using var response = await _client.Register("""{"nodes": [{"id": "c", "op": "const"}, {"id": "n", "op": "neg", "inputs": ["c"]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("nodes[0].value", await response.ErrorPath());
    }

    [Fact]
    public async Task AnExpressionWithoutInputValues_RegistersInputsWithoutDefaults()
    {
        using var response = await _client.Register("""{"expression": "x * y + 1", "inputs": {"y": 2}}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(["x", "y"], body["inputs"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["y"], body["defaults"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task AnInvalidGraph_Is400NamingItsPath()
    {
        using var response = await _client.Register("""{"nodes": [{"id": "x", "op": "input", "value": 1}, {"id": "f", "op": "exp", "inputs": ["nope"]}], "output": "f"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("nodes[1].inputs[0]", await response.ErrorPath());
    }

    [Theory]
    [InlineData("GradApi:MaxNodes")]
    [InlineData("GradApi:GraphStore:MaxGraphNodes")]
    public async Task AGraphOverTheNodeLimits_Is413(string setting)
    {
        using var limited = GradApiFactory.With(new() { [setting] = "100" });
        HttpClient client = limited.CreateClient();

        using var within = await client.Register(Graphs.SinChain(99, 0.1));
        using var over = await client.Register(Graphs.SinChain(100, 0.1));

        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ABodyOverTheSizeLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxBodyBytes"] = "4096" });

        using var response = await limited.CreateClient().Register(Graphs.SinChain(200, 0.1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task AGraphLargerThanTheCompiledGraphCache_Is413SayingSo()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:GraphStore:MaxBytes"] = "65536" });

        using var response = await limited.CreateClient().Register(Graphs.SinChain(5000, 0.1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("GradApi:GraphStore:MaxBytes", (string)(await response.Json())["detail"]!);
    }

    [Fact]
    public async Task AGraphLargerThanTheStore_Is413SayingSo()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:GraphStore:StoreMaxBytes"] = "65536" });

        using var response = await limited.CreateClient().Register(Graphs.SinChain(5000, 0.1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("StoreMaxBytes", (string)(await response.Json())["detail"]!);
    }

    [Fact]
    public async Task ASettingOutOfRange_StopsTheServiceAtStartup()
    {
        using var broken = GradApiFactory.With(new() { ["GradApi:GraphStore:MaxBytes"] = "10" });

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());
        Assert.Contains("MaxBytes", error.ToString());
    }
}
