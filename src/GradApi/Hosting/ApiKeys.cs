using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// Optional API keys: when <see cref="HostingOptions.ApiKeys"/> is set, every /v1 request must carry one of them in
/// X-Api-Key, or it is answered 401 with a problem document. /healthz, Swagger and static files stay open.
/// Keys are compared in constant time and never written to a log.
/// </summary>
internal sealed class ApiKeys
{
    public const string HeaderName = HostingOptions.ApiKeyHeader;
    public const string Challenge = "ApiKey header=\"X-Api-Key\"";

    private readonly RequestDelegate _next;
    private readonly byte[][] _keyHashes;
    private readonly ILogger<ApiKeys> _logger;

    public ApiKeys(RequestDelegate next, IOptions<HostingOptions> options, ILogger<ApiKeys> logger)
    {
        _next = next;
        _logger = logger;
        _keyHashes = options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(Hash).ToArray();
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1") || IsKnown(context))
            return _next(context);
        return RefuseAsync(context);
    }

    /// <summary>
    /// Compares SHA-256 digests of the UTF-8 bytes with <see cref="CryptographicOperations.FixedTimeEquals"/>, against
    /// every configured key without stopping at a match: neither the time taken nor an early exit tells a caller
    /// how much of a key, or of its length, it got right.
    /// </summary>
    private bool IsKnown(HttpContext context)
    {
        if (context.Request.Headers[HeaderName] is not [{ Length: > 0 } presented]) return false;
        byte[] hash = Hash(presented);
        bool known = false;
        foreach (byte[] key in _keyHashes)
            known |= CryptographicOperations.FixedTimeEquals(hash, key);
        return known;
    }

    private async Task RefuseAsync(HttpContext context)
    {
        bool sent = context.Request.Headers.ContainsKey(HeaderName);
        // The presented value is never logged: only whether there was one.
        _logger.LogInformation("Refused {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path,
            sent ? "unknown API key" : "no API key");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = Challenge;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "An API key is required",
                Detail = sent
                    ? $"The {HeaderName} header does not hold a key this service knows."
                    : $"Send a key this service knows in the {HeaderName} header.",
            },
        });
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
