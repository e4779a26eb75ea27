using FluentValidation;
using GradApi;
using GradApi.CompiledGraphs;
using GradApi.CompiledGraphs.Redis;
using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Evaluate;
using GradApi.Hosting;
using GradApi.Observability;
using GradApi.Observability.Logs;
using GradApi.OpenApi;
using GradApi.Problems;
using GradApi.Rendering;
using GradApi.Validation;

if (HealthProbe.TryRun(args, out int probeExit)) { return probeExit; }

var builder = WebApplication.CreateBuilder(args);

// Logs: levels and the console format from the Logging section (appsettings.json); every line carries the
// request's trace id, and each request writes one line of its own (see RequestLog). Lines are written in batches
// by a thread of their own (see BatchedConsoleLoggerProvider).
builder.Logging.AddBatchedConsole();
builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
// JSON lines keep the time in a field of its own: no separator after it, as the single-line format needs.
builder.Services.PostConfigure<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(options =>
    options.TimestampFormat = options.TimestampFormat?.TrimEnd());

// Settings: limits and switches from the GradApi section, checked at startup.
builder.Services.AddOptions<GradApiOptions>()
    .Bind(builder.Configuration.GetSection(GradApiOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();

// Errors: every non-2xx answer is an RFC 9457 problem document, whatever the Accept header says.
builder.Services.AddGradApiProblems();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

// Validation: FluentValidation validators, run by an endpoint filter (see ValidationFilter).
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);

// The engine: a stateless compiler, and one evaluator per request (one point, or a batch) that owns its pooled buffers.
builder.Services.AddSingleton<GraphCompiler>();
builder.Services.AddScoped(_ => new GraphEngine());
builder.Services.AddScoped(_ => new BatchEngine());
// Once started, a graph run through a large request's path a few times, for the first large request to find it optimized.
builder.Services.AddHostedService<Warmup>();
builder.Services.AddSingleton(services =>
{
    GradApiOptions options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GradApiOptions>>().Value;
    return new ExpressionParser(new ExpressionLimits { MaxLength = options.MaxExpressionLength, MaxDepth = options.MaxExpressionDepth });
});

// Metrics: OpenTelemetry, served for Prometheus at /metrics (see Observability/).
builder.AddGradApiMetrics();

// Registered graphs: canonical graphs in a store by content-hash id, compiled ones cached in this process.
// In Redis when GradApi:GraphStore:Redis is set (shared by replicas), with /healthz/ready's check of the store.
builder.Services.AddRedisGraphStore(builder.Configuration);
builder.Services.AddGraphStore(builder.Configuration);

// OpenAPI and Swagger UI.
builder.Services.AddGradApiSwagger();

builder.Services.ConfigureHttpJsonOptions(json =>
    json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);

// Limits and security: Kestrel limits, load shedding, time budget, API keys, CORS (see Hosting/).
builder.AddGradApiLimits();

var app = builder.Build();

app.UseMiddleware<RequestLog>();
app.UseGradApiMetrics();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseGradApiLimits();
app.UseMiddleware<UnknownQueryParameters>();

if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GradApiOptions>>().Value.Swagger)
{
    app.UseSwagger();
    app.UseSwaggerUI(options => options.DocumentTitle = "GradApi");
}

app.UseDefaultFiles();
app.UseStaticFiles();
app.MapGradApiHealth();
app.MapGradApiMetrics();
app.MapGradApiVersion();
app.MapGradApi();
app.MapGraphs();
app.MapRender();

app.LogVersionOnStart();
app.Run();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
