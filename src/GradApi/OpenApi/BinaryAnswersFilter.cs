using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// An answer that is not JSON (render's SVG, DOT and Mermaid) is declared as bytes in its own media type
/// (<c>type: string, format: binary</c>), which generated clients read as a stream or a file; a plain <c>string</c>
/// under image/svg+xml leaves Kiota without a way to read it.
/// </summary>
internal sealed class BinaryAnswersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Responses is null) return;
        foreach ((string status, IOpenApiResponse response) in operation.Responses)
        {
            if (!status.StartsWith('2') || response.Content is null) continue;
            foreach ((string type, IOpenApiMediaType media) in response.Content)
                if (!type.Contains("json", StringComparison.OrdinalIgnoreCase) && media is OpenApiMediaType concrete)
                    concrete.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        }
    }
}
