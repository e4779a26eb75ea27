namespace GradApi.Engine;

/// <summary>
/// The rule for one request's work that can be split across cores (a batch's tiles, the parts of a long array of
/// numbers): split it only while the thread pool has no work waiting. On an idle server the other cores are free and
/// the request gets its answer sooner; on a busy one they are serving other requests, which would wait behind the
/// split work, and the request's own parts would wait for a core too.
/// </summary>
public static class SpareCores
{
    /// <summary>How many threads work that splits into <paramref name="parts"/> parts runs on now: 1, or up to one per processor.</summary>
    public static int For(int parts) =>
        ThreadPool.PendingWorkItemCount > 0 ? 1 : Math.Max(1, Math.Min(parts, Environment.ProcessorCount));
}
