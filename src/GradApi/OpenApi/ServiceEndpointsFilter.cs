using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Documents the endpoints that are not minimal-API handlers and so are not seen by the API explorer: the health
/// check (<c>/healthz</c>).
/// </summary>
internal sealed class ServiceEndpointsFilter : IDocumentFilter
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
                    Summary = "Liveness: 200 when the service is up",
                    Description = "For load balancers and container health checks; needs no API key and is never shed. "
                        + "HEAD answers the same status without the body.",
                    Tags = new HashSet<OpenApiTagReference> { new("Service", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = Text("Healthy: the service is up.", "Healthy"),
                        ["503"] = Text("Unhealthy: the service cannot answer; take it out of rotation.", "Unhealthy"),
                    },
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
