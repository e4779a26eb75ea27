using System.Net;
using System.Text.Json.Nodes;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Hosting;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>
/// The warm-up after startup runs its graph through a large request's path to the end, in the background, and the
/// service answers as before during it and after it.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class WarmupTests
{
    [Fact]
    public async Task AfterStartup_TheWarmupRunsToItsEnd_AndTheServiceAnswers()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:WarmupNodes"] = "3000" });
        using HttpClient client = server.Client();

        using HttpResponseMessage during = await client.Evaluate(Graphs.AddMul);
        LogSink.Entry done = await server.Log.WaitFor(e => e.Message.StartsWith("Warmed up", StringComparison.Ordinal), "the warm-up's end");
        using HttpResponseMessage after = await client.Evaluate(Graphs.AddMul);

        Assert.Equal("Warmed up: a graph of 3000 nodes, 6 rounds, in " + done.State["ElapsedMs"] + " ms", done.Message);
        Assert.DoesNotContain(server.Log.Entries, e => e.Message.StartsWith("The warm-up stopped", StringComparison.Ordinal));
        foreach (HttpResponseMessage response in new[] { during, after })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(-12, (double)(await response.Json())["value"]!);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(5000)]
    public void TheWarmupGraph_CompilesInOrder_AndStaysFinite(int nodes)
    {
        using GraphSpec spec = GraphJsonReader.Read(Warmup.GraphBody(nodes), int.MaxValue, new ExpressionParser());
        CompileResult compiled = new GraphCompiler().Compile(spec);
        Assert.True(compiled.Succeeded);
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(compiled.Tape, EvaluationMode.Training);

        Assert.Null(evaluation.Error);
        Assert.Equal(nodes, spec.NodeCount);
        Assert.Equal($"w{nodes - 1}", spec.Output);
        for (int i = 0; i < nodes; i++) Assert.InRange(Math.Abs(evaluation.ValueOf(i)), 0, 3);
    }
}
