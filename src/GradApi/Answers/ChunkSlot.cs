using System.Buffers;
using System.Threading.Tasks.Sources;

namespace GradApi.Answers;

/// <summary>
/// A pooled buffer that one chunk of an answer is formatted into, ahead of its turn to be sent, and the signal
/// that it is formatted: the chunk's length and the first piece it did not hold, or what formatting threw. It is
/// reused for chunk after chunk of the same answer, so a chunk costs no task (a wait that does not complete at once
/// still costs the thread pool's work item for the continuation).
/// </summary>
internal sealed class ChunkSlot(ArrayPool<byte> pool) : IValueTaskSource<ChunkSlot.Formatted>
{
    /// <summary>What a formatted chunk holds: <see cref="Length"/> bytes, every piece before <see cref="Next"/>.</summary>
    public readonly record struct Formatted(int Length, int Next);

    private readonly byte[] _buffer = pool.Rent(JsonPieces.ChunkBytes);

    /// <summary>
    /// Continuations run on the thread pool, never on the thread that formatted: that thread goes on to format
    /// the next chunk, and the writer may wait for it to stop.
    /// </summary>
    private ManualResetValueTaskSourceCore<Formatted> _ready = new() { RunContinuationsAsynchronously = true };

    /// <summary>Where a chunk is formatted: <see cref="JsonPieces.ChunkBytes"/>, what the writer flushes at a time.</summary>
    public Span<byte> Buffer => _buffer.AsSpan(0, JsonPieces.ChunkBytes);

    /// <summary>Completes when the chunk is formatted.</summary>
    public ValueTask<Formatted> Ready => new(this, _ready.Version);

    public bool IsReady => _ready.GetStatus(_ready.Version) != ValueTaskSourceStatus.Pending;

    /// <summary>The chunk's bytes, once <see cref="Ready"/> has completed with <paramref name="formatted"/>.</summary>
    public ReadOnlySpan<byte> Bytes(Formatted formatted) => _buffer.AsSpan(0, formatted.Length);

    public void Complete(Formatted formatted) => _ready.SetResult(formatted);

    public void Fail(Exception error) => _ready.SetException(error);

    /// <summary>Makes the slot ready for another chunk, once this one is sent.</summary>
    public void Reset() => _ready.Reset();

    /// <summary>Gives the buffer back; only once no thread formats into it.</summary>
    public void Return() => pool.Return(_buffer);

    Formatted IValueTaskSource<Formatted>.GetResult(short token) => _ready.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<Formatted>.GetStatus(short token) => _ready.GetStatus(token);

    void IValueTaskSource<Formatted>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _ready.OnCompleted(continuation, state, token, flags);
}
