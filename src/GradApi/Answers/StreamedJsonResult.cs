using System.Diagnostics;
using System.IO.Pipelines;
using GradApi.Evaluate;

namespace GradApi.Answers;

/// <summary>
/// A 200 JSON answer written straight into the response pipe as it is produced (<see cref="WriteAsync"/>), never
/// built in memory. The headers are gone by the time the writing ends, so its duration, <c>write;dur=...</c>, is
/// sent as a Server-Timing trailer where Kestrel carries trailers (HTTP/2 and HTTP/3) and not at all where it does
/// not (HTTP/1.1, even with a chunked body).
/// </summary>
internal abstract class StreamedJsonResult : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        bool trailers = response.SupportsTrailers();
        if (trailers) response.DeclareTrailer(ServerTiming.HeaderName);
        await WriteAsync(response.BodyWriter, context.RequestAborted);
        if (trailers) response.AppendTrailer(ServerTiming.HeaderName, ServerTiming.Metric("write", Stopwatch.GetElapsedTime(start)));
    }

    /// <summary>Writes the answer to <paramref name="pipe"/>, flushing it every 64 KiB or so.</summary>
    public abstract Task WriteAsync(PipeWriter pipe, CancellationToken cancellationToken);
}
