using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Insight;
using GradApi.Engine.Ops;

namespace GradApi.Evaluate;

/// <summary>
/// Writes an evaluation as the contract's <see cref="EvaluateResponse"/> straight from the
/// engine's buffers, flushing as it goes, so a million-node answer is never built in memory.
/// The headers are gone by the time the writing ends, so its duration, <c>write;dur=...</c>, is
/// sent as a Server-Timing trailer where Kestrel carries trailers (HTTP/2 and HTTP/3) and not at
/// all where it does not (HTTP/1.1, even with this answer's chunked body).
/// </summary>
internal sealed class EvaluationJsonResult(EvaluationResult evaluation, IReadOnlyList<BackwardStep>? steps = null,
    GradientCheckResult? check = null) : IResult
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Labels such as "x + y" stay readable: only what JSON itself requires is escaped.</summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Each op's name by code, encoded once rather than for every node written.</summary>
    private static readonly JsonEncodedText[] OpNames = EncodeOpNames();

    private static JsonEncodedText[] EncodeOpNames()
    {
        var names = new JsonEncodedText[OpTable.All.Count];
        foreach (Op op in OpTable.All) names[(int)op.Code] = JsonEncodedText.Encode(op.Name);
        return names;
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        bool trailers = response.SupportsTrailers();
        if (trailers) response.DeclareTrailer(ServerTiming.HeaderName);
        var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);

        GraphSpec spec = evaluation.Tape.Spec;
        long flushed = 0;
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
                writer.WriteString("id"u8, spec.IdUtf8(i)); // the bytes as sent: no string per node
                writer.WriteString("op"u8, OpNames[(int)evaluation.Tape.OpAt(evaluation.Tape.PositionOf(i))]);
                writer.WriteNumber("value"u8, evaluation.ValueOf(i));
                writer.WriteNumber("grad"u8, evaluation.GradOf(i));
                if (spec.Label(i) is { } label) writer.WriteString("label"u8, label);
                writer.WriteEndObject();
                // Not BytesPending alone: the writer hands its bytes to the pipe whenever the pipe's small
                // segment is full, so what waits unsent is all it wrote since the last flush.
                if (writer.BytesCommitted + writer.BytesPending - flushed > FlushThreshold)
                {
                    writer.Flush();
                    flushed = writer.BytesCommitted;
                    await response.BodyWriter.FlushAsync(context.RequestAborted);
                }
            }
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
        await response.BodyWriter.FlushAsync(context.RequestAborted);
        if (trailers) response.AppendTrailer(ServerTiming.HeaderName, ServerTiming.Metric("write", Stopwatch.GetElapsedTime(start)));
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
