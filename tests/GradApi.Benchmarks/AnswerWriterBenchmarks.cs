using System.IO.Pipelines;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using GradApi.Answers;
using GradApi.CompiledGraphs;
using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using GradApi.Evaluate;

namespace GradApi.Benchmarks;

/// <summary>
/// Writing the answers into a response pipe (over <see cref="Stream.Null"/>), flushed every 64 KiB as the
/// service flushes them: the evaluate answer of the 10^6-node random DAG (about 71 MB, a value and a grad
/// per node) and the batch answer of the sigmoid neuron at B = 10^5 (the value and five grads per sample),
/// each by the service's writer against the baseline, the same answer written call by call through
/// <see cref="Utf8JsonWriter"/> as the service wrote it before (byte for byte the same answer: AnswerBytesTests);
/// and the evaluate answer's nodes alone as the service writes them, their chunks formatted on spare cores, against
/// the same nodes written on one thread (ParallelChunksTests: the same bytes).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnswerWriterBenchmarks
{
    private const int FlushThreshold = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonEncodedText[] OpNames = EncodeOpNames();

    private static JsonEncodedText[] EncodeOpNames()
    {
        var names = new JsonEncodedText[OpTable.All.Count];
        foreach (Op op in OpTable.All) names[(int)op.Code] = JsonEncodedText.Encode(op.Name);
        return names;
    }

    private Tape _tape = null!;
    private GraphEngine _engine = null!;
    private EvaluationResult _evaluation;
    private BatchWorkload _workload = null!;
    private BatchEngine _batchEngine = null!;
    private BatchResult _batch;
    private CompiledGraph _graph = null!;

    [GlobalSetup]
    public void Setup()
    {
        GraphSpec spec = RandomGraphs.Dag(1_000_000);
        _tape = new GraphCompiler().Compile(spec).Tape!;
        _engine = new GraphEngine();
        _evaluation = _engine.Evaluate(_tape, EvaluationMode.Training);

        _workload = new BatchWorkload(BatchWorkload.Neuron(), 100_000);
        _batchEngine = new BatchEngine();
        _batch = _workload.Train(_batchEngine);
        var expressions = new GradApi.Engine.Expressions.ExpressionParser();
        _graph = CompiledGraph.Compile(CanonicalGraph.Of(_workload.Spec, _workload.Tape), new GraphCompiler(), expressions)!;
        Check("evaluate", WriteEvaluationAsync, pipe => new EvaluationJsonResult(_evaluation).WriteAsync(pipe, CancellationToken.None));
        Check("batch", WriteBatchAsync, pipe => new BatchJsonResult(_graph, _workload.GradNodes, BatchReduce.None, _batch).WriteAsync(pipe, CancellationToken.None));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _tape.Dispose();
        _batchEngine.Dispose();
        _workload.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("evaluate 10^6 nodes")]
    public Task EvaluateAnswerUtf8JsonWriter() => WriteEvaluationAsync(PipeWriter.Create(Stream.Null));

    [Benchmark, BenchmarkCategory("evaluate 10^6 nodes")]
    public Task EvaluateAnswer() => new EvaluationJsonResult(_evaluation).WriteAsync(PipeWriter.Create(Stream.Null), CancellationToken.None);

    /// <summary>The nodes alone on one thread, as every answer was written before its chunks went to spare cores.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("nodes of 10^6")]
    public Task NodesOneThread() => JsonPieces.WriteAsync(PipeWriter.Create(Stream.Null), new NodesJson(_evaluation), _evaluation.Tape.Spec.NodeCount, CancellationToken.None).AsTask();

    /// <summary>The nodes as the service writes them: the chunks after the first formatted on spare cores.</summary>
    [Benchmark, BenchmarkCategory("nodes of 10^6")]
    public Task Nodes() => JsonPieces.WriteAsync(PipeWriter.Create(Stream.Null), new NodesJson(_evaluation), CancellationToken.None).AsTask();

    [Benchmark(Baseline = true), BenchmarkCategory("batch B = 10^5")]
    public Task BatchAnswerUtf8JsonWriter() => WriteBatchAsync(PipeWriter.Create(Stream.Null));

    [Benchmark, BenchmarkCategory("batch B = 10^5")]
    public Task BatchAnswer() => new BatchJsonResult(_graph, _workload.GradNodes, BatchReduce.None, _batch)
        .WriteAsync(PipeWriter.Create(Stream.Null), CancellationToken.None);

    /// <summary>Both writers give the same bytes, or the comparison means nothing.</summary>
    private static void Check(string answer, Func<PipeWriter, Task> baseline, Func<PipeWriter, Task> service)
    {
        var expected = new MemoryStream();
        var actual = new MemoryStream();
        baseline(PipeWriter.Create(expected)).GetAwaiter().GetResult();
        service(PipeWriter.Create(actual)).GetAwaiter().GetResult();
        if (!expected.ToArray().AsSpan().SequenceEqual(actual.ToArray()))
            throw new InvalidOperationException($"The {answer} answers differ.");
        Console.WriteLine($"// {answer} answer: {actual.Length:N0} bytes, the same from both writers");
    }

    /// <summary>The evaluate answer's nodes as the service wrote them before (without explain or check).</summary>
    private async Task WriteEvaluationAsync(PipeWriter pipe)
    {
        var writer = new Utf8JsonWriter(pipe, WriterOptions);
        GraphSpec spec = _evaluation.Tape.Spec;
        long flushed = 0;
        writer.WriteStartObject();
        writer.WriteString("mode"u8, "training"u8);
        writer.WriteString("output"u8, _evaluation.Tape.IdAt(_evaluation.Tape.Output));
        writer.WriteNumber("value"u8, _evaluation.Value);
        writer.WriteStartArray("nodes"u8);
        for (int i = 0; i < spec.NodeCount; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, spec.IdUtf8(i));
            writer.WriteString("op"u8, OpNames[(int)_evaluation.Tape.OpAt(_evaluation.Tape.PositionOf(i))]);
            writer.WriteNumber("value"u8, _evaluation.ValueOf(i));
            writer.WriteNumber("grad"u8, _evaluation.GradOf(i));
            if (spec.Label(i) is { } label) writer.WriteString("label"u8, label);
            writer.WriteEndObject();
            if (writer.BytesCommitted + writer.BytesPending - flushed > FlushThreshold)
            {
                writer.Flush();
                flushed = writer.BytesCommitted;
                await pipe.FlushAsync();
            }
        }
        writer.WriteEndArray();
        writer.WriteStartObject("stats"u8);
        writer.WriteNumber("nodes"u8, _evaluation.Stats.Nodes);
        writer.WriteNumber("edges"u8, _evaluation.Stats.Edges);
        writer.WriteNumber("cachedPartials"u8, _evaluation.Stats.CachedPartials);
        writer.WriteNumber("peakLiveValues"u8, _evaluation.Stats.PeakLiveValues);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await writer.DisposeAsync();
        await pipe.FlushAsync();
    }

    /// <summary>The batch answer as the service wrote it before.</summary>
    private async Task WriteBatchAsync(PipeWriter pipe)
    {
        var writer = new Utf8JsonWriter(pipe, WriterOptions);
        long flushed = 0;
        writer.WriteStartObject();
        writer.WriteString("mode"u8, "training"u8);
        writer.WriteString("output"u8, _graph.Output);
        writer.WriteNumber("size"u8, _batch.Size);
        writer.WriteStartArray("values"u8);
        flushed = await WriteNumbersAsync(writer, pipe, null, flushed);
        writer.WriteEndArray();
        writer.WriteStartObject("grads"u8);
        for (int k = 0; k < _workload.GradNodes.Length; k++)
        {
            writer.WritePropertyName(_graph.Spec.IdUtf8(_workload.GradNodes[k]));
            writer.WriteStartArray();
            flushed = await WriteNumbersAsync(writer, pipe, k, flushed);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await writer.DisposeAsync();
        await pipe.FlushAsync();
    }

    private async Task<long> WriteNumbersAsync(Utf8JsonWriter writer, PipeWriter pipe, int? grad, long flushed)
    {
        for (int from = 0; from < _batch.Size; from += 2048)
        {
            WriteNumbers(writer, grad is { } k ? _batch.Grad(k) : _batch.Values, from);
            if (writer.BytesCommitted + writer.BytesPending - flushed > FlushThreshold)
            {
                writer.Flush();
                await pipe.FlushAsync();
                flushed = writer.BytesCommitted;
            }
        }
        return flushed;
    }

    private static void WriteNumbers(Utf8JsonWriter writer, ReadOnlySpan<double> numbers, int from)
    {
        foreach (double number in numbers.Slice(from, Math.Min(2048, numbers.Length - from))) writer.WriteNumberValue(number);
    }
}
