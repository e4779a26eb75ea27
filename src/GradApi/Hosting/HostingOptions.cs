using System.ComponentModel.DataAnnotations;

namespace GradApi.Hosting;

/// <summary>
/// The service's limits and security switches. Bound from the same <c>GradApi</c> section as
/// <see cref="GradApiOptions"/>; every default is listed in the README's "Limits and security".
/// </summary>
public sealed class HostingOptions
{
    /// <summary>The header that carries an API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    // Kestrel: how long and how slowly a client may talk.

    /// <summary>Most seconds a client may take to send the request line and headers.</summary>
    [Range(1, 600)]
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Most seconds an idle keep-alive connection stays open.</summary>
    [Range(1, 3600)]
    public double KeepAliveTimeoutSeconds { get; set; } = 60;

    /// <summary>Slowest accepted body upload, in bytes per second after the grace period; 0 turns the check off.</summary>
    [Range(0, 1_000_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 16 * 1024;

    /// <summary>Seconds a body upload may run before <see cref="MinRequestBodyBytesPerSecond"/> applies (Kestrel needs more than 1).</summary>
    [Range(1, 600, MinimumIsExclusive = true)]
    public double MinRequestBodyGraceSeconds { get; set; } = 10;

    /// <summary>
    /// The body limit of every endpoint that does not set its own (Kestrel's MaxRequestBodySize).
    /// Evaluate raises it to <see cref="GradApiOptions.MaxBodyBytes"/> for its own requests.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long DefaultMaxBodyBytes { get; set; } = 1024 * 1024;

    // Load shedding: the work in flight, weighed by body size.

    /// <summary>
    /// Total body bytes of the /v1 requests served at once; a request weighs its Content-Length in 64 KiB units, and
    /// one larger than the whole budget gets a 413. Unset (the default), it is sized from the memory the process may
    /// use (<see cref="MemoryBudget"/>).
    /// </summary>
    [Range(64 * 1024, 1L << 40)]
    public long? WorkBudgetBytes { get; set; }

    /// <summary>Total body bytes of the requests that may wait for the budget; past it, 429.</summary>
    [Range(0, 1L << 40)]
    public long WorkQueueBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most seconds a request waits for the budget before it is answered 429.</summary>
    [Range(0.001, 3600)]
    public double WorkQueueTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// After a 413 (or a 504 during the upload), at most this many bytes of the rest of the body are read and thrown away, so that a client that
    /// sends its whole body before reading gets the problem document (see <see cref="TooLargeBody"/>); 0 closes at once.
    /// </summary>
    [Range(0, 1L << 40)]
    public long TooLargeDrainBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>After a 413 (or a 504 during the upload), at most this many seconds are spent reading the rest of the body.</summary>
    [Range(0, 3600)]
    public double TooLargeDrainSeconds { get; set; } = 10;

    /// <summary>Requests per second one client may make to /v1 (token bucket per API key, else per IP); 0 turns it off.</summary>
    [Range(0, 1_000_000)]
    public int ClientRequestsPerSecond { get; set; }

    /// <summary>Most requests a client may make in a burst; 0 means <see cref="ClientRequestsPerSecond"/>.</summary>
    [Range(0, 1_000_000)]
    public int ClientBurst { get; set; }

    /// <summary>Proxies whose X-Forwarded-For and X-Forwarded-Proto are trusted; none by default.</summary>
    public string[] KnownProxies { get; set; } = [];

    // Time budget.

    /// <summary>Most seconds one request may take, upload and answer included; past it, 504. Fractions allowed.</summary>
    [Range(0.001, 3600)]
    public double EvaluateTimeoutSeconds { get; set; } = 30;

    // Security and hygiene.

    /// <summary>When set, every /v1 request needs one of these in X-Api-Key.</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>Whether any API key is configured, and so required.</summary>
    public bool HasApiKeys => ApiKeys.Any(key => !string.IsNullOrEmpty(key));

    /// <summary>Origins allowed to call the API from a browser; none (no CORS headers at all) by default.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>
    /// When set, every answer names this replica in <c>X-GradApi-Replica</c>, so that behind a load balancer one can
    /// see which replica served a request; unset (the default), no such header.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._:-]{1,64}$", ErrorMessage = "GradApi:ReplicaName must be 1 to 64 letters, digits, '.', '_', ':' or '-'.")]
    public string? ReplicaName { get; set; }

    /// <summary>How long a stopping service lets requests in flight finish: the time budget plus a margin.</summary>
    public TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(EvaluateTimeoutSeconds + 5);
}
