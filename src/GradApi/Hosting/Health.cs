using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GradApi.Hosting;

/// <summary>
/// The two health endpoints. <c>/healthz</c> is liveness: 200 whenever the process answers and can still do its work;
/// it runs only the checks tagged <see cref="LiveTag"/>, of the process itself (<see cref="MemoryHealth"/>: a process
/// that ran out of memory and cannot get it back), never a dependency's (one that is down is no reason to restart the
/// service). <c>/healthz/ready</c> is readiness: it runs the checks tagged <see cref="ReadyTag"/> (the graph store's)
/// and answers JSON naming each one's status and why. An unhealthy answer (503) of either is a problem document
/// like every other error, with the checks' statuses in its <c>checks</c> member.
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
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = (context, report) => report.Status == HealthStatus.Unhealthy
                ? WriteProblem(context, report, "The service is not healthy")
                : context.Response.WriteAsync(report.Status.ToString()),
        }).WithMetadata(getOrHead);
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => report.Status == HealthStatus.Unhealthy
                ? WriteProblem(context, report, "The service is not ready")
                : WriteReport(context, report),
        }).WithMetadata(getOrHead);
        return app;
    }

    /// <summary>503 as a problem document: each failing check's description in <c>detail</c>, every check in <c>checks</c>.</summary>
    private static Task WriteProblem(HttpContext context, HealthReport report, string title)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = title,
            Detail = string.Join(" ", report.Entries
                .Where(entry => entry.Value.Status == HealthStatus.Unhealthy)
                .Select(entry => $"{entry.Key}: {entry.Value.Description ?? "unhealthy"}")),
        };
        problem.Extensions["checks"] = Checks(report);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }

    private static Dictionary<string, CheckStatus> Checks(HealthReport report) => report.Entries.ToDictionary(
        entry => entry.Key, entry => new CheckStatus(entry.Value.Status.ToString(), entry.Value.Description));

    private sealed record CheckStatus(string Status, string? Description);

    /// <summary><c>{"status": "Healthy", "checks": {"graph-store": {"status": "Healthy", "description": "..."}}}</c></summary>
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new { status = report.Status.ToString(), checks = Checks(report) };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
