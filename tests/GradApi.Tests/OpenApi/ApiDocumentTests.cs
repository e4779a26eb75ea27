using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.OpenApi;

/// <summary>
/// docs/api.md, the wire contract kept in the repository, names the same operations as docs/openapi.json (which
/// <see cref="OpenApiDocumentTests"/> holds to the running service), so neither can grow an endpoint the other lacks.
/// </summary>
public sealed partial class ApiDocumentTests
{
    /// <summary>Named in docs/api.md but served outside the OpenAPI document: the playground page and Swagger itself.</summary>
    private static readonly HashSet<string> OutsideTheDocument = ["GET /", "GET /swagger", "GET /swagger/v1/swagger.json"];

    [Fact]
    public void EveryOperationNamedInTheContract_IsInTheOpenApiDocument()
    {
        var missing = NamedInContract().Except(OutsideTheDocument).Except(InOpenApiDocument()).Order().ToList();

        Assert.True(missing.Count == 0, "docs/api.md names operations docs/openapi.json lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryOperationOfTheOpenApiDocument_IsNamedInTheContract()
    {
        var missing = InOpenApiDocument().Except(NamedInContract()).Order().ToList();

        Assert.True(missing.Count == 0, "docs/openapi.json has operations docs/api.md does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheContract_NamesOperationsInHeadingsAndBullets()
    {
        // Guards the parser: were it to find nothing, both tests above would pass with the files apart.
        Assert.Contains("POST /v1/evaluate", NamedInContract());
        Assert.Contains("DELETE /v1/graphs/{id}", NamedInContract());
        Assert.Contains("GET /version", NamedInContract());
    }

    /// <summary>Every `METHOD /path` in a heading or a bullet of docs/api.md, without its query string.</summary>
    private static HashSet<string> NamedInContract()
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Repository.PathOf("docs", "api.md")))
        {
            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith('#') && !trimmed.StartsWith("- ", StringComparison.Ordinal)) continue;
            foreach (Match match in Operation().Matches(trimmed))
                named.Add(match.Groups["method"].Value + " " + match.Groups["path"].Value);
        }
        return named;
    }

    private static HashSet<string> InOpenApiDocument()
    {
        var operations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in OpenApiGolden.Parse()["paths"]!.AsObject())
            foreach (var (method, _) in item!.AsObject())
                operations.Add(method.ToUpperInvariant() + " " + path);
        return operations;
    }

    [GeneratedRegex(@"`(?<method>GET|POST|PUT|PATCH|DELETE) (?<path>/[^`?\s]*)")]
    private static partial Regex Operation();
}
