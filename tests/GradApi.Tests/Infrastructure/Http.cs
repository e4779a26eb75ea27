using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradApi.Tests.Infrastructure;

internal static class Http
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json, string contentType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync(url, content);
    }

    public static Task<HttpResponseMessage> Evaluate(this HttpClient client, string json, string query = "") =>
        client.PostJson($"/v1/evaluate{query}", json);

    public static async Task<JsonObject> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>The response's nodes keyed by id.</summary>
    public static Dictionary<string, JsonObject> NodesById(this JsonObject body) =>
        body["nodes"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(n => (string)n["id"]!);

    public static string Serialize(object value) => JsonSerializer.Serialize(value);
}
