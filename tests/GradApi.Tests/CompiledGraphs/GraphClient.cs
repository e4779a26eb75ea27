using System.Net;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>Registering and evaluating graphs through the HTTP API, as a client would.</summary>
internal static class GraphClient
{
    public static Task<HttpResponseMessage> Register(this HttpClient client, string graph) => client.PostJson("/v1/graphs", graph);

    /// <summary>Registers <paramref name="graph"/> and returns its id, failing unless the answer is 201.</summary>
    public static async Task<string> RegisterId(this HttpClient client, string graph)
    {
        using HttpResponseMessage response = await client.Register(graph);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Json())["id"]!;
    }

    public static Task<HttpResponseMessage> EvaluateGraph(this HttpClient client, string id, string values, string query = "") =>
        client.PostJson($"/v1/graphs/{id}/evaluate{query}", values);

    /// <summary>The problem's single entry in <c>errors</c>: its path.</summary>
    public static async Task<string> ErrorPath(this HttpResponseMessage response)
    {
        JsonObject problem = await response.Json();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return Assert.Single(problem["errors"]!.AsObject()).Key;
    }
}
