using System.Buffers;
using System.Text.Json;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using EngineEvaluation = GradApi.Engine.Evaluation.Evaluation;

namespace GradApi.Evaluate;

/// <summary>
/// Writes an evaluation as the contract's <see cref="EvaluateResponse"/> straight from the
/// engine's buffers, flushing as it goes, so a million-node answer is never built in memory.
/// </summary>
internal sealed class EvaluationResult(EngineEvaluation evaluation) : IResult
{
    private const int FlushThreshold = 64 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });

        GraphSpec spec = evaluation.Tape.Spec;
        writer.WriteStartObject();
        writer.WriteString("mode"u8, evaluation.Mode == EvaluationMode.Training ? "training"u8 : "inference"u8);
        writer.WriteString("output"u8, evaluation.Tape.IdAt(evaluation.Tape.Output));
        writer.WriteNumber("value"u8, evaluation.Value);
        if (evaluation.HasGrads)
        {
            writer.WriteStartArray("nodes"u8);
            for (int i = 0; i < spec.NodeCount; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, spec.Id(i));
                writer.WriteString("op"u8, OpTable.Get(evaluation.Tape.OpAt(evaluation.Tape.PositionOf(i))).Name);
                writer.WriteNumber("value"u8, evaluation.ValueOf(i));
                writer.WriteNumber("grad"u8, evaluation.GradOf(i));
                if (spec.Label(i) is { } label) writer.WriteString("label"u8, label);
                writer.WriteEndObject();
                if (writer.BytesPending > FlushThreshold)
                {
                    writer.Flush();
                    await response.BodyWriter.FlushAsync(context.RequestAborted);
                }
            }
            writer.WriteEndArray();
        }

        EvaluationStats stats = evaluation.Stats;
        writer.WriteStartObject("stats"u8);
        writer.WriteNumber("nodes"u8, stats.Nodes);
        writer.WriteNumber("edges"u8, stats.Edges);
        writer.WriteNumber("cachedPartials"u8, stats.CachedPartials);
        writer.WriteNumber("peakLiveValues"u8, stats.PeakLiveValues);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await writer.DisposeAsync();
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
