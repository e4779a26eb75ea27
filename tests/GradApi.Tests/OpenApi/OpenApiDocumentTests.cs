using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.OpenApi;

/// <summary>
/// The OpenAPI document the service serves is docs/openapi.json, the golden file clients are generated from; and it
/// says what the wire does: no nullable request member, a schema for every problem member, the enums of the
/// query options, the media types of the pictures, the health check.
/// </summary>
public sealed class OpenApiDocumentTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task ServedDocument_IsTheGoldenFile()
    {
        string served = await _client.GetStringAsync(OpenApiGolden.DocumentUrl);
        if (Environment.GetEnvironmentVariable(OpenApiGolden.UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(OpenApiGolden.FilePath, served.TrimEnd() + "\n");
            return;
        }

        JsonNode? golden = File.Exists(OpenApiGolden.FilePath) ? OpenApiGolden.Parse() : null;
        string? difference = golden is null ? "docs/openapi.json is missing" : JsonDifference.First(golden, JsonNode.Parse(served)!);

        Assert.True(difference is null,
            $"docs/openapi.json is not the document the service serves ({difference}). If the change is meant, run "
            + $"`{OpenApiGolden.UpdateCommand}` and commit docs/openapi.json.");
    }

    [Fact]
    public void GoldenDocument_HasNoNullableRequestMember()
    {
        JsonObject schemas = OpenApiGolden.Parse()["components"]!["schemas"]!.AsObject();

        foreach (string name in new[] { "EvaluateRequest", "NodeSpec" })
            foreach ((string member, JsonNode? schema) in schemas[name]!["properties"]!.AsObject())
                Assert.True(schema!["nullable"] is null, $"{name}.{member} is nullable, but the service refuses null there.");
    }

    [Fact]
    public void GoldenDocument_NamesEveryProblemMember()
    {
        JsonNode golden = OpenApiGolden.Parse();
        JsonObject problem = golden["components"]!["schemas"]!["Problem"]!.AsObject();

        string[] members = ["type", "title", "status", "detail", "instance", "traceId", "errors", "errorCount", "cycle", "column",
            "node", "path", "op", "pass", "input", "inputValues"];
        Assert.All(members, member => Assert.NotNull(problem["properties"]![member]));
        Assert.Equal(["status", "title"], problem["required"]!.AsArray().Select(m => (string)m!).Order());
        foreach ((string path, string method, string status, JsonNode response) in Responses(golden))
        {
            if (status.StartsWith('2') || response["content"] is not JsonObject content) continue;
            Assert.True(content.Count == 1 && content["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/Problem",
                $"{method} {path} {status} is not a Problem");
        }
    }

    [Fact]
    public void GoldenDocument_DeclaresThePicturesAsBytesOfTheirMediaTypes()
    {
        JsonNode render = OpenApiGolden.Parse()["paths"]!["/v1/render"]!["post"]!;

        JsonObject content = render["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal(["image/svg+xml", "text/plain", "text/vnd.graphviz"], content.Select(c => c.Key).Order());
        Assert.All(content, c => Assert.Equal("binary", (string)c.Value!["schema"]!["format"]!));
        JsonNode format = render["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "format")!;
        Assert.Equal(["svg", "dot", "mermaid"], format["schema"]!["enum"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void GoldenDocument_DocumentsTheServiceEndpoints()
    {
        JsonNode health = OpenApiGolden.Parse()["paths"]!["/healthz"]!["get"]!;

        Assert.Equal("Health", (string)health["operationId"]!);
        Assert.NotNull(health["responses"]!["200"]!["content"]!["text/plain"]);
        Assert.NotNull(OpenApiGolden.Parse()["paths"]!["/healthz/ready"]!["get"]!["responses"]!["503"]);
        Assert.NotNull(OpenApiGolden.Parse()["paths"]!["/metrics"]!["get"]!["responses"]!["200"]!["content"]!["text/plain"]);
        Assert.NotNull(OpenApiGolden.Parse()["paths"]!["/version"]!["get"]);
    }

    private static IEnumerable<(string Path, string Method, string Status, JsonNode Response)> Responses(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        from response in operation.Value!["responses"]!.AsObject()
        select (path.Key, operation.Key, response.Key, response.Value!);
}
