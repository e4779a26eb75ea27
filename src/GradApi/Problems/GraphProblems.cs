using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Problems;

/// <summary>The problem documents for a graph the compiler refused and for a non-finite result.</summary>
internal static class GraphProblems
{
    public static IResult Invalid(CompileResult result)
    {
        var errors = result.Errors
            .GroupBy(e => e.Path)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        string detail = result.Errors[0].Message
            + (result.ErrorCount > 1 ? $" ({result.ErrorCount - 1} more error{(result.ErrorCount > 2 ? "s" : "")} listed in 'errors'.)" : "");

        var extensions = new Dictionary<string, object?> { ["errorCount"] = result.ErrorCount };
        if (result.ErrorCount > result.Errors.Count)
            extensions["errorsListed"] = result.Errors.Count;
        if (result.Errors.FirstOrDefault(e => e.Kind == GraphErrorKind.Cycle) is { Cycle: { } cycle })
            extensions["cycle"] = cycle;
        return TypedResults.ValidationProblem(errors, detail, title: "The graph is not valid", extensions: extensions);
    }

    public static IResult NonFinite(NumericError error)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["node"] = error.NodeId,
            ["path"] = $"nodes[{error.NodeIndex}]",
            ["op"] = error.Op,
            ["pass"] = error.Pass == Pass.Forward ? "forward" : "backward",
            ["inputValues"] = error.InputValues,
        };
        if (error.Input is { } input) extensions["input"] = input;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The graph has a non-finite result",
            detail: error.Message,
            extensions: extensions);
    }
}
