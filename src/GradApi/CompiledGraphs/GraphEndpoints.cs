using System.Diagnostics;
using GradApi.Engine.Batching;
using GradApi.Engine.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Observability;
using GradApi.Problems;
using GradApi.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Compile once, evaluate many: <c>/v1/graphs</c> registers a graph under its content-hash id, and evaluates it at
/// one point (the answer exactly as <c>/v1/evaluate</c> gives it) or at a batch of points (a columnar answer).
/// </summary>
internal static class GraphEndpoints
{
    public static IEndpointRouteBuilder MapGraphs(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder graphs = app.MapGroup("/v1/graphs").WithTags("Compiled graphs")
            .AddEndpointFilter(AnswerStoreUnavailable);

        graphs.MapPost("", Register)
            .WithName("RegisterGraph")
            .WithSummary("Register a graph: check and compile it once, for many evaluations")
            .WithDescription(
                "Takes the same body as /v1/evaluate (nodes or an expression) and answers 201 with Location: /v1/graphs/{id}. "
                + "The id is 'sha256:' and the hex SHA-256 of the canonical graph (RFC 8785 JSON of its nodes in the body's "
                + "order, output and seed): the same graph gets the same id on any replica, whatever the body's spacing, "
                + "property order or number spelling (1, 1.0, 1e0). Node order is part of the id, since answers list nodes "
                + "in it. An input's value is its default, part of the id too; an input may be sent without one (in an "
                + "expression, a name missing from inputs), and each evaluation must then give it. Registering a graph again "
                + "answers 201 with the same id (idempotent). The body and node limits are /v1/evaluate's; a graph that the "
                + "store cannot keep (GradApi:GraphStore:MaxBytes, StoreMaxBytes, MaxGraphNodes) is a 413.")
            .Accepts<EvaluateRequest>("application/json")
            .Produces<GraphResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        graphs.MapGet("/{id}", Get)
            .WithName("GetGraph")
            .WithSummary("A registered graph's inputs, defaults, output and size")
            .WithDescription("An id that was never registered, or was deleted, or dropped to make room, is a 404 saying to register it again.")
            .Produces<GraphResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        graphs.MapDelete("/{id}", Delete)
            .WithName("DeleteGraph")
            .WithSummary("Forget a registered graph")
            .WithDescription("204 once it is gone; an unknown id is a 404.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        graphs.MapPost("/{id}/evaluate", Evaluate)
            .WithName("EvaluateGraph")
            .WithSummary("Evaluate a registered graph at one point or at a batch of points")
            .WithDescription(
                "With {\"inputs\": {\"x\": 1.5}}: one point; inputs not named keep their defaults, and the answer is byte for byte "
                + "what POST /v1/evaluate answers for the graph with those values, in both modes. "
                + "With {\"batch\": {\"x\": [B numbers], \"y\": 2}, \"grads\": [node ids], \"reduce\": \"none\"|\"sum\"|\"mean\"}: B points "
                + "(a number is used at every point; arrays must all have B numbers), answered columnar: {mode, output, size, values: "
                + "[B output values], grads: {id: [B grads] or, reduced, one number}}. grads defaults to every input leaf and may "
                + "name any node; inference answers values only. An input with no default must be given; an unknown name is a 400 "
                + "naming it (inputs.foo, batch.foo), as is a number that is not one (batch.x[17]). A batch is at most "
                + "GradApi:MaxBatchSize points and GradApi:MaxBatchWork points x nodes (413). A non-finite result is a 422 naming the "
                + "node and, in a batch, the first point (sample) that produced it. explain and check are /v1/evaluate's alone. "
                + "Answers carry Server-Timing: read, find (the compiled graph), parse (the values), forward, backward.")
            .Accepts<GraphEvaluateRequest>("application/json")
            .Produces<GraphEvaluateResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithValidation();

        return app;
    }

    private static async Task<IResult> Register(GraphRegistration body, GraphCompiler compiler, GraphCatalog catalog,
        IOptions<GraphStoreOptions> options, CancellationToken cancellationToken)
    {
        GraphSpec spec = body.Request.Spec;
        int maxNodes = options.Value.MaxGraphNodes;
        if (spec.NodeCount > maxNodes)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The graph is too large to register",
                detail: $"The graph has {spec.NodeCount:N0} nodes; a registered graph has at most {maxNodes:N0} (GradApi:GraphStore:MaxGraphNodes). "
                    + "Evaluate it with POST /v1/evaluate instead.");

        // Read with input defaults optional: the compile that ran ahead during the parse allowed them too.
        CompileResult compiled = body.Request.Compile(compiler, EvaluationMode.Training, cancellationToken);
        if (!compiled.Succeeded) return GraphProblems.Invalid(compiled);
        CompiledGraph graph = await catalog.RegisterAsync(spec, compiled.Tape, cancellationToken);
        return TypedResults.Created($"/v1/graphs/{graph.Id}", Describe(graph));
    }

    private static async Task<IResult> Get(string id, GraphCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.FindAsync(id, cancellationToken) is { } graph
            ? TypedResults.Ok(Describe(graph))
            : GraphStoreProblems.NotFound(id);

    private static async Task<IResult> Delete(string id, GraphCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.DeleteAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : GraphStoreProblems.NotFound(id);

    private static async Task<IResult> Evaluate(string id, [AsParameters] GraphEvaluateQuery query, GraphValuesBody body,
        GraphCatalog catalog, GraphEngine engine, BatchEngine batchEngine, GradApiMetrics metrics, IOptions<GradApiOptions> options,
        HttpResponse response, CancellationToken cancellationToken)
    {
        EvaluationMode mode = query.EvaluationMode;
        var timing = new ServerTiming(response, body.Body.GcPausesAtStart);
        timing.Add("read", body.Body.ReadTime);
        long start = Stopwatch.GetTimestamp();
        ValueTask<CompiledGraph?> finding = catalog.FindAsync(id, cancellationToken);
        CompiledGraph? graph = finding.IsCompletedSuccessfully ? finding.Result : await finding;
        if (graph is null) return GraphStoreProblems.NotFound(id);
        timing.Since("find", start);

        start = Stopwatch.GetTimestamp();
        GradApiOptions limits = options.Value;
        using GraphValues values = GraphValuesReader.Read(body.Body.Memory, graph, mode, new BatchLimits(limits.MaxBatchSize, limits.MaxBatchWork));
        timing.Since("parse", start);
        metrics.NodesEvaluated((long)graph.Tape.NodeCount * values.Size, mode);
        return values.IsBatch
            ? EvaluateBatch(graph, values, mode, batchEngine, timing, cancellationToken)
            : EvaluatePoint(graph, values, mode, engine, timing, cancellationToken);
    }

    /// <summary>One point: the graph's leaf values with the request's in their place, evaluated as /v1/evaluate would.</summary>
    private static IResult EvaluatePoint(CompiledGraph graph, GraphValues values, EvaluationMode mode, GraphEngine engine,
        ServerTiming timing, CancellationToken cancellationToken)
    {
        Tape tape = graph.Tape;
        double[] leaves = BufferPool<double>.Shared.Rent(tape.NodeCount);
        EvaluationResult evaluation;
        try
        {
            graph.LeafValues.CopyTo(leaves, 0);
            for (int k = 0; k < graph.InputPositions.Length; k++)
                if (values.IsGiven(k)) leaves[graph.InputPositions[k]] = values.Scalar(k);
            evaluation = engine.Evaluate(tape, mode, leaves.AsSpan(0, tape.NodeCount), cancellationToken);
        }
        finally
        {
            BufferPool<double>.Shared.Return(leaves);
        }
        timing.Add("forward", evaluation.ForwardTime);
        if (mode == EvaluationMode.Training && evaluation.Error is not { Pass: Pass.Forward })
            timing.Add("backward", evaluation.BackwardTime);
        if (evaluation.Error is { } error) return GraphProblems.NonFinite(error);
        return new EvaluationJsonResult(evaluation);
    }

    /// <summary>A batch: B points at once through the batch engine, the grads asked for (every input leaf by default), answered columnar.</summary>
    private static IResult EvaluateBatch(CompiledGraph graph, GraphValues values, EvaluationMode mode, BatchEngine engine,
        ServerTiming timing, CancellationToken cancellationToken)
    {
        int[] gradNodes = mode == EvaluationMode.Inference ? [] : values.GradNodes ?? graph.InputNodes;
        BatchResult result = engine.Evaluate(graph.Tape, values.ToBatchInputs(graph), mode, gradNodes, values.Reduce, cancellationToken);
        timing.Add("forward", result.ForwardTime);
        if (mode == EvaluationMode.Training && result.Error is not { Pass: Pass.Forward })
            timing.Add("backward", result.BackwardTime);
        if (result.Error is { } error) return GraphStoreProblems.NonFinite(error, result.SampleIndex);
        if (values.Reduce != BatchReduce.None)
            for (int k = 0; k < gradNodes.Length; k++)
                if (!double.IsFinite(result.Grad(k)[0]))
                    return GraphStoreProblems.ReducedNonFinite(graph.Spec.Id(gradNodes[k]), values.Reduce, result.Grad(k)[0]);
        return new BatchJsonResult(graph, gradNodes, values.Reduce, result);
    }

    private static GraphResponse Describe(CompiledGraph graph)
    {
        var defaults = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int k = 0; k < graph.InputIds.Length; k++)
            if (graph.HasDefault(k)) defaults[graph.InputIds[k]] = graph.DefaultOf(k);
        return new GraphResponse(graph.Id, graph.InputIds, graph.Output, new GraphStats(graph.Tape.NodeCount, graph.Tape.EdgeCount), defaults);
    }

    /// <summary>A store that cannot be reached is a 503 with Retry-After, whichever endpoint met it.</summary>
    private static async ValueTask<object?> AnswerStoreUnavailable(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (GraphStoreUnavailableException exception)
        {
            // Debug: a store logs its own outage once (the Redis store when Redis stops and starts answering), not per request.
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphEndpoints))
                .LogDebug(exception, "The graph store is unavailable: {Reason}", exception.Message);
            return GraphStoreProblems.Unavailable(context.HttpContext, exception);
        }
    }
}
