using System.Diagnostics;
using System.Runtime.ExceptionServices;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Compilation;

/// <summary>
/// Compiles a graph while it is still being parsed: the parser starts one before it adds the nodes, tells it after each
/// node (<see cref="Added"/>), and once the parse ends asks it for the result (<see cref="Finish"/>), which is exactly
/// what <see cref="GraphCompiler.Compile(GraphSpec, EvaluationMode, bool, CancellationToken)"/> returns for the spec.
/// Meanwhile, on another core, the nodes added so far are resolved, checked and levelled as <see cref="OrderedBody"/>
/// does it (<see cref="OrderedPrefix"/>), the half of a large graph's compile that can run before the last node is
/// known; <see cref="Finish"/> resolves the rest and does the other half (output, queue, tape, plan).
/// </summary>
/// <remarks>
/// <para>
/// Every <see cref="PublishStride"/> nodes the parser publishes the node count (a release) and, if the resolver is idle,
/// queues it on the thread pool; the resolver resolves what is published and goes idle. It never blocks a thread: it runs
/// only while there is work for it. It follows <see cref="SpareCores"/>: it is queued, and goes on after each stride,
/// only while the pool has no work waiting; on a busy server the whole compile runs after the parse, as it would without
/// this. A graph in which some input names a later node, or with anything wrong, stops the resolver there, and
/// <see cref="Finish"/> compiles it the general way, which reports its errors as always.
/// </para>
/// <para>
/// The spec is read while it grows, so it keeps the arrays its grows replace until the resolver is done with them
/// (<see cref="GraphSpec.ShareWhileGrowing"/>). The id table is sized from the parser's guess of the node count and
/// grows past it. <see cref="Finish"/> and <see cref="Dispose"/> both stop the resolver and wait for it before they
/// return, give back every pooled array it holds, and end the sharing; a parser that throws must dispose it, so that no
/// thread works on after the request; so does disposing the spec, which disposes it first. The resolver looks at the
/// cancellation token between strides and stops when the request is abandoned or out of time.
/// </para>
/// </remarks>
public sealed class CompileAhead : IThreadPoolWorkItem, IDisposable
{
    /// <summary>
    /// How many nodes are added between two publications, and resolved between two looks at the token and the pool: a graph
    /// of fewer nodes gains nothing from it, so a parser may start it only once it has read this many.
    /// </summary>
    public const int PublishStride = 4096;

    private const int Idle = 0, Queued = 1, Running = 2, Stopped = 3;

    private static readonly GraphCompiler Compiler = new();

    private readonly GraphSpec _spec;
    private readonly int _expectedNodes;
    private readonly bool _inputDefaultsOptional;
    private readonly CancellationToken _cancellationToken;
    private readonly Func<bool> _mayRunAhead;
    private readonly Action<IThreadPoolWorkItem> _start;

    /// <summary>What <see cref="Stop"/> waits on: a monitor of its own, which allocates nothing the first time it blocks.</summary>
    private readonly object _gate = new();

    /// <summary>Written by the parser's thread only.</summary>
    private int _lastPublished;

    private int _published;
    private int _state;
    private bool _stopRequested;

    /// <summary>Set by the resolver when it will resolve nothing more: a fault in the graph, an exception, a cancellation.</summary>
    private bool _done;

    /// <summary>Written by the resolver only, read once it is stopped.</summary>
    private long _aheadTicks;

    private IdTable? _ids;
    private OrderedPrefix? _prefix;
    private Exception? _fault;

    /// <param name="spec">The spec the parser is about to add nodes to; no other thread may add to it.</param>
    /// <param name="expectedNodes">
    /// The parser's guess of how many nodes will come (from the body's length, say): the id table is sized for it. A guess
    /// too low costs a grow or two of the table; one too high, a larger table than the graph needs.
    /// </param>
    /// <param name="inputDefaultsOptional">As for <see cref="GraphCompiler.Compile(GraphSpec, EvaluationMode, bool, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">The request's: the resolver stops when it is cancelled.</param>
    public CompileAhead(GraphSpec spec, int expectedNodes, bool inputDefaultsOptional = false, CancellationToken cancellationToken = default)
        : this(spec, expectedNodes, inputDefaultsOptional, cancellationToken, static () => SpareCores.For(2) > 1, start: null)
    {
    }

    /// <param name="spec">As above.</param>
    /// <param name="expectedNodes">As above.</param>
    /// <param name="inputDefaultsOptional">As above.</param>
    /// <param name="cancellationToken">As above.</param>
    /// <param name="mayRunAhead">Whether the resolver may run on another thread now (by default <see cref="SpareCores"/>' rule; tests say always).</param>
    /// <param name="start">
    /// What runs the resolver's turn (<see cref="IThreadPoolWorkItem.Execute"/>) on another thread: by default the thread pool;
    /// tests start a thread of their own, which a test host's busy pool cannot keep waiting.
    /// </param>
    internal CompileAhead(GraphSpec spec, int expectedNodes, bool inputDefaultsOptional, CancellationToken cancellationToken, Func<bool> mayRunAhead,
        Action<IThreadPoolWorkItem>? start)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _expectedNodes = Math.Max(expectedNodes, PublishStride);
        _inputDefaultsOptional = inputDefaultsOptional;
        _cancellationToken = cancellationToken;
        _mayRunAhead = mayRunAhead;
        _start = start ?? (static turn => ThreadPool.UnsafeQueueUserWorkItem(turn, preferLocal: false));
        spec.ShareWhileGrowing();
        // It lives no longer than the spec it reads: disposing the spec stops it first.
        spec.DisposeWith(this);
    }

    /// <summary>
    /// How long the resolver worked on another thread before <see cref="Finish"/> (or <see cref="Dispose"/>) stopped it:
    /// compile time spent while the parse ran, beside it, which the caller did not wait for. Zero if it never ran, and
    /// until it is stopped.
    /// </summary>
    public TimeSpan AheadTime => Volatile.Read(ref _state) == Stopped ? Stopwatch.GetElapsedTime(0, _aheadTicks) : TimeSpan.Zero;

    /// <summary>How many nodes the resolver had resolved when <see cref="Finish"/> stopped it (for tests and benchmarks).</summary>
    internal int ResolvedAhead { get; private set; }

    /// <summary>Whether it still holds pooled arrays or shares the spec (for tests: false once finished or disposed).</summary>
    internal bool HoldsResources => _prefix is not null || _ids is not null || _spec.IsShared;

    /// <summary>
    /// Tells it that the parser has added a node (called after <see cref="GraphSpec.EndNode"/>). Cheap: every
    /// <see cref="PublishStride"/> nodes it publishes the count and, if the resolver is idle and a core is spare, queues it.
    /// </summary>
    public void Added()
    {
        int count = _spec.NodeCount;
        if (count - _lastPublished < PublishStride) return;
        _lastPublished = count;
        Volatile.Write(ref _published, count);
        if (Volatile.Read(ref _state) != Idle || Volatile.Read(ref _done) || !_mayRunAhead()) return;
        if (Interlocked.CompareExchange(ref _state, Queued, Idle) == Idle)
            _start(this);
    }

    /// <summary>
    /// The compile of the spec, now that the parse has ended (its output and seed set): the same tape, or the same errors,
    /// as <see cref="GraphCompiler.Compile(GraphSpec, EvaluationMode, bool, CancellationToken)"/> returns. Stops the resolver,
    /// waits for it, resolves what it had not reached, and does the rest here; gives back whatever it holds.
    /// </summary>
    /// <param name="mode">Inference also plans where each value lives.</param>
    /// <param name="cancellationToken">Looked at as the compiler looks at it.</param>
    /// <exception cref="ObjectDisposedException">It was finished or disposed already.</exception>
    public CompileResult Finish(EvaluationMode mode = EvaluationMode.Training, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == Stopped, this);
        try
        {
            Stop();
            if (_fault is { } fault) ExceptionDispatchInfo.Throw(fault);
            cancellationToken.ThrowIfCancellationRequested();
            _spec.EndSharing();
            OrderedPrefix? prefix = _prefix;
            if (prefix is null) return Compiler.Compile(_spec, mode, _inputDefaultsOptional, cancellationToken); // nothing ran ahead

            ResolvedAhead = prefix.Resolved;
            int n = _spec.NodeCount;
            if (n > 0 && !prefix.Failed && prefix.Advance(_spec.View(n), cancellationToken)
                && OrderedBody.TryFinish(_spec, prefix, mode, cancellationToken) is { } tape)
                return CompileResult.Success(tape);

            // Not an ordered body, or something is wrong with it: the general path, from the first node, as the compiler would.
            Release();
            return Compiler.Compile(_spec, mode, _inputDefaultsOptional, orderedBody: false, cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Stops the resolver and waits for it, and gives back everything: for a parse that failed, or a compile not wanted after all.</summary>
    public void Dispose()
    {
        Stop();
        Release();
    }

    /// <summary>The resolver's turn on a pool thread: resolves what is published, then goes idle (or goes on, if more came meanwhile).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued) return; // taken back by Stop
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            int resolved = ResolvePublished();
            _aheadTicks += Stopwatch.GetTimestamp() - start;
            lock (_gate)
            {
                Interlocked.Exchange(ref _state, Idle);
                Monitor.PulseAll(_gate);
            }
            // A count published while this was going idle, whose publisher saw it running and so queued nothing.
            if (Volatile.Read(ref _stopRequested) || Volatile.Read(ref _done) || Volatile.Read(ref _published) == resolved || !_mayRunAhead())
                return;
            if (Interlocked.CompareExchange(ref _state, Running, Idle) != Idle) return;
        }
    }

    /// <summary>Resolves the published nodes, a stride at a time; how many are resolved when it stops.</summary>
    internal int ResolvePublished()
    {
        try
        {
            if (_prefix is null)
            {
                _ids = new IdTable(_spec, _expectedNodes);
                _prefix = new OrderedPrefix(_ids, _expectedNodes, 2 * _expectedNodes, _inputDefaultsOptional);
            }
            OrderedPrefix prefix = _prefix;
            while (!Volatile.Read(ref _stopRequested))
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    Volatile.Write(ref _done, true);
                    break;
                }
                int published = Volatile.Read(ref _published);
                if (prefix.Resolved >= published) break;
                if (!prefix.Advance(_spec.View(Math.Min(published, prefix.Resolved + PublishStride)), CancellationToken.None))
                {
                    Volatile.Write(ref _done, true); // not an ordered body, or a fault: Finish compiles it the general way
                    break;
                }
                if (!_mayRunAhead()) break; // work waits for this core
            }
            return prefix.Resolved;
        }
        catch (Exception e)
        {
            // Finish throws it on the parser's thread; an exception on a pool thread would end the process.
            _fault = e;
            Volatile.Write(ref _done, true);
            return 0;
        }
    }

    /// <summary>Keeps the resolver from running again, and waits for it if it is running.</summary>
    private void Stop()
    {
        Volatile.Write(ref _stopRequested, true);
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Stopped) return;
            if (state != Running)
            {
                // Idle, or queued and not started: a queued turn finds the state changed and does nothing.
                if (Interlocked.CompareExchange(ref _state, Stopped, state) == state) return;
                continue;
            }
            // It looks at the stop request every stride, a fraction of a millisecond: spin a little before sleeping.
            var spin = new SpinWait();
            while (Volatile.Read(ref _state) == Running && !spin.NextSpinWillYield) spin.SpinOnce();
            lock (_gate)
            {
                while (Volatile.Read(ref _state) == Running) Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Gives back the resolver's arrays and ends the sharing of the spec; once the resolver is stopped.</summary>
    private void Release()
    {
        _prefix?.Dispose();
        _prefix = null;
        _ids?.Dispose();
        _ids = null;
        _spec.EndSharing();
    }
}
