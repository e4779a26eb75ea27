using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.OpenApi;

/// <summary>docs/openapi.json: the OpenAPI document the service serves with its shipped settings, committed.</summary>
internal static class OpenApiGolden
{
    public const string DocumentUrl = "/swagger/v1/swagger.json";

    /// <summary>Set to 1, the golden-file test writes the served document to docs/openapi.json instead of comparing.</summary>
    public const string UpdateVariable = "GRADAPI_UPDATE_OPENAPI";

    /// <summary>The one command that brings docs/openapi.json up to date, as README gives it.</summary>
    public const string UpdateCommand = $"{UpdateVariable}=1 dotnet test tests/GradApi.Tests --filter FullyQualifiedName~OpenApiDocumentTests";

    public static string FilePath => Repository.PathOf("docs", "openapi.json");

    public static string Read() => File.ReadAllText(FilePath);

    public static JsonNode Parse() => JsonNode.Parse(Read())!;
}
