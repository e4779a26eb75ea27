using System.Diagnostics;

namespace GradApi.Hosting;

/// <summary>
/// One log line per request, at Information: method, path, status, duration and trace id. It stands in for the
/// framework's own eight lines per request (request starting and finished, endpoint executing and executed, ...),
/// which appsettings.json turns down to Warning: written for every request, they cost a quarter of the
/// small-request throughput. The line is written when the answer is done, so the status is the one the client got,
/// a problem from the exception handler included; with Information off it costs one check.
/// </summary>
internal sealed partial class RequestLog(RequestDelegate next, ILogger<RequestLog> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return next(context);
        long start = Stopwatch.GetTimestamp();
        Task work;
        try
        {
            work = next(context);
        }
        catch
        {
            Write(context, start, failed: true);
            throw;
        }
        if (!work.IsCompletedSuccessfully) return WaitAsync(work, context, start);
        Write(context, start, failed: false);
        return Task.CompletedTask;
    }

    private async Task WaitAsync(Task work, HttpContext context, long start)
    {
        bool failed = true;
        try
        {
            await work;
            failed = false;
        }
        finally
        {
            Write(context, start, failed);
        }
    }

    /// <summary>A request that failed before its answer started is answered 500 by the server.</summary>
    private void Write(HttpContext context, long start, bool failed)
    {
        HttpResponse response = context.Response;
        int status = failed && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        Answered(logger, context.Request.Method, context.Request.Path, status,
            Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 3),
            Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} answered {Status} in {ElapsedMs} ms, trace {TraceId}")]
    private static partial void Answered(ILogger logger, string method, PathString path, int status, double elapsedMs, string traceId);
}
