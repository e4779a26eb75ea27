using GradApi.Engine.Buffers;

namespace GradApi.Evaluate;

/// <summary>
/// The part of a body that has arrived and that its sink has not taken yet, in a pooled window with room for more: the
/// body is handed to the sink a window at a time as it arrives (see <see cref="JsonBody"/>), never held whole.
/// </summary>
/// <remarks>
/// The sink is handed the window once it is at least half full, so the cost of each handing (the sink's setting up,
/// the copying back of what it leaves) is spread over many bytes. It leaves at most the start of a unit it could
/// not read whole; when that is more than half the window, the window doubles, and the unit is handed over again
/// only once twice as much is there: a unit of any size is read in time proportional to its length.
/// </remarks>
internal sealed class BodyWindow : IDisposable
{
    /// <summary>The window's size at first.</summary>
    internal const int Bytes = 256 * 1024;

    private readonly long _limit;
    private byte[] _window;
    private int _held;

    /// <param name="expectedLength">The body's length, if it is known: a shorter body needs no more than it.</param>
    /// <param name="limit">The most bytes the body may have: the window never grows past it.</param>
    public BodyWindow(long? expectedLength, long limit)
    {
        _limit = limit;
        _window = BufferPool<byte>.Shared.Rent((int)Math.Clamp(expectedLength + 1 ?? Bytes, 1, Bytes));
    }

    /// <summary>Where the next bytes of the body go; then say how many with <see cref="Added"/>.</summary>
    public Span<byte> Room => _window.AsSpan(_held);

    public void Added(int count) => _held += count;

    /// <summary>Whether the window is full enough to be handed to the sink.</summary>
    public bool Full => _held >= _window.Length / 2;

    /// <summary>Hands what the window holds to <paramref name="sink"/>, and keeps what it leaves for the next time.</summary>
    public void HandTo(IJsonBodySink sink, bool final)
    {
        int taken = sink.Take(_window.AsSpan(0, _held), final);
        _window.AsSpan(taken, _held - taken).CopyTo(_window);
        _held -= taken;
        if (_held > _window.Length / 2) BufferPool<byte>.Shared.Grow(ref _window, _held, most: _limit + 1);
    }

    /// <summary>
    /// Hands <paramref name="body"/>, whole in memory, to <paramref name="sink"/> as an arriving body would be handed to
    /// it: in pieces of half a window. For the warm-up and the benchmarks, which take the request's path without a request.
    /// </summary>
    public static void HandInPieces(ReadOnlySpan<byte> body, IJsonBodySink sink)
    {
        using var window = new BodyWindow(body.Length, body.Length);
        for (int at = 0; at < body.Length;)
        {
            int size = Math.Min(Math.Min(Bytes / 2, window.Room.Length), body.Length - at);
            body.Slice(at, size).CopyTo(window.Room);
            window.Added(size);
            at += size;
            if (window.Full || at == body.Length) window.HandTo(sink, final: at == body.Length);
        }
    }

    /// <summary>Forgets what the window holds.</summary>
    public void Clear() => _held = 0;

    public void Dispose()
    {
        if (_window.Length > 0) BufferPool<byte>.Shared.Return(_window);
        _window = [];
    }
}

/// <summary>What reads a body piece by piece as it arrives (see <see cref="JsonBody"/>).</summary>
internal interface IJsonBodySink
{
    /// <summary>
    /// Reads what it can of <paramref name="data"/> and returns how many of its first bytes it is done with; the rest
    /// comes again at the start of the next piece, with more bytes after it. With <paramref name="final"/>,
    /// <paramref name="data"/> ends the body and is taken whole.
    /// </summary>
    int Take(ReadOnlySpan<byte> data, bool final);
}
