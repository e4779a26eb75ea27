using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using GradApi.Engine;

namespace GradApi.Answers;

/// <summary>
/// Writes the rest of a long run of pieces, after its first chunk, with the formatting on spare cores: the run is
/// cut into chunks of a fixed number of pieces, which helpers on the thread pool format into a few pooled buffers
/// ahead of the writer while it sends the chunks before them, in order, each flushed as on one thread. A chunk that
/// no helper has taken when its turn comes is formatted by the writer straight into the pipe; while it waits for a
/// helper's chunk, the writer formats the chunks after it.
/// </summary>
/// <remarks>
/// Writing a 10^6-node answer (71 MB) is mostly formatting numbers, and a flush waits for the client to take the
/// bytes: on one thread the core formats or waits. Helpers run as <see cref="SpareCores"/> says, checked each time
/// one would start: only while the thread pool has no work waiting; and once the writer has waited long for a
/// helper, whose core went to other processes, it writes the rest alone. At most <see cref="Window"/> chunks are formatted
/// ahead of the one being sent, so memory stays at that many 64 KiB buffers whatever the answer's size; on every way
/// out (the end, an error, a cancelled or broken flush) no chunk can be taken any more, the writer waits for a
/// helper's chunk in progress, and only then gives the buffers back: the answer's buffers (the engine's values and
/// grads) are never read after the writing ends.
/// </remarks>
internal sealed class ParallelChunks
{
    /// <summary>How many chunks may be formatted ahead: buffers in flight (512 KiB), and how far a helper runs ahead of the sends.</summary>
    public const int Window = 8;

    /// <summary>
    /// Chunks in the rest of a run below which it is written on one thread: a helper starts tens of microseconds
    /// after it is queued, a chunk takes some 150 to format.
    /// </summary>
    public const int MinChunks = 8;

    /// <summary>
    /// Pieces a first chunk must hold for the run to be cut into chunks of about that many pieces: with fewer, one
    /// long piece at the start could make every chunk small.
    /// </summary>
    public const int MinPiecesPerChunk = 64;

    private readonly IJsonPieces _pieces;
    private readonly int _start;
    private readonly int _perChunk;
    private readonly int _chunks;
    private readonly ChunkSlot[] _slots;
    private readonly ChunkHelper[] _helpers;
    private readonly bool _idlePoolOnly;

    /// <summary>Chunks taken to be formatted, by the writer or a helper, in order.</summary>
    private int _taken;

    /// <summary>Chunks sent: the slots of the next <see cref="Window"/> chunks are free.</summary>
    private int _sent;

    private bool _stopped;

    /// <summary>
    /// Set once the writer had to wait long for a helper: the cores are busy with other work than this process's
    /// (which <see cref="SpareCores"/> cannot see), and no chunk is formatted ahead again for this run.
    /// </summary>
    private bool _alone;

    /// <summary>
    /// The pieces of <paramref name="pieces"/> from its <see cref="IJsonPieces.Next"/> on, in chunks of
    /// <paramref name="perChunk"/> pieces, on up to <paramref name="helpers"/> helpers besides the writer; with
    /// <paramref name="idlePoolOnly"/> only as <see cref="SpareCores"/> allows (without, always: for tests).
    /// </summary>
    public ParallelChunks(IJsonPieces pieces, int perChunk, int helpers, ArrayPool<byte> pool, bool idlePoolOnly = true)
    {
        _pieces = pieces;
        _start = pieces.Next;
        _perChunk = perChunk;
        _chunks = (int)(((long)pieces.Count - _start + perChunk - 1) / perChunk);
        _idlePoolOnly = idlePoolOnly;
        _slots = new ChunkSlot[Window];
        for (int k = 0; k < Window; k++) _slots[k] = new ChunkSlot(pool);
        _helpers = new ChunkHelper[Math.Clamp(helpers, 1, Window - 1)];
        for (int h = 0; h < _helpers.Length; h++) _helpers[h] = new ChunkHelper(this, pieces.Copy());
    }

    /// <summary>
    /// What writes the rest of <paramref name="pieces"/> once its first chunk, of <paramref name="firstChunk"/>
    /// pieces, is sent: null when that is best done on one thread, the rest being short, its pieces long, or (with
    /// <paramref name="idlePoolOnly"/>) no core spare now. Its chunks hold seven eighths of the first chunk's count,
    /// so that a chunk of somewhat longer pieces still fits its buffer.
    /// </summary>
    public static ParallelChunks? After(IJsonPieces pieces, int firstChunk, ArrayPool<byte> pool, bool idlePoolOnly)
    {
        int rest = pieces.Count - pieces.Next;
        if (firstChunk < MinPiecesPerChunk || rest / firstChunk < MinChunks) return null;
        if (idlePoolOnly && SpareCores.For(2) == 1) return null;
        return new ParallelChunks(pieces, firstChunk * 7 / 8, Math.Max(1, Environment.ProcessorCount - 1), pool, idlePoolOnly);
    }

    /// <summary>The chunks formatted by helpers (for tests).</summary>
    internal int HelperChunks => Volatile.Read(ref _helperChunks);

    private int _helperChunks;

    /// <summary>Writes every chunk to <paramref name="pipe"/> in order, flushing each.</summary>
    public async ValueTask WriteAsync(PipeWriter pipe, CancellationToken cancellationToken)
    {
        try
        {
            StartHelpers();
            for (int chunk = 0; chunk < _chunks; chunk++)
            {
                cancellationToken.ThrowIfCancellationRequested(); // a flush after the client has gone does not throw
                (int start, int end) = Range(chunk);
                if (Interlocked.CompareExchange(ref _taken, chunk + 1, chunk) == chunk)
                {
                    _pieces.Next = start; // no helper got to it: formatted here, straight into the pipe
                    await JsonPieces.WriteAsync(pipe, _pieces, end, cancellationToken);
                    Sent(chunk);
                    continue;
                }

                ChunkSlot slot = _slots[chunk % Window];
                while (!slot.IsReady && FormatOne(_pieces)) { } // rather than wait, format the chunks after it
                if (!SpinUntilReady(slot)) Volatile.Write(ref _alone, true); // the helper was held up: no core is spare after all
                ChunkSlot.Formatted formatted = await slot.Ready;
                ReadOnlySpan<byte> bytes = slot.Bytes(formatted);
                bytes.CopyTo(pipe.GetSpan(bytes.Length)); // one span, as a chunk formatted in the pipe takes
                pipe.Advance(bytes.Length);
                slot.Reset();
                Sent(chunk);
                await pipe.FlushAsync(cancellationToken);
                if (formatted.Next < end)
                {
                    // Longer pieces than the first chunk's: the rest of this chunk did not fit the buffer.
                    _pieces.Next = formatted.Next;
                    await JsonPieces.WriteAsync(pipe, _pieces, end, cancellationToken);
                }
            }
        }
        finally
        {
            Stop();
        }
    }

    /// <summary>
    /// Waits a little for a helper's chunk in progress, spinning and yielding the core, before the writer awaits it:
    /// whether it is ready. A chunk is usually tens of microseconds from done; one that is not done after several
    /// chunks' time is on a thread the machine has not run, which the writer should not wait for again.
    /// </summary>
    private static bool SpinUntilReady(ChunkSlot slot)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        while (!slot.IsReady)
        {
            if (Stopwatch.GetElapsedTime(start) > MaxSpin) return false;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        return true;
    }

    /// <summary>How long <see cref="SpinUntilReady"/> spins: a few chunks' formatting.</summary>
    private static readonly TimeSpan MaxSpin = TimeSpan.FromMilliseconds(1);

    /// <summary>Formats chunks into their slots until none is left that may be taken now: a helper's run.</summary>
    public void FormatAhead(IJsonPieces pieces)
    {
        while (FormatOne(pieces)) { }
    }

    /// <summary>
    /// Takes the next chunk if it is within <see cref="Window"/> of the sends and formats it into its slot with
    /// <paramref name="pieces"/>, this thread's cursor; false if there was none to take.
    /// </summary>
    private bool FormatOne(IJsonPieces pieces)
    {
        int chunk = Take();
        if (chunk < 0) return false;
        ChunkSlot slot = _slots[chunk % Window];
        try
        {
            (int start, int end) = Range(chunk);
            pieces.Next = start;
            int length = pieces.Fill(slot.Buffer, end);
            slot.Complete(new ChunkSlot.Formatted(length, pieces.Next));
            if (pieces != _pieces) Interlocked.Increment(ref _helperChunks);
            return true;
        }
        catch (Exception e)
        {
            slot.Fail(e); // thrown where the writer awaits the chunk
            return false;
        }
    }

    /// <summary>
    /// The next chunk, now taken, or -1 if every chunk is taken, the next one's slot is not free, the answer stopped,
    /// or the writer goes on alone.
    /// </summary>
    private int Take()
    {
        while (true)
        {
            int chunk = Volatile.Read(ref _taken);
            if (chunk >= _chunks || chunk >= Volatile.Read(ref _sent) + Window || Volatile.Read(ref _stopped) || Volatile.Read(ref _alone)) return -1;
            if (Interlocked.CompareExchange(ref _taken, chunk + 1, chunk) == chunk) return chunk;
        }
    }

    /// <summary>Frees <paramref name="chunk"/>'s slot for the chunk <see cref="Window"/> after it, and starts helpers to format it.</summary>
    private void Sent(int chunk)
    {
        Volatile.Write(ref _sent, chunk + 1);
        StartHelpers();
    }

    /// <summary>
    /// Whether a helper is worth starting: a chunk is left to take and at least half the window is free, so that a
    /// helper that stopped at a full window is not woken for every chunk sent (a wake-up costs some microseconds).
    /// </summary>
    private bool WorthAHelper() =>
        Volatile.Read(ref _taken) is int chunk && chunk < _chunks && chunk <= Volatile.Read(ref _sent) + Window / 2;

    /// <summary>The pieces of <paramref name="chunk"/>.</summary>
    private (int Start, int End) Range(int chunk)
    {
        long start = _start + (long)chunk * _perChunk;
        return ((int)start, (int)Math.Min(start + _perChunk, _pieces.Count));
    }

    /// <summary>Starts as many idle helpers as <see cref="SpareCores"/> allows now, if one is worth starting.</summary>
    private void StartHelpers()
    {
        if (Volatile.Read(ref _alone) || !WorthAHelper()) return;
        int threads = _idlePoolOnly ? SpareCores.For(_helpers.Length + 1) : _helpers.Length + 1;
        for (int h = 0; h < threads - 1; h++) _helpers[h].Start();
    }

    /// <summary>No chunk can be taken from now on; waits for the helpers' chunks in progress, then gives the buffers back.</summary>
    private void Stop()
    {
        Volatile.Write(ref _stopped, true);
        foreach (ChunkHelper helper in _helpers) helper.Join();
        foreach (ChunkSlot slot in _slots) slot.Return();
    }
}
