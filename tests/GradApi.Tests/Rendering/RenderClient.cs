using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

internal static class RenderClient
{
    public const string Neuron = """
        {"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}
        """;

    public static Task<HttpResponseMessage> Render(this HttpClient client, string json, string format = "") =>
        client.PostJson(format == "" ? "/v1/render" : $"/v1/render?format={format}", json);

    /// <summary>The body of a successful render, failing the test with the problem otherwise.</summary>
    public static async Task<string> RenderText(this HttpClient client, string json, string format = "")
    {
        using var response = await client.Render(json, format);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The explain steps of the same body: (node, input, product) for every edge.</summary>
    public static async Task<List<(string Node, string Input, double Product)>> Steps(this HttpClient client, string json)
    {
        using var response = await client.Evaluate(json, "?explain=true");
        var body = await response.Json();
        return body["backward"]!.AsArray()
            .Select(s => ((string)s!["node"]!, (string)s["input"]!, (double)s["product"]!))
            .ToList();
    }

    /// <summary>Ids that would break out of XML, DOT or Mermaid if not escaped.</summary>
    public const string HostileIds = """
        {"nodes": [
          {"id": "<script>alert(1)</script>", "op": "input", "value": 2},
          {"id": "a\"b'c&d", "op": "input", "value": 3},
          {"id": "x\" ] ; n0 -> n1 [label=\"", "op": "input", "value": 1, "label": "]]> #quot; | `tick`"},
          {"id": "ctl\u0001\u001f\n", "op": "input", "value": 4},
          {"id": "\ud83d\ude00 \\ end\\", "op": "mul", "inputs": ["<script>alert(1)</script>", "a\"b'c&d"]},
          {"id": "{}[]()|-->", "op": "add", "inputs": ["\ud83d\ude00 \\ end\\", "x\" ] ; n0 -> n1 [label=\"", "ctl\u0001\u001f\n"]}]}
        """;
}
