using Microsoft.AspNetCore.Http.HttpResults;

namespace GradApi.Observability;

/// <summary><c>GET /version</c>, and the line the service logs when it starts: which build is running.</summary>
internal static partial class VersionEndpoint
{
    public static IEndpointRouteBuilder MapGradApiVersion(this IEndpointRouteBuilder app)
    {
        app.MapGet("/version", Version)
            .WithTags("Service")
            .WithName("Version")
            .WithSummary("The build that is running: its version and git commit")
            .WithDescription("The same as every answer's GradApi-Version header (version+commit). commit is absent when the "
                + "build did not know it (built outside a git checkout without SOURCE_REVISION).");
        return app;
    }

    /// <summary>Logs the version once the service listens, with the addresses it listens on.</summary>
    public static void LogVersionOnStart(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() => Started(app.Logger, BuildVersion.Current.Version,
            BuildVersion.Current.Commit ?? "unknown", string.Join(", ", app.Urls)));

    private static Ok<BuildVersion> Version() => TypedResults.Ok(BuildVersion.Current);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "GradApi {Version} (commit {Commit}) listening on {Addresses}")]
    private static partial void Started(ILogger logger, string version, string commit, string addresses);
}
