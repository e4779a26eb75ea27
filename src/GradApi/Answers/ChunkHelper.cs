namespace GradApi.Answers;

/// <summary>
/// A thread-pool work item that formats chunks of one answer ahead of the writer, with a cursor of its own,
/// until none is left that it may take (<see cref="ParallelChunks.FormatAhead"/>); the writer starts it again
/// when slots free up. <see cref="Join"/> either takes back a start the pool has not run yet, which then does
/// nothing when it runs, or waits for the run to end: after it, the helper touches none of the answer's buffers.
/// </summary>
internal sealed class ChunkHelper(ParallelChunks chunks, IJsonPieces pieces) : IThreadPoolWorkItem
{
    private const int Idle = 0, Queued = 1, Running = 2;

    /// <summary>What <see cref="Join"/> waits on: a monitor of its own, which allocates nothing when it first blocks.</summary>
    private readonly object _gate = new();
    private int _state;

    /// <summary>Queues the helper unless it is queued or running already.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, Queued, Idle) == Idle) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued) return; // taken back by Join
        try
        {
            chunks.FormatAhead(pieces);
        }
        finally
        {
            lock (_gate)
            {
                Volatile.Write(ref _state, Idle);
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// Once the writer has stopped the answer (no chunk can be taken any more): takes back a start not yet run,
    /// or waits for the chunk being formatted, some tens of microseconds.
    /// </summary>
    public void Join()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Queued) != Running) return;
        var spin = new SpinWait();
        while (Volatile.Read(ref _state) == Running && !spin.NextSpinWillYield) spin.SpinOnce();
        lock (_gate)
        {
            while (Volatile.Read(ref _state) == Running) Monitor.Wait(_gate);
        }
    }
}
