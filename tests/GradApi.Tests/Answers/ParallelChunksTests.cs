using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using GradApi.Answers;
using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Answers;

/// <summary>
/// A long run of pieces written with its chunks formatted on spare cores is byte for byte the run written on one
/// thread, wherever the chunks are cut (in an escaped id, before a label, past a piece longer than a chunk); and on
/// every way out, the end, a number that cannot be written, a cancelled request, a client gone, every buffer goes
/// back to the pool and no thread formats anything once the writing is over.
/// </summary>
public sealed class ParallelChunksTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(700)]
    [InlineData(5_000)] // longer than a buffer holds: the writer writes the rest of each chunk itself
    public async Task Nodes_InChunksOfAnySize_AreTheOneThreadBytes(int perChunk)
    {
        using var graph = Evaluated(RandomGraph(gates: 8_000, seed: perChunk));
        byte[] expected = await OneThread(new NodesJson(graph.Evaluation));
        var pool = new CountingPool();
        var pieces = new NodesJson(graph.Evaluation);
        ParallelChunks chunks = null!;
        var client = new Client(holdUntil: () => chunks.HelperChunks > 0);
        chunks = new ParallelChunks(pieces, perChunk, helpers: 1, pool, idlePoolOnly: false);

        await chunks.WriteAsync(PipeWriter.Create(client), CancellationToken.None);

        Assert.Equal(expected, client.ToArray());
        Assert.True(chunks.HelperChunks > 0);
        Assert.Equal(ParallelChunks.Window, pool.Rented);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task EvaluateAnswer_OfALongRun_IsWrittenOnSpareCores_AndIsTheOneThreadBytes()
    {
        using var graph = Evaluated(RandomGraph(gates: 30_000, seed: 7));
        byte[] expected = await OneThread(new NodesJson(graph.Evaluation));
        var pool = new CountingPool();
        var written = new MemoryStream();

        await JsonPieces.WriteAsync(PipeWriter.Create(written), new NodesJson(graph.Evaluation), pool, idlePoolOnly: false, CancellationToken.None);

        Assert.Equal(expected, written.ToArray());
        Assert.True(expected.Length > ParallelChunks.MinChunks * 2 * JsonPieces.ChunkBytes, $"{expected.Length} bytes");
        Assert.True(pool.Rented > 0, "the chunks were not formatted on spare cores");
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task ShortRun_StaysOnOneThread_AndRentsNothing()
    {
        using var graph = Evaluated(RandomGraph(gates: 2_000, seed: 3));
        byte[] expected = await OneThread(new NodesJson(graph.Evaluation));
        var pool = new CountingPool();
        var written = new MemoryStream();

        await JsonPieces.WriteAsync(PipeWriter.Create(written), new NodesJson(graph.Evaluation), pool, idlePoolOnly: false, CancellationToken.None);

        Assert.Equal(expected, written.ToArray());
        Assert.InRange(expected.Length, 2 * JsonPieces.ChunkBytes, ParallelChunks.MinChunks * JsonPieces.ChunkBytes);
        Assert.Equal(0, pool.Rented);
    }

    [Fact]
    public async Task BatchNumbers_InChunks_AreTheOneThreadBytes()
    {
        using var graph = Evaluated(Graphs.SigmoidNeuron);
        var random = new Random(11);
        const int Size = 60_000;
        var inputs = new BatchInputs(Size);
        foreach (string id in new[] { "x0", "x1", "w2" })
            inputs.Set(graph.Node(id), Enumerable.Range(0, Size).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 7))).ToArray());
        using var engine = new BatchEngine();
        int[] gradNodes = [graph.Node("w0"), graph.Node("x0"), graph.Node("d")];
        BatchResult result = engine.Evaluate(graph.Tape, inputs, EvaluationMode.Training, gradNodes, BatchReduce.None);
        Assert.True(result.Succeeded);

        foreach (int? grad in new int?[] { null, 0, 1, 2 })
        {
            byte[] expected = await OneThread(new BatchNumbersJson(result, grad));
            var pool = new CountingPool();
            ParallelChunks chunks = null!;
            var client = new Client(holdUntil: () => chunks.HelperChunks > 0);
            chunks = new ParallelChunks(new BatchNumbersJson(result, grad), 1_000, helpers: 1, pool, idlePoolOnly: false);

            await chunks.WriteAsync(PipeWriter.Create(client), CancellationToken.None);

            Assert.Equal(expected, client.ToArray());
            Assert.True(chunks.HelperChunks > 0);
            Assert.Equal(pool.Rented, pool.Returned);
        }
    }

    [Fact]
    public async Task HelperHeldUp_TheWriterGoesOnAlone_WithTheSameBytes()
    {
        double[] numbers = Numbers(100_000);
        byte[] expected = await OneThread(new WatchedNumbers(numbers));
        var pieces = new WatchedNumbers(numbers);
        pieces.Watched.CopyFillMilliseconds = 5; // as a helper whose core the machine gives to other work
        var pool = new CountingPool();
        var written = new MemoryStream();
        var chunks = new ParallelChunks(pieces, 250, helpers: 1, pool, idlePoolOnly: false);

        await chunks.WriteAsync(PipeWriter.Create(written), CancellationToken.None);

        Assert.Equal(expected, written.ToArray());
        Assert.InRange(chunks.HelperChunks, 0, ParallelChunks.Window); // what it took before the writer gave up on it
        await AssertNothingLeftBehind(pieces.Watched, pool);
    }

    [Fact]
    public async Task NumberThatCannotBeWritten_FailsTheWriting_AndLeavesNothingBehind()
    {
        double[] numbers = Numbers(200_000);
        numbers[150_000] = double.NaN; // JSON has none; an answer never holds one, but a bug could
        var pieces = new WatchedNumbers(numbers);
        pieces.Watched.FillMilliseconds = 2;
        var pool = new CountingPool();
        ParallelChunks chunks = null!;
        var client = new Client(holdUntil: () => chunks.HelperChunks > 0);
        chunks = new ParallelChunks(pieces, 3_000, helpers: 1, pool, idlePoolOnly: false);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await chunks.WriteAsync(PipeWriter.Create(client), CancellationToken.None));

        await AssertNothingLeftBehind(pieces.Watched, pool);
        byte[] full = Encoding.UTF8.GetBytes(string.Join(",", numbers[..150_000].Select(n => JsonSerializer.Serialize(n))));
        Assert.True(full.AsSpan().StartsWith(client.ToArray()), "the bytes sent are not the answer's first bytes");
    }

    [Fact]
    public async Task CancelledMidAnswer_StopsWithinAChunk_AndLeavesNothingBehind()
    {
        var pieces = new WatchedNumbers(Numbers(300_000));
        pieces.Watched.FillMilliseconds = 2;
        var pool = new CountingPool();
        using var aborted = new CancellationTokenSource();
        ParallelChunks chunks = null!;
        var client = new Client(holdUntil: () => chunks.HelperChunks > 0, onFlush: flush =>
        {
            if (flush == 10) aborted.Cancel(); // as Kestrel's RequestAborted when the connection goes
        });
        chunks = new ParallelChunks(pieces, 2_000, helpers: 1, pool, idlePoolOnly: false);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await chunks.WriteAsync(PipeWriter.Create(client), aborted.Token));

        await AssertNothingLeftBehind(pieces.Watched, pool);
        Assert.InRange(client.Length, 9 * 20_000, 12 * JsonPieces.ChunkBytes);
    }

    [Fact]
    public async Task ClientGoneMidAnswer_FailsTheWriting_AndLeavesNothingBehind()
    {
        var pieces = new WatchedNumbers(Numbers(300_000));
        pieces.Watched.FillMilliseconds = 2;
        var pool = new CountingPool();
        ParallelChunks chunks = null!;
        var client = new Client(holdUntil: () => chunks.HelperChunks > 0, onFlush: flush =>
        {
            if (flush >= 5) throw new IOException("Connection reset by peer");
        });
        chunks = new ParallelChunks(pieces, 2_000, helpers: 1, pool, idlePoolOnly: false);

        await Assert.ThrowsAsync<IOException>(async () => await chunks.WriteAsync(PipeWriter.Create(client), CancellationToken.None));

        await AssertNothingLeftBehind(pieces.Watched, pool);
    }

    /// <summary>Every buffer back in the pool, no thread formatting when the writing ended, and none after.</summary>
    private static async Task AssertNothingLeftBehind(WatchedNumbers.Watch watch, CountingPool pool)
    {
        watch.Ended = true;
        Assert.Equal(0, Volatile.Read(ref watch.Formatting));
        Assert.Equal(ParallelChunks.Window, pool.Rented);
        Assert.Equal(pool.Rented, pool.Returned);
        await Task.Delay(50); // time for a helper that was never stopped to show itself
        Assert.Equal(0, Volatile.Read(ref watch.FormattedAfterEnd));
        Assert.Equal(0, Volatile.Read(ref watch.Formatting));
    }

    private static double[] Numbers(int count)
    {
        var random = new Random(count);
        return [.. Enumerable.Range(0, count).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-9, 10)))];
    }

    /// <summary>The pieces written on this thread alone, chunk after chunk.</summary>
    private static async Task<byte[]> OneThread(IJsonPieces pieces)
    {
        var written = new MemoryStream();
        PipeWriter pipe = PipeWriter.Create(written);
        await JsonPieces.WriteAsync(pipe, pieces, pieces.Count, CancellationToken.None);
        await pipe.FlushAsync();
        return written.ToArray();
    }

    /// <summary>
    /// A random graph whose ids and labels need escaping (quotes, backslashes, control characters, emoji), one label
    /// longer than a chunk, values across magnitudes.
    /// </summary>
    private static string RandomGraph(int gates, int seed)
    {
        var random = new Random(seed);
        var nodes = new List<object>();
        var ids = new List<string>();
        string[] odd = ["q\"uote", "back\\slash", "caf\u00e9", "smile\U0001F600", "tab\tand\u0001", "\u2028line"];
        for (int i = 0; i < 30; i++)
        {
            string id = i < odd.Length ? odd[i] : $"in{i}";
            double value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9));
            nodes.Add(new { id, op = "input", value, label = i % 4 == 0 ? $"input \"{id}\" \u00e0" : null });
            ids.Add(id);
        }
        string[] ops = ["add", "mul", "sin", "tanh", "sigmoid"];
        for (int g = 0; g < gates; g++)
        {
            string op = ops[random.Next(ops.Length)];
            string[] inputs = op is "add" or "mul" ? [ids[random.Next(ids.Count)], ids[random.Next(ids.Count)]] : [ids[random.Next(ids.Count)]];
            string id = g % 331 == 1 ? $"g{g}\"\u00e9\\\U0001F600" : $"g{g}";
            string? label = g == gates / 2 ? string.Concat(Enumerable.Repeat("a \"long\" label\u0001 ", 8_000)) : g % 40 == 0 ? $"gate {g} <{op}>" : null;
            nodes.Add(new { id, op, inputs, label });
            ids.Add(id);
        }
        return JsonSerializer.Serialize(new { nodes, output = ids[^1] },
            new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }

    private static EvaluatedGraph Evaluated(string json) => new(GraphJsonReader.Read(Encoding.UTF8.GetBytes(json), int.MaxValue, new ExpressionParser()));

    /// <summary>A graph compiled and evaluated in training, and what it holds until disposed.</summary>
    private sealed class EvaluatedGraph : IDisposable
    {
        private readonly GraphSpec _spec;
        private readonly GraphEngine _engine = new();

        public EvaluatedGraph(GraphSpec spec)
        {
            _spec = spec;
            Tape = new GraphCompiler().Compile(spec).Tape!;
            Evaluation = _engine.Evaluate(Tape, EvaluationMode.Training);
            Assert.True(Evaluation.Succeeded);
        }

        public Tape Tape { get; }

        public EvaluationResult Evaluation { get; }

        public int Node(string id) => Enumerable.Range(0, _spec.NodeCount).Single(node => _spec.Id(node) == id);

        public void Dispose()
        {
            _engine.Dispose();
            Tape.Dispose();
        }
    }
}
