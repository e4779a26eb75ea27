using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Service;

public sealed class ServiceTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Healthz_Is200()
    {
        using var response = await _client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ops_ListsEveryOpOfTheContractWithArityAndFormulas()
    {
        var ops = JsonNode.Parse(await _client.GetStringAsync("/v1/ops"))!.AsArray()
            .ToDictionary(op => (string)op!["name"]!, op => op!.AsObject());

        string[] contract = ["input", "const", "add", "sub", "mul", "div", "neg", "inv", "pow", "exp", "log",
            "sqrt", "sigmoid", "tanh", "relu", "abs", "sin", "cos", "max", "min"];
        Assert.Equal(contract.Order(), ops.Keys.Order());
        Assert.Equal(">= 2", (string)ops["max"]["arity"]!);
        Assert.Equal("1", (string)ops["sigmoid"]["arity"]!);
        Assert.Equal("s(1-s)", (string)ops["sigmoid"]["localGradient"]!);
    }

    [Fact]
    public async Task OpenApiDocument_HasTheEvaluateEndpointWithTheSigmoidExample()
    {
        var doc = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var evaluate = doc["paths"]!["/v1/evaluate"]!["post"]!;
        var examples = evaluate["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal("neuron", examples.First().Key); // the one Swagger UI's "Try it out" starts from
        var neuron = examples["neuron"]!["value"]!;
        Assert.Equal(9, neuron["nodes"]!.AsArray().Count);
        Assert.Equal("sigmoid", (string)neuron["nodes"]![8]!["op"]!);
        Assert.Equal("sigmoid(w0*x0 + w1*x1 + w2)", (string)examples["neuron-expression"]!["value"]!["expression"]!);
        var mode = evaluate["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "mode")!;
        Assert.Equal(["training", "inference"], mode["schema"]!["enum"]!.AsArray().Select(v => (string)v!));
        foreach (string status in new[] { "200", "400", "413", "415", "422" })
            Assert.NotNull(evaluate["responses"]![status]);
    }

    [Fact]
    public async Task SwaggerUi_IsServedInProduction()
    {
        using var response = await _client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Swagger_CanBeSwitchedOff()
    {
        using var off = GradApiFactory.With(new() { ["GradApi:Swagger"] = "false" });
        using var client = off.CreateClient();

        using var response = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
