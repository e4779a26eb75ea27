using System.Diagnostics;
using GradApi.Engine.Buffers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GradApi.Hosting;

/// <summary>
/// The health check behind <c>/healthz</c> (and so the container's <c>--probe</c>) that tells whether the process can
/// still serve its budget. Load shedding keeps the work within the memory, so running out of it should not happen; if
/// it does anyway, the request that hit it is answered 503 (<see cref="Problems.ProblemExceptionHandler"/>), and the
/// process is unhealthy while, with no work in flight and every pool emptied, most of its memory is still held: what a
/// leak looks like, and what only a restart cures. An out-of-memory that memory recovers from leaves it healthy.
/// </summary>
/// <remarks>
/// Measuring takes a full blocking collection, so it runs only after an out-of-memory, only when no request holds the
/// work budget, and at most once per <see cref="DefaultMeasureInterval"/>; in between, the last verdict stands.
/// </remarks>
internal sealed class MemoryHealth : IHealthCheck
{
    /// <summary>The shortest time between two measurements.</summary>
    public static readonly TimeSpan DefaultMeasureInterval = TimeSpan.FromSeconds(5);

    private readonly WorkLimiter _work;
    private readonly long _availableBytes;
    private readonly Func<long> _liveBytesAfterFullCollection;
    private readonly TimeSpan _measureInterval;
    private readonly Lock _measuring = new();
    private int _outOfMemorySinceMeasured;
    private long _outOfMemoryTotal;
    private long _measuredAt = long.MinValue;
    private HealthCheckResult _verdict = HealthCheckResult.Healthy();

    public MemoryHealth(WorkLimiter work, MemoryBudget memory)
        : this(work, memory.AvailableBytes, LiveBytesAfterFullCollection, DefaultMeasureInterval) { }

    internal MemoryHealth(WorkLimiter work, long availableBytes, Func<long> liveBytesAfterFullCollection, TimeSpan measureInterval)
    {
        _measureInterval = measureInterval;
        _work = work;
        _availableBytes = availableBytes;
        _liveBytesAfterFullCollection = liveBytesAfterFullCollection;
    }

    /// <summary>How many requests ran out of memory since the process started.</summary>
    public long OutOfMemoryCount => Interlocked.Read(ref _outOfMemoryTotal);

    /// <summary>A request ran out of memory: the pools let go of what they keep, and the next check measures.</summary>
    public void OnOutOfMemory()
    {
        Interlocked.Increment(ref _outOfMemoryTotal);
        Interlocked.Exchange(ref _outOfMemorySinceMeasured, 1);
        BufferPool.Trim();
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _outOfMemorySinceMeasured) == 0 && _verdict.Status == HealthStatus.Healthy)
            return Task.FromResult(_verdict);

        lock (_measuring)
        {
            bool due = _measuredAt == long.MinValue || Stopwatch.GetElapsedTime(_measuredAt) >= _measureInterval;
            if (!due || !_work.IsIdle) return Task.FromResult(_verdict);

            _measuredAt = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _outOfMemorySinceMeasured, 0);
            BufferPool.Trim();
            long live = _liveBytesAfterFullCollection();
            _verdict = live > _availableBytes / 2
                ? HealthCheckResult.Unhealthy(
                    $"Out of memory: {live / (1024 * 1024):N0} MiB of {_availableBytes / (1024 * 1024):N0} MiB still held with no work in flight.")
                : HealthCheckResult.Healthy();
            return Task.FromResult(_verdict);
        }
    }

    private static long LiveBytesAfterFullCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
