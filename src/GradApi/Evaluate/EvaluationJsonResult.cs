using System.IO.Pipelines;
using System.Text.Json;
using GradApi.Answers;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Insight;
using GradApi.Engine.Ops;

namespace GradApi.Evaluate;

/// <summary>
/// Writes an evaluation as the contract's <see cref="EvaluateResponse"/> straight from the
/// engine's buffers, flushing as it goes, so a million-node answer is never built in memory.
/// The nodes, most of the answer, are written as raw UTF-8 with a number formatter of the service's own
/// (<see cref="NodesJson"/>); the bytes are those <see cref="Utf8JsonWriter"/> would write.
/// The time spent writing follows as a Server-Timing trailer (<see cref="StreamedJsonResult"/>).
/// </summary>
internal sealed class EvaluationJsonResult(EvaluationResult evaluation, IReadOnlyList<BackwardStep>? steps = null,
    GradientCheckResult? check = null) : StreamedJsonResult
{
    public override async Task WriteAsync(PipeWriter pipe, CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(pipe, JsonPieces.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("mode"u8, evaluation.Mode == EvaluationMode.Training ? "training"u8 : "inference"u8);
        writer.WriteString("output"u8, evaluation.Tape.IdAt(evaluation.Tape.Output));
        writer.WriteNumber("value"u8, evaluation.Value);
        if (evaluation.HasGrads)
        {
            // Two numbers per node: the nodes go as raw UTF-8 (NodesJson), not call by call through the writer.
            writer.WriteStartArray("nodes"u8);
            writer.Flush();
            await JsonPieces.WriteAsync(pipe, new NodesJson(evaluation), cancellationToken);
            writer.WriteEndArray();
        }

        if (steps is not null) WriteSteps(writer, steps);
        if (check is not null) WriteCheck(writer, check);

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
        await pipe.FlushAsync(cancellationToken);
    }

    private static void WriteSteps(Utf8JsonWriter writer, IReadOnlyList<BackwardStep> steps)
    {
        writer.WriteStartArray("backward"u8);
        foreach (BackwardStep step in steps)
        {
            writer.WriteStartObject();
            writer.WriteString("node"u8, step.Node);
            writer.WriteString("input"u8, step.Input);
            WriteNumberOrNull(writer, "local"u8, step.Local);
            WriteNumberOrNull(writer, "upstream"u8, step.Upstream);
            WriteNumberOrNull(writer, "product"u8, step.Product);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteCheck(Utf8JsonWriter writer, GradientCheckResult check)
    {
        writer.WriteStartObject("gradcheck"u8);
        writer.WriteNumber("eps"u8, check.Eps);
        writer.WriteNumber("atol"u8, check.Atol);
        writer.WriteNumber("rtol"u8, check.Rtol);
        writer.WriteBoolean("passed"u8, check.Passed);
        writer.WriteString("method"u8, check.Method == GradientCheckMethod.Leaves ? "leaves"u8 : "direction"u8);
        writer.WriteStartArray("leaves"u8);
        foreach (LeafCheck leaf in check.Leaves)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, leaf.Id);
            WriteNumberOrNull(writer, "analytic"u8, leaf.Analytic);
            WriteNumberOrNull(writer, "numeric"u8, leaf.Numeric);
            WriteNumberOrNull(writer, "absError"u8, leaf.AbsError);
            writer.WriteBoolean("passed"u8, leaf.Passed);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (check.Direction is { } direction)
        {
            writer.WriteStartObject("direction"u8);
            WriteNumberOrNull(writer, "analytic"u8, direction.Analytic);
            WriteNumberOrNull(writer, "numeric"u8, direction.Numeric);
            WriteNumberOrNull(writer, "absError"u8, direction.AbsError);
            writer.WriteBoolean("passed"u8, direction.Passed);
            writer.WriteEndObject();
        }
        writer.WriteStartArray("kinks"u8);
        foreach (Kink kink in check.Kinks)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, kink.Id);
            writer.WriteString("op"u8, kink.Op);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>JSON has no NaN or infinity: such a number is written as null.</summary>
    private static void WriteNumberOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
