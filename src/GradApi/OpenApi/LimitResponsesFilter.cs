using GradApi.Hosting;
using GradApi.Problems;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Documents the answers every /v1 operation may give because of the service's limits: 429 with Retry-After when
/// the work budget is full, 503 with Retry-After when the service ran out of memory, 504 when the time budget runs out,
/// 401 when API keys are configured, and 400 for a query parameter the operation does not take (see
/// UnknownQueryParameters), where it declares no 400 of its own.
/// </summary>
internal sealed class LimitResponsesFilter(IOptions<HostingOptions> hosting) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) != true) return;
        IOpenApiSchema problem = context.SchemaGenerator.GenerateSchema(typeof(Problem), context.SchemaRepository);
        operation.Responses ??= [];

        operation.Responses.TryAdd("400", Problem(problem,
            "A query parameter this operation does not take: errors names it, with the parameters the operation takes."));
        if (hosting.Value.HasApiKeys)
            operation.Responses.TryAdd("401", Problem(problem, $"No known API key in {ApiKeys.HeaderName}."));
        OpenApiResponse busy = Problem(problem, "The service is busy: the work budget and its queue are full. Try again after Retry-After seconds.");
        busy.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            },
        };
        operation.Responses.TryAdd("429", busy);
        OpenApiResponse outOfMemory = Problem(problem, "The service ran out of memory for this request. Try again after Retry-After seconds.");
        outOfMemory.Headers = busy.Headers;
        operation.Responses.TryAdd("503", outOfMemory);
        operation.Responses.TryAdd("504", Problem(problem,
            $"The request ran past its time budget ({hosting.Value.EvaluateTimeoutSeconds:0.###} s) and was stopped."));
    }

    private static OpenApiResponse Problem(IOpenApiSchema schema, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            [ProblemResponsesFilter.MediaType] = new OpenApiMediaType { Schema = schema },
        },
    };
}
