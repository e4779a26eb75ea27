using System.Globalization;
using System.Net;
using System.Text;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// A body of 4,096 nodes or more starts its compile while it is parsed (<see cref="CompileAhead"/>, started by the
/// reader): the answer must be the one the graph gets compiled after the parse, value for value and grad for grad, and a
/// fault in such a body the same problem document.
/// </summary>
public sealed class CompileAheadTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData(20_000, 1, "")]
    [InlineData(60_000, 2, "")]
    [InlineData(30_000, 3, "?mode=inference")]
    public async Task LargeOrderedBody_AnswersAsTheGraphCompiledAfterTheParse(int size, int seed, string query)
    {
        string body = OrderedBody(size, seed);
        using var response = await _client.Evaluate(body, query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using GraphSpec spec = GraphJsonReader.Read(Encoding.UTF8.GetBytes(body), int.MaxValue, new ExpressionParser());
        EvaluationMode mode = query.Length == 0 ? EvaluationMode.Training : EvaluationMode.Inference;
        Tape tape = new GraphCompiler().Compile(spec, mode).Tape!;
        using var engine = new GraphEngine();
        EvaluationResult expected = engine.Evaluate(tape, mode);
        Assert.Null(expected.Error);

        var answer = await response.Json();
        if (mode == EvaluationMode.Inference)
        {
            Assert.Equal(expected.Value, (double)answer["value"]!);
        }
        else
        {
            Dictionary<string, System.Text.Json.Nodes.JsonObject> nodes = answer.NodesById();
            Assert.Equal(spec.NodeCount, nodes.Count);
            for (int i = 0; i < spec.NodeCount; i++)
            {
                var node = nodes[spec.Id(i)];
                Assert.Equal(expected.ValueOf(i), (double)node["value"]!);
                Assert.Equal(expected.GradOf(i), (double)node["grad"]!);
            }
        }

        // Its Server-Timing names the part of the compile that ran beside the parse, when any did.
        string timing = string.Join(", ", response.Headers.GetValues("Server-Timing"));
        string[] names = [.. timing.Split(", ").Select(metric => metric.Split(';')[0])];
        Assert.Contains("compile", names);
        Assert.Subset(new HashSet<string> { "read", "parse", "compile", "compile-ahead", "forward", "backward", "gc" }, names.ToHashSet());
    }

    [Fact]
    public async Task LargeBody_WithAnUnknownInputHalfway_IsTheCompilersProblem()
    {
        string body = OrderedBody(20_000, 4);
        int at = body.IndexOf("\"inputs\":[\"n", body.Length / 2, StringComparison.Ordinal) + "\"inputs\":[\"".Length;
        body = body[..at] + "nobody-" + body[at..];
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        string path = $"nodes[{NodeIndexAt(body, at)}].inputs[0]";
        Assert.Equal([path], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("names input 'nobody-n", problem["errors"]![path]!.ToJsonString().Replace("\\u0027", "'"));
    }

    [Fact]
    public async Task LargeBody_WithABadNodeHalfway_Is400_AndTheNextLargeBodyIsAnswered()
    {
        string body = OrderedBody(30_000, 5);
        int at = body.IndexOf("{\"id\":\"n15000\",\"op\":", StringComparison.Ordinal);
        string broken = body[..at] + "{\"id\":\"n15000\",\"opp\":" + body[(at + "{\"id\":\"n15000\",\"op\":".Length)..];
        using (var response = await _client.Evaluate(broken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Json();
            Assert.True(problem["errors"]![$"nodes[{NodeIndexAt(body, at + 1)}].opp"] is not null, problem.ToJsonString());
        }

        using var next = await _client.Evaluate(body);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task LargeGraph_WithInputsLeftWithoutValues_Registers()
    {
        string body = OrderedBody(12_000, 6).Replace("\"op\":\"input\",\"value\":0.25", "\"op\":\"input\"", StringComparison.Ordinal);
        using var response = await _client.PostJson("/v1/graphs", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>The index in the nodes array of the node whose text holds <paramref name="at"/>.</summary>
    private static int NodeIndexAt(string body, int at)
    {
        int count = 0;
        for (int i = body.IndexOf("{\"id\":", StringComparison.Ordinal); i >= 0 && i < at; i = body.IndexOf("{\"id\":", i + 1, StringComparison.Ordinal))
            count++;
        return count - 1;
    }

    /// <summary>
    /// An ordered DAG's body (every input names an earlier node) whose values stay bounded: leaves, then gates that take
    /// sin or tanh of a sum, or multiply two earlier sines and tanhs; its last node is named the output.
    /// </summary>
    private static string OrderedBody(int size, int seed)
    {
        var rng = new Random(seed);
        var json = new StringBuilder("{\"nodes\":[");
        var bounded = new List<int>(); // nodes whose value is in [-1, 1]
        for (int i = 0; i < size; i++)
        {
            if (i > 0) json.Append(',');
            if (i < 100)
            {
                string value = i % 4 == 0 ? "0.25" : (rng.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture);
                json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"n{i}\",\"op\":\"input\",\"value\":{value}}}");
                bounded.Add(i);
                continue;
            }
            int a = bounded[rng.Next(bounded.Count)], b = rng.NextDouble() < 0.5 ? i - 1 : bounded[rng.Next(bounded.Count)];
            if (rng.NextDouble() < 0.3)
            {
                json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"n{i}\",\"op\":\"mul\",\"inputs\":[\"n{a}\",\"n{bounded[rng.Next(bounded.Count)]}\"]}}");
                bounded.Add(i);
            }
            else
            {
                string op = rng.NextDouble() < 0.5 ? "sin" : "tanh";
                json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"s{i}\",\"op\":\"add\",\"inputs\":[\"n{a}\",\"n{b}\"]}},");
                json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"n{i}\",\"op\":\"{op}\",\"inputs\":[\"s{i}\"]}}");
                bounded.Add(i);
            }
        }
        json.Append(CultureInfo.InvariantCulture, $"],\"output\":\"n{size - 1}\"}}");
        return json.ToString();
    }
}
