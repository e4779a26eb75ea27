using System.Diagnostics;
using System.Reflection;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using Microsoft.Extensions.Options;

namespace GradApi.Evaluate;

/// <summary>
/// The graph in an evaluate body. Bound by parsing the body with <see cref="GraphJsonReader"/> as it arrives (up to
/// the configured limit), piece by piece, so that the parse runs while the rest of the body is on its way.
/// </summary>
public sealed class GraphRequest(GraphSpec spec)
{
    public GraphSpec Spec { get; } = spec;

    /// <summary>How long receiving the body took, less the parsing done meanwhile (the Server-Timing <c>read</c> stage).</summary>
    public TimeSpan ReadTime { get; init; }

    /// <summary>How long parsing the body into <see cref="Spec"/> took (the Server-Timing <c>parse</c> stage).</summary>
    public TimeSpan ParseTime { get; init; }

    /// <summary>The process's total GC pause time when the body began to be read (for the Server-Timing <c>gc</c> metric).</summary>
    public TimeSpan GcPausesAtStart { get; init; }

    public static ValueTask<GraphRequest> BindAsync(HttpContext context, ParameterInfo parameter) => ReadAsync(context);

    /// <summary>Reads the body and parses it as it arrives.</summary>
    /// <param name="context">The request.</param>
    /// <param name="inputValuesOptional">Whether an expression's names may go without a value (registering a graph).</param>
    internal static async ValueTask<GraphRequest> ReadAsync(HttpContext context, bool inputValuesOptional = false)
    {
        GradApiOptions options = context.RequestServices.GetRequiredService<IOptions<GradApiOptions>>().Value;
        var expressions = context.RequestServices.GetRequiredService<ExpressionParser>();
        // No token for the reader: it reads a piece of at most a window at a time, and the request's abort is seen by
        // the read of the next piece, which takes the body pipe's cancelled read with it (see JsonBody).
        using var reader = new GraphJsonReader(options.MaxNodes, expressions, inputValuesOptional,
            context.Request.ContentLength ?? 0, CancellationToken.None);
        BodyReading body = await JsonBody.ReadAsync(context, options.MaxBodyBytes, "the graph", reader);
        long finishing = Stopwatch.GetTimestamp();
        GraphSpec spec = reader.Finish();
        // The spec's arrays go back to the pool once the answer is written.
        context.Response.RegisterForDispose(spec);
        return new GraphRequest(spec)
        {
            ReadTime = body.ReadTime,
            ParseTime = body.TakeTime + Stopwatch.GetElapsedTime(finishing),
            GcPausesAtStart = body.GcPausesAtStart,
        };
    }
}
