using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>The limits the fuzz test runs the service with: low, so that every 413 is within reach of a small body.</summary>
internal static class FuzzLimits
{
    public const int MaxNodes = 120;
    public const int MaxExplainNodes = 60;
    public const int GradCheckMaxNodes = 50;
    public const int GradCheckMaxLeaves = 8;
    public const int MaxRenderNodes = 30;

    /// <summary>Above the longest expression allowed (65,536 characters), so that one is a 400, not a 413.</summary>
    public const int MaxBodyBytes = 128 * 1024;

    public static Dictionary<string, string?> Settings => new()
    {
        ["GradApi:MaxNodes"] = $"{MaxNodes}",
        ["GradApi:MaxExplainNodes"] = $"{MaxExplainNodes}",
        ["GradApi:GradCheckMaxNodes"] = $"{GradCheckMaxNodes}",
        ["GradApi:GradCheckMaxLeaves"] = $"{GradCheckMaxLeaves}",
        ["GradApi:MaxRenderNodes"] = $"{MaxRenderNodes}",
        ["GradApi:MaxBodyBytes"] = $"{MaxBodyBytes}",
        // Not a line of console log per request: 20,000 requests would spend more time logging than answering.
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

/// <summary>
/// What the service must answer for a valid graph, worked out by <see cref="FuzzGraph"/>'s own
/// evaluator: the status, and for a 200 every number (values against the reference, grads against
/// central differences where the graph is smooth; elsewhere finite numbers of the contract's shape).
/// </summary>
internal sealed class GraphAnswers
{
    private const double H = 1e-6;

    /// <summary>How many training answers had every value and grad checked against the referee.</summary>
    public static int Refereed;

    private readonly FuzzGraph _graph;
    private readonly double[] _values;
    private readonly bool[] _reaching;

    /// <summary>Central-difference grads, where the graph is smooth enough for them to referee; else null.</summary>
    private readonly double[]? _grads;

    public GraphAnswers(FuzzGraph graph)
    {
        _graph = graph;
        (_values, double margin) = graph.Evaluate();
        _reaching = graph.ReachingOutput();
        bool tame = _values.All(v => Math.Abs(v) <= 100) && margin >= FuzzGraph.SmoothMargin && Math.Abs(graph.SeedValue) <= 10;
        if (tame) _grads = CentralDifferences();
    }

    private bool ForwardFails(bool inference) =>
        Enumerable.Range(0, _values.Length).Any(i => !double.IsFinite(_values[i]) && (!inference || _reaching[i]));

    private double[]? CentralDifferences()
    {
        var grads = new double[_values.Length];
        for (int i = 0; i < grads.Length; i++)
        {
            var (up, upMargin) = _graph.Evaluate(i, H);
            var (down, downMargin) = _graph.Evaluate(i, -H);
            if (Math.Min(upMargin, downMargin) < FuzzGraph.SmoothMargin / 2) return null;
            grads[i] = _graph.SeedValue * (up[_graph.OutputIndex] - down[_graph.OutputIndex]) / (2 * H);
            if (!double.IsFinite(grads[i]) || Math.Abs(grads[i]) > 1e8) return null;
        }
        return grads;
    }

    /// <summary>POST /v1/evaluate with <paramref name="query"/>'s options.</summary>
    public void CheckEvaluate(FuzzResponse response, EvaluateOptions query)
    {
        int nodes = _graph.Nodes.Length, edges = _graph.EdgeCount;
        if (nodes > FuzzLimits.MaxNodes
            || (query.Explain && (nodes > FuzzLimits.MaxExplainNodes || edges > 4 * FuzzLimits.MaxExplainNodes))
            || (query.Check && nodes + edges > 2 * FuzzLimits.GradCheckMaxNodes))
        {
            response.Expect(413);
            return;
        }
        if (query.Inference) CheckInference(response);
        else CheckTraining(response, query);
    }

    private void CheckInference(FuzzResponse response)
    {
        if (ForwardFails(inference: true))
        {
            ExpectForwardFailure(response);
            return;
        }
        if (!_values.All(double.IsFinite))
        {
            response.Expect(200, 422); // a non-finite node off the output's path: the service may skip it
            if (response.Status == 422) return;
        }
        response.Expect(200);
        JsonObject body = response.Json;
        Assert.Equal("inference", FuzzResponse.Text(body, "mode"));
        Assert.Equal(_graph.Nodes[_graph.OutputIndex].Id, FuzzResponse.Text(body, "output"));
        Assert.Null(body["nodes"]);
        Assert.Null(body["grad"]);
        double value = (double)body["value"]!;
        Assert.True(double.IsFinite(value));
        if (_grads is not null) Close(_values[_graph.OutputIndex], value, "value of the output");
        Assert.Equal(0, (int)body["stats"]!["cachedPartials"]!);
    }

    private void CheckTraining(FuzzResponse response, EvaluateOptions query)
    {
        if (ExpectTrainingStatus(response) != 200) return;

        JsonObject body = response.Json;
        Assert.Equal("training", FuzzResponse.Text(body, "mode"));
        Assert.Equal(_graph.Nodes[_graph.OutputIndex].Id, FuzzResponse.Text(body, "output"));
        JsonArray nodes = body["nodes"]!.AsArray();
        Assert.Equal(_graph.Nodes.Length, nodes.Count);
        var grads = new double[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            FuzzNode sent = _graph.Nodes[i];
            JsonObject node = nodes[i]!.AsObject();
            AssertNamesNode(sent, node);
            double value = (double)node["value"]!;
            grads[i] = (double)node["grad"]!;
            Assert.True(double.IsFinite(value) && double.IsFinite(grads[i]), $"node {sent.Id}: value {value}, grad {grads[i]}");
            if (!_reaching[i]) Assert.True(grads[i] == 0, $"{sent.Id} does not reach the output, yet has grad {grads[i]}");
            if (_grads is null) continue;
            Close(_values[i], value, $"value of {sent.Id}");
            Close(_grads[i], grads[i], $"grad of {sent.Id}", relative: 1e-4, absolute: 1e-6);
        }
        Assert.Equal(_graph.SeedValue, grads[_graph.OutputIndex]);
        Assert.Equal(_graph.Nodes.Length, (int)body["stats"]!["nodes"]!);
        Assert.Equal(_graph.EdgeCount, (int)body["stats"]!["edges"]!);
        Assert.Equal(_graph.EdgeCount, (int)body["stats"]!["cachedPartials"]!);

        if (_grads is not null) Interlocked.Increment(ref Refereed);
        if (query.Explain) CheckBackwardSteps(body["backward"]!.AsArray(), grads);
        else Assert.Null(body["backward"]);
        if (query.Check) CheckGradCheck(body["gradcheck"]!.AsObject(), grads);
        else Assert.Null(body["gradcheck"]);
    }

    /// <summary>The status a training run must have: 200, or 422 naming a node where the forward or backward pass fails.</summary>
    private int ExpectTrainingStatus(FuzzResponse response)
    {
        if (ForwardFails(inference: false))
        {
            ExpectForwardFailure(response);
            return 422;
        }
        if (_grads is null) response.Expect(200, 422);
        else response.Expect(200);
        if (response.Status == 422)
        {
            Assert.Equal("backward", FuzzResponse.Text(response.Json, "pass"));
            Assert.Equal(_graph.Nodes[ProblemIndex(response)].Id, FuzzResponse.Text(response.Json, "node"));
        }
        return response.Status;
    }

    /// <summary>A 422 for the first node whose value is not finite: its own value is not, its inputs' are.</summary>
    private void ExpectForwardFailure(FuzzResponse response)
    {
        response.Expect(422);
        JsonObject problem = response.Json;
        Assert.Equal("forward", FuzzResponse.Text(problem, "pass"));
        int index = ProblemIndex(response);
        FuzzNode node = _graph.Nodes[index];
        Assert.Equal(node.Id, FuzzResponse.Text(problem, "node"));
        Assert.False(double.IsFinite(_values[index]), $"The service stopped at {node.Id}, whose value is {_values[index]}.");
        Assert.All(node.Inputs ?? [], input => Assert.True(double.IsFinite(_values[input]), $"{node.Id} is not the first non-finite node."));
    }

    /// <summary>The node a 422 names, by its path: <c>nodes[3]</c> is 3.</summary>
    private static int ProblemIndex(FuzzResponse response) =>
        int.Parse(FuzzResponse.Text(response.Json, "path")!["nodes[".Length..^1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One step per edge; product = upstream * local; a node's grad is the seed (at the output) plus the
    /// products into it. A local gradient may be null (not finite: sqrt at 0) only where nothing flows back.
    /// </summary>
    private void CheckBackwardSteps(JsonArray steps, double[] grads)
    {
        Assert.Equal(_graph.EdgeCount, steps.Count);
        var sums = new double[grads.Length];
        var scale = new double[grads.Length];
        var index = _graph.Nodes.Select((n, i) => (n.Id, i)).ToDictionary(p => p.Id, p => p.i);
        foreach (JsonNode? step in steps)
        {
            double upstream = (double)step!["upstream"]!, product = (double)step["product"]!;
            if ((double?)step["local"] is { } local) Close(upstream * local, product, "a step's product", relative: 1e-12, absolute: 0);
            else Assert.True(upstream == 0 && product == 0, $"A step with no finite local gradient carries {product}: {step.ToJsonString()}");
            int input = index[(string)step["input"]!];
            Assert.True(index.ContainsKey((string)step["node"]!));
            sums[input] += product;
            scale[input] += Math.Abs(product);
        }
        sums[_graph.OutputIndex] += _graph.SeedValue;
        scale[_graph.OutputIndex] += Math.Abs(_graph.SeedValue);
        for (int i = 0; i < grads.Length; i++)
            Assert.True(Math.Abs(sums[i] - grads[i]) <= 1e-9 * scale[i] + 1e-300,
                $"{_graph.Nodes[i].Id}: grad {grads[i]}, but its steps sum to {sums[i]}");
    }

    /// <summary>
    /// Each input leaf's analytic grad is its grad; a smooth graph passes, and its only kinks are
    /// max/min ties of a node with itself (<c>max(a, a)</c>), which the service lists as kinks too.
    /// </summary>
    private void CheckGradCheck(JsonObject check, double[] grads)
    {
        Assert.Equal(1e-6, (double)check["eps"]!);
        int leaves = _graph.Nodes.Count(n => n.Op == "input");
        string method = FuzzResponse.Text(check, "method")!;
        Assert.Equal(leaves > FuzzLimits.GradCheckMaxLeaves ? "direction" : "leaves", method);
        if (method == "leaves")
        {
            JsonArray checkedLeaves = check["leaves"]!.AsArray();
            Assert.Equal(leaves, checkedLeaves.Count);
            foreach (JsonNode? leaf in checkedLeaves)
            {
                int i = Array.FindIndex(_graph.Nodes, n => n.Id == (string)leaf!["id"]!);
                Assert.Equal("input", _graph.Nodes[i].Op);
                Assert.Equal(grads[i], (double)leaf!["analytic"]!);
            }
        }
        if (_grads is not null)
        {
            Assert.True((bool)check["passed"]!, $"A smooth graph failed its gradient check: {check.ToJsonString()}");
            Assert.All(check["kinks"]!.AsArray(), kink => Assert.Contains(FuzzResponse.Text(kink!.AsObject(), "op"), (string[])["max", "min"]));
        }
    }

    /// <summary>POST /v1/parse: the same nodes back, the output resolved, the seed kept.</summary>
    public void CheckParse(FuzzResponse response)
    {
        if (_graph.Nodes.Length > FuzzLimits.MaxNodes)
        {
            response.Expect(413);
            return;
        }
        response.Expect(200);
        JsonObject body = response.Json;
        JsonArray nodes = body["nodes"]!.AsArray();
        Assert.Equal(_graph.Nodes.Length, nodes.Count);
        for (int i = 0; i < nodes.Count; i++)
        {
            FuzzNode sent = _graph.Nodes[i];
            JsonObject node = nodes[i]!.AsObject();
            AssertNamesNode(sent, node);
            Assert.Equal(sent.Value, (double?)node["value"]);
            Assert.Equal(sent.Inputs?.Select(p => _graph.Nodes[p].Id), node["inputs"]?.AsArray().Select(n => (string)n!));
        }
        Assert.Equal(_graph.Nodes[_graph.OutputIndex].Id, FuzzResponse.Text(body, "output"));
        Assert.Equal(_graph.SeedValue == 1 ? null : _graph.SeedValue, (double?)body["seed"]);
    }

    /// <summary>POST /v1/render: a picture in the asked format where training evaluation would answer 200.</summary>
    public void CheckRender(FuzzResponse response, string format)
    {
        int nodes = _graph.Nodes.Length;
        if (nodes > FuzzLimits.MaxNodes || nodes > FuzzLimits.MaxRenderNodes || _graph.EdgeCount > 4 * FuzzLimits.MaxRenderNodes)
        {
            response.Expect(413);
            return;
        }
        if (ExpectTrainingStatus(response) != 200) return;
        CheckPicture(response, format);
    }

    public static void CheckPicture(FuzzResponse response, string format)
    {
        switch (format)
        {
            case "dot":
                Assert.Equal("text/vnd.graphviz", response.MediaType);
                Assert.StartsWith("digraph", response.Body);
                break;
            case "mermaid":
                Assert.Equal("text/plain", response.MediaType);
                Assert.StartsWith("flowchart", response.Body);
                break;
            default:
                Assert.Equal("image/svg+xml", response.MediaType);
                XDocument.Parse(response.Body); // well-formed XML, whatever the ids and labels hold
                break;
        }
    }

    private static void Close(double expected, double actual, string what, double relative = 1e-7, double absolute = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= absolute + relative * Math.Max(Math.Abs(expected), Math.Abs(actual)),
            $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>An answer's node names the node sent in its place: the same id, op and label.</summary>
    private static void AssertNamesNode(FuzzNode sent, JsonObject node)
    {
        Assert.Equal(sent.Id, FuzzResponse.Text(node, "id"));
        Assert.Equal(sent.Op, FuzzResponse.Text(node, "op"));
        Assert.Equal(sent.Label, FuzzResponse.Text(node, "label"));
    }
}

/// <summary>The query options of one evaluate request.</summary>
internal sealed record EvaluateOptions(string Query, bool Inference, bool Explain, bool Check)
{
    private static readonly EvaluateOptions[] All =
    [
        new("", false, false, false),
        new("?mode=training", false, false, false),
        new("?mode=inference", true, false, false),
        new("?mode=Inference&explain=false&check=none", true, false, false),
        new("?explain=true", false, true, false),
        new("?check=numeric", false, false, true),
        new("?mode=training&explain=TRUE&check=numeric", false, true, true),
    ];

    public static EvaluateOptions Pick(Random rng) => All[rng.Next(All.Length)];
}
