using System.Globalization;
using GradApi.Engine.Batching;
using GradApi.Engine.Evaluation;
using GradApi.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GradApi.CompiledGraphs;

/// <summary>The problem documents of registered graphs: an id not found, a store out of reach, a non-finite point of a batch.</summary>
internal static class GraphStoreProblems
{
    public static IResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such graph",
        detail: CanonicalGraph.IsWellFormed(id)
            ? $"No graph is registered as '{id}': it was never registered here, or was deleted, or was dropped to make room. "
                + "Register it again with POST /v1/graphs: the same graph gets the same id."
            : $"'{id}' is not a graph id: ids are 'sha256:' and 64 lowercase hex digits, as POST /v1/graphs answers them.",
        extensions: new Dictionary<string, object?> { ["id"] = id });

    /// <summary>503 with Retry-After: the store cannot be reached; graphs compiled here still evaluate.</summary>
    public static IResult Unavailable(HttpContext context, GraphStoreUnavailableException exception)
    {
        int seconds = (int)Math.Max(1, Math.Ceiling(exception.RetryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The graph store is unavailable",
            detail: $"The store of registered graphs cannot be reached just now. Try again in {seconds} s; "
                + "POST /v1/evaluate, which needs no store, still answers.");
    }

    /// <summary>422 naming the node, as /v1/evaluate does, and the first point of the batch that made it non-finite.</summary>
    public static IResult NonFinite(NumericError error, int sample)
    {
        var problem = (ProblemHttpResult)GraphProblems.NonFinite(error);
        problem.ProblemDetails.Extensions["sample"] = sample;
        problem.ProblemDetails.Detail = $"At sample {sample} (the first point of the batch where it happens): {error.Message}";
        return problem;
    }

    /// <summary>422: every sample's grad of <paramref name="node"/> is finite, but their sum over the batch is not.</summary>
    public static IResult ReducedNonFinite(string node, BatchReduce reduce, double result)
    {
        string how = reduce == BatchReduce.Sum ? "sum" : "mean";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The graph has a non-finite result",
            detail: $"Every sample's grad of '{node}' is finite, but their {how} over the batch is not ({result.ToString(CultureInfo.InvariantCulture)}): "
                + (reduce == BatchReduce.Sum ? "the sum overflows. Ask for reduce=mean, or none for each sample's grad." : "ask for reduce=none for each sample's grad."),
            extensions: new Dictionary<string, object?> { ["node"] = node, ["reduce"] = how });
    }
}
