using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GradApi.Hosting;

/// <summary>
/// The two health endpoints. <c>/healthz</c> is liveness: 200 whenever the process answers and can still do its work;
/// it runs only the checks tagged <see cref="LiveTag"/>, of the process itself (<see cref="MemoryHealth"/>: a process
/// that ran out of memory and cannot get it back), never a dependency's (one that is down is no reason to restart the
/// service). <c>/healthz/ready</c> is readiness: it runs the checks tagged <see cref="ReadyTag"/> (the graph store's)
/// and answers JSON naming each one's status and why.
/// </summary>
internal static class Health
{
    /// <summary>The tag of the checks <c>/healthz/ready</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag of the checks <c>/healthz</c> runs: those of the process itself.</summary>
    public const string LiveTag = "live";

    public static IEndpointRouteBuilder MapGradApiHealth(this IEndpointRouteBuilder app)
    {
        var getOrHead = new HttpMethodMetadata(["GET", "HEAD"]);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).WithMetadata(getOrHead);
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        }).WithMetadata(getOrHead);
        return app;
    }

    /// <summary><c>{"status": "Healthy", "checks": {"graph-store": {"status": "Healthy", "description": "..."}}}</c></summary>
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
