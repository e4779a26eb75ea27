using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Ops;
using GradApi.Problems;
using GradApi.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using EngineEvaluation = GradApi.Engine.Evaluation.Evaluation;

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
                + "drops each value once its last reader has run, and returns the output's value.")
            .Accepts<EvaluateRequest>("application/json")
            .Produces<EvaluateResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithValidation();

        v1.MapGet("/ops", ListOps)
            .WithName("ListOps")
            .WithSummary("The supported ops with their arity, forward rule and local gradient");

        return app;
    }

    private static IResult Evaluate([AsParameters] EvaluateQuery query, GraphRequest body, GraphCompiler compiler,
        GraphEngine engine, CancellationToken cancellationToken)
    {
        EvaluationMode mode = query.EvaluationMode;
        CompileResult compiled = compiler.Compile(body.Spec, mode);
        if (!compiled.Succeeded) return GraphProblems.Invalid(compiled);

        EngineEvaluation evaluation = engine.Evaluate(compiled.Tape, mode, cancellationToken);
        if (evaluation.Error is { } error) return GraphProblems.NonFinite(error);
        return new EvaluationResult(evaluation);
    }

    private static Ok<OpDescription[]> ListOps() =>
        TypedResults.Ok(OpTable.All
            .Select(op => new OpDescription(op.Name, op.Arity, op.ForwardFormula, op.LocalGradientFormula))
            .ToArray());
}
