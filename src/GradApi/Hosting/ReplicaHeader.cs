using Microsoft.Extensions.Primitives;

namespace GradApi.Hosting;

/// <summary>
/// <c>X-GradApi-Replica</c> on every answer, naming the replica that served it (<see cref="HostingOptions.ReplicaName"/>),
/// for telling replicas apart behind a load balancer. Only added when a name is set.
/// </summary>
internal static class ReplicaHeader
{
    public const string Name = "X-GradApi-Replica";

    public static IApplicationBuilder UseReplicaHeader(this IApplicationBuilder app, string replica)
    {
        var value = new StringValues(replica);
        // Set as the answer starts, so that problem documents written by the exception handler (which clears the
        // headers set before) carry it too.
        Func<object, Task> addHeader = state =>
        {
            ((HttpResponse)state).Headers[Name] = value;
            return Task.CompletedTask;
        };
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(addHeader, context.Response);
            return next(context);
        });
    }
}
