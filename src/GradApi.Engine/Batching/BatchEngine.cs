using System.Buffers;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Numerics.Tensors;
using GradApi.Engine.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Batching;

/// <summary>
/// Runs one tape over B samples at once: every node holds B lanes, one per sample, and each gate
/// runs once per tile of lanes through its op's lane rule in <see cref="OpTable"/> (TensorPrimitives
/// where that gives the scalar rule's bits, the scalar rule lane by lane where it does not), so lane
/// i of every value and grad is what <see cref="GraphEngine"/> gives for sample i, to the bit.
/// Backward is the scalar engine's one loop that knows no op, over rows of lanes:
/// grad[input] += grad[node] * local[edge], as one TensorPrimitives.MultiplyAdd per edge. An edge
/// whose local gradient is a constant (add's 1, sub's and neg's -1: nearly half the edges of a
/// typical graph) keeps no row: backward adds or subtracts the grad row, the same bits.
/// </summary>
/// <remarks>
/// The tiles are independent: a batch big enough runs them on every core (up to four threads, each
/// taking the next tile) while the thread pool has no other work waiting, with an answer that is the
/// one thread's to the bit.
/// One engine serves one request: it rents its buffers from a pool, reuses them across the
/// evaluations of that request, and gives them back when disposed. Not thread-safe for its callers; it
/// never writes into the tape, so many engines may evaluate one shared tape at once.
/// </remarks>
public sealed partial class BatchEngine : IDisposable
{
    /// <summary>How many nodes of one tile run between two looks at the cancellation token.</summary>
    private const int CancellationStride = 1024;

    /// <summary>Tiles are whole vectors of lanes: eight doubles fill a 512-bit register.</summary>
    private const int LaneAlign = 8;

    /// <summary>The most lanes in a tile: past a thousand, a row's call is paid for well enough.</summary>
    private const int MaxTileLanes = 1024;

    /// <summary>
    /// What one tile's rows may take: the tape's rows (grads, local gradients and live values in
    /// training; the live values in inference) times the tile's lanes. A tile runs node by node,
    /// forward then backward, before the next one starts, so a tile that stays in the caches is read
    /// back from them by each node's readers and by backward, which reaches for rows all over the
    /// tile. Measured on the 10^4-node DAG at B = 1024 (152 KB of rows per lane; 2 vCPUs with 1 MB of
    /// L2 each and 32 MB of L3, shared with other builds; the fastest of 30 runs each): tiles of 3 to
    /// 4 MB (16 to 24 lanes) took 52 to 56 ms forward and backward, 8 MB 67 ms, 32 MB (256 lanes) 77 ms,
    /// 1 MB (8 lanes, where each row's call is paid for few lanes) 86 ms; backward alone 18, 24 and
    /// 37 ms. Inference, with few live rows, gets whole batches of up to 1024 lanes in one tile.
    /// </summary>
    private const long TileBytes = 4L << 20;

    /// <summary>
    /// The least work (nodes x samples) that runs on more than one thread: about a tenth of a millisecond
    /// on one, where handing tiles to a thread-pool thread costs microseconds.
    /// </summary>
    private const long ParallelWork = 1 << 16;

    /// <summary>The most threads one batch runs on: the calling thread and up to three helpers.</summary>
    private const int MaxWorkers = 4;

    private readonly ArrayPool<double> _pool;
    private readonly int _maxWorkers;
    private readonly long _parallelWork;
    private readonly bool _idlePoolOnly;
    private Workspace[] _workspaces = [];
    private Helper[] _helpers = [];
    private readonly Job _job = new();
    private int _nextTile;
    private int _forwardLimit;
    private volatile bool _forwardFailed;
    private double[] _tileSums = [];
    private double[] _values = [];
    private double[] _gradAnswers = [];
    private int[] _leafSource = [];
    private int[] _gradPositions = [];
    private int[] _edgeLocal = [];
    private byte[] _reached = [];
    private byte[] _firstGrad = [];

    /// <summary>In <see cref="_edgeLocal"/>: the edge's local gradient is 1, or -1, and has no row.</summary>
    private const int LocalOne = -1, LocalMinusOne = -2;

    public BatchEngine() : this(BufferPool<double>.Shared) { }

    public BatchEngine(ArrayPool<double> pool) : this(pool, MaxWorkers, ParallelWork) { }

    /// <summary>
    /// An engine that runs a batch of at least <paramref name="parallelWork"/> node-samples on up to
    /// <paramref name="maxWorkers"/> threads; with <paramref name="idlePoolOnly"/>, only as <see cref="SpareCores"/> allows
    /// (without, on that many threads whatever the machine: for tests).
    /// </summary>
    internal BatchEngine(ArrayPool<double> pool, int maxWorkers, long parallelWork, bool idlePoolOnly = true)
    {
        _pool = pool;
        _maxWorkers = Math.Max(maxWorkers, 1);
        _parallelWork = parallelWork;
        _idlePoolOnly = idlePoolOnly;
    }

    /// <summary>
    /// Evaluates <paramref name="tape"/> at every sample of <paramref name="inputs"/>: the output's value
    /// per sample and, in training, d output / d node for each of <paramref name="gradNodes"/> (request
    /// indexes of any nodes: inputs, consts or gates), per sample or reduced over the samples.
    /// In inference <paramref name="gradNodes"/> is not read and nothing is kept for a backward pass.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A node index is outside the graph.</exception>
    /// <exception cref="ArgumentException">A value is set for a node that is not an input leaf.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; checked every thousand nodes or so.</exception>
    public BatchResult Evaluate(Tape tape, BatchInputs inputs, EvaluationMode mode, ReadOnlySpan<int> gradNodes,
        BatchReduce reduce, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(tape.IsDisposed, tape);
        bool training = mode == EvaluationMode.Training;
        int n = tape.NodeCount, edges = tape.EdgeCount, size = inputs.Size;
        MapLeaves(tape, inputs);
        int gradCount = training ? MapGrads(tape, gradNodes) : 0;
        int localRows = 0;
        if (training)
        {
            localRows = MapLocals(tape);
            MapFlow(tape);
        }

        // A value is kept only until its last reader has run, in the tape's slots when it has them (a
        // tape compiled for inference), in training too: backward reads local gradients, not values.
        InferencePlan? plan = tape.Inference;
        int valueRows = plan?.SlotCount ?? n;
        long rowsPerLane = training ? (long)n + localRows + valueRows : valueRows;
        int stride = TileLanes(rowsPerLane, size);
        int tiles = (size + stride - 1) / stride;
        int workers = Workers(tiles, (long)n * size);
        EnsureWorkspaces(workers);
        for (int w = 0; w < workers; w++) _workspaces[w].Rent(valueRows * stride, training ? localRows * stride : 0, training ? n * stride : 0, stride);
        double[] values = Rent(_pool, ref _values, size);
        int gradLength = reduce == BatchReduce.None ? size : 1;
        double[] gradAnswers = Rent(_pool, ref _gradAnswers, gradCount * gradLength);
        double[] tileSums = reduce != BatchReduce.None ? Rent(_pool, ref _tileSums, tiles * gradCount) : [];

        Job job = _job;
        (job.Tape, job.Inputs, job.Plan, job.Training, job.GradCount, job.Reduce) = (tape, inputs, plan, training, gradCount, reduce);
        (job.Stride, job.Tiles, job.Values, job.GradAnswers, job.TileSums) = (stride, tiles, values, gradAnswers, tileSums);
        job.CancellationToken = cancellationToken;
        _nextTile = 0;
        _forwardLimit = n;
        _forwardFailed = false;
        long start = Stopwatch.GetTimestamp();
        try
        {
            RunWorkers(workers);
        }
        finally
        {
            job.Clear();
        }
        TimeSpan wall = Stopwatch.GetElapsedTime(start);

        var failure = new BatchFailure();
        long forwardTicks = 0, backwardTicks = 0, answerTicks = 0;
        for (int w = 0; w < workers; w++)
        {
            failure.Merge(_workspaces[w].Failure);
            forwardTicks += _workspaces[w].ForwardTicks;
            backwardTicks += _workspaces[w].BackwardTicks;
            answerTicks += _workspaces[w].AnswerTicks;
        }
        if (reduce != BatchReduce.None && !failure.Found)
        {
            // The tiles' sums added in tile order, as one thread running the tiles in turn would.
            Array.Clear(gradAnswers, 0, gradCount);
            for (int t = 0; t < tiles; t++)
                for (int k = 0; k < gradCount; k++)
                    gradAnswers[k] += tileSums[t * gradCount + k];
        }

        int liveLanes = Math.Min(stride, size);
        var stats = new EvaluationStats(n, edges, training ? localRows * liveLanes : 0, valueRows * liveLanes);
        // Forward, backward and copying into the answer interleave tile by tile on each thread: the wall time
        // of the tiles is split between them as the threads' time was, and the copying is left out.
        double ticks = Math.Max(forwardTicks + backwardTicks + answerTicks, 1);
        return new BatchResult(size, mode, values, training ? gradAnswers : null, gradCount, reduce != BatchReduce.None,
            stats, failure.Error, failure.Sample)
        {
            ForwardTime = wall * (forwardTicks / ticks),
            BackwardTime = wall * (backwardTicks / ticks),
        };
    }

    /// <summary>
    /// How many threads run the tiles: one, unless there are several tiles and enough work to pay for
    /// handing some of it to another core (<see cref="ParallelWork"/> node-samples), then as many as
    /// <see cref="SpareCores"/> allows, at most <see cref="MaxWorkers"/>.
    /// </summary>
    private int Workers(int tiles, long work) =>
        work < _parallelWork ? 1 : Math.Min(_idlePoolOnly ? SpareCores.For(tiles) : tiles, _maxWorkers);

    /// <summary>
    /// Runs the job's tiles on <paramref name="workers"/> threads, this one and helpers from the thread pool,
    /// each taking the next tile until none is left. A helper the pool has not started by the time the others
    /// are done is not waited for (a busy pool costs this batch no time); a failure on any thread is thrown
    /// here once all have stopped.
    /// </summary>
    private void RunWorkers(int workers)
    {
        int started = 1;
        Exception? fault = null;
        try
        {
            for (; started < workers; started++) _helpers[started - 1].Start();
            RunTiles(_workspaces[0]);
        }
        catch (Exception e)
        {
            fault = e;
            StopTiles();
        }
        for (int w = 1; w < started; w++)
            if (!_helpers[w - 1].Join()) _workspaces[w].Reset();
        for (int w = started; w < workers; w++) _workspaces[w].Reset();
        if (fault is not null) ExceptionDispatchInfo.Throw(fault);
        for (int w = 1; w < workers; w++)
            if (_workspaces[w].Fault is { } helperFault) ExceptionDispatchInfo.Throw(helperFault);
    }

    /// <summary>After a fault on any thread: no thread takes another tile.</summary>
    private void StopTiles() => Volatile.Write(ref _nextTile, int.MaxValue);

    /// <summary>One thread's loop: takes the next tile and runs it, until none is left.</summary>
    private void RunTiles(Workspace work)
    {
        Job job = _job;
        work.Reset();
        Tape tape = job.Tape;
        int size = job.Inputs.Size;
        while (true)
        {
            int t = Interlocked.Increment(ref _nextTile) - 1;
            if (t >= job.Tiles || t < 0) return;
            int first = t * job.Stride;
            int width = Math.Min(job.Stride, size - first);
            var tile = new Tile(tape, job.Inputs, job.Plan, work, first, width, job.Stride);
            long start = Stopwatch.GetTimestamp();
            int limit = Volatile.Read(ref _forwardLimit);
            int failed = Forward(tile, job.Training, limit, out int lane, job.CancellationToken);
            long forwardEnd = Stopwatch.GetTimestamp();
            work.ForwardTicks += forwardEnd - start;
            if (failed >= 0)
            {
                if (work.Failure.IsBeatenByForward(failed, first + lane))
                    work.Failure.Keep(Failed(tile, failed, lane), first + lane, failed, -1);
                // Later tiles need not run past this position: a failure there comes after this one, or
                // is this one in a lower sample. The flag first: a tile cut short by the limit must not
                // go on to backward over rows its forward did not write.
                _forwardFailed = true;
                int seen;
                do seen = Volatile.Read(ref _forwardLimit);
                while (failed + 1 < seen && Interlocked.CompareExchange(ref _forwardLimit, failed + 1, seen) != seen);
                continue;
            }
            // Only a forward failure can be the answer now; and a tile whose forward stopped at the limit has
            // rows above it from an earlier tile.
            if (limit < tape.NodeCount || _forwardFailed) continue;

            if (job.Training)
            {
                // A sum that is not finite: a sample failed, or a local gradient that is not finite met a
                // zero grad, which the scalar engine skips. Its loop, lane by lane, tells which.
                if (!BackwardFast(tile, job.CancellationToken)) BackwardExact(tile, ref work.Failure, job.CancellationToken);
                work.BackwardTicks += Stopwatch.GetTimestamp() - forwardEnd;
                if (work.Failure.Found) continue;
            }
            long answerStart = Stopwatch.GetTimestamp();
            Answer(tile, t, job);
            work.AnswerTicks += Stopwatch.GetTimestamp() - answerStart;
        }
    }

    /// <summary>Where one tile's lanes sit: the samples [First, First + Width), rows of Stride lanes.</summary>
    private readonly ref struct Tile(Tape tape, BatchInputs inputs, InferencePlan? plan, Workspace work, int first, int width, int stride)
    {
        public Tape Tape { get; } = tape;
        public BatchInputs Inputs { get; } = inputs;
        public InferencePlan? Plan { get; } = plan;

        /// <summary>The rows of the thread that runs the tile.</summary>
        public Workspace Work { get; } = work;

        public int First { get; } = first;
        public int Width { get; } = width;
        public int Stride { get; } = stride;

        /// <summary>For each edge, the row its input's value is read from.</summary>
        public int[] EdgeRead => Plan?.EdgeSlot ?? Tape.EdgeInput;

        public int RowOf(int position) => Plan is { } plan ? plan.OutputSlot[position] : position;
    }

    /// <summary>
    /// The lanes of one tile to use: as many as keep the tile's rows within <see cref="TileBytes"/>, a
    /// whole number of vectors, at least one vector and no more than the batch needs.
    /// </summary>
    private static int TileLanes(long rowsPerLane, int size)
    {
        long laneBytes = sizeof(double) * Math.Max(1, rowsPerLane);
        int lanes = (int)Math.Clamp(TileBytes / laneBytes, LaneAlign, MaxTileLanes) & ~(LaneAlign - 1);
        int needed = (size + LaneAlign - 1) & ~(LaneAlign - 1);
        return Math.Min(lanes, needed);
    }

    /// <summary>
    /// Runs every node up to <paramref name="limit"/> in tape order over the tile's lanes, writing its
    /// value row (and in training its edges' local-gradient rows). Returns the first position whose
    /// value is not finite in some lane, with the lowest such lane, or -1.
    /// </summary>
    private int Forward(in Tile tile, bool training, int limit, out int lane, CancellationToken cancellationToken)
    {
        Tape tape = tile.Tape;
        OpCode[] ops = tape.Ops;
        int[] edgeStart = tape.EdgeStart;
        int[] edgeRead = tile.EdgeRead;
        int stride = tile.Stride, width = tile.Width;
        Span<double> rows = tile.Work.Rows;
        Span<double> partials = training ? tile.Work.Partials : default;
        int[] edgeLocal = _edgeLocal;
        Span<double> scratch = tile.Work.Scratch.AsSpan(0, width);
        ReadOnlySpan<BatchInputs.Entry> entries = tile.Inputs.Entries;
        for (int p = 0; p < limit; p++)
        {
            if ((p & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            Span<double> y = rows.Slice(tile.RowOf(p) * stride, width);
            OpCode code = ops[p];
            if (code <= OpCode.Const)
            {
                int source = _leafSource[p];
                if (source < 0) y.Fill(tape.LeafValues[p]);
                else if (entries[source].IsBroadcast) y.Fill(entries[source].Value);
                else entries[source].Lanes.Span.Slice(tile.First, width).CopyTo(y);
                continue;
            }

            // A gate's edges keep rows in a run (MapLocals), or none: then it is asked for values only.
            int start = edgeStart[p], count = edgeStart[p + 1] - start;
            int local = training ? edgeLocal[start] : -1;
            if (count == 1)
            {
                OpTable.Lanes1(code, rows.Slice(edgeRead[start] * stride, width), y,
                    local >= 0 ? partials.Slice(local * stride, width) : default);
            }
            else if (count == 2)
            {
                OpTable.Lanes2(code, rows.Slice(edgeRead[start] * stride, width), rows.Slice(edgeRead[start + 1] * stride, width), y,
                    local >= 0 ? partials.Slice(local * stride, width) : default,
                    local >= 0 ? partials.Slice((local + 1) * stride, width) : default);
            }
            else
            {
                OpTable.LanesN(code, new LaneRows(rows, edgeRead.AsSpan(start, count), stride, width), y,
                    local >= 0 ? new LaneRows(partials, local, count, stride, width) : default, scratch);
            }

            if (!TensorPrimitives.IsFiniteAll(y))
            {
                lane = BatchInputs.IndexOfNonFinite(y);
                return p;
            }
        }
        lane = -1;
        return -1;
    }

    /// <summary>
    /// The chain rule as the scalar engine's one loop that knows no op, over rows of lanes: in reverse
    /// tape order from the output, each gate's grad row flows to each input's as grad * local, added to
    /// what that input already has, or written, for the first grad it gets (0 + grad * local: no row
    /// is cleared first). Gates the output does not depend on send nothing, as their grad is 0. Unlike
    /// the scalar loop it does not skip a zero grad nor stop at the first sum that is not finite; it
    /// tells whether every grad came out finite. A sum that is not finite stays so down to the leaves
    /// (infinity and NaN survive every product and sum), so one look at the rows at the end sees it.
    /// </summary>
    private bool BackwardFast(in Tile tile, CancellationToken cancellationToken)
    {
        Tape tape = tile.Tape;
        int[] edgeStart = tape.EdgeStart;
        int[] edgeInput = tape.EdgeInput;
        int[] edgeLocal = _edgeLocal;
        byte[] reached = _reached;
        byte[] first = _firstGrad;
        int stride = tile.Stride, width = tile.Width, output = tape.Output;
        Span<double> grads = tile.Work.Grads;
        ReadOnlySpan<double> partials = tile.Work.Partials;
        grads.Slice(output * stride, width).Fill(tape.Seed);
        for (int p = output; p >= 0; p--)
        {
            if ((p & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (reached[p] == 0) continue;
            int end = edgeStart[p + 1];
            ReadOnlySpan<double> grad = grads.Slice(p * stride, width);
            for (int e = edgeStart[p]; e < end; e++)
            {
                Span<double> inputGrad = grads.Slice(edgeInput[e] * stride, width);
                bool write = first[e] != 0;
                switch (edgeLocal[e])
                {
                    case LocalOne when write: TensorPrimitives.Add(grad, 0.0, inputGrad); break;
                    case LocalOne: TensorPrimitives.Add(inputGrad, grad, inputGrad); break;
                    case LocalMinusOne when write: TensorPrimitives.Subtract(0.0, grad, inputGrad); break;
                    case LocalMinusOne: TensorPrimitives.Subtract(inputGrad, grad, inputGrad); break;
                    case int row when write: TensorPrimitives.MultiplyAdd(grad, partials.Slice(row * stride, width), 0.0, inputGrad); break;
                    case int row: TensorPrimitives.MultiplyAdd(grad, partials.Slice(row * stride, width), inputGrad, inputGrad); break;
                }
            }
        }
        for (int p = 0; p <= output; p++)
            if (reached[p] != 0 && !TensorPrimitives.IsFiniteAll(grads.Slice(p * stride, width))) return false;
        return true;
    }

    /// <summary>
    /// The scalar engine's backward loop exactly, lane by lane: a zero grad sends nothing, and a lane
    /// stops at its first sum that is not finite, which is offered to <paramref name="failure"/>.
    /// Only run for a tile where <see cref="BackwardFast"/> saw a grad that is not finite.
    /// </summary>
    private void BackwardExact(in Tile tile, ref BatchFailure failure, CancellationToken cancellationToken)
    {
        Tape tape = tile.Tape;
        int[] edgeStart = tape.EdgeStart;
        int[] edgeInput = tape.EdgeInput;
        int stride = tile.Stride, output = tape.Output;
        double[] grads = tile.Work.Grads;
        double[] partials = tile.Work.Partials;
        int[] edgeLocal = _edgeLocal;
        for (int lane = 0; lane < tile.Width; lane++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int p = 0; p <= output; p++) grads[p * stride + lane] = 0;
            grads[output * stride + lane] = tape.Seed;
            for (int p = output; p >= 0; p--)
            {
                double grad = grads[p * stride + lane];
                if (grad == 0) continue;
                for (int e = edgeStart[p]; e < edgeStart[p + 1]; e++)
                {
                    int input = edgeInput[e];
                    double local = edgeLocal[e] switch
                    {
                        LocalOne => 1,
                        LocalMinusOne => -1,
                        int row => partials[row * stride + lane],
                    };
                    double sum = grads[input * stride + lane] + grad * local;
                    if (!double.IsFinite(sum))
                    {
                        if (failure.IsBeatenByBackward(p, e, tile.First + lane))
                            failure.Keep(ScalarError(tile, lane), tile.First + lane, p, e);
                        goto nextLane;
                    }
                    grads[input * stride + lane] = sum;
                }
            }
        nextLane:;
        }
    }

    /// <summary>
    /// The error for <paramref name="lane"/> of the tile where forward failed, named as the scalar engine
    /// names it: the node, its op, its value and its inputs' values in that lane, still in their rows.
    /// </summary>
    private NumericError Failed(in Tile tile, int position, int lane)
    {
        Tape tape = tile.Tape;
        int stride = tile.Stride;
        double[] rows = tile.Work.Rows;
        double result = rows[tile.RowOf(position) * stride + lane];
        ReadOnlySpan<int> inputs = tile.EdgeRead.AsSpan(tape.EdgeStart[position], tape.EdgeStart[position + 1] - tape.EdgeStart[position]);
        double[] inputValues = new double[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) inputValues[k] = rows[inputs[k] * stride + lane];
        int node = tape.NodeIndexAt(position);
        return new NumericError(node, tape.Spec.Id(node), OpTable.Get(tape.OpAt(position)).Name, Pass.Forward, result, inputValues);
    }

    /// <summary>
    /// The error for <paramref name="lane"/> of the tile where backward failed, from the scalar engine
    /// run at that sample: the failing gate's inputs' values are gone from their slots by then. The
    /// scalar engine gives the lane's bits, so its first failure is the one backward found.
    /// </summary>
    private NumericError ScalarError(in Tile tile, int lane)
    {
        Tape tape = tile.Tape;
        var leaves = new double[tape.NodeCount];
        ReadOnlySpan<BatchInputs.Entry> entries = tile.Inputs.Entries;
        for (int p = 0; p < leaves.Length; p++)
        {
            if (tape.OpAt(p) > OpCode.Const) continue;
            int source = _leafSource[p];
            leaves[p] = source < 0 ? tape.LeafValues[p]
                : entries[source].IsBroadcast ? entries[source].Value
                : entries[source].Lanes.Span[tile.First + lane];
        }
        using var engine = new GraphEngine();
        return engine.Evaluate(tape, EvaluationMode.Training, leaves).Error
            ?? throw new InvalidOperationException("The scalar engine finds no error where the batch engine does.");
    }

    /// <summary>
    /// Copies tile <paramref name="t"/>'s output values and requested grads into the answer, or, reduced, its
    /// sums into the tile's place in the job's tile sums (added up in tile order at the end).
    /// </summary>
    private void Answer(in Tile tile, int t, Job job)
    {
        int stride = tile.Stride, width = tile.Width, first = tile.First, output = tile.Tape.Output;
        tile.Work.Rows.AsSpan(tile.RowOf(output) * stride, width).CopyTo(job.Values.AsSpan(first, width));
        if (!job.Training) return;
        int size = tile.Inputs.Size, gradCount = job.GradCount;
        double[] gradAnswers = job.GradAnswers;
        for (int k = 0; k < gradCount; k++)
        {
            int position = _gradPositions[k];
            // Nothing flows back to a node the output does not depend on: its grad is 0.
            ReadOnlySpan<double> grad = position <= output && _reached[position] != 0 ? tile.Work.Grads.AsSpan(position * stride, width) : default;
            switch (job.Reduce)
            {
                case BatchReduce.Sum:
                    job.TileSums[t * gradCount + k] = TensorPrimitives.Sum(grad);
                    break;
                case BatchReduce.Mean:
                    // Each grad divided by B before it is added: the mean of finite grads stays finite where
                    // their sum would overflow (B grads of 1e308).
                    Span<double> share = tile.Work.Scratch.AsSpan(0, grad.Length);
                    TensorPrimitives.Divide(grad, size, share);
                    job.TileSums[t * gradCount + k] = TensorPrimitives.Sum(share);
                    break;
                case BatchReduce.None when grad.IsEmpty:
                    gradAnswers.AsSpan(k * size + first, width).Clear();
                    break;
                default:
                    grad.CopyTo(gradAnswers.AsSpan(k * size + first, width));
                    break;
            }
        }
    }

    /// <summary>For each tape position, the entry of <paramref name="inputs"/> that sets it, or -1 (the tape's value).</summary>
    private void MapLeaves(Tape tape, BatchInputs inputs)
    {
        int n = tape.NodeCount;
        int[] source = Rent(BufferPool<int>.Shared, ref _leafSource, n);
        Array.Fill(source, -1, 0, n);
        ReadOnlySpan<BatchInputs.Entry> entries = inputs.Entries;
        for (int i = 0; i < entries.Length; i++)
        {
            int node = entries[i].Node;
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, n, "node");
            int position = tape.PositionOf(node);
            if (tape.OpAt(position) != OpCode.Input)
                throw new ArgumentException(
                    $"Node {node} ('{tape.IdAt(position)}') is a {OpTable.Get(tape.OpAt(position)).Name} node: only an input leaf takes values.",
                    nameof(inputs));
            source[position] = i;
        }
    }

    /// <summary>
    /// For each edge, the row its local gradients go to, or <see cref="LocalOne"/> or
    /// <see cref="LocalMinusOne"/> for a constant one: rows are numbered in edge order, so a gate's
    /// rows are consecutive. Returns how many rows there are.
    /// </summary>
    private int MapLocals(Tape tape)
    {
        int[] edgeStart = tape.EdgeStart;
        int[] local = Rent(BufferPool<int>.Shared, ref _edgeLocal, tape.EdgeCount);
        int rows = 0;
        for (int p = 0; p < tape.NodeCount; p++)
        {
            OpCode code = tape.OpAt(p);
            bool constant = OpTable.HasConstantLocals(code);
            for (int e = edgeStart[p], k = 0; e < edgeStart[p + 1]; e++, k++)
                local[e] = !constant ? rows++ : OpTable.ConstantLocal(code, k) == 1 ? LocalOne : LocalMinusOne;
        }
        return rows;
    }

    /// <summary>
    /// Which gates backward runs: those the output depends on (at or before it in tape order, and read
    /// on a path to it); the others' grad is 0. And for each edge of theirs whether it brings its input
    /// the first grad it gets, in backward's order: reverse tape order, each gate's edges in order.
    /// </summary>
    private void MapFlow(Tape tape)
    {
        int n = tape.NodeCount, output = tape.Output;
        int[] edgeStart = tape.EdgeStart;
        int[] edgeInput = tape.EdgeInput;
        byte[] reached = Rent(BufferPool<byte>.Shared, ref _reached, n);
        byte[] first = Rent(BufferPool<byte>.Shared, ref _firstGrad, tape.EdgeCount);
        Array.Clear(reached, 0, n);
        reached[output] = 1;
        for (int p = output; p >= 0; p--)
        {
            if (reached[p] == 0) continue;
            for (int e = edgeStart[p]; e < edgeStart[p + 1]; e++)
            {
                int input = edgeInput[e];
                first[e] = (byte)(reached[input] == 0 ? 1 : 0);
                reached[input] = 1;
            }
        }
    }

    /// <summary>The tape positions of the requested nodes; their count.</summary>
    private int MapGrads(Tape tape, ReadOnlySpan<int> gradNodes)
    {
        int[] positions = Rent(BufferPool<int>.Shared, ref _gradPositions, gradNodes.Length);
        for (int k = 0; k < gradNodes.Length; k++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(gradNodes[k], nameof(gradNodes));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(gradNodes[k], tape.NodeCount, nameof(gradNodes));
            positions[k] = tape.PositionOf(gradNodes[k]);
        }
        return gradNodes.Length;
    }

    /// <summary><paramref name="buffer"/> if it holds <paramref name="length"/> items, else a longer one from <paramref name="pool"/> in its place (the old one given back).</summary>
    private static T[] Rent<T>(ArrayPool<T> pool, ref T[] buffer, int length)
    {
        if (buffer.Length >= length) return buffer;
        if (buffer.Length > 0) pool.Return(buffer);
        buffer = pool.Rent(Math.Max(length, 1));
        return buffer;
    }

    /// <summary>Gives <paramref name="buffer"/> back to <paramref name="pool"/>, once: it is empty after.</summary>
    private static void GiveBack<T>(ArrayPool<T> pool, ref T[] buffer)
    {
        if (buffer.Length > 0) pool.Return(buffer);
        buffer = [];
    }

    public void Dispose()
    {
        foreach (Workspace work in _workspaces) work.Dispose();
        _workspaces = [];
        _helpers = [];
        GiveBack(_pool, ref _tileSums);
        GiveBack(_pool, ref _values);
        GiveBack(_pool, ref _gradAnswers);
        GiveBack(BufferPool<int>.Shared, ref _leafSource);
        GiveBack(BufferPool<int>.Shared, ref _gradPositions);
        GiveBack(BufferPool<int>.Shared, ref _edgeLocal);
        GiveBack(BufferPool<byte>.Shared, ref _reached);
        GiveBack(BufferPool<byte>.Shared, ref _firstGrad);
    }
}
