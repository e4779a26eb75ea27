using System.Diagnostics;
using System.Text.Json;
using GradApi.Engine.Batching;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Writes a batch's answer, columnar: <c>{"mode", "output", "size", "values": [B numbers], "grads": {"id": [B
/// numbers] or number}}</c>, straight from the batch engine's buffers and flushing as it goes. As for a single
/// evaluation, the time spent writing follows as a Server-Timing trailer (<c>write</c>) where the connection
/// carries trailers.
/// </summary>
internal sealed class BatchJsonResult(CompiledGraph graph, int[] gradNodes, BatchReduce reduce, BatchResult result) : IResult
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>How many numbers are written between two looks at what waits to be flushed.</summary>
    private const int Chunk = 2048;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task ExecuteAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        bool trailers = response.SupportsTrailers();
        if (trailers) response.DeclareTrailer(ServerTiming.HeaderName);
        var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        bool training = result.Mode == EvaluationMode.Training;
        long flushed = 0;

        writer.WriteStartObject();
        writer.WriteString("mode"u8, training ? "training"u8 : "inference"u8);
        writer.WriteString("output"u8, graph.Output);
        writer.WriteNumber("size"u8, result.Size);
        writer.WriteStartArray("values"u8);
        for (int from = 0; from < result.Size; from += Chunk)
        {
            WriteNumbers(writer, result.Values, from);
            flushed = await FlushIfFull(writer, flushed, context);
        }
        writer.WriteEndArray();
        if (training)
        {
            writer.WriteStartObject("grads"u8);
            for (int k = 0; k < gradNodes.Length; k++)
            {
                writer.WritePropertyName(graph.Spec.IdUtf8(gradNodes[k]));
                if (reduce == BatchReduce.None)
                {
                    writer.WriteStartArray();
                    for (int from = 0; from < result.Size; from += Chunk)
                    {
                        WriteNumbers(writer, result.Grad(k), from);
                        flushed = await FlushIfFull(writer, flushed, context);
                    }
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteNumberValue(result.Grad(k)[0]);
                }
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.Flush();
        await writer.DisposeAsync();
        await response.BodyWriter.FlushAsync(context.RequestAborted);
        if (trailers) response.AppendTrailer(ServerTiming.HeaderName, ServerTiming.Metric("write", Stopwatch.GetElapsedTime(start)));
    }

    /// <summary>Up to <see cref="Chunk"/> numbers of <paramref name="numbers"/> from <paramref name="from"/>.</summary>
    private static void WriteNumbers(Utf8JsonWriter writer, ReadOnlySpan<double> numbers, int from)
    {
        foreach (double number in numbers.Slice(from, Math.Min(Chunk, numbers.Length - from)))
            writer.WriteNumberValue(number);
    }

    /// <summary>Hands the pipe what is written once 64 KiB wait unsent.</summary>
    private static async ValueTask<long> FlushIfFull(Utf8JsonWriter writer, long flushed, HttpContext context)
    {
        // Not BytesPending alone: the writer hands its bytes to the pipe whenever the pipe's small segment is full.
        if (writer.BytesCommitted + writer.BytesPending - flushed <= FlushThreshold) return flushed;
        writer.Flush();
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        return writer.BytesCommitted;
    }
}
