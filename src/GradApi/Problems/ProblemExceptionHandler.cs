using GradApi.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace GradApi.Problems;

/// <summary>
/// Turns every exception into a problem document: the client's own errors with their status and
/// detail, running out of memory as a 503 to retry (and a note to the health check, <see cref="MemoryHealth"/>),
/// anything else as a bare 500 that tells nothing of the server's internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, MemoryHealth memory,
    ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }

        ProblemDetails problem = exception switch
        {
            ProblemException p when p.Errors is not null => new HttpValidationProblemDetails(p.Errors)
            {
                Status = p.Status, Title = p.Title, Detail = p.Detail,
            },
            ProblemException p => new ProblemDetails { Status = p.Status, Title = p.Title, Detail = p.Detail },
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = TitleFor(b.StatusCode), Detail = b.Message },
            OutOfMemoryException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service is out of memory",
                Detail = "The service had no memory left for this request. Try again shortly, or send a smaller graph.",
            },
            _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." },
        };

        if (exception is ProblemException { Extensions: { } extensions })
            foreach ((string key, object? value) in extensions) problem.Extensions[key] = value;

        if (exception is OutOfMemoryException)
        {
            memory.OnOutOfMemory();
            context.Response.Headers.RetryAfter = "1";
        }
        // A server fault is logged with its stack trace; a client's error is the client's to fix, so it is logged
        // only at Debug, with what the client was told and without a stack trace.
        if (problem.Status >= 500)
            Unhandled(logger, exception, context.Request.Method, context.Request.Path);
        else
            Refused(logger, context.Request.Method, context.Request.Path, problem.Status!.Value, problem.Detail);

        context.Response.StatusCode = problem.Status!.Value;
        bool written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
        // A body too large is refused before all of it is read: what is left is drained, so the client can read this.
        if (problem.Status == StatusCodes.Status413PayloadTooLarge) await TooLargeBody.DrainAsync(context);
        return written;
    }

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request is too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status408RequestTimeout => "The request took too long to arrive",
        _ => "The request is not valid",
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void Unhandled(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Refused {Method} {Path} with {Status}: {Detail}")]
    private static partial void Refused(ILogger logger, string method, PathString path, int status, string? detail);
}
