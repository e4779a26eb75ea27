using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

public sealed class WorkedExampleTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task AddMul_GivesTheNotesExactValuesAndGradients()
    {
        using var response = await _client.Evaluate(Graphs.AddMul);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("training", (string)body["mode"]!);
        Assert.Equal("f", (string)body["output"]!);
        Assert.Equal(-12, (double)body["value"]!);
        var nodes = body.NodesById();
        Assert.Equal(["x", "y", "z", "q", "f"], nodes.Keys);
        Assert.Equal(3, (double)nodes["z"]["grad"]!);
        Assert.Equal(-4, (double)nodes["q"]["grad"]!);
        Assert.Equal(-4, (double)nodes["x"]["grad"]!);
        Assert.Equal(-4, (double)nodes["y"]["grad"]!);
        Assert.Equal(1, (double)nodes["f"]["grad"]!);
        Assert.Equal(3, (double)nodes["q"]["value"]!);
    }

    [Fact]
    public async Task SigmoidNeuron_MatchesTheAnalyticGradients()
    {
        using var response = await _client.Evaluate(Graphs.SigmoidNeuron);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        double s = 1 / (1 + Math.Exp(-1.0)); // w0*x0 + w1*x1 + w2 = 1
        double ds = s * (1 - s);
        Assert.Equal(s, (double)body["value"]!, 12);
        var nodes = body.NodesById();
        Assert.Equal(ds * -1, (double)nodes["w0"]["grad"]!, 12); // d/dw0 = ds * x0
        Assert.Equal(ds * 2, (double)nodes["x0"]["grad"]!, 12);  // d/dx0 = ds * w0
        Assert.Equal(ds * -2, (double)nodes["w1"]["grad"]!, 12);
        Assert.Equal(ds * -3, (double)nodes["x1"]["grad"]!, 12);
        Assert.Equal(ds, (double)nodes["w2"]["grad"]!, 12);
        Assert.Equal(-0.20, (double)nodes["w0"]["grad"]!, 2);
        Assert.Equal(0.39, (double)nodes["x0"]["grad"]!, 2);
    }

    [Fact]
    public async Task Inference_ReturnsTheValueAndNoGradients()
    {
        using var response = await _client.Evaluate(Graphs.SigmoidNeuron, "?mode=inference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("grad", text);
        var body = await response.Json();
        Assert.Equal("inference", (string)body["mode"]!);
        Assert.Null(body["nodes"]);
        Assert.Equal(1 / (1 + Math.Exp(-1.0)), (double)body["value"]!, 12);
        Assert.Equal(0, (int)body["stats"]!["cachedPartials"]!);
    }

    [Fact]
    public async Task Training_StatsCountEveryNodeAndEdge()
    {
        using var response = await _client.Evaluate(Graphs.AddMul);

        var stats = (await response.Json())["stats"]!;
        Assert.Equal(5, (int)stats["nodes"]!);
        Assert.Equal(4, (int)stats["edges"]!);
        Assert.Equal(4, (int)stats["cachedPartials"]!);
        Assert.Equal(5, (int)stats["peakLiveValues"]!);
    }

    [Fact]
    public async Task InferenceOnAChain_HoldsTwoValuesAtOnce()
    {
        using var response = await _client.Evaluate(Graphs.SinChain(10_000, 0.5), "?mode=inference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stats = (await response.Json())["stats"]!;
        Assert.Equal(10_001, (int)stats["nodes"]!);
        Assert.Equal(0, (int)stats["cachedPartials"]!);
        Assert.Equal(2, (int)stats["peakLiveValues"]!);
    }

    [Fact]
    public async Task DeepChain_IsEvaluatedWithoutRecursion()
    {
        const int length = 100_000;
        using var response = await _client.Evaluate(Graphs.SinChain(length, 0.5));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var nodes = (await response.Json()).NodesById();
        double value = 0.5, grad = 1;
        for (int i = 0; i < length; i++)
        {
            grad *= Math.Cos(value);
            value = Math.Sin(value);
        }
        Assert.Equal(value, (double)nodes[$"s{length}"]["value"]!, 12);
        Assert.Equal(grad, (double)nodes["x"]["grad"]!, 12);
    }

    [Fact]
    public async Task Seed_ScalesEveryGradient()
    {
        string body = Graphs.AddMul.Replace("\"output\": \"f\"", "\"output\": \"f\", \"seed\": 2.5");
        using var response = await _client.Evaluate(body);

        var nodes = (await response.Json()).NodesById();
        Assert.Equal(-10, (double)nodes["x"]["grad"]!);
        Assert.Equal(7.5, (double)nodes["z"]["grad"]!);
        Assert.Equal(2.5, (double)nodes["f"]["grad"]!);
    }
}
