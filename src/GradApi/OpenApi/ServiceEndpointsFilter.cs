using System.Text.Json.Nodes;
using GradApi.Observability;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Documents the endpoints that are not minimal-API handlers and so are not seen by the API explorer: the health
/// checks (<c>/healthz</c>, <c>/healthz/ready</c>) and, when metrics are on, Prometheus's <c>/metrics</c>.
/// </summary>
internal sealed class ServiceEndpointsFilter(IConfiguration configuration) : IDocumentFilter
{
    private const string Ready = """{"status":"Healthy","checks":{"graph-store":{"status":"Healthy","description":"..."}}}""";
    private const string NotReady = """{"status":"Unhealthy","checks":{"graph-store":{"status":"Unhealthy","description":"..."}}}""";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Paths ??= [];
        document.Paths["/healthz"] = Get(document, "Health", "Liveness: 200 whenever the process answers",
            "For container health checks and liveness probes: runs no check (a dependency that is down is no reason to "
                + "restart the service). Needs no API key and is never shed. HEAD answers the same without the body.",
            new OpenApiResponses { ["200"] = Answer("The process answers.", "text/plain", JsonValue.Create("Healthy")) });
        document.Paths["/healthz/ready"] = Get(document, "Ready", "Readiness: 200 when the service's dependencies are up",
            "For readiness probes and load balancers: runs the checks of the service's dependencies (the graph store's) and "
                + "names each one's status; 503 when one is down: take the replica out of rotation until it is ready again.",
            new OpenApiResponses
            {
                ["200"] = Answer("Every dependency is up.", "application/json", JsonNode.Parse(Ready)),
                ["503"] = Answer("A dependency is down.", "application/json", JsonNode.Parse(NotReady)),
            });
        if (MetricsSetup.Enabled(configuration))
            document.Paths[MetricsSetup.Path] = Get(document, "Metrics", "Metrics in Prometheus's text exposition format",
                "ASP.NET Core's request counts and durations, the runtime's, and the service's own (gradapi_*): nodes evaluated, "
                    + "requests refused (413, 429, 504), the work budget in use and queued. Switched off by GradApi:Metrics=false.",
                new OpenApiResponses
                {
                    ["200"] = Answer("The metrics.", "text/plain", JsonValue.Create("gradapi_nodes_evaluated_total{mode=\"training\"} 5")),
                });
    }

    private static OpenApiPathItem Get(OpenApiDocument document, string id, string summary, string description, OpenApiResponses responses) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                OperationId = id,
                Summary = summary,
                Description = description,
                Tags = new HashSet<OpenApiTagReference> { new("Service", document) },
                Responses = responses,
            },
        },
    };

    private static OpenApiResponse Answer(string description, string mediaType, JsonNode? example) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            [mediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = example is JsonObject ? JsonSchemaType.Object : JsonSchemaType.String },
                Example = example,
            },
        },
    };
}
