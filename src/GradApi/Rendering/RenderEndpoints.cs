using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Insight;
using GradApi.Evaluate;
using GradApi.Observability;
using GradApi.Problems;
using GradApi.Validation;
using Microsoft.Extensions.Options;

namespace GradApi.Rendering;

internal static class RenderEndpoints
{
    public const string SvgType = "image/svg+xml";
    public const string DotType = "text/vnd.graphviz";
    public const string MermaidType = "text/plain";

    /// <summary>A picture may have at most this many edges per node it may have; a graph past that is a 413.</summary>
    public const int EdgesPerNode = 4;

    public static IEndpointRouteBuilder MapRender(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/render", Render)
            .WithTags("Pictures")
            .WithName("Render")
            .WithSummary("Draw a graph with every node's value and every edge's gradient")
            .WithDescription(
                "Takes the same body as evaluate (nodes or an expression), runs it in training mode, and answers the "
                + "graph as a picture in the style of the CS231n backpropagation notes: each node shows its label or id, "
                + "its op, its value (green) and its grad (red); each edge, drawn from input to gate, is labelled with the "
                + "gradient flowing back along it (red): the product of the explain step for that edge. Numbers show 4 "
                + "significant digits. format=svg (the default) is image/svg+xml, laid out by the service itself "
                + "(layers left to right by longest path from the inputs); format=dot is Graphviz DOT (text/vnd.graphviz); "
                + "format=mermaid is a Mermaid flowchart (text/plain). The same graph always gives the same bytes. "
                + "Allowed up to GradApi:MaxRenderNodes nodes (default 500) and 4 edges per allowed node; past that, 413.")
            .Accepts<EvaluateRequest>("application/json")
            .Produces<string>(StatusCodes.Status200OK, SvgType, DotType, MermaidType)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithValidation();
        return app;
    }

    private static IResult Render([AsParameters] RenderQuery query, GraphRequest body, GraphCompiler compiler, GraphEngine engine,
        GradApiMetrics metrics, IOptions<GradApiOptions> options, CancellationToken cancellationToken)
    {
        int maxNodes = options.Value.MaxRenderNodes;
        long maxEdges = (long)maxNodes * EdgesPerNode;
        if (body.Spec.NodeCount > maxNodes)
            return TooLarge($"A picture is drawn for at most {maxNodes:N0} nodes; this graph has {body.Spec.NodeCount:N0}.");
        if (body.Spec.InputCount > maxEdges)
            return TooLarge($"A picture is drawn for at most {maxEdges:N0} edges; this graph has {body.Spec.InputCount:N0}.");

        CompileResult compiled = body.Compile(compiler, EvaluationMode.Training, cancellationToken);
        if (!compiled.Succeeded) return GraphProblems.Invalid(compiled);

        var trace = ExplainTrace.Run(engine, compiled.Tape, cancellationToken);
        metrics.NodesEvaluated(compiled.Tape.NodeCount, EvaluationMode.Training);
        if (trace.Evaluation.Error is { } error) return GraphProblems.NonFinite(error);

        var picture = Picture.From(trace);
        return query.PictureFormat switch
        {
            PictureFormat.Dot => TypedResults.Text(DotWriter.Write(picture), $"{DotType}; charset=utf-8"),
            PictureFormat.Mermaid => TypedResults.Text(MermaidWriter.Write(picture), $"{MermaidType}; charset=utf-8"),
            _ => TypedResults.Text(SvgWriter.Write(picture), $"{SvgType}; charset=utf-8"),
        };
    }

    private static IResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The graph is too large to draw", detail: detail);
}
