using System.Globalization;
using System.Threading.RateLimiting;

namespace GradApi.Hosting;

/// <summary>
/// Load shedding: every request is admitted by <see cref="WorkLimiter"/> (see <see cref="WorkAdmission"/>), and one
/// turned away gets a 429 problem document with Retry-After.
/// </summary>
internal static class LoadShedding
{
    /// <summary>The work limiter, sized from the memory the process may use, and the health check that watches that memory.</summary>
    public static IServiceCollection AddGradApiLoadShedding(this IServiceCollection services)
    {
        services.AddSingleton(_ => MemoryBudget.FromGC()).AddSingleton<WorkLimiter>().AddSingleton<MemoryHealth>();
        services.AddHealthChecks().AddCheck<MemoryHealth>("memory", tags: [Health.LiveTag]);
        return services;
    }

    /// <summary>The 413 problem of a body larger than the whole work budget.</summary>
    internal static Task WriteNeverFits(HttpContext http, WorkLimiter limiter)
    {
        http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request is too large",
                Detail = $"The body has {http.Request.ContentLength:N0} bytes; the memory this service has admits bodies of up to "
                    + $"{limiter.BudgetBytes:N0} bytes, even with nothing else running.",
            },
        }).AsTask();
    }

    /// <summary>The 429 problem, with the lease's reason and how long to wait.</summary>
    internal static async Task WriteRejection(HttpContext http, RateLimitLease lease)
    {
        TimeSpan retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromSeconds(1);
        string detail = lease.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason) && reason is not null
            ? reason
            : "The service is busy with other graphs.";
        int seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));

        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"{detail} Try again in {seconds} s.",
            },
        });
    }
}

/// <summary>
/// Runs each request under a lease of <see cref="WorkLimiter"/>: taken at once when there is room, else waited for
/// (bounded by the limiter's queue and its timeout), and held until the request is done; a request the limiter turns
/// away is answered 429. What ASP.NET Core's rate-limiting middleware did with the same limiter, without its per-request
/// metrics, feature and state machines: a request admitted at once that completes without waiting costs one lease.
/// </summary>
internal sealed class WorkAdmission(RequestDelegate next, WorkLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (limiter.NeverFits(context.Request)) return LoadShedding.WriteNeverFits(context, limiter);
        RateLimitLease lease = limiter.AttemptAcquire(context);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return QueueAsync(context);
        }

        Task work;
        try
        {
            work = next(context);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        if (!work.IsCompleted) return ReleaseAfterAsync(work, lease);
        lease.Dispose();
        return work;
    }

    private static async Task ReleaseAfterAsync(Task work, RateLimitLease lease)
    {
        using (lease) await work;
    }

    private async Task QueueAsync(HttpContext context)
    {
        RateLimitLease lease;
        try
        {
            lease = await limiter.AcquireAsync(context, cancellationToken: context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The client went away while it waited: there is no one to answer.
        }

        using (lease)
        {
            if (lease.IsAcquired) await next(context);
            else await LoadShedding.WriteRejection(context, lease);
        }
    }
}
