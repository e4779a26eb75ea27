using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace GradApi.Hosting;

/// <summary>
/// Load shedding with ASP.NET Core's rate limiter: <see cref="WorkLimiter"/> as its global limiter, and a 429
/// problem document with Retry-After instead of the framework's bare 503.
/// </summary>
internal static class LoadShedding
{
    public static IServiceCollection AddGradApiLoadShedding(this IServiceCollection services)
    {
        services.AddSingleton<WorkLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRejection;
        });
        services.AddOptions<RateLimiterOptions>()
            .Configure<WorkLimiter>((options, limiter) => options.GlobalLimiter = limiter);
        return services;
    }

    private static async ValueTask WriteRejection(OnRejectedContext context, CancellationToken cancellationToken)
    {
        HttpContext http = context.HttpContext;
        TimeSpan retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromSeconds(1);
        string detail = context.Lease.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason) && reason is not null
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
