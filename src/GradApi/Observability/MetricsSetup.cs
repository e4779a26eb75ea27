using OpenTelemetry.Metrics;

namespace GradApi.Observability;

/// <summary>
/// Metrics, exported for Prometheus at <c>GET /metrics</c> (text exposition format) by OpenTelemetry: ASP.NET Core's
/// request count and duration (<c>http.server.request.duration</c>, by route and status), requests and connections in
/// flight, the runtime's (GC, memory, thread pool), and the service's own <see cref="GradApiMetrics"/>. Switched off,
/// with <c>GradApi:Metrics=false</c>, nothing listens and /metrics is a 404.
/// </summary>
internal static class MetricsSetup
{
    public const string Path = "/metrics";

    /// <summary>The meters exported besides the service's own.</summary>
    private static readonly string[] FrameworkMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    public static bool Enabled(IConfiguration configuration) =>
        configuration.GetSection(GradApiOptions.Section).GetValue(nameof(GradApiOptions.Metrics), defaultValue: true);

    public static WebApplicationBuilder AddGradApiMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GradApiMetrics>();
        if (Enabled(builder.Configuration))
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter([GradApiMetrics.MeterName, .. FrameworkMeters])
                // Each scrape collects afresh: a scrape after a request sees it (the exporter's default caches 300 ms).
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    /// <summary>Counts the refusals (413, 429, 504) by the status each request was finally answered with. Call first.</summary>
    public static WebApplication UseGradApiMetrics(this WebApplication app)
    {
        app.UseMiddleware<RefusalCounting>();
        return app;
    }

    public static WebApplication MapGradApiMetrics(this WebApplication app)
    {
        if (Enabled(app.Configuration))
            app.MapPrometheusScrapingEndpoint(Path).WithMetadata(new HttpMethodMetadata(["GET"]));
        return app;
    }
}

/// <summary>
/// Counts each answer of 413, 429 or 504 in <see cref="GradApiMetrics"/>. Outside the exception handler, so it sees
/// the status of the problem written for a body that was too large as well as those the handlers write.
/// </summary>
internal sealed class RefusalCounting(RequestDelegate next, GradApiMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        Task work = next(context);
        if (!work.IsCompletedSuccessfully) return CountAfterAsync(context, work);
        metrics.Answered(context.Response.StatusCode);
        return Task.CompletedTask;
    }

    private async Task CountAfterAsync(HttpContext context, Task work)
    {
        try
        {
            await work;
        }
        finally
        {
            metrics.Answered(context.Response.StatusCode);
        }
    }
}
