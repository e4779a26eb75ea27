using GradApi.Problems;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Every problem answer of every operation has the schema of <see cref="Problem"/>, the members the service really
/// writes (traceId, errors, cycle, column, node, path, op, pass, ...), instead of the framework's ProblemDetails,
/// which names none of them. Endpoints keep declaring their problems with ProducesProblem and ProducesValidationProblem.
/// </summary>
internal sealed class ProblemResponsesFilter : IOperationFilter, IDocumentFilter
{
    public const string MediaType = "application/problem+json";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Responses is null) return;
        IOpenApiSchema problem = context.SchemaGenerator.GenerateSchema(typeof(Problem), context.SchemaRepository);
        foreach (IOpenApiResponse response in operation.Responses.Values)
            if (response.Content?.TryGetValue(MediaType, out IOpenApiMediaType? media) == true && media is OpenApiMediaType concrete)
                concrete.Schema = problem;
    }

    /// <summary>
    /// Drops the framework's problem schemas, which no operation names any more, and lets a problem carry members
    /// beyond those listed, as RFC 9457 lets every problem type add its own.
    /// </summary>
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Components?.Schemas?.Remove("ProblemDetails");
        document.Components?.Schemas?.Remove("HttpValidationProblemDetails");
        if (document.Components?.Schemas?.TryGetValue(nameof(Problem), out IOpenApiSchema? problem) == true && problem is OpenApiSchema concrete)
        {
            concrete.AdditionalPropertiesAllowed = true;
            concrete.AdditionalProperties = null;
        }
    }
}
