using GradApi.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// The limits in the OpenAPI document: the 401/429/504 answers of every /v1 operation and, when API keys are
/// configured, an apiKey scheme in X-Api-Key required by every operation.
/// </summary>
internal static class LimitsInSwagger
{
    public const string SchemeName = "ApiKey";

    public static IServiceCollection AddGradApiLimitsToSwagger(this IServiceCollection services)
    {
        services.AddOptions<SwaggerGenOptions>().Configure<IOptions<HostingOptions>>((options, hosting) =>
        {
            options.OperationFilter<LimitResponsesFilter>();
            if (!hosting.Value.HasApiKeys) return;
            options.AddSecurityDefinition(SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.HeaderName,
                Description = "One of the keys in GradApi:ApiKeys. Every /v1 endpoint needs it; /healthz does not.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
            });
        });
        return services;
    }
}
