using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// The time budget: ASP.NET Core's request timeouts give every request <see cref="HostingOptions.EvaluateTimeoutSeconds"/>
/// and answer 504 with a problem document when it runs out. The timeout cancels <c>HttpContext.RequestAborted</c>,
/// the token the engine checks as it runs, so a timed-out or abandoned graph stops using the CPU at once.
/// A stopping service waits at least that long for the requests in flight.
/// </summary>
/// <remarks>The request-timeouts middleware does nothing while a debugger is attached.</remarks>
internal static class TimeBudget
{
    public static IServiceCollection AddGradApiTimeBudget(this IServiceCollection services)
    {
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HostingOptions>>((options, hosting) =>
            options.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(hosting.Value.EvaluateTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                WriteTimeoutResponse = WriteTimeout,
            });

        // On SIGTERM, Kestrel stops accepting and lets the requests in flight finish within the shutdown timeout.
        services.AddOptions<HostOptions>().Configure<IOptions<HostingOptions>>((options, hosting) =>
        {
            if (options.ShutdownTimeout < hosting.Value.ShutdownTimeout)
                options.ShutdownTimeout = hosting.Value.ShutdownTimeout;
        });
        return services;
    }

    /// <summary>The 504 problem, written by the request-timeouts middleware once the budget has run out.</summary>
    internal static Task WriteTimeout(HttpContext context)
    {
        double seconds = context.RequestServices.GetRequiredService<IOptions<HostingOptions>>().Value.EvaluateTimeoutSeconds;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status504GatewayTimeout,
                Title = "The graph took too long",
                Detail = $"The request ran past its time budget of {seconds:0.###} s and was stopped. "
                    + "Send a smaller graph, or use mode=inference.",
            },
        }).AsTask();
    }
}

/// <summary>
/// Says in the log when a request was stopped, why (the time budget ran out or the client went away), and
/// where the work stopped, e.g. <c>GraphEngine.Forward</c>. Runs inside the time budget, next to the endpoint.
/// </summary>
internal sealed partial class StoppedRequestLog(RequestDelegate next, ILogger<StoppedRequestLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (OperationCanceledException exception) when (context.RequestAborted.IsCancellationRequested)
        {
            bool timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
            Stopped(logger, context.Request.Method, context.Request.Path,
                (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds,
                timedOut ? "the time budget ran out" : "the client went away", StoppedIn(exception));
            throw;
        }
    }

    /// <summary>The innermost method of this service on the exception's stack: where the work noticed it was cancelled.</summary>
    internal static string StoppedIn(Exception exception)
    {
        foreach (StackFrame frame in new StackTrace(exception, fNeedFileInfo: false).GetFrames())
        {
            if (frame.GetMethod() is not { DeclaringType: { } type } method
                || type.Namespace?.StartsWith("GradApi", StringComparison.Ordinal) != true) continue;
            // Async methods and lambdas run in generated types such as <Name>d__4 or <>c__DisplayClass0_0.
            Type owner = type;
            while (owner.Name.StartsWith('<') && owner.DeclaringType is { } outer) owner = outer;
            return $"{owner.Name}.{SourceName(type.Name) ?? SourceName(method.Name) ?? method.Name}";
        }
        return "the framework";
    }

    private static string? SourceName(string generated) =>
        GeneratedName().Match(generated) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"<([A-Za-z_]\w*)>")]
    private static partial Regex GeneratedName();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Stopped {Method} {Path} after {ElapsedMs} ms: {Reason}; the work stopped in {StoppedIn}")]
    private static partial void Stopped(ILogger logger, string method, PathString path, long elapsedMs, string reason, string stoppedIn);
}
