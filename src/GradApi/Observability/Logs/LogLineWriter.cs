using System.Buffers;
using System.Text;

namespace GradApi.Observability.Logs;

/// <summary>
/// Writes log lines to a stream in batches, from a thread of its own. A line is appended to a buffer under a lock;
/// the writer thread is woken by the first line of a batch, gathers lines for <see cref="Interval"/> and writes them
/// all with one write. The framework's console logger instead wakes its thread and writes once for every line: at
/// one line per request that was a third of the CPU a small request costs (README, Performance).
/// An urgent line (the logger's errors) is written at once, with whatever came before it. When the buffer holds
/// <see cref="MaxPendingChars"/>, a caller waits for the writer (or the line is dropped, as
/// <see cref="Microsoft.Extensions.Logging.Console.ConsoleLoggerQueueFullMode.DropWrite"/> asks). Disposing writes
/// everything still buffered.
/// </summary>
internal sealed class LogLineWriter : IDisposable
{
    /// <summary>How long a batch gathers lines after its first.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The buffer's bound: 1 Mi characters (a few thousand lines) waiting for the writer.</summary>
    public const int MaxPendingChars = 1 << 20;

    private readonly Stream _output;
    private readonly object _gate = new(); // Monitor: the writer waits on it
    private readonly Thread _thread;
    private StringBuilder _pending = new();
    private StringBuilder _spare = new();
    private bool _urgent;
    private bool _stopping;
    private bool _stopped;
    private long _dropped;

    public LogLineWriter(Stream output, TimeSpan? interval = null)
    {
        _output = output;
        Interval = interval ?? DefaultInterval;
        _thread = new Thread(Run) { IsBackground = true, Name = "Log line writer" };
        _thread.Start();
    }

    public TimeSpan Interval { get; }

    /// <summary>Appends whole lines. <paramref name="urgent"/> writes them without waiting for the batch's interval.</summary>
    /// <returns>False when the buffer was full and <paramref name="dropWhenFull"/> dropped the lines.</returns>
    public bool Append(StringBuilder lines, bool urgent, bool dropWhenFull = false)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                // After Dispose there is no thread left to write: the caller writes.
                Write(lines);
                return true;
            }
            while (_pending.Length >= MaxPendingChars && !_stopping)
            {
                if (dropWhenFull)
                {
                    _dropped++;
                    return false;
                }
                _urgent = true;
                Monitor.PulseAll(_gate);
                Monitor.Wait(_gate);
            }
            if (_stopped)
            {
                // The writer stopped while this caller waited for room.
                Write(lines);
                return true;
            }
            if (_dropped > 0)
            {
                _pending.Append("Log lines dropped: ").Append(_dropped).Append(" (Logging:Console:QueueFullMode=DropWrite, the output was too slow)\n");
                _dropped = 0;
            }
            bool first = _pending.Length == 0;
            _pending.Append(lines);
            _urgent |= urgent;
            // The writer sleeps until a batch starts, and is woken early only for an urgent line.
            if (first || urgent) Monitor.PulseAll(_gate);
        }
        return true;
    }

    private void Run()
    {
        while (true)
        {
            StringBuilder batch;
            bool last;
            lock (_gate)
            {
                while (_pending.Length == 0 && !_stopping) Monitor.Wait(_gate);
                if (!_urgent && !_stopping) Monitor.Wait(_gate, Interval);
                batch = _pending;
                _pending = _spare;
                _urgent = false;
                last = _stopping;
                // Callers waiting for room have it now.
                Monitor.PulseAll(_gate);
            }
            Write(batch);
            batch.Clear();
            lock (_gate)
            {
                _spare = batch;
                // Callers waiting for room.
                Monitor.PulseAll(_gate);
                if (last && _pending.Length == 0)
                {
                    _stopped = true;
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Writes lines as UTF-8 with one write. A failing output (a closed pipe, any error of the stream) loses them
    /// and nothing else: a log write never stops the service.
    /// </summary>
    private void Write(StringBuilder lines)
    {
        if (lines.Length == 0) return;
        char[] chars = ArrayPool<char>.Shared.Rent(lines.Length);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(lines.Length));
        try
        {
            lines.CopyTo(0, chars, lines.Length);
            int count = Encoding.UTF8.GetBytes(chars, 0, lines.Length, bytes, 0);
            _output.Write(bytes, 0, count);
            _output.Flush();
        }
        catch (Exception)
        {
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Writes what is buffered and stops the thread (waiting at most a few seconds for a blocked output).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
