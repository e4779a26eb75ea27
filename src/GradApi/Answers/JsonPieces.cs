using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GradApi.Answers;

/// <summary>
/// Writes the long arrays of an answer (a node per element, or a number per sample) as raw UTF-8 straight
/// into the response pipe, 64 KiB at a time, each flushed to the client as it is filled, so a million-node
/// answer is never held in memory. Numbers go through <see cref="ShortestDouble"/>, strings through the
/// same encoder as the answer's <c>Utf8JsonWriter</c>: the bytes are the ones the writer would write.
/// </summary>
internal static class JsonPieces
{
    /// <summary>Labels such as "x + y" stay readable: only what JSON itself requires is escaped.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The writer options of every answer, with <see cref="Encoder"/>.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true, Encoder = Encoder };

    /// <summary>What one chunk holds before it is handed to the client.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>The most an escaped character takes: "\uXXXX" for a byte or a UTF-16 char.</summary>
    public const int MaxEscapedBytesPerChar = 6;

    /// <summary>
    /// Writes <paramref name="pieces"/> to <paramref name="pipe"/>, a chunk at a time, flushing each: a small run on
    /// this thread, a long one with the chunks after the first formatted on spare cores (<see cref="ParallelChunks"/>).
    /// Whatever a <c>Utf8JsonWriter</c> on the same pipe wrote before must be flushed to it first.
    /// </summary>
    public static ValueTask WriteAsync(PipeWriter pipe, IJsonPieces pieces, CancellationToken cancellationToken) =>
        WriteAsync(pipe, pieces, ArrayPool<byte>.Shared, idlePoolOnly: true, cancellationToken);

    /// <summary>
    /// <see cref="WriteAsync(PipeWriter, IJsonPieces, CancellationToken)"/> with the chunks' buffers from
    /// <paramref name="pool"/>, and (without <paramref name="idlePoolOnly"/>) on spare cores however busy the
    /// thread pool: for tests.
    /// </summary>
    internal static async ValueTask WriteAsync(PipeWriter pipe, IJsonPieces pieces, ArrayPool<byte> pool, bool idlePoolOnly,
        CancellationToken cancellationToken)
    {
        if (pieces.Next == pieces.Count) return;
        // The first chunk as every chunk of a small answer; how many pieces it held sizes the chunks of a long one.
        int first = pieces.Next;
        await WriteChunkAsync(pipe, pieces, pieces.Count, cancellationToken);
        ParallelChunks? parallel = ParallelChunks.After(pieces, pieces.Next - first, pool, idlePoolOnly);
        await (parallel is null ? WriteAsync(pipe, pieces, pieces.Count, cancellationToken) : parallel.WriteAsync(pipe, cancellationToken));
    }

    /// <summary>Writes the pieces from <paramref name="pieces"/>' next one to <paramref name="end"/>, on this thread, a chunk at a time, flushing each.</summary>
    public static async ValueTask WriteAsync(PipeWriter pipe, IJsonPieces pieces, int end, CancellationToken cancellationToken)
    {
        while (pieces.Next < end) await WriteChunkAsync(pipe, pieces, end, cancellationToken);
    }

    /// <summary>
    /// Formats one chunk into the pipe and flushes it; first throws if the request was aborted, for Kestrel's flush
    /// does not once the connection is gone (it drops the bytes), and the rest of a long answer would be formatted
    /// for nobody.
    /// </summary>
    private static ValueTask<FlushResult> WriteChunkAsync(PipeWriter pipe, IJsonPieces pieces, int end, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int size = Math.Max(ChunkBytes, pieces.NextPieceBytes);
        pipe.Advance(pieces.Fill(pipe.GetSpan(size)[..size], end));
        return pipe.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The content of a JSON string holding <paramref name="utf8"/>, escaped as the answer's writer escapes
    /// it: the bytes themselves when nothing needs escaping (ids nearly always), a new array otherwise.
    /// </summary>
    public static ReadOnlySpan<byte> Escaped(ReadOnlySpan<byte> utf8) =>
        !utf8.ContainsAnyExcept(Unescaped) || Encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0
            ? utf8
            : JsonEncodedText.Encode(utf8, Encoder).EncodedUtf8Bytes;

    /// <summary>
    /// The printable ASCII bar the quote and the backslash: what <see cref="Encoder"/> leaves as it is. A plain
    /// search for anything else is quicker on a short id than asking the encoder.
    /// </summary>
    private static readonly SearchValues<byte> Unescaped = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(c => c is not '"' and not '\\').Select(c => (byte)c)]);

    /// <summary>Copies <paramref name="bytes"/> to <paramref name="destination"/> at <paramref name="at"/> and returns where they end.</summary>
    public static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination, int at)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="at"/> and returns where it ends.</summary>
    public static int PutNumber(double value, Span<byte> destination, int at) =>
        at + ShortestDouble.Format(value, destination[at..]);
}
