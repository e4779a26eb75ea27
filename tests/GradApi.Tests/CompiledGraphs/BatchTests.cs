using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>Batches: columnar answers whose every lane is the answer /v1/evaluate gives for that point.</summary>
public sealed class BatchTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task EveryLane_IsWhatEvaluateAnswersForThatPoint()
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);
        double[] x0 = [-1, 0.5, 3.25, -7, 0], x1 = [-2, 1e-3, 0.75, 2, -0.5];

        using var response = await _client.EvaluateGraph(id, Batch(("x0", x0), ("x1", x1), ("w2", 0.125)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("training", (string)body["mode"]!);
        Assert.Equal("f", (string)body["output"]!);
        Assert.Equal(5, (int)body["size"]!);
        Assert.Equal(["w0", "x0", "w1", "x1", "w2"], body["grads"]!.AsObject().Select(p => p.Key));
        for (int s = 0; s < x0.Length; s++)
        {
            using var point = await _client.EvaluateGraph(id,
                $$$"""{"inputs": {"x0": {{{Number(x0[s])}}}, "x1": {{{Number(x1[s])}}}, "w2": 0.125}}""");
            var expected = await point.Json();
            Assert.Equal((double)expected["value"]!, (double)body["values"]![s]!);
            foreach ((string name, JsonNode? grads) in body["grads"]!.AsObject())
                Assert.Equal((double)expected.NodesById()[name]["grad"]!, (double)grads![s]!);
        }
    }

    [Theory]
    [InlineData("cs231n-add-mul")]
    [InlineData("cs231n-sigmoid-gate")]
    [InlineData("cs231n-sigmoid-gates")]
    public async Task TheWorkedExamples_AtTheirDefaults_GiveTheExpectedValuesAndGrads(string example)
    {
        JsonObject expected = Example.Expected(example);
        string id = await _client.RegisterId(Example.Body(example));
        string[] nodes = [.. expected["grads"]!.AsObject().Select(p => p.Key)];
        string first = (string)(await (await _client.GetAsync($"/v1/graphs/{id}")).Json())["inputs"]![0]!;
        double value = (double)(await (await _client.GetAsync($"/v1/graphs/{id}")).Json())["defaults"]![first]!;

        using var response = await _client.EvaluateGraph(id,
            $$"""{"batch": {"{{first}}": [{{Number(value)}}, {{Number(value)}}]}, "grads": [{{string.Join(", ", nodes.Select(n => $"\"{n}\""))}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        foreach (JsonNode? lane in body["values"]!.AsArray())
            Assert.Equal((double)expected["value"]!, (double)lane!, 12);
        foreach (string node in nodes)
            foreach (JsonNode? lane in body["grads"]![node]!.AsArray())
                Assert.Equal((double)expected["grads"]![node]!, (double)lane!, 12);
    }

    [Theory]
    [InlineData("sum", 1.0)]
    [InlineData("mean", 0.25)]
    public async Task Reduce_SumsOrAveragesEachGradOverTheBatch(string reduce, double scale)
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);
        string batch = """{"batch": {"x0": [-1, 0, 1, 2], "x1": [-2, -1, 0, 1]}, "grads": ["w0", "d"]""";

        using var each = await _client.EvaluateGraph(id, batch + "}");
        using var reduced = await _client.EvaluateGraph(id, batch + $", \"reduce\": \"{reduce}\"}}");

        var lanes = (await each.Json())["grads"]!;
        var body = await reduced.Json();
        foreach (string node in new[] { "w0", "d" })
        {
            double sum = lanes[node]!.AsArray().Sum(g => (double)g!);
            Assert.Equal(sum * scale, (double)body["grads"]![node]!, 14);
        }
        Assert.Equal(4, body["values"]!.AsArray().Count);
    }

    [Fact]
    public async Task TheNeuronsMeanGrads_AreTheHandDerivedOnes()
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);

        using var response = await _client.EvaluateGraph(id,
            """{"batch": {"x0": [-1, 0, 1, 2], "x1": [-2, -1, 0, 1]}, "grads": ["w0", "w1", "w2"], "reduce": "mean"}""");

        var body = await response.Json();
        (double x0, double x1)[] points = [(-1, -2), (0, -1), (1, 0), (2, 1)];
        double w0 = 0, w1 = 0, w2 = 0;
        for (int s = 0; s < points.Length; s++)
        {
            double z = 2 * points[s].x0 - 3 * points[s].x1 - 3, f = 1 / (1 + Math.Exp(-z)), df = f * (1 - f);
            Assert.Equal(f, (double)body["values"]![s]!, 14);
            (w0, w1, w2) = (w0 + df * points[s].x0 / 4, w1 + df * points[s].x1 / 4, w2 + df / 4);
        }
        Assert.Equal(w0, (double)body["grads"]!["w0"]!, 14);
        Assert.Equal(w1, (double)body["grads"]!["w1"]!, 14);
        Assert.Equal(w2, (double)body["grads"]!["w2"]!, 14);
    }

    [Fact]
    public async Task Inference_AnswersValuesOnly()
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);

        using var response = await _client.EvaluateGraph(id, """{"batch": {"x0": [-1, 0, 1]}}""", "?mode=inference");

        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("grad", text);
        var body = JsonNode.Parse(text)!;
        Assert.Equal("inference", (string)body["mode"]!);
        Assert.Equal(1 / (1 + Math.Exp(-1.0)), (double)body["values"]![0]!, 14);
    }

    [Fact]
    public async Task AnInputWithoutDefault_MustBeInTheBatch()
    {
        string id = await _client.RegisterId("""{"expression": "x * y"}""");

        using var missing = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 2]}}""");
        using var given = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 2], "y": 3}}""");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("batch.y", await missing.ErrorPath());
        Assert.Equal([3.0, 6.0], (await given.Json())["values"]!.AsArray().Select(v => (double)v!));
    }

    [Theory]
    [InlineData("""{"batch": {"foo": [1]}}""", "", "batch.foo", "no input 'foo'")]
    [InlineData("""{"batch": {"x": [1, 2, 3], "y": [1, 2]}}""", "", "batch.y", "has 2 numbers, but batch.x has 3")]
    [InlineData("""{"batch": {"x": []}}""", "", "batch.x", "empty")]
    [InlineData("""{"batch": {"x": 1}}""", "", "batch", "at least one input's values as an array")]
    [InlineData("""{"batch": {}}""", "", "batch", "at least one input's values as an array")]
    [InlineData("""{"batch": {"x": [1, 2, null]}}""", "", "batch.x[2]", "not null")]
    [InlineData("""{"batch": {"x": [1, 2, "3"]}}""", "", "batch.x[2]", "Expected a number")]
    [InlineData("""{"batch": {"x": [1, [2]]}}""", "", "batch.x[1]", "Expected a number")]
    [InlineData("""{"batch": {"x": [1e999]}}""", "", "batch.x[0]", "out of the range")]
    [InlineData("""{"batch": {"x": [1]}, "grads": ["x", "q", "nope"]}""", "", "grads[2]", "names no node")]
    [InlineData("""{"batch": {"x": [1]}, "grads": ["x", "x"]}""", "", "grads[1]", "named twice")]
    [InlineData("""{"batch": {"x": [1]}, "grads": [3]}""", "", "grads[0]", "Expected a node id")]
    [InlineData("""{"batch": {"x": [1]}, "reduce": "max"}""", "", "reduce", "\"none\", \"sum\" or \"mean\"")]
    [InlineData("""{"batch": {"x": [1]}, "reduce": 1}""", "", "reduce", "Expected")]
    [InlineData("""{"batch": {"x": [1]}, "grads": ["x"]}""", "?mode=inference", "grads", "computes no grads")]
    [InlineData("""{"batch": {"x": [1]}, "reduce": "sum"}""", "?mode=inference", "reduce", "computes no grads")]
    [InlineData("""{"batch": {"x": [1], "x": [2]}}""", "", "batch.x", "twice")]
    [InlineData("""{"batch": [1]}""", "", "batch", "must be an object")]
    public async Task BadBatches_Are400sNamingWhere(string body, string query, string path, string says)
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.EvaluateGraph(id, body, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal(path, Assert.Single(problem["errors"]!.AsObject()).Key);
        Assert.Contains(says, (string)problem["detail"]!);
    }

    [Fact]
    public async Task ANonNumericLaneDeepInTheArray_IsNamedByItsIndex()
    {
        string id = await _client.RegisterId(Graphs.AddMul);
        string lanes = string.Join(", ", Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture)));

        using var response = await _client.EvaluateGraph(id, $$$"""{"batch": {"x": [{{{lanes}}}, true, 18]}}""");

        Assert.Equal("batch.x[17]", await response.ErrorPath());
    }

    [Fact]
    public async Task ANonFiniteResult_Is422NamingTheNodeAndTheFirstSample()
    {
        string id = await _client.RegisterId("""{"expression": "log(x)", "inputs": {"x": 1}}""");

        using var response = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 2, -1, 0, -3]}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("log1", (string)problem["node"]!);
        Assert.Equal(2, (int)problem["sample"]!);
        Assert.Contains("sample 2", (string)problem["detail"]!);
    }

    [Fact]
    public async Task ASumOfFiniteGradsThatOverflows_Is422NamingTheNode_WhileTheirMeanIsAnswered()
    {
        string id = await _client.RegisterId("""{"expression": "x*y"}""");
        using var sum = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 1], "y": [1e308, 1e308]}, "reduce": "sum"}""");
        using var mean = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 1], "y": [1e308, 1e308]}, "reduce": "mean"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, sum.StatusCode);
        var problem = await sum.Json();
        Assert.Equal("x", (string)problem["node"]!);
        Assert.Equal("sum", (string)problem["reduce"]!);
        Assert.Equal(HttpStatusCode.OK, mean.StatusCode);
        Assert.Equal(1e308, (double)(await mean.Json())["grads"]!["x"]!);
    }

    [Fact]
    public async Task ABatchOverTheWorkLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxBatchWork"] = "50" });
        HttpClient client = limited.CreateClient();
        string id = await client.RegisterId(Graphs.AddMul); // 5 nodes

        using var within = await client.EvaluateGraph(id, Batch(("x", new double[10])));
        using var over = await client.EvaluateGraph(id, Batch(("x", new double[11])));

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("GradApi:MaxBatchWork", (string)(await over.Json())["detail"]!);
    }

    [Fact]
    public async Task ABatchOverTheSizeLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxBatchSize"] = "8" });
        HttpClient client = limited.CreateClient();
        string id = await client.RegisterId(Graphs.AddMul);

        using var within = await client.EvaluateGraph(id, Batch(("x", new double[8])));
        using var over = await client.EvaluateGraph(id, Batch(("x", new double[9])));

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("GradApi:MaxBatchSize", (string)(await over.Json())["detail"]!);
    }

    [Fact]
    public async Task ALargeBatch_IsAnsweredWhole()
    {
        string id = await _client.RegisterId(Graphs.SigmoidNeuron);
        double[] x0 = [.. Enumerable.Range(0, 100_000).Select(i => i / 50_000.0 - 1)];

        using var response = await _client.EvaluateGraph(id, Batch(("x0", x0)), "?mode=inference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var values = (await response.Json())["values"]!.AsArray();
        Assert.Equal(100_000, values.Count);
        double z = 2 * x0[77_777] + 6 - 3;
        Assert.Equal(1 / (1 + Math.Exp(-z)), (double)values[77_777]!, 14);
    }

    private static string Batch(params (string Name, object Values)[] inputs) =>
        Http.Serialize(new { batch = inputs.ToDictionary(i => i.Name, i => i.Values) });

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
