using FluentValidation;
using GradApi;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;
using GradApi.Hosting;
using GradApi.OpenApi;
using GradApi.Problems;

var builder = WebApplication.CreateBuilder(args);

// Settings: limits and switches from the GradApi section, checked at startup.
builder.Services.AddOptions<GradApiOptions>()
    .Bind(builder.Configuration.GetSection(GradApiOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();

// Errors: every non-2xx answer is an RFC 9457 problem document.
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.Explain);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();

// Validation: FluentValidation validators, run by an endpoint filter (see ValidationFilter).
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);

// The engine: a stateless compiler, and one evaluator per request that owns its pooled buffers.
builder.Services.AddSingleton<GraphCompiler>();
builder.Services.AddScoped(_ => new GraphEngine());

// OpenAPI and Swagger UI.
builder.Services.AddGradApiSwagger();

builder.Services.AddHealthChecks();

// Limits and security: Kestrel limits, load shedding, time budget, API keys, CORS (see Hosting/).
builder.AddGradApiLimits();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseGradApiLimits();

if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GradApiOptions>>().Value.Swagger)
{
    app.UseSwagger();
    app.UseSwaggerUI(options => options.DocumentTitle = "GradApi");
}

app.MapHealthChecks("/healthz");
app.MapGradApi();

app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
