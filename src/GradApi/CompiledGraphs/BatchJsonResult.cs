using System.Diagnostics;
using System.Text.Json;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Writes a batch's answer, columnar: <c>{"mode", "output", "size", "values": [B numbers], "grads": {"id": [B
/// numbers] or number}}</c>, straight from the engine's arrays and flushing as it goes. As for a single evaluation,
/// the time spent writing follows as a Server-Timing trailer (<c>write</c>) where the connection carries trailers.
/// </summary>
internal sealed class BatchJsonResult(CompiledGraph graph, EvaluationMode mode, int[] gradNodes, GradReduce reduce, BatchAnswer answer)
    : IResult
{
    private const int FlushThreshold = 64 * 1024;

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
        long flushed = 0;

        writer.WriteStartObject();
        writer.WriteString("mode"u8, mode == EvaluationMode.Training ? "training"u8 : "inference"u8);
        writer.WriteString("output"u8, graph.Output);
        writer.WriteNumber("size"u8, answer.Size);
        writer.WritePropertyName("values"u8);
        flushed = await WriteNumbers(writer, answer.Values, flushed, context);
        if (mode == EvaluationMode.Training)
        {
            writer.WriteStartObject("grads"u8);
            for (int k = 0; k < gradNodes.Length; k++)
            {
                writer.WritePropertyName(graph.Spec.IdUtf8(gradNodes[k]));
                if (reduce == GradReduce.None) flushed = await WriteNumbers(writer, answer.Grads[k], flushed, context);
                else writer.WriteNumberValue(answer.Grads[k][0]);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.Flush();
        await writer.DisposeAsync();
        await response.BodyWriter.FlushAsync(context.RequestAborted);
        if (trailers) response.AppendTrailer(ServerTiming.HeaderName, ServerTiming.Metric("write", Stopwatch.GetElapsedTime(start)));
    }

    /// <summary>An array of numbers, handing the pipe what is written every 64 KiB.</summary>
    private static async ValueTask<long> WriteNumbers(Utf8JsonWriter writer, double[] numbers, long flushed, HttpContext context)
    {
        writer.WriteStartArray();
        for (int i = 0; i < numbers.Length; i++)
        {
            writer.WriteNumberValue(numbers[i]);
            if (writer.BytesCommitted + writer.BytesPending - flushed > FlushThreshold)
            {
                writer.Flush();
                flushed = writer.BytesCommitted;
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            }
        }
        writer.WriteEndArray();
        return flushed;
    }
}
