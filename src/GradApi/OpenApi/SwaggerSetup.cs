namespace GradApi.OpenApi;

internal static class SwaggerSetup
{
    public static IServiceCollection AddGradApiSwagger(this IServiceCollection services) =>
        services.AddEndpointsApiExplorer().AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new()
            {
                Title = "GradApi",
                Version = "v1",
                Description = "Reverse-mode automatic differentiation as a service: POST a computational graph, "
                    + "get every node's value and gradient.",
            });
            // string (not string?) members of the contracts are required; no member is null on the wire unless
            // marked (WireNullabilityFilter).
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            options.SchemaFilter<WireNullabilityFilter>();
            options.OperationFilter<EvaluateExampleFilter>();
            options.OperationFilter<GraphExampleFilter>();
            options.OperationFilter<ProblemResponsesFilter>();
            options.OperationFilter<BinaryAnswersFilter>();
            options.DocumentFilter<ProblemResponsesFilter>();
            options.DocumentFilter<ServiceEndpointsFilter>();
            string xml = Path.Combine(AppContext.BaseDirectory, "GradApi.xml");
            if (File.Exists(xml)) options.IncludeXmlComments(xml);
        });
}
