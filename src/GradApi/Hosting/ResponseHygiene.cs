using GradApi.Observability;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace GradApi.Hosting;

/// <summary>
/// Answers are never cached: every /v1 answer and every problem document says <c>Cache-Control: no-store</c>. Every
/// answer says which build gave it, in <see cref="BuildVersion.HeaderName"/>.
/// CORS is off (no Access-Control-* header at all) unless <see cref="HostingOptions.CorsOrigins"/> names origins.
/// </summary>
internal static class ResponseHygiene
{
    public static IServiceCollection AddGradApiCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<HostingOptions>>((options, hosting) => options.AddDefaultPolicy(policy => policy
                .WithOrigins(hosting.Value.CorsOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(HeaderNames.ContentType, ApiKeys.HeaderName)
                .WithExposedHeaders(HeaderNames.RetryAfter)));
        return services;
    }

    private static readonly Microsoft.Extensions.Primitives.StringValues VersionHeader = BuildVersion.Current.Informational;

    public static IApplicationBuilder UseNoStore(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[BuildVersion.HeaderName] = VersionHeader;
            bool isAnswer = http.Request.Path.StartsWithSegments("/v1")
                || http.Response.ContentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) == true;
            if (isAnswer && !http.Response.Headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
                http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
