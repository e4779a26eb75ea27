using System.Diagnostics;
using System.Reflection;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using Microsoft.Extensions.Options;

namespace GradApi.Evaluate;

/// <summary>
/// The graph in an evaluate body. Bound by parsing the body with <see cref="GraphJsonReader"/> as it arrives (up to
/// the configured limit), piece by piece, so that the parse runs while the rest of the body is on its way. A large
/// graph's compile starts during the parse, on another core (<see cref="CompileAhead"/>): <see cref="Compile"/> finishes it.
/// </summary>
public sealed class GraphRequest(GraphSpec spec)
{
    private CompileAhead? _ahead;

    public GraphSpec Spec { get; } = spec;

    /// <summary>Whether an <c>input</c> leaf may come without a value: the body registers a graph (see <see cref="GraphCompiler"/>).</summary>
    internal bool InputDefaultsOptional { get; init; }

    /// <summary>
    /// How long the compile worked on another core while the body was parsed (the Server-Timing <c>compile-ahead</c> metric):
    /// time the request did not wait for, beside <see cref="ParseTime"/>. Zero for a small graph, or until <see cref="Compile"/>.
    /// </summary>
    public TimeSpan CompileAheadTime { get; private set; }

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
            context.Request.ContentLength ?? 0, CancellationToken.None, compileCancellationToken: context.RequestAborted);
        BodyReading body = await JsonBody.ReadAsync(context, options.MaxBodyBytes, "the graph", reader);
        long finishing = Stopwatch.GetTimestamp();
        GraphSpec spec = reader.Finish();
        // The spec's arrays go back to the pool once the answer is written; the compile that ran ahead is stopped first,
        // if the handler never finished it.
        context.Response.RegisterForDispose(spec);
        return new GraphRequest(spec)
        {
            _ahead = reader.TakeCompile(),
            InputDefaultsOptional = inputValuesOptional,
            ReadTime = body.ReadTime,
            ParseTime = body.TakeTime + Stopwatch.GetElapsedTime(finishing),
            GcPausesAtStart = body.GcPausesAtStart,
        };
    }

    /// <summary>
    /// The graph compiled: what ran ahead during the parse finished here (the rest of the ids resolved, then the order, the
    /// tape and the plan), or for a small graph the whole compile. The same tape, or the same errors, either way.
    /// </summary>
    /// <param name="compiler">The compiler, for a graph whose compile did not start during the parse.</param>
    /// <param name="mode">Inference also plans where each value lives.</param>
    /// <param name="cancellationToken">The request's.</param>
    public CompileResult Compile(GraphCompiler compiler, EvaluationMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        CompileAhead? ahead = Interlocked.Exchange(ref _ahead, null);
        if (ahead is null) return compiler.Compile(Spec, mode, InputDefaultsOptional, cancellationToken);
        try
        {
            return ahead.Finish(mode, cancellationToken);
        }
        finally
        {
            CompileAheadTime = ahead.AheadTime;
        }
    }
}
