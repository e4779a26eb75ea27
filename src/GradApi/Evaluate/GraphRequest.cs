using System.Diagnostics;
using System.Reflection;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using Microsoft.Extensions.Options;

namespace GradApi.Evaluate;

/// <summary>
/// The graph in an evaluate body. Bound by reading the whole body (up to the configured limit)
/// into a pooled buffer and parsing it with <see cref="GraphJsonReader"/>.
/// </summary>
public sealed class GraphRequest(GraphSpec spec)
{
    public GraphSpec Spec { get; } = spec;

    /// <summary>How long receiving the body took (the Server-Timing <c>read</c> stage).</summary>
    public TimeSpan ReadTime { get; init; }

    /// <summary>How long parsing the body into <see cref="Spec"/> took (the Server-Timing <c>parse</c> stage).</summary>
    public TimeSpan ParseTime { get; init; }

    /// <summary>The process's total GC pause time when the body began to be read (for the Server-Timing <c>gc</c> metric).</summary>
    public TimeSpan GcPausesAtStart { get; init; }

    public static ValueTask<GraphRequest> BindAsync(HttpContext context, ParameterInfo parameter) => ReadAsync(context);

    /// <summary>Reads and parses the body.</summary>
    /// <param name="context">The request.</param>
    /// <param name="inputValuesOptional">Whether an expression's names may go without a value (registering a graph).</param>
    internal static async ValueTask<GraphRequest> ReadAsync(HttpContext context, bool inputValuesOptional = false)
    {
        GradApiOptions options = context.RequestServices.GetRequiredService<IOptions<GradApiOptions>>().Value;
        using JsonBody body = await JsonBody.ReadAsync(context, options.MaxBodyBytes, "the graph");
        var expressions = context.RequestServices.GetRequiredService<ExpressionParser>();
        long received = Stopwatch.GetTimestamp();
        GraphSpec spec = GraphJsonReader.Read(body.Bytes, options.MaxNodes, expressions, context.RequestAborted, inputValuesOptional);
        // The spec's arrays go back to the pool once the answer is written.
        context.Response.RegisterForDispose(spec);
        return new GraphRequest(spec)
        {
            ReadTime = body.ReadTime,
            ParseTime = Stopwatch.GetElapsedTime(received),
            GcPausesAtStart = body.GcPausesAtStart,
        };
    }
}
