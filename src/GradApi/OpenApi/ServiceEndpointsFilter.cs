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
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Paths ??= [];
        document.Paths["/healthz"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "Health",
                    Summary = "Liveness: 200 when the service is up and can do its work",
                    Description = "For load balancers, container health checks and liveness probes: runs no dependency's "
                        + "check, so a dependency that is down (Redis) never gets the service restarted (see /healthz/ready); "
                        + "503 when the process ran out of memory and, with no request running, still holds most of it: "
                        + "restart it. Needs no API key and is never shed. HEAD answers the same status without the body.",
                    Tags = new HashSet<OpenApiTagReference> { new("Service", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = Text("Healthy: the service is up.", "Healthy"),
                        ["503"] = Text("Unhealthy: the process cannot do its work (out of memory); restart it.", "Unhealthy"),
                    },
                },
            },
        };
        document.Paths["/healthz/ready"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "Ready",
                    Summary = "Readiness: the graph store's dependency",
                    Description = "For readiness probes. Runs the graph store's check: the in-process store is always Healthy; "
                        + "the Redis store (GradApi:GraphStore:Redis) is Healthy when Redis answers a PING and Degraded when it "
                        + "does not. Degraded is still 200: without Redis, registering answers 503, but /v1/evaluate and every "
                        + "graph this replica has compiled still answer, so the replica stays in rotation. Needs no API key. "
                        + "HEAD answers the same status without the body.",
                    Tags = new HashSet<OpenApiTagReference> { new("Service", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = Report("Healthy, or Degraded: the report says which check and why.",
                            """{"status":"Degraded","checks":{"graph-store":{"status":"Degraded","description":"Redis at redis:6379 cannot be reached: registering a graph answers 503 until it answers again; graphs compiled here still evaluate."}}}"""),
                        ["503"] = Report("Unhealthy: a check failed outright; take the replica out of rotation.",
                            """{"status":"Unhealthy","checks":{"graph-store":{"status":"Unhealthy","description":null}}}"""),
                    },
                },
            },
        };
        if (MetricsSetup.Enabled(configuration))
            document.Paths[MetricsSetup.Path] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new()
                    {
                        OperationId = "Metrics",
                        Summary = "Metrics in Prometheus's text exposition format",
                        Description = "ASP.NET Core's request counts and durations, Kestrel's and the runtime's, and the service's own "
                            + "(gradapi_*): nodes evaluated, requests refused (413, 429, 504), the work budget in use and queued. "
                            + "Needs no API key and is never shed. Switched off by GradApi:Metrics=false.",
                        Tags = new HashSet<OpenApiTagReference> { new("Service", document) },
                        Responses = new OpenApiResponses
                        {
                            ["200"] = Text("The metrics, as Prometheus scrapes them (text/plain; version=0.0.4).",
                                "gradapi_nodes_evaluated_total{otel_scope_name=\"GradApi\",mode=\"training\"} 5"),
                        },
                    },
                },
            };
    }

    /// <summary>The readiness report: the overall status and each check's status and description.</summary>
    private static OpenApiResponse Report(string description, string example)
    {
        var status = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. new[] { "Healthy", "Degraded", "Unhealthy" }.Select(s => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(s))],
        };
        var check = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "description" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = status,
                ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            },
        };
        return new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "status", "checks" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = status,
                            ["checks"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = check },
                        },
                    },
                    Example = System.Text.Json.Nodes.JsonNode.Parse(example),
                },
            },
        };
    }

    private static OpenApiResponse Text(string description, string example) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            ["text/plain"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Example = System.Text.Json.Nodes.JsonValue.Create(example),
            },
        },
    };
}
