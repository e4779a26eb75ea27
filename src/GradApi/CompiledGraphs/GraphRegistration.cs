using System.Reflection;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

/// <summary>
/// The body of <c>POST /v1/graphs</c>: the same body as evaluate (nodes or an expression), read by the same
/// reader under the same limits, except that an input may come without a value (an input without a default).
/// </summary>
public sealed class GraphRegistration(GraphRequest request)
{
    public GraphRequest Request { get; } = request;

    public static async ValueTask<GraphRegistration> BindAsync(HttpContext context, ParameterInfo parameter) =>
        new(await GraphRequest.ReadAsync(context, inputValuesOptional: true));
}

/// <summary>
/// The body of <c>POST /v1/graphs/{id}/evaluate</c>, read whole (under the evaluate body limit) but not parsed:
/// its names mean something only once the graph is found. The buffer goes back to the pool with the request.
/// </summary>
public sealed class GraphValuesBody
{
    private GraphValuesBody(JsonBody body) => Body = body;

    internal JsonBody Body { get; }

    public static async ValueTask<GraphValuesBody> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        long limit = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<GradApiOptions>>().Value.MaxBodyBytes;
        JsonBody body = await JsonBody.ReadAsync(context, limit, "the values");
        context.Response.RegisterForDispose(body);
        return new GraphValuesBody(body);
    }
}
