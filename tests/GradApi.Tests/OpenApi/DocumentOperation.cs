using System.Text.Json.Nodes;

namespace GradApi.Tests.OpenApi;

/// <summary>One operation of an OpenAPI document, read as a generated client sees it.</summary>
internal sealed record DocumentOperation(string Method, string Path, JsonObject Node)
{
    public string OperationId => (string)Node["operationId"]!;

    public IEnumerable<JsonObject> Parameters => Node["parameters"]?.AsArray().Select(p => p!.AsObject()) ?? [];

    public IEnumerable<string> PathParameters => Parameters.Where(p => (string)p["in"]! == "path").Select(p => (string)p["name"]!);

    public bool HasBody => Node["requestBody"] is not null;

    /// <summary>The request examples of the JSON body, in the document's order (the first is Swagger UI's).</summary>
    public IReadOnlyList<(string Name, string Json)> BodyExamples =>
        Node["requestBody"]?["content"]?["application/json"]?["examples"] is JsonObject examples
            ? examples.Select(e => (e.Key, e.Value!["value"]!.ToJsonString())).ToList()
            : [];

    /// <summary>The media types the document declares for an answer of this status, if it declares the status.</summary>
    public IReadOnlyList<string>? MediaTypes(int status) =>
        Node["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is { } response
            ? response["content"]?.AsObject().Select(c => c.Key).ToList() ?? []
            : null;

    public override string ToString() => $"{Method.ToUpperInvariant()} {Path} ({OperationId})";

    public static IReadOnlyList<DocumentOperation> All(JsonNode document) =>
        [.. from path in document["paths"]!.AsObject()
            from operation in path.Value!.AsObject()
            select new DocumentOperation(operation.Key, path.Key, operation.Value!.AsObject())];
}
