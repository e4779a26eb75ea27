using GradApi.Engine.Buffers;

namespace GradApi.Hosting;

/// <summary>
/// What the memory this process may use allows: the work budget when <see cref="HostingOptions.WorkBudgetBytes"/> is
/// not set, and the bound of the buffer pools (<see cref="BufferPool.RetainedBytesLimit"/>).
/// </summary>
/// <remarks>
/// The memory is <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the GC heap hard limit when one is set
/// (<c>DOTNET_GCHeapHardLimit</c>, or 75% of a container's memory limit, which the runtime sets by itself), else the
/// container's limit, else the machine's memory. Of it, <see cref="ReservedBytes"/> is left to the runtime, Kestrel and
/// small requests, the pools keep up to an eighth between requests, and the rest is the work budget, in body bytes:
/// a request holds up to <see cref="BytesPerBodyByte"/> times its body while it runs (the body, the graph read from
/// it, the id table, the tape and the engine's values and grads). In a 1 GiB container that admits one 10^6-node
/// graph (57 MB of JSON) at a time and queues the next; a body that could never fit gets a 413 up front.
/// </remarks>
internal sealed class MemoryBudget
{
    /// <summary>Left to the runtime, the JIT, Kestrel and the small requests that run beside the big ones.</summary>
    public const long ReservedBytes = 128L * 1024 * 1024;

    /// <summary>
    /// The most a request holds at once per byte of its body: 4.1 measured on a cold 10^6-node DAG (bigdag.sh), with
    /// room for a body of denser graphs (shorter ids, more edges per byte).
    /// </summary>
    public const int BytesPerBodyByte = 5;

    /// <summary>The work budget never grows past the fixed default of earlier versions, however large the machine.</summary>
    public const long MaxWorkBudgetBytes = 256L * 1024 * 1024;

    public MemoryBudget(long availableBytes)
    {
        AvailableBytes = availableBytes;
        long forWork = Math.Max(0, availableBytes - ReservedBytes - BufferPool.DefaultLimit(availableBytes));
        WorkBudgetBytes = Math.Clamp(forWork / BytesPerBodyByte, WorkLimiter.UnitBytes, MaxWorkBudgetBytes);
        PoolBytes = Math.Min(BufferPool.DefaultLimit(availableBytes), WorkBudgetBytes * BytesPerBodyByte);
    }

    /// <summary>The memory this process may use, as the GC sees it.</summary>
    public long AvailableBytes { get; }

    /// <summary>The work budget that fits: total body bytes of the requests served at once.</summary>
    public long WorkBudgetBytes { get; }

    /// <summary>The most the buffer pools keep between requests: no more than the work in flight can use.</summary>
    public long PoolBytes { get; }

    /// <summary>The budget for this process now.</summary>
    public static MemoryBudget FromGC() => new(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
}
