using System.Diagnostics;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Insight;
using GradApi.Engine.Ops;
using GradApi.Observability;
using GradApi.Problems;
using GradApi.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GradApi.Evaluate;

internal static class EvaluateEndpoints
{
    public static IEndpointRouteBuilder MapGradApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1").WithTags("Gradients");

        v1.MapPost("/evaluate", Evaluate)
            .WithName("Evaluate")
            .WithSummary("Evaluate a graph: every node's value and gradient")
            .WithDescription(
                "Validates and compiles the graph, runs the forward pass and the backward pass (reverse-mode "
                + "automatic differentiation), and returns every node's value and grad = d output / d node in the "
                + "request's order. With mode=inference it runs forward only, keeps nothing for a backward pass, "
                + "drops each value once its last reader has run, and returns the output's value. Its 200 and 422 answers "
                + "(and the compiler's 400s, and the 413s of explain's and check's size limits) carry a W3C Server-Timing header naming the stages that ran with their durations in ms "
                + "(read, parse, compile, forward, backward in training, check, and the GC pauses among them as gc); the time spent writing the body "
                + "follows it as a Server-Timing trailer (write) where the connection carries trailers (HTTP/2). For a graph of 4,096 nodes or more "
                + "the compile starts while the body is parsed, on another core when one is free: compile is then the part that ran after the parse, "
                + "which the request waited for, and compile-ahead the part that ran beside the parse, which it did not.")
            .Accepts<EvaluateRequest>("application/json")
            .Produces<EvaluateResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithValidation();

        v1.MapPost("/parse", Parse)
            .WithName("Parse")
            .WithSummary("The graph an expression becomes, without evaluating it")
            .WithDescription(
                "Takes the same body as evaluate and answers the checked graph as nodes: for an expression, "
                + "the generated nodes with their stable ids and labels, ready to send back as a nodes body.")
            .Accepts<EvaluateRequest>("application/json")
            .Produces<ParseResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithValidation();

        v1.MapGet("/ops", ListOps)
            .WithName("ListOps")
            .WithSummary("The supported ops with their arity, forward rule and local gradient");

        return app;
    }

    private static IResult Evaluate([AsParameters] EvaluateQuery query, GraphRequest body, GraphCompiler compiler,
        GraphEngine engine, GradApiMetrics metrics, IOptions<GradApiOptions> options, HttpResponse response, CancellationToken cancellationToken)
    {
        EvaluationMode mode = query.EvaluationMode;
        var timing = new ServerTiming(response, body.GcPausesAtStart);
        timing.Add("read", body.ReadTime);
        timing.Add("parse", body.ParseTime);
        if (TooLargeForInsight(query, body.Spec, options.Value) is { } tooLarge) return tooLarge;

        long start = Stopwatch.GetTimestamp();
        CompileResult compiled = body.Compile(compiler, mode, cancellationToken);
        timing.Since("compile", start);
        if (body.CompileAheadTime > TimeSpan.Zero) timing.Add("compile-ahead", body.CompileAheadTime);
        if (!compiled.Succeeded) return GraphProblems.Invalid(compiled);

        IReadOnlyList<BackwardStep>? steps = null;
        EvaluationResult evaluation;
        if (query.WantsExplain)
        {
            var trace = ExplainTrace.Run(engine, compiled.Tape, cancellationToken);
            (evaluation, steps) = (trace.Evaluation, trace.Steps);
        }
        else
        {
            evaluation = engine.Evaluate(compiled.Tape, mode, cancellationToken);
        }
        metrics.NodesEvaluated(compiled.Tape.NodeCount, mode);
        timing.Add("forward", evaluation.ForwardTime);
        if (mode == EvaluationMode.Training && evaluation.Error is not { Pass: Pass.Forward })
            timing.Add("backward", evaluation.BackwardTime);
        if (evaluation.Error is { } error) return GraphProblems.NonFinite(error);

        start = Stopwatch.GetTimestamp();
        GradientCheckResult? check = query.WantsCheck
            ? GradientCheck.Run(evaluation, new GradientCheckOptions { MaxLeaves = options.Value.GradCheckMaxLeaves }, cancellationToken)
            : null;
        if (check is not null) timing.Since("check", start);
        return new EvaluationJsonResult(evaluation, steps, check);
    }

    /// <summary>
    /// explain lists one step per edge, and check runs up to two forward passes per leaf: each has
    /// its own size limit, well under what plain evaluation allows.
    /// </summary>
    private static IResult? TooLargeForInsight(EvaluateQuery query, GraphSpec spec, GradApiOptions options)
    {
        int maxExplain = options.MaxExplainNodes;
        if (query.WantsExplain && (spec.NodeCount > maxExplain || spec.InputCount > 4L * maxExplain))
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The graph is too large to explain",
                detail: $"explain=true lists every edge's step and is allowed up to {maxExplain:N0} nodes and {4L * maxExplain:N0} edges; "
                    + $"this graph has {spec.NodeCount:N0} nodes and {spec.InputCount:N0} edges.");
        int maxCheck = options.GradCheckMaxNodes;
        if (query.WantsCheck && spec.NodeCount + (long)spec.InputCount > 2L * maxCheck)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The graph is too large to check",
                detail: $"check=numeric runs the graph forward up to {2 * options.GradCheckMaxLeaves} times and is allowed up to "
                    + $"{maxCheck:N0} nodes (counting edges as half a node); this graph has {spec.NodeCount:N0} nodes and {spec.InputCount:N0} edges.");
        return null;
    }

    private static IResult Parse(GraphRequest body, GraphCompiler compiler, CancellationToken cancellationToken)
    {
        GraphSpec spec = body.Spec;
        CompileResult compiled = body.Compile(compiler, EvaluationMode.Training, cancellationToken);
        if (!compiled.Succeeded) return GraphProblems.Invalid(compiled);

        var nodes = new NodeSpec[spec.NodeCount];
        for (int i = 0; i < nodes.Length; i++)
        {
            string[]? inputs = spec.HasInputs(i)
                ? Enumerable.Range(0, spec.InputCountOf(i)).Select(k => spec.Input(i, k)).ToArray()
                : null;
            nodes[i] = new NodeSpec(spec.Id(i), spec.Op(i), spec.HasValue(i) ? spec.Value(i) : null, inputs, spec.Label(i));
        }
        return TypedResults.Ok(new ParseResponse(nodes, compiled.Tape.IdAt(compiled.Tape.Output), spec.Seed == 1 ? null : spec.Seed));
    }

    private static Ok<OpDescription[]> ListOps() =>
        TypedResults.Ok(OpTable.All
            .Select(op => new OpDescription(op.Name, op.Arity, op.ForwardFormula, op.LocalGradientFormula))
            .ToArray());
}
