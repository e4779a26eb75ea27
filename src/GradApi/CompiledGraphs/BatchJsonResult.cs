using System.IO.Pipelines;
using System.Text.Json;
using GradApi.Answers;
using GradApi.Engine.Batching;
using GradApi.Engine.Evaluation;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Writes a batch's answer, columnar: <c>{"mode", "output", "size", "values": [B numbers], "grads": {"id": [B
/// numbers] or number}}</c>, straight from the batch engine's buffers and flushing as it goes, the time spent
/// writing as a Server-Timing trailer (<see cref="StreamedJsonResult"/>). The numbers, most of the answer, are written as raw UTF-8 with a number formatter of the
/// service's own (<see cref="BatchNumbersJson"/>); the bytes are those <see cref="Utf8JsonWriter"/> would write.
/// </summary>
internal sealed class BatchJsonResult(CompiledGraph graph, int[] gradNodes, BatchReduce reduce, BatchResult result) : StreamedJsonResult
{
    public override async Task WriteAsync(PipeWriter pipe, CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(pipe, JsonPieces.WriterOptions);
        bool training = result.Mode == EvaluationMode.Training;

        writer.WriteStartObject();
        writer.WriteString("mode"u8, training ? "training"u8 : "inference"u8);
        writer.WriteString("output"u8, graph.Output);
        writer.WriteNumber("size"u8, result.Size);
        writer.WriteStartArray("values"u8);
        await WriteNumbersAsync(writer, pipe, grad: null, cancellationToken);
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
                    await WriteNumbersAsync(writer, pipe, k, cancellationToken);
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
        await pipe.FlushAsync(cancellationToken);
    }

    /// <summary>One number per sample, as raw UTF-8 (<see cref="BatchNumbersJson"/>) after what the writer holds.</summary>
    private async ValueTask WriteNumbersAsync(Utf8JsonWriter writer, PipeWriter pipe, int? grad, CancellationToken cancellationToken)
    {
        writer.Flush();
        await JsonPieces.WriteAsync(pipe, new BatchNumbersJson(result, grad), cancellationToken);
    }
}
