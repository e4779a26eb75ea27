using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>
/// The generator: from one seeded <see cref="Random"/>, one request. A third are valid graphs, a
/// third mutated graphs, a quarter expressions (valid and broken), the rest request-level faults
/// (media types, query options, verbs, sizes). Each comes with what its answer must be.
/// </summary>
internal static class FuzzCases
{
    /// <summary>How many expression answers had their value and input grads checked against the referee.</summary>
    public static int ExpressionsRefereed;

    public static FuzzCase Generate(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        double pick = rng.NextDouble();
        return pick switch
        {
            < 0.33 => ValidGraph(rng, ops),
            < 0.63 => GraphMutations.Mutated(rng, ops),
            < 0.75 => ValidExpression(rng, ops),
            < 0.88 => ExpressionMutations.Mutated(rng, ops),
            _ => RequestFaults.Faulty(rng, ops),
        };
    }

    /// <summary>Mostly small graphs; one in twenty large enough to meet the explain, check, render and node limits.</summary>
    public static FuzzGraph RandomGraph(Random rng, IReadOnlyList<FuzzOp> ops, bool small = false)
    {
        int size = small || rng.NextDouble() < 0.95 ? 1 + rng.Next(12) : 13 + rng.Next(FuzzLimits.MaxNodes + 10 - 13);
        return FuzzGraph.Generate(rng, ops, size, wild: rng.NextDouble() < 0.3);
    }

    private static FuzzCase ValidGraph(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzGraph graph = RandomGraph(rng, ops);
        var (url, check) = FuzzCase.Endpoint(rng);
        byte[] body = FuzzCase.Bytes(graph.ToJson(rng));
        if (rng.NextDouble() < 0.05) body = [.. " \r\n\t"u8, .. body, .. "\n "u8];
        if (rng.NextDouble() < 0.05) body = [0xEF, 0xBB, 0xBF, .. body]; // a byte order mark is skipped
        return FuzzCase.Post("valid graph", url, body, response => check(new GraphAnswers(graph), response));
    }

    private static FuzzCase ValidExpression(Random rng, IReadOnlyList<FuzzOp> ops)
    {
        FuzzExpression expression = FuzzExpression.Generate(rng, ops);
        var body = new JsonObject
        {
            ["expression"] = expression.Text,
            ["inputs"] = new JsonObject(expression.Inputs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        double pick = rng.NextDouble();
        string url = pick switch
        {
            < 0.15 => "/v1/parse",
            < 0.2 => "/v1/render?format=" + FuzzCase.Formats[rng.Next(3)],
            < 0.35 => "/v1/evaluate?mode=inference",
            _ => "/v1/evaluate",
        };
        return FuzzCase.Post("valid expression", url, FuzzCase.Bytes(body), response => CheckExpression(expression, url, response));
    }

    /// <summary>
    /// A valid expression: a 200 whose output value is the reference's and whose input leaves' grads are
    /// central differences, where the expression is smooth; elsewhere a 200 of finite numbers or a 422.
    /// </summary>
    private static void CheckExpression(FuzzExpression expression, string url, FuzzResponse response)
    {
        bool render = url.StartsWith("/v1/render", StringComparison.Ordinal);
        if (expression.NodeCount > FuzzLimits.MaxNodes || (render && expression.NodeCount > FuzzLimits.MaxRenderNodes))
        {
            response.Expect(413);
            return;
        }
        var (value, margin, largest) = expression.Evaluate(expression.Inputs);
        bool smooth = double.IsFinite(value) && largest <= 100 && margin >= FuzzGraph.SmoothMargin;
        if (url == "/v1/parse")
        {
            response.Expect(200);
            var leaves = response.Json["nodes"]!.AsArray().Where(n => FuzzResponse.Text(n!.AsObject(), "op") == "input")
                .ToDictionary(n => (string)n!["id"]!, n => (double)n!["value"]!);
            Assert.Equal(expression.Inputs.OrderBy(p => p.Key), leaves.OrderBy(p => p.Key));
            return;
        }
        if (smooth) response.Expect(200);
        else response.Expect(200, 422);
        if (response.Status != 200) return;
        if (render)
        {
            GraphAnswers.CheckPicture(response, url["/v1/render?format=".Length..]);
            return;
        }

        JsonObject body = response.Json;
        double answered = (double)body["value"]!;
        Assert.True(double.IsFinite(answered));
        if (smooth) Assert.True(Math.Abs(value - answered) <= 1e-9 + 1e-7 * Math.Abs(value), $"value: expected {value:R}, got {answered:R}");
        if (url.EndsWith("inference", StringComparison.Ordinal))
        {
            Assert.Null(body["nodes"]);
            return;
        }

        var nodes = body["nodes"]!.AsArray().Select(n => n!.AsObject()).ToArray();
        Assert.All(nodes, n => Assert.True(double.IsFinite((double)n["value"]!) && double.IsFinite((double)n["grad"]!)));
        Assert.All(nodes.Where(n => FuzzResponse.Text(n, "op") != "input"), n => Assert.NotNull(FuzzResponse.Text(n, "label")));
        Assert.Equal(nodes.Length, nodes.Select(n => FuzzResponse.Text(n, "id")).Distinct().Count());
        if (!smooth) return;

        Interlocked.Increment(ref ExpressionsRefereed);
        const double h = 1e-6;
        foreach (string name in expression.Inputs.Keys)
        {
            var up = new Dictionary<string, double>(expression.Inputs) { [name] = expression.Inputs[name] + h };
            var down = new Dictionary<string, double>(expression.Inputs) { [name] = expression.Inputs[name] - h };
            var (upValue, upMargin, _) = expression.Evaluate(up);
            var (downValue, downMargin, _) = expression.Evaluate(down);
            if (Math.Min(upMargin, downMargin) < FuzzGraph.SmoothMargin / 2) continue;
            double numeric = (upValue - downValue) / (2 * h);
            double grad = (double)nodes.Single(n => FuzzResponse.Text(n, "id") == name)["grad"]!;
            Assert.True(Math.Abs(numeric - grad) <= 1e-6 + 1e-4 * Math.Max(Math.Abs(numeric), Math.Abs(grad)),
                $"grad of {name}: central difference {numeric:R}, service {grad:R}");
        }
    }

    /// <summary>
    /// The body with the value that <paramref name="placeholder"/> puts in written as raw JSON text, which a
    /// <see cref="JsonNode"/> cannot hold (NaN, 1e400, deep nesting, a repeated property).
    /// </summary>
    public static byte[] WithRaw(JsonObject body, Action<JsonNode> placeholder, string raw)
    {
        const string marker = "FUZZ_RAW_PLACEHOLDER";
        placeholder(JsonValue.Create(marker));
        string text = FuzzCase.Json(body);
        return Encoding.UTF8.GetBytes(text.Replace($"\"{marker}\"", raw, StringComparison.Ordinal));
    }

    /// <summary>A JSON string literal.</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text);
}
