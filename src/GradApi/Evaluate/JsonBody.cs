using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using GradApi.Engine.Buffers;
using GradApi.Hosting;
using GradApi.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace GradApi.Evaluate;

/// <summary>
/// A JSON request body read whole into a pooled buffer, up to a limit: the media type checked (415), the size
/// checked whether declared or chunked (413), and how long the receiving took. Disposing gives the buffer back.
/// Every /v1 body that carries values is read this way; a body that carries a graph is handed to its reader piece by
/// piece as it arrives instead (<see cref="ReadAsync(HttpContext, long, string, IJsonBodySink)"/>), with the same checks.
/// </summary>
internal sealed class JsonBody : IDisposable
{
    private byte[] _buffer;

    private JsonBody(byte[] buffer, int length, TimeSpan readTime, TimeSpan gcPausesAtStart)
    {
        _buffer = buffer;
        Length = length;
        ReadTime = readTime;
        GcPausesAtStart = gcPausesAtStart;
    }

    public int Length { get; }

    /// <summary>The body's bytes; valid until disposed.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    /// <summary>The body's bytes, for work that more than one thread shares; valid until disposed.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>How long receiving the body took (the Server-Timing <c>read</c> stage).</summary>
    public TimeSpan ReadTime { get; }

    /// <summary>The process's total GC pause time when the body began to be read (for the Server-Timing <c>gc</c> metric).</summary>
    public TimeSpan GcPausesAtStart { get; }

    /// <exception cref="ProblemException">415 for a body that is not JSON in UTF-8; 413 for one over <paramref name="limit"/> bytes.</exception>
    public static async ValueTask<JsonBody> ReadAsync(HttpContext context, long limit, string what)
    {
        limit = Admit(context, limit, what);
        int initial = (int)Math.Min(context.Request.ContentLength ?? 16 * 1024, limit);
        long start = Stopwatch.GetTimestamp();
        TimeSpan gcPauses = GC.GetTotalPauseDuration();
        byte[] buffer = BufferPool<byte>.Shared.Rent(Math.Max(initial, 1));
        PipeReader reader = context.Request.BodyReader;
        using CancellationTokenRegistration stop = StopOnAbort(context, reader);
        try
        {
            int length = 0;
            while (true)
            {
                ReadResult result = await ReadAsync(context, reader, length, limit);
                ReadOnlySequence<byte> data = result.Buffer;
                long total = length + data.Length;
                if (total > buffer.Length) BufferPool<byte>.Shared.Grow(ref buffer, length, total, limit);
                data.CopyTo(buffer.AsSpan(length));
                length = (int)total;
                reader.AdvanceTo(data.End);
                if (result.IsCompleted) break;
            }
            return new JsonBody(buffer, length, Stopwatch.GetElapsedTime(start), gcPauses);
        }
        catch
        {
            BufferPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Reads the body as <see cref="ReadAsync(HttpContext, long, string)"/> does, with the same checks, but hands it to
    /// <paramref name="sink"/> as it arrives, in pieces of a window that holds only what the sink has not taken yet:
    /// the sink works while the rest of the body is on its way, and the body is never held whole.
    /// </summary>
    /// <remarks>
    /// See <see cref="BodyWindow"/> for the pieces. When the sink refuses the body (a <see cref="ProblemException"/>)
    /// before its end, the rest is still read, and thrown away, before the refusal is thrown on: a client that sends
    /// its whole body before it reads the answer (Python's urllib and requests) reads the problem document rather
    /// than a connection closed under it.
    /// </remarks>
    /// <exception cref="ProblemException">As <see cref="ReadAsync(HttpContext, long, string)"/>, and whatever the sink throws.</exception>
    public static async ValueTask<BodyReading> ReadAsync(HttpContext context, long limit, string what, IJsonBodySink sink)
    {
        limit = Admit(context, limit, what);
        long start = Stopwatch.GetTimestamp(), taking = 0;
        TimeSpan gcPauses = GC.GetTotalPauseDuration();
        using var window = new BodyWindow(context.Request.ContentLength, limit);
        PipeReader reader = context.Request.BodyReader;
        using CancellationTokenRegistration stop = StopOnAbort(context, reader);
        ProblemException? refused = null;
        long received = 0;
        while (true)
        {
            ReadResult result = await ReadAsync(context, reader, received, limit);
            ReadOnlySequence<byte> data = result.Buffer;
            // As much as the window has room for; the rest stays in the pipe, to come at once on the next read.
            int fits = (int)Math.Min(data.Length, window.Room.Length);
            data.Slice(0, fits).CopyTo(window.Room);
            window.Added(fits);
            reader.AdvanceTo(data.GetPosition(fits));
            received += fits;
            bool final = result.IsCompleted && fits == data.Length;
            if (refused is not null)
            {
                window.Clear();
            }
            else if (final || window.Full)
            {
                long began = Stopwatch.GetTimestamp();
                try
                {
                    window.HandTo(sink, final);
                }
                catch (ProblemException problem) when (!final)
                {
                    refused = problem;
                    window.Clear();
                }
                taking += Stopwatch.GetTimestamp() - began;
            }
            if (final) break;
        }
        if (refused is not null) throw refused;
        TimeSpan took = Stopwatch.GetElapsedTime(0, taking);
        return new BodyReading(Stopwatch.GetElapsedTime(start) - took, took, gcPauses);
    }

    /// <summary>
    /// The next read of the body, of which <paramref name="received"/> bytes have come so far: a read cancelled by the
    /// request's abort (see <see cref="StopOnAbort"/>) throws, and so does one that takes the body past <paramref name="limit"/>.
    /// </summary>
    /// <exception cref="ProblemException">413: the body is longer than <paramref name="limit"/>.</exception>
    private static async ValueTask<ReadResult> ReadAsync(HttpContext context, PipeReader reader, long received, long limit)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            if (result.IsCanceled)
            {
                reader.AdvanceTo(result.Buffer.Start);
                context.RequestAborted.ThrowIfCancellationRequested();
                continue;
            }
            if (received + result.Buffer.Length <= limit) return result;
            reader.AdvanceTo(result.Buffer.End);
            throw TooLarge(limit);
        }
    }

    /// <summary>
    /// Checks the media type and the declared length, and returns the most bytes the body may have: <paramref name="limit"/>,
    /// or the work budget if that is less.
    /// </summary>
    /// <exception cref="ProblemException">415 for a body that is not JSON in UTF-8; 413 for one declared over the limit.</exception>
    private static long Admit(HttpContext context, long limit, string what)
    {
        HttpRequest request = context.Request;
        if (!IsPlainJson(request.ContentType) && (!request.HasJsonContentType() || !IsUtf8(request.ContentType)))
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"Send {what} as application/json in UTF-8, not '{request.ContentType ?? "no content type"}'.");

        // Not past the work budget either: a chunked body is admitted by a guess at its size, and one larger than the
        // budget could never have run.
        limit = Math.Min(limit, context.RequestServices.GetRequiredService<WorkLimiter>().BudgetBytes);
        if (request.ContentLength > limit) throw TooLarge(limit);
        // The read loops hold the limit, reading at most one byte past it. Kestrel's own limit is lifted so that a
        // chunked body over the limit stays readable after the 413, for the rest of it to be drained (see TooLargeBody).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;
        return limit;
    }

    /// <summary>
    /// Cancels the pending read of the body's pipe once the request is aborted: the read loops then throw. The pipe is
    /// stopped by CancelPendingRead rather than by a token: a read cancelled by its token is left unfinished inside the
    /// framework's request stream, and no one can read the rest of the body after it (to drain it after a 504, see
    /// TooLargeBody), while a cancelled result is handed back at once.
    /// </summary>
    private static CancellationTokenRegistration StopOnAbort(HttpContext context, PipeReader reader) =>
        context.RequestAborted.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), reader);

    public void Dispose()
    {
        if (_buffer.Length > 0) BufferPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>The usual content types, told without parsing a media type.</summary>
    private static bool IsPlainJson(string? contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase);

    /// <summary>JSON is UTF-8 (RFC 8259): a charset parameter, if any, must say so.</summary>
    private static bool IsUtf8(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    private static ProblemException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "The request is too large",
            $"The body is larger than {limit:N0} bytes, the most this service reads.");
}

/// <summary>How a body handed to a sink was read.</summary>
/// <param name="ReadTime">Receiving it: the time spent waiting for its bytes and copying them (the Server-Timing <c>read</c> stage).</param>
/// <param name="TakeTime">The sink's time with its pieces (the <c>parse</c> stage), spent while the rest of the body was on its way.</param>
/// <param name="GcPausesAtStart">The process's total GC pause time when the body began to be read.</param>
internal readonly record struct BodyReading(TimeSpan ReadTime, TimeSpan TakeTime, TimeSpan GcPausesAtStart);
