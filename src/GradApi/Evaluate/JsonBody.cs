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
/// Every /v1 body that carries a graph or its values is read this way.
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
        HttpRequest request = context.Request;
        if (!IsPlainJson(request.ContentType) && (!request.HasJsonContentType() || !IsUtf8(request.ContentType)))
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"Send {what} as application/json in UTF-8, not '{request.ContentType ?? "no content type"}'.");

        // Not past the work budget either: a chunked body is admitted by a guess at its size, and one larger than the
        // budget could never have run.
        limit = Math.Min(limit, context.RequestServices.GetRequiredService<WorkLimiter>().BudgetBytes);
        if (request.ContentLength > limit) throw TooLarge(limit);
        // The loop below holds the limit, reading at most one byte past it. Kestrel's own limit is lifted so that a
        // chunked body over the limit stays readable after the 413, for the rest of it to be drained (see TooLargeBody).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;

        int initial = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit);
        long start = Stopwatch.GetTimestamp();
        TimeSpan gcPauses = GC.GetTotalPauseDuration();
        byte[] buffer = BufferPool<byte>.Shared.Rent(Math.Max(initial, 1));
        // The body's pipe, read directly and stopped by CancelPendingRead rather than by a token: a read cancelled by
        // its token is left unfinished inside the framework's request stream, and no one can read the rest of the body
        // after it (to drain it after a 504, see TooLargeBody), while a cancelled result here is handed back at once.
        PipeReader reader = request.BodyReader;
        using CancellationTokenRegistration stop = context.RequestAborted.UnsafeRegister(
            static state => ((PipeReader)state!).CancelPendingRead(), reader);
        try
        {
            int length = 0;
            while (true)
            {
                ReadResult result = await reader.ReadAsync();
                ReadOnlySequence<byte> data = result.Buffer;
                if (result.IsCanceled)
                {
                    reader.AdvanceTo(data.Start);
                    context.RequestAborted.ThrowIfCancellationRequested();
                    continue;
                }
                long total = length + data.Length;
                if (total > limit)
                {
                    reader.AdvanceTo(data.End);
                    throw TooLarge(limit);
                }
                if (total > buffer.Length)
                {
                    byte[] larger = BufferPool<byte>.Shared.Rent((int)Math.Min(Math.Max((long)buffer.Length * 2, total), limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    BufferPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
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
