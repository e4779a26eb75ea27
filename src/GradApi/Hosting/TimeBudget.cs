using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// The time budget: every request gets <see cref="HostingOptions.EvaluateTimeoutSeconds"/> and is answered 504 with a
/// problem document when it runs out. The budget cancels <c>HttpContext.RequestAborted</c>, the token the engine checks
/// as it runs, so a timed-out or abandoned graph stops using the CPU at once. A stopping service waits at least that
/// long for the requests in flight.
/// </summary>
/// <remarks>
/// The same behaviour as ASP.NET Core's request timeouts, at a fraction of their cost per request (see
/// <see cref="TimeBudgetMiddleware"/>). Like them, it does nothing while a debugger is attached.
/// </remarks>
internal static class TimeBudget
{
    public static IServiceCollection AddGradApiTimeBudget(this IServiceCollection services)
    {
        // On SIGTERM, Kestrel stops accepting and lets the requests in flight finish within the shutdown timeout.
        services.AddOptions<HostOptions>().Configure<IOptions<HostingOptions>>((options, hosting) =>
        {
            if (options.ShutdownTimeout < hosting.Value.ShutdownTimeout)
                options.ShutdownTimeout = hosting.Value.ShutdownTimeout;
        });
        return services;
    }

    /// <summary>The 504 problem, written once the budget has run out and nothing of the answer was sent yet.</summary>
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
/// Runs each request under its time budget, and says in the log when a request was stopped, why (the time budget
/// ran out or the client went away), and where the work stopped, e.g. <c>GraphEngine.Forward</c>.
/// </summary>
/// <remarks>
/// Per request, the framework's request timeouts allocate a linked token source, a timer, a feature and an async
/// state machine. Here the budget's <see cref="CancellationTokenSource"/> comes from a pool: <c>CancelAfter</c> on a
/// pooled source re-arms the timer it already has, and <c>TryReset</c> disarms it and drops its registrations when
/// the request ends, so the source can serve the next request (a source that was cancelled is never reused). The
/// client's own <c>RequestAborted</c> is linked in with one registration, and a request that completes without
/// waiting pays for no state machine. Any work that outlives its request must not keep the request's token: it
/// would see a later request's cancellation (nothing in this service does).
/// </remarks>
internal sealed partial class TimeBudgetMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<TimeBudgetMiddleware> _logger;
    private readonly TimeSpan _budget;
    private readonly ObjectPool<CancellationTokenSource> _sources =
        new DefaultObjectPool<CancellationTokenSource>(new DefaultPooledObjectPolicy<CancellationTokenSource>(), 1024);

    public TimeBudgetMiddleware(RequestDelegate next, IOptions<HostingOptions> hosting, ILogger<TimeBudgetMiddleware> logger)
    {
        _next = next;
        _logger = logger;
        _budget = TimeSpan.FromSeconds(hosting.Value.EvaluateTimeoutSeconds);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (Debugger.IsAttached) return _next(context);

        var request = new Budgeted(context, _sources.Get(), Stopwatch.GetTimestamp());
        request.Budget.CancelAfter(_budget);
        context.RequestAborted = request.Budget.Token;
        Task work;
        try
        {
            work = _next(context);
        }
        catch (Exception exception)
        {
            work = Task.FromException(exception);
        }
        if (!work.IsCompletedSuccessfully) return WaitAsync(work, request);
        End(request);
        return Task.CompletedTask;
    }

    private async Task WaitAsync(Task work, Budgeted request)
    {
        HttpContext context = request.Context;
        try
        {
            await work;
        }
        catch (OperationCanceledException exception) when (request.Budget.IsCancellationRequested)
        {
            bool timedOut = !request.ClientAborted.IsCancellationRequested;
            Stopped(_logger, context.Request.Method, context.Request.Path,
                (long)Stopwatch.GetElapsedTime(request.Start).TotalMilliseconds,
                timedOut ? "the time budget ran out" : "the client went away", StoppedIn(exception));
            // Past the budget, the 504 if nothing of the answer has gone out yet; a client that left gets nothing.
            if (!timedOut || context.Response.HasStarted) throw;
            context.RequestAborted = request.ClientAborted;
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            await TimeBudget.WriteTimeout(context);
            // The budget may have run out while the body was still arriving: a client that sends it all first reads the 504.
            await TooLargeBody.DrainAsync(context);
        }
        finally
        {
            End(request);
        }
    }

    /// <summary>Unlinks the client's token, gives the request its own token back, and the source back to the pool.</summary>
    private void End(Budgeted request)
    {
        request.Link.Dispose();
        request.Context.RequestAborted = request.ClientAborted;
        if (request.Budget.TryReset()) _sources.Return(request.Budget);
        else request.Budget.Dispose();
    }

    /// <summary>A request under its budget: the budget's source, linked to the client's token.</summary>
    private readonly struct Budgeted(HttpContext context, CancellationTokenSource budget, long start)
    {
        public HttpContext Context { get; } = context;
        public CancellationTokenSource Budget { get; } = budget;
        public CancellationToken ClientAborted { get; } = context.RequestAborted;
        public CancellationTokenRegistration Link { get; } =
            context.RequestAborted.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), budget);
        public long Start { get; } = start;
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
