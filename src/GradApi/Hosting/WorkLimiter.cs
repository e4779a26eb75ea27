using System.Threading.RateLimiting;
using GradApi.Observability;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// The limiter every request passes (see <see cref="WorkAdmission"/>): bounds the work in flight rather than the number of requests.
/// A /v1 request weighs its body size in 64 KiB units (at least one) and holds that many permits of a
/// <see cref="ConcurrencyLimiter"/> whose permits add up to <see cref="HostingOptions.WorkBudgetBytes"/> (by default
/// what the process's memory allows, <see cref="MemoryBudget"/>), so thousands of small graphs run side by side while a
/// few huge ones queue, then get a 429; one larger than the whole budget could never run and gets a 413 at once.
/// </summary>
/// <remarks>
/// Why a <see cref="PartitionedRateLimiter{TResource}"/> of <see cref="HttpContext"/>: <see cref="WorkAdmission"/> hands
/// it the request, and it ignores the permit count it is asked for and takes the request's weight instead (the
/// framework's policies only ever see a count of one, so none of them can weigh a request).
/// The queue is newest-first: a small request takes free permits at once even while a huge one waits for more, and a
/// full queue drops its oldest waiter. The built-in queue has no timeout, so the wait here is bounded by
/// <see cref="HostingOptions.WorkQueueTimeoutSeconds"/>. An optional token bucket per client runs first.
/// </remarks>
internal sealed class WorkLimiter : PartitionedRateLimiter<HttpContext>
{
    /// <summary>The bytes of body one permit stands for.</summary>
    public const int UnitBytes = 64 * 1024;

    private static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(1);

    private readonly ConcurrencyLimiter _work;
    private readonly PartitionedRateLimiter<HttpContext>? _perClient;
    private readonly TimeSpan _queueTimeout;
    private readonly long _maxBodyBytes;
    private readonly long _unknownLengthBytes;

    public WorkLimiter(IOptions<HostingOptions> hosting, IOptions<GradApiOptions> gradApi, MemoryBudget memory, GradApiMetrics metrics)
    {
        HostingOptions options = hosting.Value;
        BudgetUnits = (int)Math.Clamp((options.WorkBudgetBytes ?? memory.WorkBudgetBytes) / UnitBytes, 1, int.MaxValue);
        _work = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = BudgetUnits,
            QueueLimit = (int)Math.Clamp(options.WorkQueueBytes / UnitBytes, 0, int.MaxValue),
            QueueProcessingOrder = QueueProcessingOrder.NewestFirst,
        });
        _queueTimeout = TimeSpan.FromSeconds(options.WorkQueueTimeoutSeconds);
        _maxBodyBytes = gradApi.Value.MaxBodyBytes;
        _unknownLengthBytes = options.DefaultMaxBodyBytes;
        if (options.ClientRequestsPerSecond > 0)
            _perClient = ClientBuckets(options);
        ObserveWork(metrics);
    }

    /// <summary>The budget, in permits.</summary>
    public int BudgetUnits { get; }

    /// <summary>The budget in body bytes: the largest body that can ever run.</summary>
    public long BudgetBytes => (long)BudgetUnits * UnitBytes;

    /// <summary>Whether no /v1 request holds any of the budget now.</summary>
    public bool IsIdle => AvailableUnits == BudgetUnits;

    /// <summary>
    /// Whether the request declares a body larger than the whole budget (and within the body limit, past which it gets
    /// that limit's 413): it could never run, however long it waited.
    /// </summary>
    public bool NeverFits(HttpRequest request) =>
        IsLimited(request.HttpContext) && request.ContentLength is long bytes && bytes > BudgetBytes && bytes <= _maxBodyBytes;

    /// <summary>The permits not held by a request right now.</summary>
    public long AvailableUnits => _work.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>
    /// A request's weight in permits: its Content-Length in 64 KiB units, at least one. A body of unknown length
    /// (chunked) counts as <see cref="HostingOptions.DefaultMaxBodyBytes"/>; one declared over the evaluate limit
    /// counts as one, since it is refused with a 413 before a byte of it is read.
    /// </summary>
    public int Weigh(HttpRequest request)
    {
        long bytes = request.ContentLength ?? (HasBody(request) ? _unknownLengthBytes : 0);
        if (bytes > _maxBodyBytes) return 1;
        return (int)Math.Clamp((bytes + UnitBytes - 1) / UnitBytes, 1, BudgetUnits);
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => _work.GetStatistics();

    /// <summary>The work in flight, as gauges read at each scrape: the budget, what requests hold of it, what waits for it.</summary>
    private void ObserveWork(GradApiMetrics metrics)
    {
        metrics.Meter.CreateObservableGauge("gradapi.work.budget", () => (long)BudgetUnits * UnitBytes, "By",
            "The work budget: the body bytes of the /v1 requests that may run at once (GradApi:WorkBudgetBytes, or what the memory allows).");
        metrics.Meter.CreateObservableGauge("gradapi.work.in_use", () => (long)(BudgetUnits - AvailableUnits) * UnitBytes, "By",
            "The part of the work budget held by the /v1 requests running now.");
        metrics.Meter.CreateObservableGauge("gradapi.work.queued", () => (_work.GetStatistics()?.CurrentQueuedCount ?? 0) * (long)UnitBytes, "By",
            "The body bytes of the /v1 requests waiting for room in the work budget.");
    }

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        if (!IsLimited(resource)) return Lease.Free;

        // Work first: a failed attempt costs nothing, and WorkAdmission then waits in AcquireAsync.
        RateLimitLease work = _work.AttemptAcquire(Weigh(resource.Request));
        if (!work.IsAcquired) return work;
        if (_perClient is null) return work;

        RateLimitLease client = _perClient.AttemptAcquire(resource);
        if (client.IsAcquired) return new Lease(work, client);
        work.Dispose();
        return client;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount,
        CancellationToken cancellationToken)
    {
        if (!IsLimited(resource)) return Lease.Free;

        RateLimitLease? client = null;
        if (_perClient is not null)
        {
            client = await _perClient.AcquireAsync(resource, cancellationToken: cancellationToken);
            if (!client.IsAcquired)
                return Lease.Rejected(RetryAfterOf(client, BusyRetryAfter),
                    "This client has sent more requests per second than the service allows it.");
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_queueTimeout);
        RateLimitLease work;
        try
        {
            work = await _work.AcquireAsync(Weigh(resource.Request), wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client?.Dispose();
            return Lease.Rejected(BusyRetryAfter, "The service is busy with other graphs and this one waited too long for its turn.");
        }
        catch
        {
            client?.Dispose();
            throw;
        }

        if (work.IsAcquired) return client is null ? work : new Lease(work, client);
        client?.Dispose();
        return Lease.Rejected(BusyRetryAfter, "The service is busy with other graphs and has no room left to queue this one.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _work.Dispose();
            _perClient?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Only the API is limited: /healthz, Swagger and static files never wait.</summary>
    private static bool IsLimited(HttpContext context) => context.Request.Path.StartsWithSegments("/v1");

    private static bool HasBody(HttpRequest request) =>
        request.Headers.TransferEncoding.Count > 0 || request.ContentLength > 0;

    private static TimeSpan RetryAfterOf(RateLimitLease lease, TimeSpan fallback) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter) ? retryAfter : fallback;

    /// <summary>One token bucket per client: its API key when keys are configured (then it is a checked key), else its IP.</summary>
    private static PartitionedRateLimiter<HttpContext> ClientBuckets(HostingOptions options)
    {
        bool byKey = options.HasApiKeys;
        int rate = options.ClientRequestsPerSecond;
        int burst = options.ClientBurst > 0 ? options.ClientBurst : rate;
        return PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            string client = byKey && context.Request.Headers[HostingOptions.ApiKeyHeader] is [{ } key]
                ? "key:" + key
                : "ip:" + context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = rate,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            });
        });
    }

    /// <summary>A lease that holds the work permits and the client's token, or says why and how long to wait.</summary>
    private sealed class Lease : RateLimitLease
    {
        public static readonly Lease Free = new(acquired: true);

        private readonly RateLimitLease? _work;
        private readonly RateLimitLease? _client;
        private readonly TimeSpan? _retryAfter;
        private readonly string? _reason;

        private Lease(bool acquired, TimeSpan? retryAfter = null, string? reason = null)
        {
            IsAcquired = acquired;
            _retryAfter = retryAfter;
            _reason = reason;
        }

        public Lease(RateLimitLease work, RateLimitLease client) : this(acquired: true)
        {
            _work = work;
            _client = client;
        }

        public static Lease Rejected(TimeSpan retryAfter, string reason) => new(acquired: false, retryAfter, reason);

        public override bool IsAcquired { get; }

        public override IEnumerable<string> MetadataNames =>
            _retryAfter is null ? [] : [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? _retryAfter
                : metadataName == MetadataName.ReasonPhrase.Name ? _reason
                : null;
            return metadata is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _work?.Dispose();
                _client?.Dispose();
            }
        }
    }
}
