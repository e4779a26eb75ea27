using System.Buffers;
using GradApi.Answers;

namespace GradApi.Tests.Answers;

/// <summary><see cref="ArrayPool{T}.Shared"/>, counting the buffers rented from it and given back.</summary>
internal sealed class CountingPool : ArrayPool<byte>
{
    private int _rented;
    private int _returned;

    public int Rented => Volatile.Read(ref _rented);

    public int Returned => Volatile.Read(ref _returned);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Increment(ref _returned);
        Shared.Return(array, clearArray);
    }
}

/// <summary>
/// A client on the other end of the response: it keeps what it is sent, and on its first flush waits (up to a
/// minute) until <paramref name="holdUntil"/> holds, so that helpers format chunks ahead however busy the machine;
/// <paramref name="onFlush"/> sees each flush's number and may throw, as a socket whose client has gone does.
/// </summary>
internal sealed class Client(Func<bool>? holdUntil = null, Action<int>? onFlush = null) : MemoryStream
{
    private int _flushes;

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        int flush = ++_flushes;
        if (flush == 1 && holdUntil is not null)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!holdUntil() && waited.Elapsed < TimeSpan.FromMinutes(1)) await Task.Delay(1, CancellationToken.None);
        }
        onFlush?.Invoke(flush);
        await base.FlushAsync(cancellationToken);
    }
}

/// <summary>
/// Numbers written as a batch answer's array is, <c>1.5,-2,...</c>, by cursors that share a watch: how many
/// threads are formatting now, and how many pieces were formatted once the writing was over.
/// </summary>
internal sealed class WatchedNumbers(double[] numbers, WatchedNumbers.Watch watch, bool copy = false) : IJsonPieces
{
    public sealed class Watch
    {
        public int Formatting;
        public int FormattedAfterEnd;
        public volatile bool Ended;

        /// <summary>How long each call to format takes on top: long enough, and a helper is caught in one when the writing ends.</summary>
        public int FillMilliseconds;

        /// <summary>The same for the copies alone, the helpers' cursors: a helper the machine runs slowly.</summary>
        public int CopyFillMilliseconds;
    }

    public WatchedNumbers(double[] numbers) : this(numbers, new Watch()) { }

    public Watch Watched => watch;

    public int Count => numbers.Length;

    public int Next { get; set; }

    public int NextPieceBytes => ShortestDouble.MaxLength + 1;

    public int Fill(Span<byte> destination, int end)
    {
        Interlocked.Increment(ref watch.Formatting);
        try
        {
            if (watch.FillMilliseconds > 0) Thread.Sleep(watch.FillMilliseconds);
            if (copy && watch.CopyFillMilliseconds > 0) Thread.Sleep(watch.CopyFillMilliseconds);
            int at = 0;
            for (; Next < end && destination.Length - at >= NextPieceBytes; Next++)
            {
                if (watch.Ended) Interlocked.Increment(ref watch.FormattedAfterEnd);
                if (Next > 0) destination[at++] = (byte)',';
                at = JsonPieces.PutNumber(numbers[Next], destination, at);
            }
            return at;
        }
        finally
        {
            Interlocked.Decrement(ref watch.Formatting);
        }
    }

    public IJsonPieces Copy() => new WatchedNumbers(numbers, watch, copy: true);
}
